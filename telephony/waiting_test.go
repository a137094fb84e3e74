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

// waitingRig is line 1 (number 1001, call waiting on) talking to far end
// 2000 (first), and a second call from 3000 offered to it (second), which
// its caller hears ringing.
type waitingRig struct {
	*rig
	phone  *sim.Phone
	first  *sipua.Call
	second *sipua.Call
}

func newWaitingRig(t testing.TB, country string, setup func(b *sim.Board, p []Port) []Port) *waitingRig {
	t.Helper()
	w := newTalkingRig(t, country, setup)
	w.second = w.dial("1001", sipua.Party{Number: "3000", Name: "Carol"})
	w.until("second call rings", 2*time.Second, func() bool { return alerting(w.second) })
	return w
}

// newTalkingRig is a waitingRig before the second call.
func newTalkingRig(t testing.TB, country string, setup func(b *sim.Board, p []Port) []Port) *waitingRig {
	t.Helper()
	r := newRig(t, sim.Opts{Country: country, Ports: fxsOnly}, func(b *sim.Board, p []Port) []Port {
		p[0].CallWaiting = true
		if setup != nil {
			p = setup(b, p)
		}
		return p
	}, Options{})
	w := &waitingRig{rig: r, phone: r.b.FXS(1)}
	w.phone.OffHook()
	w.phone.Dial("2000#", false)
	w.first = r.farCall()
	w.first.Answer()
	r.until("talking", 2*time.Second, func() bool { return r.activity(1) == "talking" })
	return w
}

// callWaitingHeard reports whether samples hold the country's call-waiting
// tone. The tone detector knows only busy, congestion, ringback and dial
// tone; given a plan whose tones are all the call-waiting tone, it reports
// that one as busy.
func callWaitingHeard(country string, samples []int16) bool {
	p, _ := tone.Lookup(country)
	cw := p.CallWaiting
	d := tone.NewDetector(&tone.Plan{Dial: cw, Ringback: cw, Busy: cw, Congestion: cw})
	for i := 0; i+hal.FrameSamples <= len(samples); i += hal.FrameSamples {
		if len(d.Process(samples[i:i+hal.FrameSamples])) > 0 {
			return true
		}
	}
	return false
}

// cwListen is how long to listen for the call-waiting tone: the detector
// knows it by a whole burst, the pause and the next burst, and North
// America's comes every 10 s; a recording may start just after a burst.
const cwListen = 21 * time.Second

// settle runs n frames a millisecond apart, so that the SIP side and RTP
// keep up.
func (w *waitingRig) settle(n int) {
	for range n {
		w.step(1)
		time.Sleep(time.Millisecond)
	}
}

// packets counts the RTP packets far end c has received.
func packets(c *sipua.Call) uint64 { return c.Stream().Stats().PacketsReceived }

// carries checks that the line's audio goes to far end to and not to
// far end not.
func (w *waitingRig) carries(to, not *sipua.Call) {
	w.t.Helper()
	w.settle(20) // packets sent before the swap arrive
	before, other := packets(to), packets(not)
	w.settle(50)
	if packets(to) == before {
		w.t.Fatalf("no audio reaches the call in hand")
	}
	if n := packets(not) - other; n != 0 {
		w.t.Fatalf("the held call got %d packets", n)
	}
}

// heldBy reports whether the gateway holds c, as its far end sees it: the
// gateway holds a peer that is a gateway, as the rig's is, with a=inactive
// ([MS-OCPSTN] peers know no other way), others with a=sendonly.
func heldBy(c *sipua.Call) func() bool {
	return func() bool { m := c.Media(); return c.State() == sipua.CallActive && !m.Send }
}

// alerting reports whether the line rings for c, as its caller sees it:
// 180, or the 183 with ringback in it that a caller who takes early media
// ([MS-OCPSTN] ms-early-media), as the rig's does, gets instead.
func alerting(c *sipua.Call) bool {
	st := c.State()
	return st == sipua.CallRinging || st == sipua.CallEarlyMedia
}

func resumed(c *sipua.Call) func() bool {
	return func() bool { m := c.Media(); return c.State() == sipua.CallActive && m.Send && m.Recv }
}

func TestCallWaitingTone(t *testing.T) {
	for _, country := range []string{"US", "GB", "DE", "JP"} {
		t.Run(country, func(t *testing.T) {
			w := newWaitingRig(t, country, nil)
			if !callWaitingHeard(country, w.record(1, cwListen)) {
				t.Fatal("no call-waiting tone on the line")
			}
			if a := w.activity(1); a != "talking" || w.first.State() != sipua.CallActive {
				t.Fatalf("line %s, first call %v", a, w.first.State())
			}
		})
	}
}

