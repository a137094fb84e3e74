package sipua

import (
	"fmt"
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/sipua/q850"
	"tipring/sipua/sdpoa"
)

// TestInteropSRTP: baresip calls the gateway keyed with SDES, on RTP/SAVP
// (mediaenc=srtp-mand) and with its best effort SRTP on RTP/AVP
// (mediaenc=srtp); each side hears the other's tone, which it could not
// through keys that do not match. (Calls the other way are not here yet:
// baresip's second account does not answer the INVITE Kamailio forwards.)
func TestInteropSRTP(t *testing.T) {
	for _, tt := range []struct {
		name     string
		policy   sdpoa.Encryption // the gateway's account's
		mediaenc string           // baresip's
	}{
		{"SAVP phone", sdpoa.EncryptionOptional, "srtp-mand"},
		{"best-effort phone", sdpoa.EncryptionRequired, "srtp"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newSRTPOffice(t, tt.policy, "bob", "carol")
			carol := o.srtpPhone("bob", "carol", tt.mediaenc, interop.Tone(phoneTone, toneAmp, 30*time.Second))
			o.must(carol.Dial(o.k.AOR("gw")))
			c := o.incoming()
			o.must(c.Answer())
			o.event(carol, "CALL_ESTABLISHED")
			o.waitState(c, CallActive)
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
			// baresip's first packet or report may precede the keys.
			t.Logf("%d packets failed SRTP", c.Stream().Stats().SRTPFailed)

			o.must(c.Hangup(o.ctx, q850.NormalClearing))
			o.event(carol, "CALL_CLOSED")
		})
	}
}

// srtpPhone starts a baresip phone registered as user in the clear, then
// as srtpUser with media encryption mediaenc, and makes that account the
// one it calls from. Only the second account takes part in the test; the
// first is how interop.StartBaresip starts every phone.
func (o *office) srtpPhone(user, srtpUser, mediaenc string, mic []int16) *interop.Baresip {
	o.t.Helper()
	p := o.phone(user, mic)
	if _, err := p.Command("insmod", "srtp"); err != nil {
		o.t.Fatalf("baresip: loading srtp: %v", err)
	}
	aor := o.k.AOR(srtpUser)
	account := fmt.Sprintf("<%s>;auth_pass=%s-pw;outbound=\"sip:%s\";mediaenc=%s", aor, srtpUser, o.k.Addr(), mediaenc)
	if _, err := p.Command("uanew", account); err != nil {
		o.t.Fatalf("baresip: %v", err)
	}
	o.event(p, "REGISTER_OK")
	if _, err := p.Command("uafind", aor); err != nil {
		o.t.Fatalf("baresip: %v", err)
	}
	return p
}
