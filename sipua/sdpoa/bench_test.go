package sdpoa

import (
	"os"
	"testing"
)

// BenchmarkAnswer answers a typical offer (Asterisk's: three codecs and
// telephone-event): on a new Session, as for an INVITE, and again on the
// same one, as for a session refresh.
func BenchmarkAnswer(b *testing.B) {
	offer, err := os.ReadFile("testdata/offers/asterisk.sdp")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("initial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, err := NewSession(Config{Local: ourAddr})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.Answer(offer); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("again", func(b *testing.B) {
		s := newSession(b, ourAddr)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := s.Answer(offer); err != nil {
				b.Fatal(err)
			}
		}
	})
}
