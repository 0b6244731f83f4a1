package object

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/sigloop/sigloop/internal/logging"
)

// Errors about properties; test them with errors.Is. The error values
// returned are *PropertyError, which wraps one of these.
var (
	// ErrUnknownProperty: no property of that name is installed.
	ErrUnknownProperty = errors.New("no such property")
	// ErrPropertyType: the value has the wrong type for the property, or a
	// number that the property's type cannot hold exactly.
	ErrPropertyType = errors.New("wrong value type for property")
	// ErrPropertyRange: the value is outside the property's range
	// (InstallRange, GLib's minimum and maximum of a GParamSpecInt…).
	ErrPropertyRange = errors.New("value out of range for property")
	// ErrReadOnlyProperty: SetProperty on a ReadOnly property.
	ErrReadOnlyProperty = errors.New("property is not writable")
	// ErrWriteOnlyProperty: Property (get by name) on a WriteOnly property.
	ErrWriteOnlyProperty = errors.New("property is not readable")
	// ErrConstructOnlyProperty: setting a ConstructOnly property after
	// construction (after Install).
	ErrConstructOnlyProperty = errors.New("construct-only property can't be set after construction")
	// ErrPropertyExists: a property of that name is already installed.
	ErrPropertyExists = errors.New("property already exists")
	// ErrInvalidPropertyName: the name is not a valid GLib property name.
	ErrInvalidPropertyName = errors.New("invalid property name")
	// ErrInvalidPropertyFlags: ReadOnly together with WriteOnly or
	// ConstructOnly (GLib requires a readable or writable property).
	ErrInvalidPropertyFlags = errors.New("invalid property flags")
)

// PropertyError describes a refused property access by name. Its zero value
// and a nil *PropertyError format without panicking.
type PropertyError struct {
	Op     string // "get", "set", "install" or "notify"
	Name   string // the property name as given
	Want   string // the property's type, for ErrPropertyType
	Got    string // the value's type, for ErrPropertyType
	Detail string // what was wrong with the value, for ErrPropertyRange and conversions
	Err    error  // one of the ErrXxx values above
}

// Error formats the refused access like GLib's criticals, in Go terms.
func (e *PropertyError) Error() string {
	if e == nil {
		return "object: <nil PropertyError>"
	}
	switch {
	case e.Detail != "":
		return fmt.Sprintf("object: %s property %q: %s", e.Op, e.Name, e.Detail)
	case e.Err == ErrPropertyType:
		return fmt.Sprintf("object: %s property %q: value of type '%s' is invalid for property of type '%s'", e.Op, e.Name, e.Got, e.Want)
	default:
		return fmt.Sprintf("object: %s property %q: %v", e.Op, e.Name, e.Err)
	}
}

