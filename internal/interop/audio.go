package interop

import (
	"math"
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
	c := 2 * math.Cos(2*math.Pi*f/SampleRate)
	var s1, s2, energy float64
	for _, v := range s {
		x := float64(v)
		s1, s2 = x+c*s1-s2, s1
		energy += x * x
	}
	if energy == 0 {
		return 0
	}
	power := s1*s1 + s2*s2 - c*s1*s2 // |X(f)|², (aN/2)² for a tone of amplitude a
	return 2 * power / (float64(len(s)) * energy)
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
