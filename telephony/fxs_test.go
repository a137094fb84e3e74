package telephony

import (
	"context"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/dsp/callerid"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/q850"
)

var fxsOnly = []hal.Kind{hal.KindFXS}

// record runs frames covering d of bus time and returns what the gateway
// sent to line n meanwhile.
func (r *rig) record(n int, d time.Duration) []int16 {
	r.t.Helper()
	samples := int(d / hal.FrameDuration * hal.FrameSamples)
	rec, err := r.b.Record(n, samples)
	if err != nil {
		r.t.Fatal(err)
	}
	r.step(int(d/hal.FrameDuration) + 1)
	out, err := rec.Wait(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

// tonesIn returns the tones of the country's plan recognised in samples.
func tonesIn(country string, samples []int16) []tone.Kind {
	p, _ := tone.Lookup(country)
	d := tone.NewDetector(p)
	var kinds []tone.Kind
	for i := 0; i+hal.FrameSamples <= len(samples); i += hal.FrameSamples {
		for _, ev := range d.Process(samples[i : i+hal.FrameSamples]) {
			if ev.End == 0 {
				kinds = append(kinds, ev.Tone)
			}
		}
	}
	return kinds
}

func wantTone(t testing.TB, what string, got []tone.Kind, want tone.Kind) {
	t.Helper()
	if len(got) != 1 || got[0] != want {
		t.Fatalf("%s: heard %v, want %v", what, got, want)
	}
}

func TestFXSDialToneWithinOneFrame(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, nil, Options{})
	r.step(2)
	if err := r.b.FXS(1).OffHook(); err != nil {
		t.Fatal(err)
	}
	got := r.record(1, 2*time.Second)
	first := -1
	for i, s := range got {
		if s != 0 {
			first = i
			break
		}
	}
	// The frame after the off-hook one carries the tone.
	if first < 0 || first >= 2*hal.FrameSamples {
		t.Fatalf("first sound at sample %d, want within the second frame", first)
	}
	wantTone(t, "off hook", tonesIn("US", got), tone.Dial)
	if a := r.activity(1); a != "dial-tone" {
		t.Fatalf("line is %s", a)
	}
}

func TestFXSOutgoingCall(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Name, p[0].Reversal = "Kitchen", true
		return p
	}, Options{})
	phone := r.b.FXS(1)
	phone.OffHook()
	r.step(5)
	phone.Dial("5551234#", false)
	far := r.farCall()
	if far.To.Number != "5551234" || far.From.Number != "1001" || far.From.Name != "Kitchen" {
		t.Fatalf("far end got a call from %+v to %+v", far.From, far.To)
	}
	far.Ringing()
	r.until("ringback", 2*time.Second, func() bool { return r.e.lines[0].(*fxsLine).kind == tone.Ringback })
	wantTone(t, "far end ringing", tonesIn("US", r.record(1, 9*time.Second)), tone.Ringback)

	far.Answer()
	r.until("talking", 2*time.Second, func() bool { return r.activity(1) == "talking" })
	if f := phone.Linefeed(); f != hal.LinefeedReverse {
		t.Fatalf("linefeed %v after the answer, want reverse", f)
	}
	if got := tonesIn("US", r.record(1, time.Second)); len(got) != 0 {
		t.Fatalf("heard %v in the call", got)
	}
	lines, _ := r.e.Status()
	if c := lines[0].Call; c == nil || c.State != sipua.CallActive || c.Peer != "5551234" || c.Incoming {
		t.Fatalf("call status %+v", c)
	}

	far.Hangup(context.Background(), q850.NormalClearing)
	r.until("cleared", 2*time.Second, func() bool { return r.activity(1) == "cleared" })
	if f := phone.Linefeed(); f != hal.LinefeedForward {
		t.Fatalf("linefeed %v after the far end hung up, want forward", f)
	}
	wantTone(t, "far end hung up", tonesIn("US", r.record(1, 3*time.Second)), tone.Congestion)
	phone.OnHook()
	r.step(50)
	if a := r.activity(1); a != "idle" {
		t.Fatalf("line %s after hanging up", a)
	}
}

