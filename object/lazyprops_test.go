package object_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/object"
)

// lazyThing installs its "level" property only when someone looks a
// property up by name (object.LazyProperties).
type lazyThing struct {
	object.Object
	once     sync.Once
	level    object.Property[int]
	installs int
}

func newLazyThing() *lazyThing {
	l := &lazyThing{}
	l.Init(l)
	return l
}

func (l *lazyThing) InstallProperties() {
	l.once.Do(func() {
		l.installs++
		_ = l.level.Install(&l.Object, "level", 7, 0)
	})
}

// TestLazyProperties: every by-name access installs the lazy property
// first, once; until then the object has none.
func TestLazyProperties(t *testing.T) {
	cases := []struct {
		name  string
		touch func(l *lazyThing) error
	}{
		{"Property", func(l *lazyThing) error {
			v, err := l.Property("level")
			if err == nil && v != 7 {
				return errors.New("wrong value")
			}
			return err
		}},
		{"SetProperty", func(l *lazyThing) error { return l.SetProperty("level", 8) }},
		{"Properties", func(l *lazyThing) error {
			if diff := cmp.Diff([]string{"level"}, l.Properties()); diff != "" {
				return errors.New(diff)
			}
			return nil
		}},
		{"NotifyProperty", func(l *lazyThing) error {
			got := 0
			l.Notify.ConnectDetailed("level", func(string) { got++ })
			l.NotifyProperty("level")
			if got != 1 {
				return errors.New("no notification")
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLazyThing()
			if l.installs != 0 || l.level.Name() != "" {
				t.Fatal("installed by the constructor")
			}
			if err := tc.touch(l); err != nil {
				t.Fatal(err)
			}
			_ = tc.touch(l)
			if l.installs != 1 || l.level.Name() != "level" {
				t.Fatalf("installs=%d name=%q, want one install of \"level\"", l.installs, l.level.Name())
			}
		})
	}
}
