package rtpstream

import (
	"testing"

	"github.com/pion/srtp/v3"
)

// srtpRemotes keys two streams for each other.
func srtpRemotes(a, b *Stream, profile srtp.ProtectionProfile, ka, kb MasterKey) (Remote, Remote) {
	ra := Remote{Addr: b.LocalAddr(), PayloadType: 0, EventPayloadType: 101, SRTP: &SRTP{Profile: profile, Local: ka, Remote: kb}}
	rb := Remote{Addr: a.LocalAddr(), PayloadType: 0, EventPayloadType: 101, SRTP: &SRTP{Profile: profile, Local: kb, Remote: ka}}
	return ra, rb
}

// exchangeFrames sends n frames each way and checks that they arrive.
func exchangeFrames(t *testing.T, a, b *Stream, first byte, n int) {
	t.Helper()
	start := b.Stats().Playout.Received
	for i := range n {
		a.Send(frameOf(first + byte(i)))
		var got [FrameSize]byte
		waitAudio(t, b, &got, start+uint64(i+1))
		if got != *frameOf(first + byte(i)) {
			t.Fatalf("frame %d arrived as % x...", i, got[:4])
		}
	}
}

// TestSRTPStreams: two streams talk SRTP with each suite, through a change
// of keys at a re-INVITE; a stream keyed otherwise hears nothing and counts
// what it drops.
func TestSRTPStreams(t *testing.T) {
	for _, profile := range []srtp.ProtectionProfile{srtp.ProtectionProfileAes128CmHmacSha1_80, srtp.ProtectionProfileAes128CmHmacSha1_32} {
		t.Run(profile.String(), func(t *testing.T) {
			a := openStream(t, Options{})
			b := openStream(t, Options{})
			ra, rb := srtpRemotes(a, b, profile, testKey(1, 1), testKey(50))
			setRemote(t, a, ra)
			setRemote(t, b, rb)
			exchangeFrames(t, a, b, 0, 5)
			exchangeFrames(t, b, a, 50, 5)

			// New keys on both sides, as after a re-INVITE.
			ra, rb = srtpRemotes(a, b, profile, testKey(9), testKey(90, 0, 7))
			setRemote(t, a, ra)
			setRemote(t, b, rb)
			exchangeFrames(t, a, b, 10, 5)
			exchangeFrames(t, b, a, 60, 5)
			if fa, fb := a.Stats().SRTPFailed, b.Stats().SRTPFailed; fa != 0 || fb != 0 {
				t.Errorf("SRTP failures: %d and %d", fa, fb)
			}

			// b no longer has a's key: a's packets fail and are counted.
			rb.SRTP = &SRTP{Profile: profile, Local: testKey(90, 0, 7), Remote: testKey(33)}
			setRemote(t, b, rb)
			for range 3 {
				a.Send(frameOf(0x77))
			}
			flush(t, a)
			waitFor(t, "the failures counted", func() bool { return b.Stats().SRTPFailed == 3 })
			if n := b.Stats().PacketsReceived; n != 10 {
				t.Errorf("b took %d packets, want the 10 it could decrypt", n)
			}
		})
	}
}

// TestSRTPPlainPeer: a stream keyed for SRTP refuses a plain RTP peer's
// packets, and the plain peer cannot read what it sends.
func TestSRTPPlainPeer(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 0x1234)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0, SRTP: &SRTP{Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Local: testKey(1), Remote: testKey(2)}})
	for range 3 {
		p.next(s.LocalAddr(), 0, frameOf(0x55)[:])
	}
	waitFor(t, "the plain packets refused", func() bool { return s.Stats().SRTPFailed == 3 })
	s.Send(frameOf(0x55))
	pkt := p.read()
	if len(pkt.Payload) != FrameSize+10 || string(pkt.Payload[:FrameSize]) == string(frameOf(0x55)[:]) {
		t.Errorf("the peer got a payload of %d bytes, want %d of ciphertext and tag", len(pkt.Payload), FrameSize+10)
	}
}