func TestFXSHangupEndsCall(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, nil, Options{})
	phone := r.b.FXS(1)
	phone.OffHook()
	phone.Dial("2000#", false)
	far := r.farCall()
	far.Answer()
	r.until("talking", 2*time.Second, func() bool { return r.activity(1) == "talking" })
	phone.OnHook()
	r.until("far end hung up", 3*time.Second, func() bool { return far.State() == sipua.CallEnded })
	if c := far.Cause(); c != q850.NormalClearing {
		t.Fatalf("cause %d", c)
	}
}

// TestFXSSendAnonymous: a line set to withhold its caller ID calls out as
// a private caller, which sipua sends as anonymous with Privacy: id.
func TestFXSSendAnonymous(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Name, p[0].Anonymous = "Kitchen", true
		return p
	}, Options{})
	phone := r.b.FXS(1)
	phone.OffHook()
	r.step(5)
	phone.Dial("5551234#", false)
	if far := r.farCall(); !far.From.Private || far.From.Number != "" || far.From.Name == "Kitchen" {
		t.Fatalf("far end got a call from %+v, want a private caller", far.From)
	}
}

func TestFXSDialPlan(t *testing.T) {
	for _, c := range []struct {
		name, digits string
		pulse        bool
		want         string // number called; "" for none
	}{
		{"emergency by pulses", "911", true, "911"},
		{"seven digits", "5551234", false, "5551234"},
		{"long distance", "12125551234", false, "12125551234"},
		{"not in plan", "0", false, ""},
		{"incomplete", "555", false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, func(b *sim.Board, p []Port) []Port {
				p[0].DialPlan = mustParse("911|[2-8]xxxxxx|1[2-9]xxxxxxxxx")
				return p
			}, Options{})
			phone := r.b.FXS(1)
			phone.OffHook()
			r.step(5)
			phone.Dial(c.digits, c.pulse)
			if c.want == "" {
				r.until("reorder", 15*time.Second, func() bool { return r.activity(1) == "cleared" })
				wantTone(t, "no number", tonesIn("US", r.record(1, 2*time.Second)), tone.Congestion)
				return
			}
			far := r.farCall()
			if far.To.Number != c.want {
				t.Fatalf("called %q, want %q", far.To.Number, c.want)
			}
		})
	}
}

func TestFXSHotlineAndWarmLine(t *testing.T) {
	for _, delay := range []time.Duration{0, 2 * time.Second} {
		r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, func(b *sim.Board, p []Port) []Port {
			p[0].Hotline, p[0].HotlineDelay = "4444", delay
			return p
		}, Options{})
		r.b.FXS(1).OffHook()
		r.step(int(delay/hal.FrameDuration) - 5)
		if delay > 0 && r.activity(1) != "dial-tone" {
			t.Fatalf("warm line %s before its delay", r.activity(1))
		}
		if far := r.farCall(); far.To.Number != "4444" {
			t.Fatalf("hotline called %q", far.To.Number)
		}
	}
}

func TestFXSIncomingCallerID(t *testing.T) {
	for _, c := range []struct {
		country string
		from    sipua.Party
		want    sim.CallerID
		before  bool // caller ID comes before the first ring
	}{
		{"US", sipua.Party{Number: "5551234", Name: "Ann Smith"}, sim.CallerID{Number: "5551234", Name: "Ann Smith"}, false},
		{"US", sipua.Party{Private: true}, sim.CallerID{Reason: "private"}, false},
		{"GB", sipua.Party{Number: "02079460000", Name: "Bob"}, sim.CallerID{Number: "02079460000", Name: "Bob"}, true},
		{"NL", sipua.Party{Number: "0201234567"}, sim.CallerID{Number: "0201234567"}, true},
	} {
		t.Run(c.country, func(t *testing.T) {
			r := newRig(t, sim.Opts{Country: c.country, Ports: fxsOnly}, func(b *sim.Board, p []Port) []Port {
				std, alert := callerid.ForCountry(c.country)
				p[0].CallerID = CallerID{std, alert}
				return p
			}, Options{})
			phone := r.b.FXS(1)
			far := r.dial("1001", c.from)
			r.until("far end hears ringing", 2*time.Second, func() bool { return alerting(far) })
			var cid *sim.CallerID
			rings := 0
			r.until("caller ID", 10*time.Second, func() bool {
				st := phone.State()
				cid, rings = st.CallerID, len(st.Cadence)
				return cid != nil
			})
			if *cid != c.want {
				t.Fatalf("phone shows %+v, want %+v", *cid, c.want)
			}
			if c.before != (rings == 0) {
				t.Fatalf("caller ID after %d ring periods; want before the first ring: %v", rings, c.before)
			}
			r.step(300)
			st := phone.State()
			if !st.Ringing && len(st.Cadence) < 2 {
				t.Fatalf("phone not ringing: %+v", st)
			}
			phone.OffHook()
			r.until("answered", 2*time.Second, func() bool { return far.State() == sipua.CallActive })
			if a := r.activity(1); a != "talking" {
				t.Fatalf("line %s", a)
			}
		})
	}
}

