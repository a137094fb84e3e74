package mediation

import (
	"context"
	"regexp"
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
)

// TestMediaTalk: two Medias, one offering and one answering, each hear the
// other's tone, over plain RTP and over SRTP as the policy has it.
func TestMediaTalk(t *testing.T) {
	ports, err := rtpstream.NewPortRange(31900, 31919)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []sdpoa.Encryption{sdpoa.EncryptionRejected, sdpoa.EncryptionRequired} {
		t.Run(enc.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			open := func(f float64) *Media {
				m, err := NewMedia(ports, enc, interop.Tone(f, 8000, time.Second))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { m.Close() })
				return m
			}
			a, b := open(440), open(1004)
			offer, err := a.Offer()
			if err != nil {
				t.Fatal(err)
			}
			answer, err := b.Answer(offer)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.AcceptAnswer(answer); err != nil {
				t.Fatal(err)
			}
			for _, m := range []*Media{a, b} {
				if srtp := m.Result().SRTP.Suite != 0; srtp != (enc == sdpoa.EncryptionRequired) {
					t.Errorf("SRTP %v under policy %v", srtp, enc)
				}
			}
			for _, c := range []struct {
				who string
				m   *Media
				f   float64
			}{{"the offerer", a, 1004}, {"the answerer", b, 440}} {
				// Half a second for the stream to fill, then a second
				// measured; a frame lost under load is silence, which
				// takes nothing from the tone's share.
				if _, err := c.m.Listen(ctx, 500*time.Millisecond); err != nil {
					t.Fatal(err)
				}
				heard, err := c.m.Listen(ctx, time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if share, level := interop.FrameToneShare(heard, c.f), interop.LevelDB(heard); share < 0.9 || level < -30 {
					t.Errorf("%s heard %.2f of the energy at %v Hz at %.1f dBFS, want 0.9 or more, above -30 dBFS", c.who, share, c.f, level)
				}
				if st := c.m.Stats(); st.SRTPFailed != 0 {
					t.Errorf("%s: %d packets failed SRTP", c.who, st.SRTPFailed)
				}
			}
		})
	}
}

// TestMediaRefused: an answer that refuses the audio stream (port 0) is
// an error: there is no audio to play or hear.
func TestMediaRefused(t *testing.T) {
	ports, err := rtpstream.NewPortRange(31920, 31929)
	if err != nil {
		t.Fatal(err)
	}
	var ms [2]*Media
	for i := range ms {
		if ms[i], err = NewMedia(ports, sdpoa.EncryptionRejected, nil); err != nil {
			t.Fatal(err)
		}
		defer ms[i].Close()
	}
	offer, err := ms[0].Offer()
	if err != nil {
		t.Fatal(err)
	}
	answer, err := ms[1].Answer(offer)
	if err != nil {
		t.Fatal(err)
	}
	refused := regexp.MustCompile(`(?m)^m=audio [0-9]+ `).ReplaceAll(answer, []byte("m=audio 0 "))
	if err := ms[0].AcceptAnswer(refused); err == nil {
		t.Errorf("AcceptAnswer took an answer refusing the audio:\n%s", refused)
	}
}
