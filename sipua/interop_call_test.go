package sipua

import (
	"math"
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/sipua/q850"
)

// The tones the interop tests send, at -15 dBFS: the ITU-T test tone from
// the gateway, and one well apart from it, and from every DTMF frequency,
// from the phones.
const (
	gwTone    = 1004
	phoneTone = 440
	toneAmp   = 8000
)

// checkTone checks that s, audio received from the far end, is the tone of
// f Hz sent at toneAmp: its energy at f and its level, which a G.711 round
// trip leaves within half a dB.
func checkTone(t *testing.T, who string, s []int16, f float64) {
	t.Helper()
	// Frame by frame: a frame the jitter buffer inserts or drops when the
	// test's frame loop falls behind on a loaded machine breaks the tone's
	// phase, which a whole-second measure would count as other sound.
	if share := interop.FrameToneShare(s, f); share < 0.95 {
		t.Errorf("%s heard %.2f of the energy at %v Hz, frame by frame, want 0.95 or more", who, share, f)
	}
	want := interop.LevelDB(interop.Tone(f, toneAmp, time.Second))
	if got := interop.LevelDB(s); math.Abs(got-want) > 0.5 {
		t.Errorf("%s heard %.1f dBFS, want %.1f dBFS ± 0.5", who, got, want)
	}
}

// TestInteropDialPhone: the gateway calls a phone through Kamailio, which
// challenges the INVITE; the phone rings and answers, and each side hears
// the other's tone.
func TestInteropDialPhone(t *testing.T) {
	o := newOffice(t, "bob")
	bob := o.phone("bob", interop.Tone(phoneTone, toneAmp, 3*time.Second))
	c := o.dial(bob)
	m := c.Media()
	if !m.Send || !m.Recv || m.TelephoneEvent < 0 || (m.Codec.Name != "PCMU" && m.Codec.Name != "PCMA") {
		t.Errorf("gateway's media: %+v, want G.711 both ways with telephone-event", m)
	}
	o.audioDir(bob, "sendrecv")

	l := startLine(t, c, interop.Tone(gwTone, toneAmp, time.Second))
	heard, err := l.hear(o.ctx, interop.SampleRate)
	o.must(err)
	checkTone(t, "the gateway", heard[interop.SampleRate/10:], phoneTone) // past the stream's start

	rec, err := bob.Recording(o.ctx, time.Second)
	o.must(err)
	checkTone(t, "bob", rec[interop.SampleRate/10:], gwTone)

	o.must(c.Hangup(o.ctx, q850.NormalClearing))
	o.event(bob, "CALL_CLOSED")
}

// TestInteropDTMF: digits both ways as RFC 4733 events: from the phone to
// the gateway's Call.Digit, in order and each ended; from the gateway's
// stream to the phone, which reports each.
func TestInteropDTMF(t *testing.T) {
	o := newOffice(t, "bob")
	bob := o.phone("bob", nil)
	c := o.dial(bob)
	l := startLine(t, c, nil)

	const fromPhone = "159#*0D"
	o.must(bob.SendDTMF(fromPhone))
	evs, err := l.receivedDigits(o.ctx, len(fromPhone))
	o.must(err)
	got := ""
	for i, ev := range evs {
		switch {
		case !ev.End:
			got += string(ev.Digit)
		case i == 0 || evs[i-1].End || evs[i-1].Digit != ev.Digit:
			t.Errorf("digit events %v: the end of %c does not follow its start", evs, ev.Digit)
		}
	}
	if got != fromPhone {
		t.Errorf("the gateway got digits %q, want %q", got, fromPhone)
	}

	const fromGateway = "2580*#A"
	l.sendDigits(fromGateway)
	got = ""
	for range fromGateway {
		got += o.event(bob, "CALL_DTMF_START").Param
		o.event(bob, "CALL_DTMF_END")
	}
	if got != fromGateway {
		t.Errorf("bob got digits %q, want %q", got, fromGateway)
	}
}

// checkMedia checks the direction of the gateway's media.
func checkMedia(t *testing.T, when string, c *Call, send, recv bool) {
	t.Helper()
	if m := c.Media(); m.Send != send || m.Recv != recv {
		t.Errorf("%s: the gateway sends %v and receives %v, want %v and %v", when, m.Send, m.Recv, send, recv)
	}
}

// sending reports whether the gateway's stream sends RTP: whether packets
// go out while the line sends frames.
func (o *office) sending(l *line) bool {
	o.t.Helper()
	// Packets queued before a change of direction are written by now.
	o.must(l.frames(o.ctx, 5))
	before := l.c.Stream().Stats().PacketsSent
	o.must(l.frames(o.ctx, 10))
	return l.c.Stream().Stats().PacketsSent > before
}

