package sipua

import (
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/sipua/q850"
	"tipring/sipua/sdpoa"
)

// TestInteropSRTP: calls between the gateway and baresip keyed with SDES,
// each way, with baresip's RTP/SAVP (mediaenc=srtp-mand) and its best
// effort SRTP on RTP/AVP (mediaenc=srtp); each side hears the other's tone,
// which it could not through keys that do not match. The gateway answers
// either offer under either policy; it offers RTP/SAVP under
// EncryptionRequired, RTP/AVP with keys under EncryptionOptional (which
// mediaenc=srtp-mand refuses, 488).
//
// Nothing but baresip's NAT pinhole opener fails SRTP: baresip 1.0.0 sends
// one RTCP APP packet (name PING, data PONG, 16 bytes) in the clear when it
// learns our address, before it applies our key. RFC 3711 §3.4 makes
// SRTCP authentication mandatory, so the packet is dropped and counted.
// When baresip calls, it learns our address from the answer, after we
// keyed the stream: always one failure. When we call, it sends the packet
// on taking our offer, before it answers: we take it as plain RTCP unless
// our reader gets to it only after the answer has keyed the stream.
func TestInteropSRTP(t *testing.T) {
	for _, tt := range []struct {
		name     string
		policy   sdpoa.Encryption // the gateway's account's
		mediaenc string           // baresip's
		incoming bool             // baresip calls the gateway
	}{
		{"from SAVP phone", sdpoa.EncryptionOptional, "srtp-mand", true},
		{"from best-effort phone", sdpoa.EncryptionRequired, "srtp", true},
		{"to SAVP phone", sdpoa.EncryptionRequired, "srtp-mand", false},
		{"to best-effort phone", sdpoa.EncryptionOptional, "srtp", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newSRTPOffice(t, tt.policy, "carol")
			carol := o.srtpPhone("carol", tt.mediaenc, interop.Tone(phoneTone, toneAmp, 30*time.Second))
			var c *Call
			if tt.incoming {
				o.must(carol.Dial(o.k.AOR("gw")))
				c = o.incoming()
				o.must(c.Answer())
				o.event(carol, "CALL_ESTABLISHED")
				o.waitState(c, CallActive)
			} else {
				c = o.dial(carol)
			}
			if k := c.Media().SRTP; k.Suite == 0 {
				t.Fatalf("the call is not SRTP: %+v", c.Media())
			}

			l := startLine(t, c, interop.Tone(gwTone, toneAmp, time.Second))
			heard, err := l.hear(o.ctx, interop.SampleRate)
			o.must(err)
			checkTone(t, "the gateway", heard[interop.SampleRate/10:], phoneTone)
			rec, err := carol.Recording(o.ctx, time.Second)
			o.must(err)
			checkTone(t, "carol", rec[interop.SampleRate/10:], gwTone)
			if n := c.Stream().Stats().SRTPFailed; n > 1 || tt.incoming && n != 1 {
				t.Errorf("%d packets failed SRTP, want only baresip's plain RTCP PING: 1 when it calls, at most 1 when called", n)
			}

			o.must(c.Hangup(o.ctx, q850.NormalClearing))
			o.event(carol, "CALL_CLOSED")
		})
	}
}
