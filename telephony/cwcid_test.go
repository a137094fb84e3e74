package telephony

import (
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/dsp/callerid"
	"tipring/dsp/dtmf"
	"tipring/dsp/g711"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/rtpstream"
)

// typeIIRig is a waitingRig whose line has the country's caller ID, and
// whose phone takes caller ID in a call or not (typeII).
func typeIIRig(t *testing.T, country string, typeII bool) *waitingRig {
	t.Helper()
	return newWaitingRig(t, country, func(b *sim.Board, p []Port) []Port {
		std, alert := callerid.ForCountry(country)
		p[0].CallerID = CallerID{std, alert}
		b.FXS(1).SetTypeII(typeII)
		return p
	})
}

// farEnd listens to what the far end of a call receives: the digits the
// gateway sends it as RFC 4733 events, and those in its audio.
type farEnd struct {
	c      *sipua.Call
	inband *dtmf.Detector
	events []byte
	heard  []byte
	frame  [rtpstream.FrameSize]byte
	pcm    hal.Frame
	skip   int // frames still to drop: they were on their way already
}

// newFarEnd listens to c from now on: what came before, such as the end
// of the # that sent the number dialled, is dropped, also what of it still
// waits in the jitter buffer.
func newFarEnd(c *sipua.Call) *farEnd {
	f := &farEnd{c: c, inband: dtmf.NewDetector(dtmf.ATT)}
	f.skip = int(c.Stream().Stats().Playout.Delay/hal.FrameDuration) + 2
	f.take()
	f.events, f.heard = nil, nil
	return f
}

// take reads what has arrived.
func (f *farEnd) take() {
	for {
		ev, ok := f.c.Digit()
		if !ok {
			break
		}
		if !ev.End {
			f.events = append(f.events, ev.Digit)
		}
	}
	if f.c.Stream().Receive(&f.frame) == rtpstream.Audio {
		if f.skip > 0 {
			f.skip--
			return
		}
		g711.DecodeUlaw(f.pcm[:], f.frame[:])
		f.inband.Process(f.pcm[:])
		for {
			ev, ok := f.inband.Next()
			if !ok {
				break
			}
			if ev.Kind == dtmf.DigitStart {
				f.heard = append(f.heard, ev.Digit)
			}
		}
	}
}

// run runs frames covering d of bus time, a millisecond apart so that
// RTP keeps up, the far end listening.
func (w *waitingRig) run(d time.Duration, far *farEnd) {
	for range d / hal.FrameDuration {
		w.step(1)
		time.Sleep(time.Millisecond)
		far.take()
	}
}

func TestCallWaitingCallerID(t *testing.T) {
	for _, country := range []string{"US", "GB"} {
		t.Run(country, func(t *testing.T) {
			w := typeIIRig(t, country, true)
			if w.first.Media().Codec.Name != "PCMU" || w.first.Media().TelephoneEvent < 0 {
				t.Fatalf("media %+v: want PCMU with telephone-event", w.first.Media())
			}
			far := newFarEnd(w.first)
			w.run(3*time.Second, far)
			cid := w.phone.State().CallerID
			if cid == nil || cid.Number != "3000" || cid.Name != "Carol" {
				t.Fatalf("the phone shows caller ID %+v", cid)
			}
			if len(far.events) > 0 || len(far.heard) > 0 {
				t.Errorf("the far end got digits %q as events and %q in its audio: the ACK", far.events, far.heard)
			}
			if w.first.State() != sipua.CallActive || w.activity(1) != "talking" {
				t.Fatalf("first call %v, line %s", w.first.State(), w.activity(1))
			}
			// The phone's own digits still reach the far end.
			w.phone.Dial("5", false)
			w.run(time.Second, far)
			if string(far.events) != "5" {
				t.Errorf("after the caller ID, the far end got digits %q, want 5", far.events)
			}
			w.phone.Flash()
			w.until("second call answered", 3*time.Second, func() bool { return w.second.State() == sipua.CallActive })
			w.carries(w.second, w.first)
		})
	}
}

// A phone that does not answer the alert gets the call-waiting tone alone,
// and the call goes on as before.
func TestCallWaitingCallerIDNotAcknowledged(t *testing.T) {
	w := typeIIRig(t, "US", false)
	far := newFarEnd(w.first)
	w.run(3*time.Second, far)
	if cid := w.phone.State().CallerID; cid != nil {
		t.Fatalf("the phone shows caller ID %+v without acknowledging it", cid)
	}
	if !callWaitingHeard("US", w.record(1, cwListen)) {
		t.Fatal("no call-waiting tone on the line")
	}
	w.phone.Flash()
	w.until("second call answered", 3*time.Second, func() bool { return w.second.State() == sipua.CallActive })
	w.carries(w.second, w.first)
}

// A line with DTMF caller ID sends the tone alone: type II is FSK.
func TestCallWaitingCallerIDNeedsFSK(t *testing.T) {
	w := typeIIRig(t, "NL", true)
	far := newFarEnd(w.first)
	w.run(3*time.Second, far)
	if cid := w.phone.State().CallerID; cid != nil {
		t.Fatalf("the phone shows caller ID %+v", cid)
	}
	if !callWaitingHeard("NL", w.record(1, cwListen)) {
		t.Fatal("no call-waiting tone on the line")
	}
}

// Type II caller ID allocates nothing a frame once under way.
func TestCallWaitingCallerIDFrameAllocs(t *testing.T) {
	w := typeIIRig(t, "US", true)
	l := w.e.lines[0].(*fxsLine)
	w.until("alert under way", 2*time.Second, func() bool { return l.cw.muting(l.now) })
	if n := testing.AllocsPerRun(20, func() { w.step(1) }); n != 0 {
		t.Errorf("%v allocations a frame", n)
	}
	if l.cw.done {
		t.Fatal("the sequence ended before the measurement did")
	}
}

// BenchmarkCallWaitingCallerIDFrame is the frame loop's added work while
// type II caller ID waits for the phone's ACK: the ACK detector on the
// phone's audio, and silence to the phone.
func BenchmarkCallWaitingCallerIDFrame(b *testing.B) {
	w := newWaitingRig(b, "US", func(b *sim.Board, p []Port) []Port {
		p[0].CallerID = CallerID{callerid.Bell202, callerid.AfterFirstRing}
		b.FXS(1).SetTypeII(false)
		return p
	})
	l := w.e.lines[0].(*fxsLine)
	w.until("alert under way", 2*time.Second, func() bool { return l.cw.muting(l.now) })
	l.cw.plan = callerid.Plan{{Kind: callerid.StepAwaitAck, Duration: time.Hour}}
	l.cw.step, l.cw.entered = 0, false
	var rx, tx hal.Frame
	now := l.now
	b.ReportAllocs()
	for b.Loop() {
		l.listenCW(&rx)
		l.sendCW(now, &tx)
	}
}
