package telephony

import (
	"context"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/dsp/dtmf"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/q850"
)

var fxoOnly = []hal.Kind{hal.KindFXO}

func TestFXOIncomingOneStage(t *testing.T) {
	for _, cc := range []string{"US", "GB"} {
		t.Run(cc, func(t *testing.T) {
			r := newRig(t, sim.Opts{Country: cc, Ports: fxoOnly}, func(b *sim.Board, p []Port) []Port {
				p[0].Hotline, p[0].Number = "2000", "5550000"
				return p
			}, Options{})
			x := r.b.FXO(1)
			if err := x.Ring(&sim.CallerID{Number: "5551234", Name: "Bob"}); err != nil {
				t.Fatal(err)
			}
			far := r.farCall()
			if far.To.Number != "2000" || far.From.Number != "5551234" || far.From.Name != "Bob" {
				t.Fatalf("call from %+v to %+v", far.From, far.To)
			}
			if st := x.State(); st.Hook != hal.OnHook || st.State != sim.LineRinging {
				t.Fatalf("line answered before the SIP side: %+v", st)
			}
			far.Answer()
			r.until("line answered", 2*time.Second, func() bool { return x.State().State == sim.LineConnected })
			far.Hangup(context.Background(), q850.NormalClearing)
			r.until("line released", 2*time.Second, func() bool { return x.State().Hook == hal.OnHook })
			r.until("idle", 3*time.Second, func() bool { return r.activity(1) == "idle" })
		})
	}
}

// TestFXOSendAnonymous: on a line set to withhold caller ID, a PSTN
// caller's number does not reach the SIP side.
func TestFXOSendAnonymous(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxoOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Hotline, p[0].Number, p[0].Anonymous = "2000", "5550000", true
		return p
	}, Options{})
	if err := r.b.FXO(1).Ring(&sim.CallerID{Number: "5551234", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if far := r.farCall(); !far.From.Private || far.From.Number != "" || far.From.Name == "Bob" {
		t.Fatalf("far end got a call from %+v, want a private caller", far.From)
	}
}

func TestFXOIncomingWithoutCallerIDAndAbandoned(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxoOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Hotline, p[0].Number = "2000", "5550000"
		return p
	}, Options{})
	x := r.b.FXO(1)
	x.Ring(nil)
	far := r.farCall() // after the second ring
	if far.From.Number != "5550000" {
		t.Fatalf("call from %+v, want the line's own number", far.From)
	}
	x.Hangup(sim.HangupLoop) // the caller gives up
	r.until("cancelled", 10*time.Second, func() bool { return far.State() == sipua.CallEnded })
	r.until("idle", 3*time.Second, func() bool { return r.activity(1) == "idle" })
}

// TestFXOIncomingRefusedRingsOn: when the SIP side refuses the call of a
// PSTN caller, the line leaves the caller ringing, as with nobody home: it
// shows ringing, places no second call at the next ring, and is idle once
// the caller gives up.
func TestFXOIncomingRefusedRingsOn(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxoOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Hotline = "2000"
		return p
	}, Options{})
	x := r.b.FXO(1)
	if err := x.Ring(&sim.CallerID{Number: "5551234"}); err != nil {
		t.Fatal(err)
	}
	if err := r.farCall().Reject(q850.UserBusy); err != nil {
		t.Fatal(err)
	}
	r.until("ringing, unanswered", 3*time.Second, func() bool { return r.activity(1) == "ringing" })
	for range 6 * 50 { // a ring cadence and more, paced as until does
		r.step(1)
		time.Sleep(time.Millisecond)
	}
	if st := x.State(); st.Hook != hal.OnHook {
		t.Fatalf("line answered after the SIP side refused: %+v", st)
	}
	select {
	case c := <-r.calls:
		t.Fatalf("a second call placed: %+v", c.To)
	default:
	}
	x.Hangup(sim.HangupLoop)
	r.until("idle", 10*time.Second, func() bool { return r.activity(1) == "idle" })
}

