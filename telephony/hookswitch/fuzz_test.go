package hookswitch

import (
	"testing"
	"time"

	"tipring/hal"
)

// FuzzDecoder feeds arbitrary hook timelines, two bytes an event (a kind and
// a delay in units of 5 ms) with a tick after each, and checks that the
// actions make sense: off hook and hang-up alternate, digits and flashes
// come only off hook, digits are digits, and time never runs backwards.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{1, 0, 0, 200, 1, 12, 0, 8, 1, 12, 0, 100, 1, 100, 0, 200})
	f.Add([]byte{0, 0, 1, 3, 0, 1, 1, 30, 0, 200, 3, 255, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := New(DefaultTiming, hal.OnHook)
		if err != nil {
			t.Fatal(err)
		}
		var now time.Duration
		offHook := false
		var last time.Duration
		check := func() {
			for a, ok := d.Next(); ok; a, ok = d.Next() {
				if a.At < last || a.At > now {
					t.Fatalf("%v out of order: last %v, now %v", a, last, now)
				}
				last = a.At
				switch a.Kind {
				case OffHook:
					if offHook {
						t.Fatalf("%v while off hook", a)
					}
					offHook = true
				case HangUp:
					if !offHook {
						t.Fatalf("%v while on hook", a)
					}
					offHook = false
				case Flash:
					if !offHook {
						t.Fatalf("%v while on hook", a)
					}
				case Digit:
					if !offHook || a.Digit < '0' || a.Digit > '9' {
						t.Fatalf("%v", a)
					}
				default:
					t.Fatalf("%v", a)
				}
			}
		}
		for i := 0; i+1 < len(data); i += 2 {
			now += time.Duration(data[i+1]) * 5 * time.Millisecond
			d.Event(hal.Event{Kind: hal.EventKind(data[i] % 4), At: now})
			check()
			d.Tick(now)
			check()
		}
		now += time.Minute
		d.Tick(now)
		check()
	})
}
