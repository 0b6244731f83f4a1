package object

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/sigloop/sigloop/internal/logging"
)

// Errors about properties; test them with errors.Is. The error values
// returned are *PropertyError, which wraps one of these.
var (
	// ErrUnknownProperty: no property of that name is installed.
	ErrUnknownProperty = errors.New("no such property")
	// ErrPropertyType: the value has the wrong type for the property.
	ErrPropertyType = errors.New("wrong value type for property")
	// ErrReadOnlyProperty: SetProperty on a ReadOnly property.
	ErrReadOnlyProperty = errors.New("property is not writable")
	// ErrPropertyExists: a property of that name is already installed.
	ErrPropertyExists = errors.New("property already exists")
	// ErrInvalidPropertyName: the name is not a valid GLib property name.
	ErrInvalidPropertyName = errors.New("invalid property name")
)

// PropertyError describes a refused property access by name.
type PropertyError struct {
	Op   string // "get", "set", "install" or "notify"
	Name string // the property name as given
	Want string // the property's type, for ErrPropertyType
	Got  string // the value's type, for ErrPropertyType
	Err  error  // one of the ErrXxx values above
}

// Error formats the refused access like GLib's criticals.
func (e *PropertyError) Error() string {
	switch e.Err {
	case ErrPropertyType:
		return fmt.Sprintf("object: %s property %q: value of type '%s' is invalid for property of type '%s'", e.Op, e.Name, e.Got, e.Want)
	default:
		return fmt.Sprintf("object: %s property %q: %v", e.Op, e.Name, e.Err)
	}
}

// Unwrap returns the ErrXxx value.
func (e *PropertyError) Unwrap() error { return e.Err }

// PropertyFlags are the GParamFlags that matter here.
type PropertyFlags uint8

const (
	// ReadOnly: SetProperty by name refuses it (G_PARAM_READABLE without
	// WRITABLE); the owner still sets it with the typed Set.
	ReadOnly PropertyFlags = 1 << iota
	// ExplicitNotify is G_PARAM_EXPLICIT_NOTIFY: Set notifies only when the
	// value changes (Qt's xxxChanged convention). Without it Set notifies
	// on every call, changed or not, as g_object_set does (OBJ-1).
	ExplicitNotify
)

// propertySlot is what the name lookup needs of a Property[T].
type propertySlot interface {
	getAny() any
	setAny(v any) error
	flags() PropertyFlags
	typeName() string
}

// Property is a typed GObject property (GParamSpec plus its storage),
// installed on an Object under a name. Get and Set are the typed
// accessors; Object.Property and Object.SetProperty reach it by name. Set
// emits o.Notify with the property name as detail ("notify::name"). Use
// NewProperty, or declare it as a field and call Install. Safe for
// concurrent use.
type Property[T comparable] struct {
	obj   *Object
	name  string
	fl    PropertyFlags
	mu    sync.Mutex
	v     T
	ready bool
}

// NewProperty is g_object_class_install_property plus the instance
// storage: it installs a property of type T named name on o, holding
// initial. The name is canonicalised as GLib does ('_' becomes '-'). It
// returns a *PropertyError wrapping ErrInvalidPropertyName or
// ErrPropertyExists if it cannot.
func NewProperty[T comparable](o *Object, name string, initial T, flags PropertyFlags) (*Property[T], error) {
	p := &Property[T]{}
	if err := p.Install(o, name, initial, flags); err != nil {
		return nil, err
	}
	return p, nil
}

// Install installs p, a zero Property field of the embedding struct, on o
// under name; see NewProperty.
func (p *Property[T]) Install(o *Object, name string, initial T, flags PropertyFlags) error {
	if o == nil {
		nilObject("g_object_class_install_property")
		return &PropertyError{Op: "install", Name: name, Err: ErrNilObject}
	}
	o.init()
	canon, ok := canonicalName(name)
	if !ok {
		return &PropertyError{Op: "install", Name: name, Err: ErrInvalidPropertyName}
	}
	p.mu.Lock()
	if p.ready {
		p.mu.Unlock()
		return &PropertyError{Op: "install", Name: name, Err: ErrPropertyExists}
	}
	p.obj, p.name, p.fl, p.v, p.ready = o, canon, flags, initial, true
	p.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.findProp(canon) != nil {
		p.mu.Lock()
		p.obj, p.name, p.ready = nil, "", false // not installed: Set must not notify o's other property
		p.mu.Unlock()
		logging.Critical(pkg, fmt.Sprintf("g_object_class_install_property: class '%T' already contains a property named '%s'", o.Self(), canon))
		return &PropertyError{Op: "install", Name: name, Err: ErrPropertyExists}
	}
	if o.props == nil {
		o.props = make([]propEntry, 0, 4) // one allocation for a typical object's few properties
	}
	o.props = append(o.props, propEntry{canon, p})
	switch {
	case o.propIndex != nil:
		o.propIndex[canon] = p
	case len(o.props) > propIndexMin:
		o.propIndex = make(map[string]propertySlot, len(o.props))
		for _, e := range o.props {
			o.propIndex[e.name] = e.slot
		}
	}
	return nil
}

