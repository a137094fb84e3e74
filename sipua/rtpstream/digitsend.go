package rtpstream

import "tipring/sipua/telephoneevent"

// digitVolume is the level reported in the events we send: -10 dBm0, a
// nominal level for a DTMF tone pair.
const digitVolume = 10

// maxSegment is the longest duration one segment of an event reports: the
// most whole frames the 16-bit duration field holds (409 frames, 8.18 s).
const maxSegment = 0xffff / FrameSize * FrameSize

// finalSends is how many times the final packet of an event, or of a
// segment of a long one, is sent (RFC 4733 section 2.5.1.4).
const finalSends = 3

// An eventPacket is one telephone-event packet to send.
type eventPacket struct {
	ts     uint32 // the RTP timestamp: the start of the event or segment
	marker bool
	event  telephoneevent.Event
}

type digitState uint8

const (
	digitIdle    digitState = iota
	digitSending            // start or update packets, one a frame
	digitEnding             // the final packet, repeated
)

// digitSender turns key presses and releases into RFC 4733 packets, one
// frame at a time. It belongs to the frame loop and is not safe for
// concurrent use.
type digitSender struct {
	down        bool  // the key is held
	pending     bool  // a press not yet acted on
	pendingCode uint8 // its event code

	state    digitState
	code     uint8
	start    uint32      // RTP timestamp of the segment being sent
	final    eventPacket // the final packet being repeated
	repeats  int         // how many more times final is to be sent
	segFinal eventPacket // a long event's last finished segment's final packet
	segSends int         // how many more times segFinal is to be sent
}

// press records that the key of event code went down. A press while
// another event is being sent ends that one first; of several presses
// before the frame loop gets to them, the last wins.
func (d *digitSender) press(code uint8) {
	d.down, d.pending, d.pendingCode = true, true, code
}

// release records that the key came up.
func (d *digitSender) release() { d.down = false }

// reset drops the event in progress, unsent.
func (d *digitSender) reset() { *d = digitSender{} }

// tick is called once for the frame that starts at RTP timestamp ts and
// returns the packets to send in its place; when n is 0 the frame's audio
// goes out instead.
func (d *digitSender) tick(ts uint32) (pkts [2]eventPacket, n int) {
	switch d.state {
	case digitIdle:
		if !d.pending {
			return pkts, 0
		}
		// RFC 4733 2.5.1.2: the first packet of an event has the marker
		// bit; its timestamp, the event's start, stays for all the rest.
		d.state, d.code, d.start, d.pending = digitSending, d.pendingCode, ts, false
		pkts[0] = d.packet(d.start, FrameSize, false)
		pkts[0].marker = true
		return pkts, 1

	case digitSending:
		if !d.down || d.pending {
			// The key came up before this frame: the event covered the
			// frames up to here.
			d.final = d.packet(d.start, ts-d.start, true)
			d.state, d.repeats, d.segSends = digitEnding, finalSends-1, 0
			pkts[0] = d.final
			return pkts, 1
		}
		if ts+FrameSize-d.start > maxSegment {
			// RFC 4733 2.5.1.3: an event too long for the duration field
			// goes on as a new segment that starts where this one ends.
			d.segFinal = d.packet(d.start, ts-d.start, false)
			d.segSends = finalSends
			d.start = ts
		}
		if d.segSends > 0 {
			pkts[n] = d.segFinal
			n++
			d.segSends--
		}
		pkts[n] = d.packet(d.start, ts+FrameSize-d.start, false)
		return pkts, n + 1

	default: // digitEnding
		pkts[0] = d.final
		d.repeats--
		if d.repeats == 0 {
			d.state = digitIdle
		}
		return pkts, 1
	}
}

func (d *digitSender) packet(ts, duration uint32, end bool) eventPacket {
	return eventPacket{ts: ts, event: telephoneevent.Event{
		Code:     d.code,
		End:      end,
		Volume:   digitVolume,
		Duration: uint16(duration),
	}}
}
