package telephony

import (
	"tipring/dsp/callerid"
	"tipring/dsp/g711"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/q850"
	"tipring/sipua/rtpstream"
)

// A hook flash in a call starts a consultation: the call goes on hold and
// the phone hears dial tone, on which it may dial a second call. Then
//   - a flash before the second call is answered abandons it and takes the
//     held call back;
//   - a flash once it is answered joins the three in a conference mixed in
//     the gateway (Port.Conference; without it the flash swaps the calls,
//     as with call waiting); a flash in the conference drops the party
//     added last;
//   - hanging up transfers the held call (Port.Transfer): to the second
//     call's party once it answered (attended, a REFER with Replaces), or
//     to the number dialled while it still rings (blind, the second call
//     cancelled). A transfer the held party refuses, or that fails, rings
//     the phone back for the held call;
//   - hanging up in a conference ends both calls; hanging up with no
//     second call (or without Port.Transfer) rings the phone back for the
//     held call.

// consulting reports whether the line is in a consultation: its other
// call is on hold for a call of the phone's own.
func (l *fxsLine) consulting() bool { return l.consult && l.onHold != nil }

// startConsult holds the call in hand and gives dial tone for a second.
func (l *fxsLine) startConsult() {
	l.sig.send(sigCmd{kind: sigHold, call: l.call})
	l.detach()
	l.onHold, l.consult = l.call, true
	l.call, l.answered = nil, false
	l.digits = ""
	l.enter(fxsDialTone)
	l.setTone(tone.Dial)
	l.e.log.Info("hook flash: call held, dial tone", "line", l.port.ID)
}

// flashConsult is a flash in a consultation.
func (l *fxsLine) flashConsult() {
	if l.state == fxsTalking && l.call != nil {
		if l.port.Conference {
			l.conference()
		} else {
			l.consult = false
			l.swap()
		}
		return
	}
	if l.call != nil {
		l.sig.send(sigCmd{kind: sigHangup, call: l.call, cause: q850.NormalClearing})
	}
	l.dialSeq++ // a second call still being placed is stale now
	l.consult = false
	l.clearCall()
	l.swap() // nothing in hand: resumes the held call
	l.e.log.Info("hook flash: consultation abandoned", "line", l.port.ID)
}

// clearCall forgets the call in hand, leaving the line's other calls.
func (l *fxsLine) clearCall() {
	l.detach()
	l.stopTone()
	l.call, l.answered = nil, false
}

// conference joins the held call to the call in hand.
func (l *fxsLine) conference() {
	first := l.onHold
	l.onHold, l.consult = nil, false
	l.sig.send(sigCmd{kind: sigResume, call: first})
	l.joined = first
	l.leg.attach(first)
	l.mixIn = &l.leg.pcm
	l.e.log.Info("hook flash: three-way conference", "line", l.port.ID)
}

// leaveConference drops the call in hand, the party added last, when the
// phone flashes, or ends the conference when a party hangs up; the other
// call becomes the call in hand.
func (l *fxsLine) leaveConference(hangUp bool) {
	if hangUp && l.call != nil {
		l.sig.send(sigCmd{kind: sigHangup, call: l.call, cause: q850.NormalClearing})
	}
	next := l.joined
	l.splitConference()
	l.detach()
	l.call, l.callState, l.answered = next, next.State(), true
	l.attach(next)
	l.enter(fxsTalking)
	l.e.log.Info("conference ended", "line", l.port.ID)
}

// splitConference stops mixing the joined call in.
func (l *fxsLine) splitConference() {
	l.joined, l.mixIn = nil, nil
	l.leg.detach()
}

// superviseJoined follows the joined call of a conference: when its party
// hangs up, the line carries on with the other.
func (l *fxsLine) superviseJoined() {
	if c := l.joined; c != nil {
		select {
		case <-c.Done():
			l.e.log.Info("conference party hung up", "line", l.port.ID)
			l.splitConference()
		default:
		}
	}
}

// transferOnHangUp hands the held call of a consultation to the second
// call's party, or to the number dialled; false if there is nothing to
// transfer to.
func (l *fxsLine) transferOnHangUp() bool {
	if !l.port.Transfer || !l.consulting() {
		return false
	}
	held := l.onHold
	switch {
	case l.state == fxsTalking && l.call != nil:
		l.e.log.Info("phone hung up: attended transfer", "line", l.port.ID)
		l.sig.send(sigCmd{kind: sigTransfer, call: held, other: l.call})
	case l.state == fxsCalling:
		if l.call != nil {
			l.sig.send(sigCmd{kind: sigHangup, call: l.call, cause: q850.NormalClearing})
		}
		l.e.log.Info("phone hung up: blind transfer", "line", l.port.ID, "to", l.dialled)
		l.sig.send(sigCmd{kind: sigTransfer, call: held, number: l.dialled})
	default:
		return false
	}
	l.release()
	return true
}

// recall rings the phone for a held call whose transfer failed, or hangs
// it up if the line has moved on.
func (l *fxsLine) recall(c *sipua.Call) {
	select {
	case <-c.Done():
		return
	default:
	}
	if l.state != fxsIdle || l.offHook {
		l.sig.send(sigCmd{kind: sigHangup, call: c, cause: q850.NormalClearing})
		return
	}
	l.e.log.Info("transfer failed: recall", "line", l.port.ID)
	l.ringFor(c, callerid.Plan{{Kind: callerid.StepRinging}})
	l.answered, l.held = true, true // answering it resumes it
}

// leg is the audio of the second call of a conference.
type leg struct {
	call   *sipua.Call
	stream *rtpstream.Stream
	in     [rtpstream.FrameSize]byte
	out    [rtpstream.FrameSize]byte
	pcm    hal.Frame // the call's audio of this frame
	sum    hal.Frame
}

func (g *leg) attach(c *sipua.Call) {
	g.call, g.stream = c, c.Stream()
	g.stream.Flush() // it queued while the call was held
}

func (g *leg) detach() { g.call, g.stream, g.pcm = nil, nil, hal.Frame{} }

// receive decodes the call's audio for this frame into pcm.
func (g *leg) receive() {
	g.pcm = hal.Frame{}
	if g.stream.Receive(&g.in) == rtpstream.Audio {
		if g.call.Media().Codec.Name == "PCMA" {
			g711.DecodeAlaw(g.pcm[:], g.in[:])
		} else {
			g711.DecodeUlaw(g.pcm[:], g.in[:])
		}
	}
	for {
		if _, ok := g.call.Digit(); !ok {
			break // digits from a conference party are not played
		}
	}
}

// send sends the call what the others said: a + b.
func (g *leg) send(a, b *hal.Frame) {
	g.sum = *a
	addFrame(&g.sum, b)
	if g.call.Media().Codec.Name == "PCMA" {
		g711.EncodeAlaw(g.out[:], g.sum[:])
	} else {
		g711.EncodeUlaw(g.out[:], g.sum[:])
	}
	g.stream.Send(&g.out)
}
