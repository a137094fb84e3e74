package interop

import (
	"math"
	"slices"
	"time"
)

// Tone returns d of a sine wave of f Hz and peak amplitude a, at
// SampleRate: a phone's microphone, or what a gateway sends it.
func Tone(f, a float64, d time.Duration) []int16 {
	s := make([]int16, int(d.Seconds()*SampleRate))
	for i := range s {
		s[i] = int16(math.Round(a * math.Sin(2*math.Pi*f*float64(i)/SampleRate)))
	}
	return s
}

// ToneShare returns the share of the energy of s that lies at f Hz, by the
// Goertzel algorithm: 1 for a pure tone of f, near 0 for other signals and
// for silence.
func ToneShare(s []int16, f float64) float64 {
	tone, energy := toneEnergy(s, f)
	if energy == 0 {
		return 0
	}
	return tone / energy
}

// FrameSamples is the length of a 20 ms frame, G.711's packet, at
// SampleRate.
const FrameSamples = SampleRate / 50

// FrameToneShare is ToneShare measured frame by frame: the energy at f Hz
// of each FrameSamples of s, over the energy of them all. A tone played out
// by a jitter buffer that has inserted, repeated or dropped a frame, each
// of which breaks the tone's phase, counts whole, where ToneShare of the
// whole of s counts the parts out of phase with each other as other sound.
func FrameToneShare(s []int16, f float64) float64 {
	var tone, energy float64
	for frame := range slices.Chunk(s, FrameSamples) {
		t, e := toneEnergy(frame, f)
		tone += t
		energy += e
	}
	if energy == 0 {
		return 0
	}
	return tone / energy
}

// toneEnergy returns the energy of s at f Hz, by the Goertzel algorithm,
// and the energy of all of s.
func toneEnergy(s []int16, f float64) (tone, energy float64) {
	if len(s) == 0 {
		return 0, 0
	}
	c := 2 * math.Cos(2*math.Pi*f/SampleRate)
	var s1, s2 float64
	for _, v := range s {
		x := float64(v)
		s1, s2 = x+c*s1-s2, s1
		energy += x * x
	}
	power := s1*s1 + s2*s2 - c*s1*s2 // |X(f)|², (aN/2)² for a tone of amplitude a
	return 2 * power / float64(len(s)), energy
}

// LevelDB returns the RMS level of s in dB relative to full scale; silence
// is -Inf, and no samples NaN.
func LevelDB(s []int16) float64 {
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return 10 * math.Log10(sum/float64(len(s))/(32768*32768))
}
