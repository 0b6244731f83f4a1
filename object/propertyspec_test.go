package object_test

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
)

// TestPropertyRange_OBJ5: GLib's ranged properties (listen-backlog 0..2000,
// max-threads -1..MaxInt32): SetProperty refuses out-of-range values with
// ErrPropertyRange naming the range, converts other numeric types exactly
// or refuses them with ErrPropertyType; the typed Set logs GLib's critical;
// a refused set leaves the value unchanged. Differs from GLib: a refused
// set notifies nothing (GLib emits notify with the unchanged value;
// OBJ-5 in docs/conformance/object.md).
func TestPropertyRange_OBJ5(t *testing.T) {
	o := object.New()
	backlog, err := object.NewRangeProperty(o, "listen-backlog", 0, 2000, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	threads, err := object.NewRangeProperty(o, "max-threads", -1, math.MaxInt32, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		prop    string
		v       any
		want    error
		wantMsg string
		after   int
	}{
		{"listen-backlog", 0, nil, "", 0},
		{"listen-backlog", 2000, nil, "", 2000},
		{"listen-backlog", 2001, object.ErrPropertyRange, `object: set property "listen-backlog": value 2001 is out of range 0..2000`, 2000},
		{"listen-backlog", -1, object.ErrPropertyRange, `object: set property "listen-backlog": value -1 is out of range 0..2000`, 2000},
		{"listen_backlog", int64(5), nil, "", 5},
		{"listen-backlog", uint8(7), nil, "", 7},
		{"listen-backlog", 12.0, nil, "", 12},
		{"listen-backlog", 2.5, object.ErrPropertyType, `object: set property "listen-backlog": value 2.5 of type 'float64' does not fit property of type 'int'`, 12},
		{"listen-backlog", int64(1 << 40), object.ErrPropertyRange, "", 12},
		{"listen-backlog", uint64(math.MaxUint64), object.ErrPropertyType, "", 12},
		{"listen-backlog", "5", object.ErrPropertyType, "", 12},
		{"listen-backlog", time.Duration(5), object.ErrPropertyType, "", 12}, // a named type is not a plain number
		{"max-threads", -1, nil, "", -1},
		{"max-threads", -2, object.ErrPropertyRange, `object: set property "max-threads": value -2 is out of range -1..2147483647`, -1},
		{"max-threads", int32(math.MaxInt32), nil, "", math.MaxInt32},
		{"max-threads", int64(math.MaxInt32) + 1, object.ErrPropertyRange, "", math.MaxInt32},
	}
	for _, tc := range cases {
		err := o.SetProperty(tc.prop, tc.v)
		var pe *object.PropertyError
		switch {
		case !errors.Is(err, tc.want):
			t.Errorf("SetProperty(%q, %#v) = %v, want %v", tc.prop, tc.v, err, tc.want)
		case tc.want != nil && (!errors.As(err, &pe) || pe.Name != tc.prop):
			t.Errorf("SetProperty(%q, %#v): %v is not a *PropertyError naming the property", tc.prop, tc.v, err)
		case tc.wantMsg != "" && err.Error() != tc.wantMsg:
			t.Errorf("SetProperty(%q, %#v) error %q, want %q", tc.prop, tc.v, err, tc.wantMsg)
		}
		p := backlog
		if tc.prop == "max-threads" {
			p = threads
		}
		if got := p.Get(); got != tc.after {
			t.Errorf("after SetProperty(%q, %#v): %d, want %d", tc.prop, tc.v, got, tc.after)
		}
	}

	n := 0
	o.Notify.ConnectDetailed("listen-backlog", func(string) { n++ })
	c := logging.StartCapture()
	changed := backlog.Set(5000)
	c.Stop()
	if changed || backlog.Get() != 12 || n != 0 || c.Count("critical", "value 5000 is out of range 0..2000 for property 'listen-backlog'") != 1 {
		t.Fatalf("typed Set out of range: changed %v, value %d, notifications %d, records %v", changed, backlog.Get(), n, c.Records())
	}
	if err := backlog.Validate(5000); !errors.Is(err, object.ErrPropertyRange) || backlog.Validate(7) != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !backlog.Set(7) || n != 1 {
		t.Fatal("an in-range Set did not change and notify")
	}
}

// TestPropertyRangeInstall: a default outside the range and an empty range
// are refused at Install.
func TestPropertyRangeInstall(t *testing.T) {
	o := object.New()
	if _, err := object.NewRangeProperty(o, "a", 0, 10, 11, 0); !errors.Is(err, object.ErrPropertyRange) {
		t.Errorf("default outside: %v", err)
	}
	if _, err := object.NewRangeProperty(o, "b", 5, 1, 3, 0); !errors.Is(err, object.ErrPropertyRange) {
		t.Errorf("min > max: %v", err)
	}
	if _, err := object.NewRangeProperty(o, "c", 0.0, 1.0, 0.5, 0); err != nil {
		t.Errorf("float range: %v", err)
	}
	if got := o.Properties(); len(got) != 1 || got[0] != "c" {
		t.Errorf("installed %v", got)
	}
}

// TestPropertyConversion: SetProperty converts between numeric kinds when
// the value fits exactly, as GValue transforms do, and says why when not.
func TestPropertyConversion(t *testing.T) {
	o := object.New()
	i8, _ := object.NewProperty[int8](o, "i8", 0, 0)
	u, _ := object.NewProperty[uint](o, "u", 0, 0)
	f, _ := object.NewProperty[float64](o, "f", 0, 0)
	d, _ := object.NewProperty[time.Duration](o, "d", 0, 0)
	cases := []struct {
		prop string
		v    any
		want error
	}{
		{"i8", 127, nil},
		{"i8", 128, object.ErrPropertyType},
		{"i8", -129, object.ErrPropertyType},
		{"u", -1, object.ErrPropertyType},
		{"u", int64(3), nil},
		{"f", 3, nil},
		{"f", uint32(4), nil},
		{"d", int64(5), nil}, // GValue int64 into a time.Duration (int64) property
		{"d", 1.5, object.ErrPropertyType},
		{"d", true, object.ErrPropertyType},
	}
	for _, tc := range cases {
		if err := o.SetProperty(tc.prop, tc.v); !errors.Is(err, tc.want) {
			t.Errorf("SetProperty(%q, %#v) = %v, want %v", tc.prop, tc.v, err, tc.want)
		}
	}
	if i8.Get() != 127 || u.Get() != 3 || f.Get() != 4 || d.Get() != 5 {
		t.Fatalf("values %d %d %v %v", i8.Get(), u.Get(), f.Get(), d.Get())
	}
	if err := o.SetProperty("i8", 300); err == nil || err.Error() != `object: set property "i8": value 300 of type 'int' does not fit property of type 'int8'` {
		t.Fatalf("overflow message: %v", err)
	}
}

// TestConstructOnly_OBJ4: a ConstructOnly property keeps the value given
// to Install: SetProperty returns ErrConstructOnlyProperty and the typed
// Set logs GLib's critical (GLib 2.76's level and text) and notifies
// nothing; reading works.
func TestConstructOnly_OBJ4(t *testing.T) {
	o := object.New()
	p, err := object.NewProperty(o, "family", 2, object.ConstructOnly)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	o.Notify.Connect(func(string) { n++ })
	if err := o.SetProperty("family", 10); !errors.Is(err, object.ErrConstructOnlyProperty) {
		t.Fatalf("SetProperty: %v", err)
	}
	c := logging.StartCapture()
	changed := p.Set(10)
	c.Stop()
	if changed || p.Get() != 2 || n != 0 || c.Count("critical", `g_object_set_is_valid_property: construct property "family" for object '*object.Object' can't be set after construction`) != 1 {
		t.Fatalf("typed Set: changed %v value %d notifications %d records %v", changed, p.Get(), n, c.Records())
	}
	if v, err := o.Property("family"); err != nil || v != 2 {
		t.Fatalf("Property = %v, %v", v, err)
	}
}

// TestWriteOnly_OBJ1: a WriteOnly property is set by name but not read by
// name, and never notifies (GLib drops notifications of unreadable
// properties); the owner reads it with Get.
func TestWriteOnly_OBJ1(t *testing.T) {
	o := object.New()
	p, err := object.NewProperty(o, "password", "", object.WriteOnly)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	o.Notify.Connect(func(string) { n++ })
	if err := o.SetProperty("password", "s3cret"); err != nil {
		t.Fatal(err)
	}
	p.Set("other")
	o.NotifyProperty("password")
	if _, err := o.Property("password"); !errors.Is(err, object.ErrWriteOnlyProperty) {
		t.Fatalf("Property: %v", err)
	}
	if n != 0 || p.Get() != "other" {
		t.Fatalf("notifications %d, value %q", n, p.Get())
	}
	for _, fl := range []object.PropertyFlags{object.ReadOnly | object.WriteOnly, object.ReadOnly | object.ConstructOnly} {
		if _, err := object.NewProperty(o, "bad", 0, fl); !errors.Is(err, object.ErrInvalidPropertyFlags) {
			t.Errorf("flags %b: %v", fl, err)
		}
	}
}

// TestBoxedProperty: []string and []byte properties compare with the
// equality given to Install; nil equality counts every Set as a change.
func TestBoxedProperty(t *testing.T) {
	o := object.New()
	strv, err := object.NewBoxedProperty(o, "names", []string{"a"}, slices.Equal[[]string], object.ExplicitNotify)
	if err != nil {
		t.Fatal(err)
	}
	blob, _ := object.NewBoxedProperty(o, "blob", []byte(nil), bytes.Equal, object.ExplicitNotify)
	any, _ := object.NewBoxedProperty[[]int](o, "ints", nil, nil, object.ExplicitNotify)
	got := map[string]int{}
	o.Notify.Connect(func(n string) { got[n]++ })
	if strv.Set([]string{"a"}) || !strv.Set([]string{"a", "b"}) {
		t.Error("[]string equality")
	}
	if err := o.SetProperty("names", []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if err := o.SetProperty("names", nil); err != nil || strv.Get() != nil {
		t.Fatalf("nil []string: %v %v", err, strv.Get())
	}
	if err := o.SetProperty("names", "a"); !errors.Is(err, object.ErrPropertyType) {
		t.Fatalf("string into []string: %v", err)
	}
	if !blob.Set([]byte("x")) || blob.Set([]byte("x")) {
		t.Error("[]byte equality")
	}
	if !any.Set([]int{1}) || !any.Set([]int{1}) {
		t.Error("nil equality: every Set is a change")
	}
	if got["names"] != 2 || got["blob"] != 1 || got["ints"] != 2 {
		t.Fatalf("notifications %v", got)
	}
	if v, _ := o.Property("names"); v.([]string) != nil {
		t.Fatalf("Property(names) = %v", v)
	}
}

// TestZeroAndNilProperty: a zero Property is plain storage; a nil
// *Property logs a critical from every method and returns zero values.
func TestZeroAndNilProperty(t *testing.T) {
	var z object.Property[int]
	if z.Set(3) != true || z.Get() != 3 || z.Name() != "" || z.Validate(4) != nil {
		t.Fatal("zero Property is not plain storage")
	}
	var zb object.BoxedProperty[[]string]
	zb.Set([]string{"x"})
	if len(zb.Get()) != 1 {
		t.Fatal("zero BoxedProperty is not plain storage")
	}
	var p *object.Property[int]
	var b *object.BoxedProperty[[]string]
	cases := []struct {
		name string
		call func() any
		want any
	}{
		{"Get", func() any { return p.Get() }, 0},
		{"Set", func() any { return p.Set(1) }, false},
		{"Name", func() any { return p.Name() }, ""},
		{"Flags", func() any { return p.Flags() }, object.PropertyFlags(0)},
		{"Validate", func() any { return p.Validate(1) != nil }, true},
		{"Install", func() any { return p.Install(object.New(), "x", 1, 0) != nil }, true},
		{"InstallRange", func() any { return object.InstallRange(p, object.New(), "x", 0, 1, 1, 0) != nil }, true},
		{"Boxed Set", func() any { return b.Set(nil) }, false},
		{"Boxed Install", func() any { return b.Install(object.New(), "x", nil, nil, 0) != nil }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := logging.StartCapture()
			got := tc.call()
			c.Stop()
			if got != tc.want || c.Count("critical", "G_IS_PARAM_SPEC") != 1 {
				t.Fatalf("= %v, want %v; records %v", got, tc.want, c.Records())
			}
		})
	}
	var pe *object.PropertyError
	if pe.Error() == "" || pe.Unwrap() != nil || (&object.PropertyError{}).Error() == "" {
		t.Fatal("nil or zero PropertyError")
	}
}

// TestConvertValue: the exported conversion is SetProperty's.
func TestConvertValue(t *testing.T) {
	if v, err := object.ConvertValue[uint]("ttl", 5); err != nil || v != 5 {
		t.Fatalf("5 into uint: %v %v", v, err)
	}
	if _, err := object.ConvertValue[uint]("ttl", -1); !errors.Is(err, object.ErrPropertyType) || err.Error() != `object: set property "ttl": value -1 of type 'int' does not fit property of type 'uint'` {
		t.Fatalf("-1 into uint: %v", err)
	}
	if _, err := object.ConvertValue[time.Duration]("timeout", time.Second); err != nil {
		t.Fatal(err)
	}
}