// Unwrap returns the ErrXxx value.
func (e *PropertyError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// PropertyFlags are the GParamFlags that matter here. Without ReadOnly or
// WriteOnly a property is G_PARAM_READWRITE.
type PropertyFlags uint8

const (
	// ReadOnly: SetProperty by name refuses it (G_PARAM_READABLE without
	// WRITABLE); the owner still sets it with the typed Set.
	ReadOnly PropertyFlags = 1 << iota
	// ExplicitNotify is G_PARAM_EXPLICIT_NOTIFY: Set notifies only when the
	// value changes (Qt's xxxChanged convention). Without it Set notifies
	// on every call, changed or not, as g_object_set does (OBJ-1).
	ExplicitNotify
	// ConstructOnly is G_PARAM_CONSTRUCT_ONLY: the value given to Install
	// is the construct value, and the property cannot be set afterwards:
	// SetProperty returns ErrConstructOnlyProperty and the typed Set logs
	// GLib's critical and leaves the value unchanged (OBJ-4).
	ConstructOnly
	// WriteOnly is G_PARAM_WRITABLE without READABLE: Property by name
	// refuses it with ErrWriteOnlyProperty, and it never notifies (OBJ-1);
	// the owner still reads it with the typed Get.
	WriteOnly
)

// propertySlot is what the name lookup needs of an installed property.
type propertySlot interface {
	getAny() any
	setAny(v any) error
	flags() PropertyFlags
	typeName() string
}

// propCore is the storage and the GParamSpec part shared by Property and
// BoxedProperty.
type propCore[T any] struct {
	obj   *Object
	name  string
	fl    PropertyFlags
	mu    sync.Mutex
	v     T
	ready bool
	// check is the range test (InstallRange), nil if the property has
	// none; it returns what is wrong with v, "" if nothing.
	check func(v T) string
}

// Property is a typed GObject property (GParamSpec plus its storage),
// installed on an Object under a name. Get and Set are the typed
// accessors; Object.Property and Object.SetProperty reach it by name. Set
// emits o.Notify with the property name as detail ("notify::name"). Use
// NewProperty (NewRangeProperty for a numeric range), or declare it as a
// field and call Install (InstallRange). For a value type that is not
// comparable ([]string, []byte) use BoxedProperty.
//
// The zero value is usable as plain storage (Get, Set; nothing to notify)
// until Install. A nil *Property logs a critical and returns zero values.
// Safe for concurrent use.
type Property[T comparable] struct {
	propCore[T]
}

// BoxedProperty is a GObject property of a value type that Go cannot
// compare with == (GLib's boxed and GStrv properties: []string, []byte,
// maps, structs holding slices): Install takes the equality that decides
// whether a Set changed the value (slices.Equal for []string, bytes.Equal
// for []byte; nil counts every Set as a change). The value is stored and
// returned as given, not copied. Otherwise it is Property, zero value and
// concurrency contract included.
type BoxedProperty[T any] struct {
	propCore[T]
	eq func(a, b T) bool
}

// NewProperty is g_object_class_install_property plus the instance
// storage: it installs a property of type T named name on o, holding
// initial. The name is canonicalised as GLib does ('_' becomes '-'). It
// returns a *PropertyError wrapping ErrInvalidPropertyName,
// ErrInvalidPropertyFlags or ErrPropertyExists if it cannot.
func NewProperty[T comparable](o *Object, name string, initial T, flags PropertyFlags) (*Property[T], error) {
	p := &Property[T]{}
	if err := p.Install(o, name, initial, flags); err != nil {
		return nil, err
	}
	return p, nil
}

// NewRangeProperty is NewProperty for a numeric (or other ordered) type
// with GLib's minimum and maximum (g_param_spec_int(name, …, min, max,
// default, flags)): see InstallRange.
func NewRangeProperty[T cmp.Ordered](o *Object, name string, min, max, initial T, flags PropertyFlags) (*Property[T], error) {
	p := &Property[T]{}
	if err := InstallRange(p, o, name, min, max, initial, flags); err != nil {
		return nil, err
	}
	return p, nil
}

// InstallRange installs p as Install does, with the range min..max
// (inclusive), as g_param_spec_int and its siblings declare one: a
// listener's "listen-backlog" is InstallRange(&l.backlog, o,
// "listen-backlog", 0, 2000, 10, 0), a pool's "max-threads"
// InstallRange(&p.max, o, "max-threads", -1, math.MaxInt32, 10, 0).
// SetProperty refuses a value outside the range with a *PropertyError
// wrapping ErrPropertyRange ("value 5000 is out of range 0..2000"); the
// typed Set logs GLib's critical and leaves the value unchanged (OBJ-5);
// Validate reports the same error without setting. An initial value
// outside the range, or min > max, is refused with ErrPropertyRange.
func InstallRange[T cmp.Ordered](p *Property[T], o *Object, name string, min, max, initial T, flags PropertyFlags) error {
	if p == nil {
		nilProperty("g_param_spec_int")
		return &PropertyError{Op: "install", Name: name, Err: ErrNilObject}
	}
	check := func(v T) string {
		if cmp.Less(v, min) || cmp.Less(max, v) {
			return fmt.Sprintf("value %v is out of range %v..%v", v, min, max)
		}
		return ""
	}
	if cmp.Less(max, min) {
		return &PropertyError{Op: "install", Name: name, Err: ErrPropertyRange, Detail: fmt.Sprintf("minimum %v is above maximum %v", min, max)}
	}
	if d := check(initial); d != "" {
		return &PropertyError{Op: "install", Name: name, Err: ErrPropertyRange, Detail: "default " + d}
	}
	return p.install(o, name, initial, flags, p, check)
}

// Install installs p, a zero Property field of the embedding struct, on o
// under name; see NewProperty.
func (p *Property[T]) Install(o *Object, name string, initial T, flags PropertyFlags) error {
	if p == nil {
		nilProperty("g_object_class_install_property")
		return &PropertyError{Op: "install", Name: name, Err: ErrNilObject}
	}
	return p.install(o, name, initial, flags, p, nil)
}

// Install installs p, a zero BoxedProperty field, on o under name, holding
// initial; equal decides whether a Set changes the value (nil: every Set
// does). See NewProperty.
func (p *BoxedProperty[T]) Install(o *Object, name string, initial T, equal func(a, b T) bool, flags PropertyFlags) error {
	if p == nil {
		nilProperty("g_object_class_install_property")
		return &PropertyError{Op: "install", Name: name, Err: ErrNilObject}
	}
	p.mu.Lock()
	if !p.ready {
		p.eq = equal
	}
	p.mu.Unlock()
	return p.install(o, name, initial, flags, p, nil)
}

// NewBoxedProperty is NewProperty for a BoxedProperty.
func NewBoxedProperty[T any](o *Object, name string, initial T, equal func(a, b T) bool, flags PropertyFlags) (*BoxedProperty[T], error) {
	p := &BoxedProperty[T]{}
	if err := p.Install(o, name, initial, equal, flags); err != nil {
		return nil, err
	}
	return p, nil
}

func nilProperty(fn string) {
	logging.Critical(pkg, fn+": assertion 'G_IS_PARAM_SPEC (pspec)' failed")
}

func (p *propCore[T]) install(o *Object, name string, initial T, flags PropertyFlags, slot propertySlot, check func(T) string) error {
	if o == nil {
		nilObject("g_object_class_install_property")
		return &PropertyError{Op: "install", Name: name, Err: ErrNilObject}
	}
	o.init()
	canon, ok := canonicalName(name)
	if !ok {
		return &PropertyError{Op: "install", Name: name, Err: ErrInvalidPropertyName}
	}
	if flags&ReadOnly != 0 && flags&(WriteOnly|ConstructOnly) != 0 {
		return &PropertyError{Op: "install", Name: name, Err: ErrInvalidPropertyFlags}
	}
	p.mu.Lock()
	if p.ready {
		p.mu.Unlock()
		return &PropertyError{Op: "install", Name: name, Err: ErrPropertyExists}
	}
	p.obj, p.name, p.fl, p.v, p.ready, p.check = o, canon, flags, initial, true, check
	p.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.findProp(canon) != nil {
		p.mu.Lock()
		p.obj, p.name, p.ready, p.check = nil, "", false, nil // not installed: Set must not notify o's other property
		p.mu.Unlock()
		logging.Critical(pkg, fmt.Sprintf("g_object_class_install_property: class '%T' already contains a property named '%s'", o.Self(), canon))
		return &PropertyError{Op: "install", Name: name, Err: ErrPropertyExists}
	}
	pt := o.props
	if pt == nil {
		pt = &propTable{}
		pt.list = pt.first[:0]
		o.props = pt
	}
	pt.list = append(pt.list, propEntry{canon, slot})
	switch {
	case pt.index != nil:
		pt.index[canon] = slot
	case len(pt.list) > propIndexMin:
		pt.index = make(map[string]propertySlot, len(pt.list))
		for _, e := range pt.list {
			pt.index[e.name] = e.slot
		}
	}
	return nil
}

// propTable is an object's installed properties: one allocation for the
// first two (a typical object has one or two), which list starts in.
type propTable struct {
	list  []propEntry             // installation order
	index map[string]propertySlot // by name, once there are many
	first [2]propEntry
}

// propEntry is an installed property in a propTable.
type propEntry struct {
	name string
	slot propertySlot
}

// propIndexMin is the number of properties above which the name lookup
// uses a map; below, a scan of the list is as fast and allocates nothing.
const propIndexMin = 8

// findProp returns the property called canon, or nil; o.mu must be held.
func (o *Object) findProp(canon string) propertySlot {
	pt := o.props
	if pt == nil {
		return nil
	}
	if pt.index != nil {
		return pt.index[canon]
	}
	for _, e := range pt.list {
		if e.name == canon {
			return e.slot
		}
	}
	return nil
}

// canonicalName applies GLib's property name rules: a letter, then
// letters, digits, '-' or '_', with '_' turned into '-'.
func canonicalName(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '-' || r == '_')) {
			return "", false
		}
	}
	return strings.ReplaceAll(name, "_", "-"), true
}