// propEntry is an installed property in o.props.
type propEntry struct {
	name string
	slot propertySlot
}

// propIndexMin is the number of properties above which the name lookup
// uses a map; below, a scan of o.props is as fast and allocates nothing.
const propIndexMin = 8

// findProp returns the property called canon, or nil; o.mu must be held.
func (o *Object) findProp(canon string) propertySlot {
	if o.propIndex != nil {
		return o.propIndex[canon]
	}
	for _, e := range o.props {
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

// Name is g_param_spec_get_name: the canonical name.
func (p *Property[T]) Name() string { return p.name }

// Get returns the value.
func (p *Property[T]) Get() T {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.v
}

// Set stores v and notifies (OBJ-1): on every call, or, for an
// ExplicitNotify property, only when v differs from the old value. It
// reports whether the value changed. The notification runs on the calling
// goroutine with no lock held, unless a notification of this property is
// already running (Notify is NO_RECURSE, SIG-9): then Set returns at once
// and the running notification restarts after its current handler, on its
// own goroutine, and reads the new value.
func (p *Property[T]) Set(v T) (changed bool) {
	p.mu.Lock()
	old := p.v
	p.v = v
	obj, name, fl := p.obj, p.name, p.fl
	p.mu.Unlock()
	changed = !equal(old, v)
	if obj != nil && (changed || fl&ExplicitNotify == 0) {
		obj.notify(name)
	}
	return changed
}

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

func (p *Property[T]) getAny() any          { return p.Get() }
func (p *Property[T]) flags() PropertyFlags { return p.fl }
func (p *Property[T]) typeName() string     { return reflect.TypeFor[T]().String() }

func (p *Property[T]) setAny(v any) error {
	t, ok := v.(T)
	if !ok {
		if v != nil || !nilable(reflect.TypeFor[T]()) {
			return &PropertyError{Op: "set", Name: p.name, Want: p.typeName(), Got: fmt.Sprintf("%T", v), Err: ErrPropertyType}
		}
	}
	p.Set(t)
	return nil
}

func nilable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Chan:
		return true
	}
	return false
}

func (o *Object) lookup(op, name string) (propertySlot, error) {
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
// ErrUnknownProperty.
func (o *Object) Property(name string) (any, error) {
	if o == nil {
		nilObject("g_object_get_property")
		return nil, &PropertyError{Op: "get", Name: name, Err: ErrNilObject}
	}
	p, err := o.lookup("get", name)
	if err != nil {
		return nil, err
	}
	return p.getAny(), nil
}

// SetProperty is g_object_set_property / QObject::setProperty: it sets the
// property called name, which notifies like the typed Set. It returns a
// *PropertyError wrapping ErrUnknownProperty, ErrReadOnlyProperty or
// ErrPropertyType (GLib's OBJ-5 critical, as an error), and leaves the
// value unchanged then.
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
	return p.setAny(v)
}

// Properties is g_object_class_list_properties: the installed property
// names, in installation order.
func (o *Object) Properties() []string {
	if o == nil {
		nilObject("g_object_class_list_properties")
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.props) == 0 {
		return nil
	}
	names := make([]string, len(o.props))
	for i, e := range o.props {
		names[i] = e.name
	}
	return names
}

// NotifyProperty is g_object_notify: it emits Notify for the property
// called name, as Set does. An unknown name logs GLib's critical (OBJ-2).
func (o *Object) NotifyProperty(name string) {
	if o == nil {
		nilObject("g_object_notify")
		return
	}
	if _, err := o.lookup("notify", name); err != nil {
		logging.Critical(pkg, fmt.Sprintf("g_object_notify: object class '%T' has no property named '%s'", o.Self(), name))
		return
	}
	canon, _ := canonicalName(name)
	o.notify(canon)
}

// notify emits Notify for name now, or queues it while notifications are
// frozen.
func (o *Object) notify(name string) {
	o.mu.Lock()
	if o.freeze > 0 {
		for _, n := range o.frozen {
			if n == name {
				o.mu.Unlock()
				return
			}
		}
		o.frozen = append(o.frozen, name)
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	o.Notify.EmitDetailed(name, name)
}

// FreezeNotify is g_object_freeze_notify: until the matching ThawNotify,
// notifications are queued, each property once (OBJ-3).
func (o *Object) FreezeNotify() {
	if o == nil {
		nilObject("g_object_freeze_notify")
		return
	}
	o.mu.Lock()
	o.freeze++
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
	if o.freeze == 0 {
		o.mu.Unlock()
		logging.Critical(pkg, fmt.Sprintf("g_object_thaw_notify: property-changed notification for %T(%p) is not frozen", o.Self(), o))
		return
	}
	o.freeze--
	var names []string
	if o.freeze == 0 {
		names, o.frozen = o.frozen, nil
	}
	o.mu.Unlock()
	for i := len(names) - 1; i >= 0; i-- {
		o.Notify.EmitDetailed(names[i], names[i])
	}
}