func TestCallWaitingFlashAnswersAndSwaps(t *testing.T) {
	w := newWaitingRig(t, "US", nil)
	peer := func() string {
		lines, _ := w.e.Status()
		return lines[0].Call.Peer
	}

	w.phone.Flash()
	w.until("second call answered", 3*time.Second, func() bool { return w.second.State() == sipua.CallActive })
	w.until("first call held", 3*time.Second, heldBy(w.first))
	if p := peer(); p != "3000" {
		t.Fatalf("line carries the call with %s", p)
	}
	w.carries(w.second, w.first)
	if callWaitingHeard("US", w.record(1, cwListen)) {
		t.Fatal("call-waiting tone still on after the flash")
	}

	w.phone.Flash()
	w.until("first call resumed", 3*time.Second, resumed(w.first))
	w.until("second call held", 3*time.Second, heldBy(w.second))
	if p := peer(); p != "2000" {
		t.Fatalf("after the swap the line carries the call with %s", p)
	}
	w.carries(w.first, w.second)

	w.phone.Flash()
	w.until("second call resumed", 3*time.Second, resumed(w.second))
	w.until("first call held again", 3*time.Second, heldBy(w.first))
	w.carries(w.second, w.first)
}

func TestCallWaitingCancelled(t *testing.T) {
	w := newWaitingRig(t, "US", nil)
	w.step(50) // the first burst of the tone is over
	w.second.Hangup(context.Background(), q850.NormalClearing)
	w.until("second call gone", 2*time.Second, func() bool { return w.second.State() == sipua.CallEnded })
	w.settle(5)
	if callWaitingHeard("US", w.record(1, cwListen)) {
		t.Fatal("call-waiting tone after the caller gave up")
	}
	if a := w.activity(1); a != "talking" || w.first.State() != sipua.CallActive || !resumed(w.first)() {
		t.Fatalf("line %s, first call %v %+v", a, w.first.State(), w.first.Media())
	}
	w.carries(w.first, w.second)

	// A flash now holds the call, as without call waiting.
	w.phone.Flash()
	w.until("first call held", 3*time.Second, heldBy(w.first))
}

func TestCallWaitingNotTaken(t *testing.T) {
	w := newWaitingRig(t, "US", nil)
	w.step(int(waitingTimeout/hal.FrameDuration) - 50)
	if !alerting(w.second) {
		t.Fatalf("second call %v before the timeout", w.second.State())
	}
	w.until("second call refused", 3*time.Second, func() bool { return w.second.State() == sipua.CallEnded })
	// 480 with Reason: Q.850;cause=19.
	if c := w.second.Cause(); c != q850.NoAnswer {
		t.Fatalf("second call ended with cause %d, want %d", c, q850.NoAnswer)
	}
	if w.first.State() != sipua.CallActive || w.activity(1) != "talking" {
		t.Fatalf("first call %v, line %s", w.first.State(), w.activity(1))
	}
	if callWaitingHeard("US", w.record(1, cwListen)) {
		t.Fatal("call-waiting tone after the call was refused")
	}
}

func TestCallWaitingBusy(t *testing.T) {
	for _, c := range []struct {
		name    string
		waiting bool // call waiting on for the line
		flash   bool // the second call taken before the third comes
	}{
		{"call waiting off", false, false},
		{"a call waits already", true, false},
		{"two calls in hand", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var w *waitingRig
			if !c.waiting {
				w = newTalkingRig(t, "US", func(b *sim.Board, p []Port) []Port {
					p[0].CallWaiting = false
					return p
				})
				second := w.dial("1001", sipua.Party{Number: "3000"})
				w.until("second call refused", 3*time.Second, func() bool { return second.State() == sipua.CallEnded })
				if second.Cause() != q850.UserBusy {
					t.Fatalf("cause %d, want busy", second.Cause())
				}
				return
			}
			w = newWaitingRig(t, "US", nil)
			if c.flash {
				w.phone.Flash()
				w.until("second call answered", 3*time.Second, func() bool { return w.second.State() == sipua.CallActive })
			}
			third := w.dial("1001", sipua.Party{Number: "4000"})
			w.until("third call refused", 3*time.Second, func() bool { return third.State() == sipua.CallEnded })
			if third.Cause() != q850.UserBusy {
				t.Fatalf("cause %d, want busy", third.Cause())
			}
			if w.first.State() != sipua.CallActive || w.second.State() == sipua.CallEnded {
				t.Fatalf("first call %v, second %v", w.first.State(), w.second.State())
			}
		})
	}
}