func TestFXSIncomingBusyUnroutableCancelled(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: []hal.Kind{hal.KindFXS, hal.KindFXS}}, nil, Options{})
	r.b.FXS(1).OffHook()
	r.step(2)
	busy := r.dial("1001", sipua.Party{Number: "2000"})
	none := r.dial("9999", sipua.Party{Number: "2000"})
	r.until("refusals", 3*time.Second, func() bool {
		return busy.State() == sipua.CallEnded && none.State() == sipua.CallEnded
	})
	if busy.Cause() != q850.UserBusy || none.Cause() != q850.UnallocatedNumber {
		t.Fatalf("causes %d and %d, want 17 and 1", busy.Cause(), none.Cause())
	}

	// A call cancelled while it rings stops the ringing.
	rung := r.dial("1002", sipua.Party{Number: "2000"})
	r.until("ringing", 2*time.Second, func() bool { return r.b.FXS(2).State().Ringing })
	rung.Hangup(context.Background(), q850.NormalClearing)
	r.until("idle", 3*time.Second, func() bool { return r.activity(2) == "idle" })
	if st := r.b.FXS(2).State(); st.Ringing || st.Linefeed == hal.LinefeedRinging {
		t.Fatalf("still ringing: %+v", st)
	}
}

func TestFXSDTMFBothWays(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, nil, Options{})
	phone := r.b.FXS(1)
	phone.OffHook()
	phone.Dial("2000#", false)
	far := r.farCall()
	far.Answer()
	r.until("talking", 2*time.Second, func() bool { return r.activity(1) == "talking" })
	r.step(10)

	// The phone's keypad goes out as RFC 4733.
	phone.Dial("7", false)
	var got []byte
	r.until("digit at the far end", 2*time.Second, func() bool {
		if ev, ok := far.Digit(); ok && !ev.End {
			got = append(got, ev.Digit)
		}
		return len(got) > 0
	})
	if string(got) != "7" {
		t.Fatalf("far end got %q", got)
	}
}

// A number that may be complete goes after the line's critical timeout;
// one that cannot be yet waits out the inter-digit timeout, then reorder.
func TestFXSDigitTimeouts(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].DialPlan = mustParse("[2-8]xxx|[2-8]xxxxxx")
		p[0].Digits = DigitTimeouts{Inter: 3 * time.Second, Critical: time.Second}
		return p
	}, Options{})
	phone := r.b.FXS(1)
	phone.OffHook()
	r.step(5)
	phone.Dial("2000", false)
	r.until("digits", time.Second, func() bool { return r.activity(1) == "dialling" && !phone.State().Dialling })
	r.step(int(900 * time.Millisecond / hal.FrameDuration))
	if a := r.activity(1); a != "dialling" {
		t.Fatalf("line %s before the critical timeout", a)
	}
	if far := r.farCall(); far.To.Number != "2000" {
		t.Fatalf("called %q", far.To.Number)
	}
	phone.OnHook()
	r.until("idle", 2*time.Second, func() bool { return r.activity(1) == "idle" })

	phone.OffHook()
	r.step(5)
	phone.Dial("20000", false)
	r.until("digits", time.Second, func() bool { return !phone.State().Dialling })
	r.step(int(2800 * time.Millisecond / hal.FrameDuration))
	if a := r.activity(1); a != "dialling" {
		t.Fatalf("line %s before the inter-digit timeout", a)
	}
	r.until("reorder", time.Second, func() bool { return r.activity(1) == "cleared" })
}
