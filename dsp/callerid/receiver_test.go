package callerid

import (
	"math"
	"math/rand/v2"
	"testing"
)

// receive feeds samples to a new receiver in blocks of the given sizes
// (cycled) and returns the messages it decodes.
func receive(std Standard, samples []int16, blocks ...int) []Message {
	r := NewReceiver(std)
	var got []Message
	for i := 0; len(samples) > 0; i++ {
		k := min(blocks[i%len(blocks)], len(samples))
		b := samples[:k]
		samples = samples[k:]
		for len(b) > 0 {
			n, ok := r.Process(b)
			if ok {
				got = append(got, r.Message())
			}
			b = b[n:]
		}
	}
	return got
}

// addNoise returns s delayed by lead samples of noise, followed by 40 ms of
// noise, with white Gaussian noise snr dB below the signal level sig (dBm0)
// throughout.
func addNoise(s []int16, sig, snr float64, lead int, rng *rand.Rand) []int16 {
	sigma := Amplitude(sig-snr) / math.Sqrt2 // rms of a sine is peak/√2
	out := make([]int16, lead+len(s)+320)
	for i := range out {
		v := sigma * rng.NormFloat64()
		if j := i - lead; j >= 0 && j < len(s) {
			v += float64(s[j])
		}
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

var testMessages = []Message{
	{Time: Time{12, 24, 18, 30}, Number: "5551234567", Name: "ALICE SMITH"},
	{Time: Time{1, 2, 3, 4}, NumberReason: ReasonPrivate, NameReason: ReasonPrivate},
	{Time: Time{7, 4, 0, 0}, NumberReason: ReasonOutOfArea, NameReason: ReasonOutOfArea},
	{Number: "0123456789012345678", Name: "A name of fifty characters for ETSI's upper bound"},
	{Format: SDMF, Time: Time{3, 15, 9, 5}, Number: "6175551212"},
	{Format: SDMF, Time: Time{3, 15, 9, 5}, NumberReason: ReasonPrivate},
	{VMWI: VMWIOn},
	{VMWI: VMWIOff},
}

func TestFSKRoundTrip(t *testing.T) {
	for _, std := range []Standard{Bell202, V23} {
		for _, offHook := range []bool{false, true} {
			for _, m := range testMessages {
				g := Generator{Standard: std, OffHook: offHook}
				s, err := g.Encode(m)
				if m.Format == SDMF && std == V23 {
					if err == nil {
						t.Errorf("%v: SDMF accepted", std)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%v %+v: %v", std, m, err)
				}
				want := m
				want.Standard = std
				for _, blocks := range [][]int{{160}, {1}, {7, 160, 33}, {len(s)}} {
					got := receive(std, s, blocks...)
					if len(got) != 1 || got[0] != want {
						t.Errorf("%v offHook=%v blocks %v: got %+v, want %+v", std, offHook, blocks, got, want)
					}
				}
			}
		}
	}
}
