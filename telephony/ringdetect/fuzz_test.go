package ringdetect

import (
	"testing"
	"time"

	"tipring/hal"
)

// FuzzDetector feeds arbitrary ringing timelines, two bytes an event (a kind
// and a delay in units of 20 ms) with a tick after each, and checks that the
// signals make sense: a call starts once and ends once, its bursts start and
// end in turn, an alert comes only before a call, and time never runs
// backwards.
func FuzzDetector(f *testing.F) {
	f.Add([]byte{3, 0, 4, 100, 3, 200, 4, 100, 0, 255, 0, 255})
	f.Add([]byte{3, 0, 4, 12, 3, 90, 4, 15, 3, 10, 4, 20, 1, 255})
	f.Add([]byte{3, 0, 4, 5, 3, 3, 4, 5, 3, 2, 3, 1, 4, 200})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := New(DefaultOpts)
		if err != nil {
			t.Fatal(err)
		}
		var now, last time.Duration
		const (
			idle = iota
			alerted
			between // in a call, no burst under way
			inBurst
		)
		st := idle
		check := func() {
			for s, ok := d.Next(); ok; s, ok = d.Next() {
				if s.At < last || s.At > now {
					t.Fatalf("%v out of order: last %v, now %v", s, last, now)
				}
				last = s.At
				switch {
				case s.Kind == Alert && st == idle:
					st = alerted
				case s.Kind == CallStart && (st == idle || st == alerted):
					st = between
				case s.Kind == RingStart && st == between:
					st = inBurst
				case s.Kind == RingEnd && st == inBurst:
					st = between
				case s.Kind == Abandoned && (st == alerted || st == between):
					st = idle
				default:
					t.Fatalf("%v in state %d", s, st)
				}
			}
		}
		for i := 0; i+1 < len(data); i += 2 {
			now += time.Duration(data[i+1]) * hal.FrameDuration
			d.Event(hal.Event{Kind: hal.EventKind(data[i] % 5), At: now})
			check()
			d.Tick(now)
			check()
		}
		d.Event(hal.Event{Kind: hal.EventRingStop, At: now})
		now += time.Minute
		d.Tick(now)
		check()
		if st != idle {
			t.Fatalf("state %d a minute after the ringing stopped", st)
		}
	})
}
