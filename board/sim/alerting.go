package sim

import (
	"time"

	"tipring/dsp/callerid"
	"tipring/hal"
)

// alerting rings the gateway by a caller ID plan: line reversals, alert
// tones and data, then ringing with the country's cadence. Steps start on
// frame boundaries; the standards' timings are ranges wide enough for that.
type alerting struct {
	plan     callerid.Plan
	step     int
	at       time.Duration // when the current step started
	audio    []int16       // of the current audio step, still to send
	entered  bool
	ringBase time.Duration // start of the cadence the rings follow
	cadence  bool          // ringBase is set
}

func (a *alerting) frame(x *Exchange, now time.Duration, out *hal.Frame) {
	buf := out[:]
	for a.step < len(a.plan) {
		s := &a.plan[a.step]
		if !a.entered {
			a.enter(x, s, now)
		}
		if !a.run(x, s, now, &buf) {
			return
		}
		a.step++
		a.entered = false
	}
}

func (a *alerting) enter(x *Exchange, s *callerid.Step, now time.Duration) {
	a.entered, a.at = true, now
	switch s.Kind {
	case callerid.StepReverse:
		x.reverse(now)
	case callerid.StepAudio:
		a.audio = s.Audio
	case callerid.StepFirstRing, callerid.StepRinging:
		if !a.cadence {
			a.ringBase, a.cadence = now, true
		}
	}
}

// run carries on step s for this frame, sending audio into what is left of
// the frame in buf, and reports whether the step is over.
func (a *alerting) run(x *Exchange, s *callerid.Step, now time.Duration, buf *[]int16) bool {
	elapsed := now - a.at
	switch s.Kind {
	case callerid.StepAudio:
		k := copy(*buf, a.audio)
		a.audio, *buf = a.audio[k:], (*buf)[k:]
		return len(a.audio) == 0
	case callerid.StepPause, callerid.StepAwaitAck:
		return elapsed >= s.Duration
	case callerid.StepRingPulse:
		x.setRing(elapsed < s.Duration, now)
		return elapsed >= s.Duration
	case callerid.StepFirstRing:
		first := x.b.country.ring[0]
		x.setRing(elapsed < first, now)
		return elapsed >= first
	case callerid.StepRinging:
		x.setRing(x.b.country.ringing(now-a.ringBase), now)
		return false // rings until answered or abandoned
	}
	return true
}
