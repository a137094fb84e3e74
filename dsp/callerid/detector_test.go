package callerid

import (
	"math/rand/v2"
	"testing"
)

// signals returns every standard's rendition of every message it can carry.
func signals(t *testing.T) (ms []Message, audio [][]int16) {
	t.Helper()
	for _, std := range []Standard{Bell202, V23} {
		for _, m := range testMessages {
			s, err := std.Encode(m)
			if err != nil {
				continue
			}
			m.Standard = std
			ms, audio = append(ms, m), append(audio, s)
		}
	}
	for _, std := range []Standard{DTMF, DTMFDenmark, DTMFIndia} {
		for _, m := range []Message{{Number: "0123456789"}, {NumberReason: ReasonPrivate}, {NumberReason: ReasonOutOfArea}} {
			s, err := std.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			m.Standard = std
			if std == DTMFIndia && m.NumberReason != ReasonNone {
				m.Standard = DTMF // India codes absence the ETSI way
			}
			ms, audio = append(ms, m), append(audio, s)
		}
	}
	return ms, audio
}

func TestDecodeRecognisesStandard(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	ms, audio := signals(t)
	for i, want := range ms {
		for _, level := range []float64{-14, -34} {
			s := audio[i]
			if want.Standard.isFSK() {
				s, _ = Generator{Standard: want.Standard, Level: level}.Encode(want)
			}
			got := Decode(addNoise(s, level, 20, rng.IntN(500), rng))
			if len(got) != 1 || got[0] != want {
				t.Errorf("%v at %v dBm0: got %+v, want %+v", want.Standard, level, got, want)
			}
		}
	}
}

func TestDecodeSilenceAndNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	quiet := make([]int16, 10*SampleRate)
	for _, level := range []float64{-60, -30, -10} {
		if got := Decode(addNoise(quiet, level, 0, 0, rng)); len(got) != 0 {
			t.Errorf("noise at %v dBm0 decoded as %+v", level, got)
		}
	}
}
