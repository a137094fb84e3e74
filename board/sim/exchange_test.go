package sim

import (
	"fmt"
	"testing"
	"time"

	"tipring/hal"
)

// planPulses hands x a train of dial pulses as a gateway's pulse dialler
// does, from bus time at on: for each count, that many breaks of brk with
// makes of mk between them, and pause closed between the trains.
func planPulses(t *testing.T, x *Exchange, at time.Duration, counts []int, brk, mk, pause time.Duration) {
	t.Helper()
	for i, n := range counts {
		if i > 0 {
			at += pause - mk
		}
		for range n {
			if err := x.SetHookAt(hal.OnHook, at); err != nil {
				t.Fatal(err)
			}
			if err := x.SetHookAt(hal.OffHook, at+brk); err != nil {
				t.Fatal(err)
			}
			at += brk + mk
		}
	}
}

func TestExchangeDecodesPulses(t *testing.T) {
	const ms = time.Millisecond
	for _, c := range []struct {
		country string
		counts  []int
		brk, mk time.Duration
		want    string
		pulses  int
		makes   bool // a digit of more than one pulse: makes between its breaks
	}{
		{"US", []int{5, 5, 5, 1, 2, 10}, 60 * ms, 40 * ms, "555120", 28, true},
		{"GB", []int{10, 2, 7}, 67 * ms, 33 * ms, "027", 19, true},
		{"SE", []int{1, 10, 3}, 60 * ms, 40 * ms, "092", 14, true},
		{"NZ", []int{10, 9, 1}, 67 * ms, 33 * ms, "019", 20, true},
		{"US", []int{12, 1, 1}, 61 * ms, 39 * ms, "11", 14, true}, // twelve pulses are no digit
		{"US", []int{1, 1}, 59 * ms, 41 * ms, "11", 2, false},
	} {
		t.Run(fmt.Sprint(c.country, c.counts), func(t *testing.T) {
			r := newRig(t, c.country, hal.KindFXO)
			x := r.b.FXO(1)
			x.SetHook(hal.OffHook)
			r.run(500*ms, nil)
			events(x.Events())
			const pause = 800 * ms
			start := r.b.Now() + 7*ms // off the frame boundaries
			planPulses(t, x, start, c.counts, c.brk, c.mk, pause)
			var ev []hal.Event
			for range 30 * time.Second / hal.FrameDuration {
				r.run(hal.FrameDuration, nil)
				ev = append(ev, events(x.Events())...) // a pulse makes four
			}
			st := x.State()
			if st.Dialed != c.want {
				t.Errorf("dialled %q, want %q", st.Dialed, c.want)
			}
			p := st.Pulses
			if p.Pulses != c.pulses || p.MinBreak != c.brk || p.MaxBreak != c.brk || p.MinPause != pause {
				t.Errorf("measured %+v, want %d pulses, breaks of %v, pause %v", p, c.pulses, c.brk, pause)
			}
			wantMk := c.mk
			if !c.makes {
				wantMk = 0
			}
			if p.MinMake != wantMk || p.MaxMake != wantMk {
				t.Errorf("makes %v to %v, want %v", p.MinMake, p.MaxMake, wantMk)
			}
			var drops []time.Duration
			for _, ev := range ev {
				if ev.Kind == hal.EventLoopCurrent && ev.Value == 0 {
					drops = append(drops, ev.At)
				}
			}
			if len(drops) != c.pulses || drops[0] != start {
				t.Errorf("loop current dropped at %v, want %d times from %v", drops, c.pulses, start)
			}
		})
	}
}

func TestExchangeTimedHookChanges(t *testing.T) {
	r := newRig(t, "US", hal.KindFXO)
	x := r.b.FXO(1)
	if err := x.SetHookAt(hal.Hook(7), 0); err == nil {
		t.Fatal("SetHookAt accepted hook state 7")
	}
	r.run(100*time.Millisecond, nil)
	if err := x.SetHookAt(hal.OffHook, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if x.Hook() != hal.OffHook {
		t.Fatal("a change already due was not made at once")
	}
	ev := events(x.Events())
	if len(ev) == 0 || ev[0].Kind != hal.EventLoopCurrent || ev[0].At != 100*time.Millisecond {
		t.Fatalf("events %v, want the current at 100ms", ev)
	}

	// Planned breaks are dropped by a release before they are due.
	r.run(time.Second, nil)
	planPulses(t, x, r.b.Now()+40*time.Millisecond, []int{3}, 60*time.Millisecond, 40*time.Millisecond, 0)
	x.SetHook(hal.OnHook)
	r.run(2*time.Second, nil)
	if st := x.State(); st.State != LineIdle || st.Hook != hal.OnHook || st.Pulses.Pulses != 0 {
		t.Fatalf("after release: %+v", st)
	}
}