// getName, getFlags, get and validate are the bodies of the accessors of
// both property types; a nil p (from a nil *Property or *BoxedProperty, see
// core) logs GLib's critical and returns the zero answer.

func (p *propCore[T]) getName() string {
	return lockedRead(p, "g_param_spec_get_name", "", func() string { return p.name })
}

func (p *propCore[T]) getFlags() PropertyFlags {
	return lockedRead(p, "g_param_spec_get_flags", 0, func() PropertyFlags { return p.fl })
}

// lockedRead returns get() under p's lock, or GLib's critical for fn and
// zero for a nil p. get and validate do the same by hand: Get is the
// property read every typed getter makes, kept a direct call.
func lockedRead[T, V any](p *propCore[T], fn string, zero V, get func() V) V {
	if p == nil {
		nilProperty(fn)
		return zero
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return get()
}

func (p *propCore[T]) get() T {
	if p == nil {
		nilProperty("g_value_get")
		var zero T
		return zero
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.v
}

func (p *propCore[T]) validate(v T) error {
	if p == nil {
		nilProperty("g_param_value_validate")
		return &PropertyError{Op: "set", Err: ErrNilObject}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.validateLocked(v)
}

func (p *propCore[T]) validateLocked(v T) error {
	if p.fl&ConstructOnly != 0 && p.ready {
		return &PropertyError{Op: "set", Name: p.name, Err: ErrConstructOnlyProperty}
	}
	if p.check != nil {
		if d := p.check(v); d != "" {
			return &PropertyError{Op: "set", Name: p.name, Err: ErrPropertyRange, Detail: d}
		}
	}
	return nil
}

// store sets v unless it is invalid, and notifies (OBJ-1): on every call,
// or, for an ExplicitNotify property, only when v differs from the old
// value by eq (nil: always different); never for a WriteOnly property.
func (p *propCore[T]) store(v T, eq func(a, b T) bool) (changed bool, err error) {
	p.mu.Lock()
	if err := p.validateLocked(v); err != nil {
		obj := p.obj
		p.mu.Unlock()
		return false, &setRefusal{err.(*PropertyError), obj}
	}
	old := p.v
	p.v = v
	obj, name, fl := p.obj, p.name, p.fl
	p.mu.Unlock()
	changed = eq == nil || !eq(old, v)
	if obj != nil && fl&WriteOnly == 0 && (changed || fl&ExplicitNotify == 0) {
		obj.notify(name)
	}
	return changed, nil
}

// setRefusal is a refused store: the error and the property's object.
type setRefusal struct {
	*PropertyError
	obj *Object
}

// refused logs GLib's critical for a typed Set that Validate refuses, as
// GLib logs both refusals since 2.76 ("Replace most GObject warnings with
// criticals"); the 2.74 series, Debian 12's, still logs g_warning.
func refused(err error) {
	r, ok := err.(*setRefusal)
	if !ok {
		return
	}
	pe, obj := r.PropertyError, r.obj
	var self any = obj
	if obj != nil {
		self = obj.Self()
	}
	switch pe.Err {
	case ErrConstructOnlyProperty:
		logging.Critical(pkg, fmt.Sprintf("g_object_set_is_valid_property: construct property \"%s\" for object '%T' can't be set after construction", pe.Name, self))
	default:
		logging.Critical(pkg, fmt.Sprintf("g_object_set: %s for property '%s' of object '%T'", pe.Detail, pe.Name, self))
	}
}

// Set stores v and notifies (OBJ-1): on every call, or, for an
// ExplicitNotify property, only when v differs from the old value. It
// reports whether the value changed. A value outside the property's range,
// or any Set of a ConstructOnly property, logs GLib's critical and changes
// nothing, not even a notification (OBJ-5; GLib notifies for an
// out-of-range value); Validate says beforehand. The notification runs on
// the calling goroutine with no lock held, unless a notification of this
// property is already running (Notify is NO_RECURSE, SIG-9): then Set
// returns at once and the running notification restarts after its current
// handler, on its own goroutine, and reads the new value.
func (p *Property[T]) Set(v T) (changed bool) {
	if p == nil {
		nilProperty("g_object_set")
		return false
	}
	changed, err := p.store(v, equal[T])
	if err != nil {
		refused(err)
	}
	return changed
}

// Set is Property's Set, with the equality given to Install.
func (p *BoxedProperty[T]) Set(v T) (changed bool) {
	if p == nil {
		nilProperty("g_object_set")
		return false
	}
	changed, err := p.store(v, p.eq)
	if err != nil {
		refused(err)
	}
	return changed
}

// The accessors below exist on both property types (a nil receiver cannot
// reach a promoted method without panicking); core hands a nil receiver on
// as a nil *propCore, whose methods log the critical.

func (p *Property[T]) core() *propCore[T] {
	if p == nil {
		return nil
	}
	return &p.propCore
}

func (p *BoxedProperty[T]) core() *propCore[T] {
	if p == nil {
		return nil
	}
	return &p.propCore
}

// Name is g_param_spec_get_name: the canonical name ("" before Install).
func (p *Property[T]) Name() string { return p.core().getName() }

// Flags is the PropertyFlags given to Install (g_param_spec_get_flags).
func (p *Property[T]) Flags() PropertyFlags { return p.core().getFlags() }

// Get returns the value.
func (p *Property[T]) Get() T { return p.core().get() }

// Validate is g_param_value_validate as an error: nil if Set would store
// v, else the *PropertyError SetProperty would return (ErrPropertyRange,
// ErrConstructOnlyProperty). A typed setter that returns an error checks
// with it first: if err := p.Validate(n); err != nil { return err }.
func (p *Property[T]) Validate(v T) error { return p.core().validate(v) }

// Name is Property's Name.
func (p *BoxedProperty[T]) Name() string { return p.core().getName() }

// Flags is Property's Flags.
func (p *BoxedProperty[T]) Flags() PropertyFlags { return p.core().getFlags() }

// Get returns the value (the one stored, not a copy).
func (p *BoxedProperty[T]) Get() T { return p.core().get() }

// Validate is Property's Validate.
func (p *BoxedProperty[T]) Validate(v T) error { return p.core().validate(v) }

// equal is old == v, except that values of an interface type T holding
// incomparable dynamic values (slices, maps, funcs in a Property[any]) are
// unequal instead of panicking.
func equal[T comparable](a, b T) (eq bool) {
	if reflect.TypeFor[T]().Kind() == reflect.Interface {
		ra, rb := reflect.ValueOf(any(a)), reflect.ValueOf(any(b))
		if ra.IsValid() && !ra.Comparable() || rb.IsValid() && !rb.Comparable() {
			return false
		}
	}
	return a == b
}

func (p *propCore[T]) getAny() any          { return p.get() }
func (p *propCore[T]) flags() PropertyFlags { return p.fl }
func (p *propCore[T]) typeName() string     { return reflect.TypeFor[T]().String() }

func (p *Property[T]) setAny(v any) error {
	t, err := convertValue[T](p.name, v)
	if err != nil {
		return err
	}
	_, err = p.store(t, equal[T])
	return unwrapRefusal(err)
}

func (p *BoxedProperty[T]) setAny(v any) error {
	t, err := convertValue[T](p.name, v)
	if err != nil {
		return err
	}
	_, err = p.store(t, p.eq)
	return unwrapRefusal(err)
}

func unwrapRefusal(err error) error {
	if r, ok := err.(*setRefusal); ok {
		return r.PropertyError
	}
	return err
}

// ConvertValue is the GValue transform SetProperty applies, for types
// that implement their own by-name setters (gio's Socket.SetProperty): v
// itself if it is a T (or nil for a nilable T); a number of a predeclared
// numeric type (int, int64, uint8, float64…) converted to a T of numeric
// kind when T holds it exactly; otherwise a *PropertyError naming the
// property name and wrapping ErrPropertyType.
func ConvertValue[T any](name string, v any) (T, error) { return convertValue[T](name, v) }

func convertValue[T any](name string, v any) (T, error) {
	var zero T
	if t, ok := v.(T); ok {
		return t, nil
	}
	target := reflect.TypeFor[T]()
	if v == nil {
		if nilable(target) {
			return zero, nil
		}
		return zero, &PropertyError{Op: "set", Name: name, Want: target.String(), Got: "<nil>", Err: ErrPropertyType}
	}
	rv := reflect.ValueOf(v)
	bad := &PropertyError{Op: "set", Name: name, Want: target.String(), Got: rv.Type().String(), Err: ErrPropertyType}
	if rv.Type().PkgPath() != "" || !isNumeric(rv.Kind()) || !isNumeric(target.Kind()) {
		return zero, bad
	}
	out := reflect.New(target).Elem()
	exact := true
	switch {
	case isInt(rv.Kind()):
		x := rv.Int()
		switch {
		case isInt(target.Kind()):
			exact = !out.OverflowInt(x)
			out.SetInt(x)
		case isUint(target.Kind()):
			exact = x >= 0 && !out.OverflowUint(uint64(x))
			out.SetUint(uint64(x))
		default:
			out.SetFloat(float64(x))
			exact = int64(out.Float()) == x
		}
	case isUint(rv.Kind()):
		x := rv.Uint()
		switch {
		case isInt(target.Kind()):
			exact = x <= 1<<63-1 && !out.OverflowInt(int64(x))
			out.SetInt(int64(x))
		case isUint(target.Kind()):
			exact = !out.OverflowUint(x)
			out.SetUint(x)
		default:
			out.SetFloat(float64(x))
			exact = uint64(out.Float()) == x
		}
	default: // float
		x := rv.Float()
		switch {
		case isInt(target.Kind()):
			exact = x == float64(int64(x)) && x >= -1<<63 && x < 1<<63 && !out.OverflowInt(int64(x))
			out.SetInt(int64(x))
		case isUint(target.Kind()):
			exact = x >= 0 && x < 1<<64 && x == float64(uint64(x)) && !out.OverflowUint(uint64(x))
			out.SetUint(uint64(x))
		default:
			exact = !out.OverflowFloat(x)
			out.SetFloat(x)
		}
	}
	if !exact {
		bad.Detail = fmt.Sprintf("value %v of type '%s' does not fit property of type '%s'", v, rv.Type(), target)
		return zero, bad
	}
	return out.Interface().(T), nil
}

func isInt(k reflect.Kind) bool  { return k >= reflect.Int && k <= reflect.Int64 }
func isUint(k reflect.Kind) bool { return k >= reflect.Uint && k <= reflect.Uintptr }
func isNumeric(k reflect.Kind) bool {
	return isInt(k) || isUint(k) || k == reflect.Float32 || k == reflect.Float64
}

func nilable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Slice, reflect.Map, reflect.Func:
		return true
	}
	return false
}

// LazyProperties is implemented by a type that installs some of its
// properties on first use instead of in its constructor, so that an
// instance nobody inspects by name pays nothing for them (asyncresult's
// Task does so with "completed"). An Object whose outermost value (the
// self given to Init) implements it calls InstallProperties before every
// lookup by name: Property, SetProperty, NotifyProperty and Properties.
// InstallProperties installs the missing properties with their current
// values and does nothing once they are there; it may be called from any
// goroutine and must not hold a lock of o's while it installs.
type LazyProperties interface {
	InstallProperties()
}

// installLazy runs the outermost value's InstallProperties, if it has one.
func (o *Object) installLazy() {
	if lp, ok := o.Self().(LazyProperties); ok {
		lp.InstallProperties()
	}
}

func (o *Object) lookup(op, name string) (propertySlot, error) {
	o.installLazy()
	canon, _ := canonicalName(name)
	o.mu.Lock()
	p := o.findProp(canon)
	o.mu.Unlock()
	if p == nil {
		return nil, &PropertyError{Op: op, Name: name, Err: ErrUnknownProperty}
	}
	return p, nil
}

// Property is g_object_get_property / QObject::property: the value of the
// property called name. Unknown names give a *PropertyError wrapping
// ErrUnknownProperty, WriteOnly properties one wrapping
// ErrWriteOnlyProperty.
func (o *Object) Property(name string) (any, error) {
	if o == nil {
		nilObject("g_object_get_property")
		return nil, &PropertyError{Op: "get", Name: name, Err: ErrNilObject}
	}
	p, err := o.lookup("get", name)
	if err != nil {
		return nil, err
	}
	if p.flags()&WriteOnly != 0 {
		return nil, &PropertyError{Op: "get", Name: name, Err: ErrWriteOnlyProperty}
	}
	return p.getAny(), nil
}

// SetProperty is g_object_set_property / QObject::setProperty: it sets the
// property called name, which notifies like the typed Set. A number of
// another numeric type is converted as GValue transforms do (an int64 into
// an int property, an int into a float64 one) when the property's type
// holds it exactly. It returns a *PropertyError wrapping
// ErrUnknownProperty, ErrReadOnlyProperty, ErrConstructOnlyProperty,
// ErrPropertyType (also for a number that does not fit) or
// ErrPropertyRange (GLib's OBJ-5 critical, as an error), and leaves the
// value unchanged then, with no notification (OBJ-5).
func (o *Object) SetProperty(name string, v any) error {
	if o == nil {
		nilObject("g_object_set_property")
		return &PropertyError{Op: "set", Name: name, Err: ErrNilObject}
	}
	p, err := o.lookup("set", name)
	if err != nil {
		return err
	}
	if p.flags()&ReadOnly != 0 {
		return &PropertyError{Op: "set", Name: name, Err: ErrReadOnlyProperty}
	}
	if err := p.setAny(v); err != nil {
		var pe *PropertyError
		if errors.As(err, &pe) {
			pe.Name = name // as given
		}
		return err
	}
	return nil
}

// Properties is g_object_class_list_properties: the installed property
// names, in installation order.
func (o *Object) Properties() []string {
	if o == nil {
		nilObject("g_object_class_list_properties")
		return nil
	}
	o.installLazy()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.props == nil || len(o.props.list) == 0 {
		return nil
	}
	names := make([]string, len(o.props.list))
	for i, e := range o.props.list {
		names[i] = e.name
	}
	return names
}

// NotifyProperty is g_object_notify: it emits Notify for the property
// called name, as Set does (not for a WriteOnly property, which never
// notifies). An unknown name logs GLib's critical (OBJ-2).
func (o *Object) NotifyProperty(name string) {
	if o == nil {
		nilObject("g_object_notify")
		return
	}
	p, err := o.lookup("notify", name)
	if err != nil {
		logging.Critical(pkg, fmt.Sprintf("g_object_notify: object class '%T' has no property named '%s'", o.Self(), name))
		return
	}
	if p.flags()&WriteOnly != 0 {
		return
	}
	canon, _ := canonicalName(name)
	o.notify(canon)
}

// notify emits Notify for name now, or queues it while notifications are
// frozen.
func (o *Object) notify(name string) {
	o.mu.Lock()
	if x := o.peek(); x.freeze > 0 {
		if !slices.Contains(x.frozen, name) {
			x.frozen = append(x.frozen, name)
		}
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	o.Notify.EmitDetailed(name, name)
}

// NotifyFrozen reports whether notifications are frozen (FreezeNotify
// without its ThawNotify yet). A LazyProperties type uses it to install a
// property that changes meanwhile, so that the thaw notifies handlers
// connected after the change, as GLib's queued notification does.
func (o *Object) NotifyFrozen() bool {
	if o == nil || o.x.Load() == nil {
		return false // never frozen: FreezeNotify makes the rarely used part
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.peek().freeze > 0
}

// FreezeNotify is g_object_freeze_notify: until the matching ThawNotify,
// notifications are queued, each property once (OBJ-3).
func (o *Object) FreezeNotify() {
	if o == nil {
		nilObject("g_object_freeze_notify")
		return
	}
	o.mu.Lock()
	o.ext().freeze++
	o.mu.Unlock()
}

// ThawNotify is g_object_thaw_notify: it undoes one FreezeNotify; at the
// last one the queued notifications are emitted, in reverse queue order as
// GLib does (OBJ-3). Thawing an object that is not frozen logs GLib's
// critical.
func (o *Object) ThawNotify() {
	if o == nil {
		nilObject("g_object_thaw_notify")
		return
	}
	o.mu.Lock()
	x := o.peek()
	if x.freeze == 0 {
		o.mu.Unlock()
		logging.Critical(pkg, fmt.Sprintf("g_object_thaw_notify: property-changed notification for %T(%p) is not frozen", o.Self(), o))
		return
	}
	x.freeze--
	var names []string
	if x.freeze == 0 {
		names, x.frozen = x.frozen, nil
	}
	o.mu.Unlock()
	for i := len(names) - 1; i >= 0; i-- {
		o.Notify.EmitDetailed(names[i], names[i])
	}
}
