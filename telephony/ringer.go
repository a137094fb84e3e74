package telephony

import (
	"time"

	"tipring/dsp/callerid"
	"tipring/hal"
)

// ringer rings a phone by a caller ID plan: polarity reversals, alert
// signals and the caller ID data, then ringing with the country's cadence.
// Steps start on frame boundaries; the standards' timings are ranges wide
// enough for that.
type ringer struct {
	plan     callerid.Plan
	cadence  []time.Duration // on, off, on, off...
	step     int
	at       time.Duration // when the current step started
	entered  bool
	audio    []int16 // of the current audio step, still to play
	reversed bool
	ringBase time.Duration // start of the cadence the rings follow
	ringing  bool          // ringBase is set
	feed     hal.Linefeed  // what the ringer last set
}

func newRinger(plan callerid.Plan, cadence []time.Duration) *ringer {
	return &ringer{plan: plan, cadence: cadence}
}

// frame runs the plan for one frame starting at now: it drives the port's
// linefeed and writes caller ID audio into tx.
func (r *ringer) frame(p hal.FXS, now time.Duration, tx *hal.Frame) {
	buf := tx[:]
	feed := r.quiet()
	for r.step < len(r.plan) {
		s := &r.plan[r.step]
		if !r.entered {
			r.enter(s, now)
		}
		var done bool
		done, feed = r.run(s, now, &buf)
		if !done {
			break
		}
		r.step++
		r.entered = false
		feed = r.quiet()
	}
	if feed != r.feed {
		r.feed = feed
		p.SetLinefeed(feed)
	}
}

// quiet is the linefeed between rings: on-hook transmission, so that caller
// ID data reaches the phone, in the polarity the plan set.
func (r *ringer) quiet() hal.Linefeed {
	if r.reversed {
		return hal.LinefeedReverseOHT
	}
	return hal.LinefeedForwardOHT
}

func (r *ringer) enter(s *callerid.Step, now time.Duration) {
	r.entered, r.at = true, now
	switch s.Kind {
	case callerid.StepReverse:
		r.reversed = !r.reversed
	case callerid.StepAudio:
		r.audio = s.Audio
	case callerid.StepFirstRing, callerid.StepRinging:
		if !r.ringing {
			r.ringBase, r.ringing = now, true
		}
	}
}

// run carries on step s for this frame, writing audio into what is left of
// the frame in buf; it reports whether the step is over, and the linefeed
// the step wants.
func (r *ringer) run(s *callerid.Step, now time.Duration, buf *[]int16) (bool, hal.Linefeed) {
	elapsed := now - r.at
	switch s.Kind {
	case callerid.StepAudio:
		k := copy(*buf, r.audio)
		r.audio, *buf = r.audio[k:], (*buf)[k:]
		return len(r.audio) == 0, r.quiet()
	case callerid.StepPause, callerid.StepAwaitAck:
		return elapsed >= s.Duration, r.quiet()
	case callerid.StepRingPulse:
		return elapsed >= s.Duration, r.ring(elapsed < s.Duration)
	case callerid.StepFirstRing:
		return elapsed >= r.cadence[0], r.ring(elapsed < r.cadence[0])
	case callerid.StepRinging:
		return false, r.ring(r.ringOn(now - r.ringBase)) // until answered or abandoned
	}
	return true, r.quiet()
}

func (r *ringer) ring(on bool) hal.Linefeed {
	if on {
		return hal.LinefeedRinging
	}
	return r.quiet()
}

// ringOn reports whether the cadence has ringing voltage on at time t after
// it started.
func (r *ringer) ringOn(t time.Duration) bool {
	var period time.Duration
	for _, d := range r.cadence {
		period += d
	}
	t %= period
	for i, d := range r.cadence {
		if t < d {
			return i%2 == 0
		}
		t -= d
	}
	return false
}
