package object_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
)

// TestNotifyPolicy_OBJ1: a plain property notifies on every Set, changed or
// not (g_object_set); an ExplicitNotify one only on change.
func TestNotifyPolicy_OBJ1(t *testing.T) {
	cases := []struct {
		flags object.PropertyFlags
		sets  []int
		want  int
	}{
		{0, []int{1, 1, 2}, 3},
		{object.ExplicitNotify, []int{1, 1, 2}, 2},
		{object.ExplicitNotify, []int{0}, 0},
	}
	for _, tc := range cases {
		o := object.New()
		p, err := object.NewProperty(o, "value", 0, tc.flags)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		o.Notify.ConnectDetailed("value", func(name string) {
			if name != "value" {
				t.Errorf("notify argument %q", name)
			}
			n++
		})
		o.Notify.ConnectDetailed("other", func(string) { t.Error("wrong detail ran") })
		for _, v := range tc.sets {
			p.Set(v)
		}
		if n != tc.want {
			t.Errorf("flags %b, sets %v: %d notifications, want %d", tc.flags, tc.sets, n, tc.want)
		}
	}
}

// TestPropertyByName_OBJ5: lookup by name with clear errors; the value is
// left unchanged by a refused set.
func TestPropertyByName_OBJ5(t *testing.T) {
	o := object.New()
	port, _ := object.NewProperty(o, "port", 80, 0)
	name, _ := object.NewProperty(o, "host_name", "localhost", object.ReadOnly)
	type conn struct{}
	ptr, _ := object.NewProperty[*conn](o, "conn", &conn{}, 0)
	cases := []struct {
		prop string
		v    any
		want error
	}{
		{"port", int64(1), nil}, // converted as a GValue transform does
		{"port", 8080, nil},
		{"port", "8080", object.ErrPropertyType},
		{"port", nil, object.ErrPropertyType},
		{"host-name", "x", object.ErrReadOnlyProperty},
		{"missing", 1, object.ErrUnknownProperty},
		{"conn", nil, nil},
		{"conn", &conn{}, nil},
	}
	for _, tc := range cases {
		err := o.SetProperty(tc.prop, tc.v)
		if !errors.Is(err, tc.want) {
			t.Errorf("SetProperty(%q, %#v) = %v, want %v", tc.prop, tc.v, err, tc.want)
		}
		var pe *object.PropertyError
		if tc.want != nil && (!errors.As(err, &pe) || pe.Name != tc.prop) {
			t.Errorf("SetProperty(%q): not a *PropertyError naming it: %v", tc.prop, err)
		}
	}
	if port.Get() != 8080 || name.Get() != "localhost" || ptr.Get() == nil {
		t.Fatalf("values after refused sets: %d %q %v", port.Get(), name.Get(), ptr.Get())
	}
	if v, err := o.Property("host_name"); err != nil || v != "localhost" {
		t.Fatalf("Property(host_name) = %v, %v", v, err)
	}
	if _, err := o.Property("nope"); !errors.Is(err, object.ErrUnknownProperty) {
		t.Fatal(err)
	}
	if got := o.Properties(); !cmp.Equal(got, []string{"port", "host-name", "conn"}) {
		t.Fatalf("Properties() = %v", got)
	}
}

func TestPropertyInstall(t *testing.T) {
	o := object.New()
	cases := []struct {
		name string
		want error
	}{
		{"ok-name", nil},
		{"ok_name", object.ErrPropertyExists}, // same canonical name
		{"", object.ErrInvalidPropertyName},
		{"7zip", object.ErrInvalidPropertyName},
		{"a:b", object.ErrInvalidPropertyName},
		{"a b", object.ErrInvalidPropertyName},
	}
	c := logging.StartCapture()
	defer c.Stop()
	for _, tc := range cases {
		if _, err := object.NewProperty(o, tc.name, 0, 0); !errors.Is(err, tc.want) {
			t.Errorf("NewProperty(%q) = %v, want %v", tc.name, err, tc.want)
		}
	}
	var field object.Property[bool]
	if err := field.Install(o, "flag", true, 0); err != nil || !field.Get() {
		t.Fatal(err)
	}
	if err := field.Install(o, "flag2", true, 0); !errors.Is(err, object.ErrPropertyExists) {
		t.Fatal("installing one Property twice:", err)
	}
}

// TestFreezeThaw_OBJ3: queued while frozen, each property once, emitted in
// reverse queue order at the last thaw; thawing an unfrozen object logs a
// critical.
func TestFreezeThaw_OBJ3(t *testing.T) {
	o := object.New()
	a, _ := object.NewProperty(o, "a", 0, 0)
	b, _ := object.NewProperty(o, "b", 0, 0)
	var got []string
	o.Notify.Connect(func(n string) { got = append(got, n) })
	o.FreezeNotify()
	o.FreezeNotify()
	a.Set(1)
	b.Set(1)
	a.Set(2)
	o.ThawNotify()
	if len(got) != 0 {
		t.Fatalf("notified while frozen: %v", got)
	}
	o.ThawNotify()
	if want := []string{"b", "a"}; !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	c := logging.StartCapture()
	o.ThawNotify()
	c.Stop()
	if c.Count("critical", "is not frozen") != 1 {
		t.Fatal(c.Records())
	}
}

// TestNotifyProperty_OBJ2: g_object_notify by name; unknown names log
// GLib's critical.
func TestNotifyProperty_OBJ2(t *testing.T) {
	o := object.New()
	object.NewProperty(o, "some-prop", 0, object.ExplicitNotify)
	n := 0
	o.Notify.ConnectDetailed("some-prop", func(string) { n++ })
	o.NotifyProperty("some_prop")
	c := logging.StartCapture()
	o.NotifyProperty("nope")
	c.Stop()
	if n != 1 || c.Count("critical", "has no property named 'nope'") != 1 {
		t.Fatalf("n=%d %v", n, c.Records())
	}
}