func TestCallWaitingPrefersFreeLine(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: []hal.Kind{hal.KindFXS, hal.KindFXS}}, func(b *sim.Board, p []Port) []Port {
		p[0].CallWaiting, p[1].CallWaiting = true, true
		return p
	}, Options{Inbound: []Inbound{{Match: mustParse("5xxx"), Lines: []int{1, 2}}}})
	r.b.FXS(1).OffHook()
	r.b.FXS(1).Dial("2000#", false)
	far := r.farCall()
	far.Answer()
	r.until("talking", 2*time.Second, func() bool { return r.activity(1) == "talking" })

	r.dial("5000", sipua.Party{Number: "3000"})
	r.until("line 2 rings", 2*time.Second, func() bool { return r.activity(2) == "ringing" })
	if callWaitingHeard("US", r.record(1, cwListen)) {
		t.Fatal("line 1 got the call as waiting")
	}
	// With line 2 busy too, line 1 takes the next call as waiting.
	r.b.FXS(2).OffHook()
	r.until("line 2 talking", 2*time.Second, func() bool { return r.activity(2) == "talking" })
	waiting := r.dial("5000", sipua.Party{Number: "4000"})
	r.until("call waits", 2*time.Second, func() bool { return alerting(waiting) })
	if !callWaitingHeard("US", r.record(1, cwListen)) {
		t.Fatal("no call-waiting tone on line 1")
	}
}

func TestCallWaitingHangUpRingsForTheOther(t *testing.T) {
	for _, held := range []bool{false, true} {
		name := "waiting"
		if held {
			name = "held"
		}
		t.Run(name, func(t *testing.T) {
			w := newWaitingRig(t, "US", func(b *sim.Board, p []Port) []Port {
				std, alert := callerid.ForCountry("US")
				p[0].CallerID = CallerID{std, alert}
				return p
			})
			// Hanging up ends the call in hand: the second one when held,
			// else the first.
			inHand, other := w.first, w.second
			if held {
				w.phone.Flash()
				w.until("first call held", 3*time.Second, heldBy(w.first))
				inHand, other = w.second, w.first
			}
			w.phone.OnHook()
			w.until("call in hand ended", 3*time.Second, func() bool { return inHand.State() == sipua.CallEnded })
			if inHand.Cause() != q850.NormalClearing {
				t.Fatalf("call in hand ended with cause %d", inHand.Cause())
			}
			w.until("phone rings", 10*time.Second, func() bool { return w.phone.State().Ringing })
			if !held {
				w.until("caller ID", 10*time.Second, func() bool { return w.phone.State().CallerID != nil })
				if cid := *w.phone.State().CallerID; cid.Number != "3000" || cid.Name != "Carol" {
					t.Fatalf("phone shows %+v", cid)
				}
			}
			w.phone.OffHook()
			w.until("other call taken", 3*time.Second, resumed(other))
			if other.State() != sipua.CallActive || w.activity(1) != "talking" {
				t.Fatalf("other call %v, line %s", other.State(), w.activity(1))
			}
			w.carries(other, inHand)
		})
	}
}

func TestCallWaitingFarEndHangsUp(t *testing.T) {
	w := newWaitingRig(t, "US", nil)
	w.first.Hangup(context.Background(), q850.NormalClearing)
	w.until("cleared", 3*time.Second, func() bool { return w.activity(1) == "cleared" })
	if !alerting(w.second) {
		t.Fatalf("waiting call %v after the first ended", w.second.State())
	}
	w.phone.Flash()
	w.until("waiting call answered", 3*time.Second, func() bool { return w.second.State() == sipua.CallActive })
	if a := w.activity(1); a != "talking" {
		t.Fatalf("line %s", a)
	}
	w.carries(w.second, w.first)
}

// The frame loop allocates nothing while a call waits, nor with one call
// held and the other carried.
func TestCallWaitingFrameAllocs(t *testing.T) {
	w := newWaitingRig(t, "US", nil)
	if n := testing.AllocsPerRun(200, func() { w.step(1) }); n != 0 {
		t.Errorf("%v allocations a frame with a call waiting", n)
	}
	w.phone.Flash()
	w.until("first call held", 3*time.Second, heldBy(w.first))
	if n := testing.AllocsPerRun(200, func() { w.step(1) }); n != 0 {
		t.Errorf("%v allocations a frame with a call held", n)
	}
}

// BenchmarkCallWaitingFrame is one frame of the engine with one call held
// and the other carried.
func BenchmarkCallWaitingFrame(b *testing.B) {
	w := newWaitingRig(b, "US", nil)
	w.phone.Flash()
	w.until("first call held", 3*time.Second, heldBy(w.first))
	b.ReportAllocs()
	for b.Loop() {
		w.step(1)
	}
}
