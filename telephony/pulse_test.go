package telephony

import (
	"context"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/q850"
)

const ms = time.Millisecond

func TestPulseCoding(t *testing.T) {
	for _, c := range []struct {
		country string
		want    [10]int // pulses for 0-9
	}{
		{"US", [10]int{10, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"SE", [10]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"NZ", [10]int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
	} {
		coding := pulseTimingFor(c.country).coding
		for d, want := range c.want {
			if got := coding.pulses(byte('0' + d)); got != want {
				t.Errorf("%s: digit %d is %d pulses, want %d", c.country, d, got, want)
			}
		}
	}
}

func TestPulseDialable(t *testing.T) {
	for _, c := range []struct {
		number string
		ok     bool
	}{{"0123456789", true}, {"", true}, {"555#", false}, {"*69", false}, {"12A", false}, {"1 2", false}} {
		if err := pulseDialable(c.number); (err == nil) != c.ok {
			t.Errorf("pulseDialable(%q): %v", c.number, err)
		}
	}
}

// hookPlan records the hook changes handed to an FXO port, and the bus
// time of the frame each was handed over in.
type hookPlan struct {
	hal.FXO
	now   time.Duration
	steps []plannedStep
}

type plannedStep struct {
	hook         hal.Hook
	at, handedIn time.Duration
}

func (p *hookPlan) SetHookAt(h hal.Hook, at time.Duration) error {
	p.steps = append(p.steps, plannedStep{h, at, p.now})
	return nil
}

func TestPulserPlansBreaksAndMakes(t *testing.T) {
	for _, c := range []struct {
		country   string
		number    string
		brk, mk   time.Duration
		trainsets []int // pulses of each digit
	}{
		{"US", "203", 60 * ms, 40 * ms, []int{2, 10, 3}},
		{"GB", "91", 67 * ms, 33 * ms, []int{9, 1}},
		{"NZ", "91", 67 * ms, 33 * ms, []int{1, 9}},
		{"SE", "09", 60 * ms, 40 * ms, []int{1, 10}},
	} {
		t.Run(c.country, func(t *testing.T) {
			p := pulser{t: pulseTimingFor(c.country)}
			start := 5 * hal.FrameDuration
			p.start(c.number, start)
			port := &hookPlan{}
			var doneAt time.Duration
			for now := time.Duration(0); doneAt == 0; now += hal.FrameDuration {
				port.now = now
				if err := p.handOver(now, port); err != nil {
					t.Fatal(err)
				}
				if p.done(now) {
					doneAt = now
				}
				if now > time.Minute {
					t.Fatal("never done")
				}
			}
			at := start
			var want []plannedStep
			for i, n := range c.trainsets {
				if i > 0 {
					at += interDigitPause - c.mk
				}
				for range n {
					want = append(want, plannedStep{hook: hal.OnHook, at: at}, plannedStep{hook: hal.OffHook, at: at + c.brk})
					at += c.brk + c.mk
				}
			}
			if len(port.steps) != len(want) {
				t.Fatalf("%d hook changes, want %d: %v", len(port.steps), len(want), port.steps)
			}
			for i, s := range port.steps {
				if s.hook != want[i].hook || s.at != want[i].at {
					t.Fatalf("change %d: %v at %v, want %v at %v", i, s.hook, s.at, want[i].hook, want[i].at)
				}
				// Handed over past the frame the board transfers meanwhile,
				// and no more than pulseLead ahead.
				if ahead := s.at - s.handedIn; ahead < 2*hal.FrameDuration || ahead > pulseLead {
					t.Errorf("change %d at %v handed over at %v", i, s.at, s.handedIn)
				}
			}
			last := want[len(want)-1].at
			if doneAt < last || doneAt >= last+hal.FrameDuration {
				t.Errorf("done at %v, the last make is at %v", doneAt, last)
			}
			if !p.ours(start) || !p.ours(last-1) || p.ours(start-1) || p.ours(last) {
				t.Errorf("pulses span %v to %v, want %v to %v", p.from, p.to, start, last)
			}
			if p.stop(); p.ours(start) || !p.done(0) {
				t.Error("a stopped pulser still dials")
			}
		})
	}
}

// pulseOut routes every number to FXO line 1, set to pulse dialling, on the
// board of country, and calls number through it.
func pulseOut(t *testing.T, country string, setup func(b *sim.Board, p []Port) []Port, number string) (*rig, *sim.Exchange, *sipua.Call) {
	t.Helper()
	r := newRig(t, sim.Opts{Country: country, Ports: fxoOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Disconnect, p[0].Dialing = DefaultDisconnect, DialPulse
		if setup != nil {
			p = setup(b, p)
		}
		return p
	}, Options{Inbound: []Inbound{{Match: mustParse("[0-9*#].T"), Lines: []int{1}}}})
	return r, r.b.FXO(1), r.dial(number, sipua.Party{Number: "2000"})
}

func TestFXOOutgoingPulse(t *testing.T) {
	for _, c := range []struct {
		country, number string
		brk, mk         time.Duration
	}{
		{"US", "5551230", 60 * ms, 40 * ms},
		{"GB", "0207", 67 * ms, 33 * ms},
		{"NZ", "0419", 67 * ms, 33 * ms},
		{"SE", "0819", 60 * ms, 40 * ms},
	} {
		t.Run(c.country, func(t *testing.T) {
			r, x, call := pulseOut(t, c.country, nil, c.number)
			r.until("dialled", 30*time.Second, func() bool { return x.State().Dialed == c.number })
			// Timed to the sample on the simulated board; a frame's
			// resolution is the brief.
			const within = time.Millisecond
			p := x.State().Pulses
			if !near(p.MinBreak, c.brk, within) || !near(p.MaxBreak, c.brk, within) ||
				!near(p.MinMake, c.mk, within) || !near(p.MaxMake, c.mk, within) {
				t.Errorf("the exchange measured %+v, want breaks of %v and makes of %v", p, c.brk, c.mk)
			}
			if p.MinPause < interDigitPause-within {
				t.Errorf("digits %v apart, want %v", p.MinPause, interDigitPause)
			}
			r.until("answered", 2*time.Second, func() bool { return call.State() == sipua.CallActive })
			r.step(50)
			if call.State() != sipua.CallActive {
				t.Fatalf("call %v after dialling, cause %d", call.State(), call.Cause())
			}
			call.Hangup(context.Background(), q850.NormalClearing)
			r.until("released", 2*time.Second, func() bool { return x.State().Hook == hal.OnHook })
		})
	}
}

func near(d, want, within time.Duration) bool { return d >= want-within && d <= want+within }

func TestFXOPulseRefusesKeysWithoutPulses(t *testing.T) {
	r, x, call := pulseOut(t, "US", nil, "555#")
	r.until("refused", 5*time.Second, func() bool { return call.State() == sipua.CallEnded })
	if call.Cause() != q850.InvalidNumberFormat {
		t.Fatalf("cause %d, want %d (SIP 484)", call.Cause(), q850.InvalidNumberFormat)
	}
	if st := x.State(); st.State != sim.LineIdle || st.Hook != hal.OnHook {
		t.Fatalf("the line was seized: %+v", st)
	}
	if a := r.activity(1); a != "idle" {
		t.Fatalf("line %s", a)
	}
}

// restoreBlind is an exchange line behind a loop-current detector too slow
// to see the current come back in the makes of a digit (33 to 40 ms): it
// reports the current gone at the first break and never back.
type restoreBlind struct {
	*sim.Exchange
	events chan hal.Event
}

func (l *restoreBlind) Events() <-chan hal.Event { return l.events }

func TestFXOPulseBreaksAreNotDisconnects(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r, x, call := pulseOut(t, "GB", func(b *sim.Board, p []Port) []Port {
		blind := &restoreBlind{Exchange: b.FXO(1), events: make(chan hal.Event, 64)}
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case ev := <-blind.Exchange.Events():
					if ev.Kind == hal.EventLoopCurrent && ev.Value > 0 {
						continue
					}
					select {
					case blind.events <- ev:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
		p[0].FXO = blind
		return p
	}, "0123")
	r.until("dialled", 30*time.Second, func() bool { return x.State().Dialed == "0123" })
	r.until("answered", 2*time.Second, func() bool { return call.State() == sipua.CallActive })
	r.step(50)
	if call.State() != sipua.CallActive {
		t.Fatalf("our own breaks hung up the call: %v", call.State())
	}
	x.Answer(true)
	r.step(10)
	x.Hangup(sim.HangupLoop) // a loop-current drop of the far end's is heeded still
	r.until("SIP call ended", 5*time.Second, func() bool { return call.State() == sipua.CallEnded })
}

// BenchmarkPulserFrame is a pulse-dialling line's work in one frame: the
// hook changes due handed to the port.
func BenchmarkPulserFrame(b *testing.B) {
	p := pulser{t: pulseTimingFor("GB")}
	port := &nopHook{}
	var now time.Duration
	b.ReportAllocs()
	for b.Loop() {
		if p.done(now) {
			p.start("0123456789", now)
		}
		p.handOver(now, port)
		now += hal.FrameDuration
	}
}

type nopHook struct{ hal.FXO }

func (nopHook) SetHookAt(hal.Hook, time.Duration) error { return nil }