// TestInteropHold: the phone holds the gateway and resumes, by re-INVITEs
// offering sendonly and sendrecv; the gateway holds the phone and resumes;
// and the phone holds while held, which leaves the media inactive.
func TestInteropHold(t *testing.T) {
	o := newOffice(t, "bob")
	bob := o.phone("bob", interop.Tone(phoneTone, toneAmp, 20*time.Second))
	c := o.dial(bob)
	l := startLine(t, c, interop.Tone(gwTone, toneAmp, time.Second))

	o.must(bob.Hold())
	o.sdp(bob, "answer")
	checkMedia(t, "held by bob", c, false, true)
	o.audioDir(bob, "sendonly")
	if o.sending(l) {
		t.Error("held by bob: the gateway still sends RTP")
	}

	o.must(bob.Resume())
	o.sdp(bob, "answer")
	checkMedia(t, "resumed by bob", c, true, true)
	o.audioDir(bob, "sendrecv")
	if !o.sending(l) {
		t.Error("resumed by bob: the gateway sends no RTP")
	}

	o.must(c.Hold(o.ctx))
	o.sdp(bob, "offer")
	checkMedia(t, "bob held", c, true, false)
	o.audioDir(bob, "recvonly")

	o.must(bob.Hold())
	o.sdp(bob, "answer")
	checkMedia(t, "both held", c, false, false)
	o.audioDir(bob, "inactive")
	o.must(bob.Resume())
	o.sdp(bob, "answer")
	checkMedia(t, "bob held again", c, true, false)
	o.audioDir(bob, "recvonly")

	o.must(c.Resume(o.ctx))
	o.sdp(bob, "offer")
	checkMedia(t, "bob resumed", c, true, true)
	o.audioDir(bob, "sendrecv")
	heard, err := l.hear(o.ctx, interop.SampleRate/2)
	o.must(err)
	checkTone(t, "the gateway, resumed", heard, phoneTone)
}

// TestInteropHangup: either end of a call hangs up with a BYE through
// Kamailio; the gateway's call ends with normal clearing (16) both ways.
func TestInteropHangup(t *testing.T) {
	t.Run("phone", func(t *testing.T) {
		o := newOffice(t, "bob")
		bob := o.phone("bob", nil)
		c := o.dial(bob)
		o.must(bob.Hangup())
		o.waitDone(c)
		if got := c.Cause(); got != q850.NormalClearing {
			t.Errorf("call ended with cause %d, want %d", got, q850.NormalClearing)
		}
		o.event(bob, "CALL_CLOSED")
	})
	t.Run("gateway", func(t *testing.T) {
		o := newOffice(t, "bob")
		bob := o.phone("bob", nil)
		c := o.dial(bob)
		o.must(c.Hangup(o.ctx, q850.NormalClearing))
		o.waitDone(c)
		if got := c.Cause(); got != q850.NormalClearing {
			t.Errorf("call ended with cause %d, want %d", got, q850.NormalClearing)
		}
		o.event(bob, "CALL_CLOSED")
	})
}

// TestInteropCallFromPhone: a phone calls the gateway's address of record;
// Kamailio challenges it and routes the call to the contact the gateway
// registered. The gateway rings, answers, hears the phone and hangs up.
func TestInteropCallFromPhone(t *testing.T) {
	o := newOffice(t, "bob")
	bob := o.phone("bob", interop.Tone(phoneTone, toneAmp, 3*time.Second))
	o.must(bob.Dial(o.k.AOR("gw")))
	c := o.incoming()
	if c.From.Number != "bob" || c.To.Number != "gw" {
		t.Errorf("call from %q to %q, want from bob to gw", c.From.Number, c.To.Number)
	}
	o.must(c.Ringing())
	o.event(bob, "CALL_RINGING")
	o.must(c.Answer())
	o.event(bob, "CALL_ESTABLISHED")
	o.waitState(c, CallActive)
	l := startLine(t, c, nil)
	heard, err := l.hear(o.ctx, interop.SampleRate)
	o.must(err)
	checkTone(t, "the gateway", heard[interop.SampleRate/10:], phoneTone)

	o.must(c.Hangup(o.ctx, q850.NormalClearing))
	o.event(bob, "CALL_CLOSED")
	if got := c.Cause(); got != q850.NormalClearing {
		t.Errorf("call ended with cause %d, want %d", got, q850.NormalClearing)
	}
}