// fxoOut routes every number to FXO line 1 and calls number through it.
func fxoOut(t *testing.T, setup func(p *Port), number string) (*rig, *sim.Exchange, *sipua.Call) {
	t.Helper()
	r := newRig(t, sim.Opts{Country: "US", Ports: fxoOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Disconnect = DefaultDisconnect
		if setup != nil {
			setup(&p[0])
		}
		return p
	}, Options{Inbound: []Inbound{{Match: mustParse("x.T"), Lines: []int{1}}}})
	x := r.b.FXO(1)
	c := r.dial(number, sipua.Party{Number: "2000"})
	r.until("dialled", 10*time.Second, func() bool { return x.State().Dialed == number })
	return r, x, c
}

func TestFXOOutgoingPolarityAnswer(t *testing.T) {
	r, x, c := fxoOut(t, func(p *Port) { p.Answer = AnswerPolarity }, "5551234")
	r.until("early media", 2*time.Second, func() bool { return c.State() == sipua.CallEarlyMedia })
	r.until("exchange rings the called party", 5*time.Second, func() bool { return x.State().State == sim.LineRingback })
	r.step(20)
	if c.State() != sipua.CallEarlyMedia {
		t.Fatalf("call %v before the answer", c.State())
	}
	x.Answer(true)
	r.until("answered", 2*time.Second, func() bool { return c.State() == sipua.CallActive })
	c.Hangup(context.Background(), q850.NormalClearing)
	r.until("released", 2*time.Second, func() bool { return x.State().Hook == hal.OnHook })
}

func TestFXOOutgoingImmediateAnswer(t *testing.T) {
	r, _, c := fxoOut(t, nil, "411")
	r.until("answered", 2*time.Second, func() bool { return c.State() == sipua.CallActive })
}

func TestFXODisconnectSupervision(t *testing.T) {
	for _, c := range []struct {
		name string
		by   sim.Hangup
		port func(*Port)
	}{
		{"loop", sim.HangupLoop, nil},
		{"polarity", sim.HangupPolarity, nil},
		{"busy tone", sim.HangupBusy, nil},
		{"silence", sim.HangupLoop, func(p *Port) { p.Disconnect = Disconnect{Silence: 2 * time.Second} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, x, call := fxoOut(t, c.port, "5551234")
			r.until("answered", 2*time.Second, func() bool { return call.State() == sipua.CallActive })
			if c.name != "silence" { // nobody talks: silence ends the call meanwhile
				r.until("exchange rings the called party", 5*time.Second, func() bool { return x.State().State == sim.LineRingback })
				x.Answer(true)
				r.step(10)
				if call.State() != sipua.CallActive {
					t.Fatalf("the answer's polarity reversal ended the call: %v", call.State())
				}
				x.Hangup(c.by)
			}
			r.until("SIP call ended", 10*time.Second, func() bool { return call.State() == sipua.CallEnded })
			r.until("released", 2*time.Second, func() bool { return x.State().Hook == hal.OnHook })
		})
	}
}

func TestFXOBusyLineRefusesSecondCall(t *testing.T) {
	r, _, c := fxoOut(t, nil, "5551234")
	second := r.dial("5559999", sipua.Party{Number: "2001"})
	r.until("refused", 3*time.Second, func() bool { return second.State() == sipua.CallEnded })
	if second.Cause() != q850.UserBusy {
		t.Fatalf("cause %d, want 17", second.Cause())
	}
	if c.State() == sipua.CallEnded {
		t.Fatal("first call ended")
	}
}

func TestFXOIncomingTwoStage(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxoOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].Number = "5550000"
		return p
	}, Options{})
	x := r.b.FXO(1)
	x.Ring(&sim.CallerID{Number: "5551234"})
	r.until("line answered for digits", 10*time.Second, func() bool { return x.State().State == sim.LineConnected })
	wantTone(t, "the PSTN caller hears", tonesIn("US", r.record(1, 2*time.Second)), tone.Dial)
	digits, err := dtmf.Render("2000#", dtmf.DefaultGenOpts)
	if err != nil {
		t.Fatal(err)
	}
	r.b.Play(1, digits)
	far := r.farCall()
	if far.To.Number != "2000" || far.From.Number != "5551234" {
		t.Fatalf("call from %+v to %+v", far.From, far.To)
	}
}
