package rtpstream

import (
	"time"

	"tipring/sipua/telephoneevent"
)

// digitEndTimeout is how long a received event lasts after its last packet
// when none of its end packets arrive: five times the 50 ms update interval
// RFC 4733 suggests to senders.
const digitEndTimeout = 250 * time.Millisecond

// A DigitEvent is a DTMF digit received as RFC 4733 events: its key going
// down, then its key coming up.
type DigitEvent struct {
	Digit byte // 0-9 * # A-D
	End   bool // false when the key went down, true when it came up
	// Duration is how long the key was down, by the sender's account;
	// only set when End is.
	Duration time.Duration
}

// digitReceiver turns the telephone-event packets of one source into digit
// start and end events. Packets repeat (updates, three end packets), arrive
// out of order or not at all; each event is reported once.
type digitReceiver struct {
	known     bool   // an event has been seen; ts and the rest are set
	ended     bool   // the event at ts has been reported ended
	ts        uint32 // RTP timestamp of the current event's latest segment
	first     uint32 // RTP timestamp of its first segment
	code      uint8
	duration  uint32 // the latest duration reported for the segment at ts
	lastHeard time.Time
}

// active reports whether an event has started and not ended.
func (r *digitReceiver) active() bool { return r.known && !r.ended }

// packet takes in one telephone-event packet and returns the digit events
// it causes: none, a start, an end, or an end and a start.
func (r *digitReceiver) packet(ts uint32, marker bool, ev telephoneevent.Event, now time.Time) (out [2]DigitEvent, n int) {
	digit, ok := telephoneevent.Digit(ev.Code)
	if !ok {
		return out, 0 // not a DTMF digit: flash and tones are not ours to report
	}
	if r.known {
		switch age := int32(ts - r.ts); {
		case age < 0:
			return out, 0 // an older event, arriving late
		case age == 0:
			if r.ended {
				return out, 0 // a repeated end packet
			}
			r.lastHeard = now
			r.duration = max(r.duration, uint32(ev.Duration))
			if ev.End {
				out[0] = r.end()
				return out, 1
			}
			return out, 0
		case r.active() && ev.Code == r.code && !marker && uint32(age) >= r.duration && age <= 0xffff:
			// RFC 4733 2.5.2.3: the next segment of a long event, which
			// starts where the last one ended.
			r.ts, r.duration, r.lastHeard = ts, uint32(ev.Duration), now
			if ev.End {
				out[0] = r.end()
				return out, 1
			}
			return out, 0
		}
		if r.active() {
			// A new event ends the one before, whose end packets were lost.
			out[n] = r.end()
			n++
		}
	}
	*r = digitReceiver{known: true, ts: ts, first: ts, code: ev.Code, duration: uint32(ev.Duration), lastHeard: now}
	out[n] = DigitEvent{Digit: digit}
	n++
	if ev.End {
		// Every packet before the end was lost.
		out[n] = r.end()
		n++
	}
	return out, n
}

// expire ends the current event if nothing was heard of it for
// digitEndTimeout; ok reports whether it did. When the event goes on, wait
// is how long until it might expire.
func (r *digitReceiver) expire(now time.Time) (ev DigitEvent, ok bool, wait time.Duration) {
	if !r.active() {
		return ev, false, 0
	}
	if idle := now.Sub(r.lastHeard); idle < digitEndTimeout {
		return ev, false, digitEndTimeout - idle
	}
	return r.end(), true, 0
}

// end marks the current event ended and returns its end event.
func (r *digitReceiver) end() DigitEvent {
	r.ended = true
	digit, _ := telephoneevent.Digit(r.code)
	units := r.ts - r.first + r.duration
	return DigitEvent{Digit: digit, End: true, Duration: time.Duration(units) * time.Second / clockRate}
}
