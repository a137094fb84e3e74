package telephony

import (
	"time"

	"tipring/dsp/callerid"
	"tipring/hal"
	"tipring/sipua"
)

// Caller ID on call waiting (type II, GR-30-CORE off-hook data
// transmission, EN 300 659-2): on an FXS line with FSK caller ID, after the
// first burst of the call-waiting tone, the phone in the call gets the CAS
// alert, answers it with an ACK digit (D, or A), and then gets the waiting
// caller's ID as FSK. From the CAS to the end of the FSK the far end is
// muted both ways: it neither hears the phone's ACK (nor gets it as an
// RFC 4733 event) nor talks over the alert and the data. A phone that does
// not answer within the plan's window gets no FSK: the call-waiting tone
// alone, as before.

// silence is what goes on from the phone while type II caller ID is under
// way.
var silence hal.Frame

// cidcw is the type II caller ID of a line's waiting call.
type cidcw struct {
	call    *sipua.Call // the waiting call it is for; nil while none waits
	done    bool        // sent, abandoned or not to be sent
	start   time.Duration
	plan    callerid.Plan
	step    int
	at      time.Duration // when the current step started
	entered bool
	audio   []int16 // of the current audio step, still to play
	ack     *callerid.AckDetector
	acked   bool
}

// muting reports whether the sequence is under way: from the CAS on.
func (c *cidcw) muting(now time.Duration) bool {
	return c.call != nil && !c.done && now >= c.start
}

// listenCW returns what of the phone's audio, rx, goes on to the call and
// the line's digit detector: rx, or silence while type II caller ID is
// under way, when the phone's ACK is listened for instead.
func (l *fxsLine) listenCW(rx *hal.Frame) *hal.Frame {
	c := &l.cw
	if !c.muting(l.now) {
		return rx
	}
	if !c.acked && c.ack.Process(rx[:]) != 0 {
		c.acked = true
	}
	return &silence
}

// sendCW runs type II caller ID for the frame starting at now, after the
// line's audio is in tx: it starts it for a call that has just begun to
// wait, and while it is under way replaces tx with the alert and the data.
func (l *fxsLine) sendCW(now time.Duration, tx *hal.Frame) {
	c := &l.cw
	if l.waiting != c.call {
		c.call, c.done = l.waiting, true
		if c.call != nil {
			l.startCW(c.call)
		}
	}
	if c.call == nil || c.done {
		return
	}
	if l.state != fxsTalking || !l.offHook || l.held {
		c.done = true // the call in hand ended or went on hold meanwhile
		return
	}
	if now < c.start {
		return
	}
	*tx = hal.Frame{}
	buf := tx[:]
	for c.step < len(c.plan) {
		s := &c.plan[c.step]
		if !c.entered {
			c.entered, c.at = true, now
			c.audio = s.Audio
		}
		switch s.Kind {
		case callerid.StepAudio:
			k := copy(buf, c.audio)
			c.audio, buf = c.audio[k:], buf[k:]
			if len(c.audio) > 0 {
				return
			}
		case callerid.StepAwaitAck:
			if !c.acked {
				if now-c.at < s.Duration {
					return
				}
				l.e.log.Info("no ACK from the phone: caller ID of the waiting call not sent", "line", l.port.ID)
				c.done = true
				return
			}
		default: // StepPause
			if now-c.at < s.Duration {
				return
			}
		}
		c.step++
		c.entered = false
	}
	c.done = true
	l.e.log.Info("caller ID of the waiting call sent", "line", l.port.ID, "from", c.call.From.Number)
}

// startCW readies type II caller ID of waiting call w, to start at the end
// of the first burst of the call-waiting tone, if the line's caller ID can
// carry it.
func (l *fxsLine) startCW(w *sipua.Call) {
	std := l.port.CallerID.Standard
	if std != callerid.Bell202 && std != callerid.V23 {
		return
	}
	plan, err := callerid.Generator{Standard: std}.Plan(callerid.CallWaiting, l.e.callerIDMessage(l.port, w))
	if err != nil {
		l.e.log.Warn("caller ID of the waiting call not sent", "line", l.port.ID, "from", w.From.Number, "err", err)
		return
	}
	var sas time.Duration // the tone's first burst: the subscriber alerting signal (SAS) before the CAS
	for _, s := range l.e.tones.CallWaiting.Segments {
		if len(s.Freqs) == 0 || s.Ms == 0 {
			break
		}
		sas += time.Duration(s.Ms) * time.Millisecond
	}
	l.cw = cidcw{call: w, start: l.waitSince + sas, plan: plan, ack: callerid.NewAckDetector()}
}
