package callerid

import "math"

// FullScaleDBm0 is the level of a sine wave peaking at ±32767. It follows
// G.711 µ-law: its full-scale sine is +3.17 dBm0.
const FullScaleDBm0 = 3.17

// SampleRate is the sample rate of all audio in this package, in Hz.
const SampleRate = 8000

// DefaultLevel is the level of generated FSK and of each tone of generated
// alert and DTMF signals, in dBm0.
const DefaultLevel = -13.5

// Amplitude returns the peak amplitude, in 16-bit sample units, of a sine
// wave at the given level in dBm0.
func Amplitude(dBm0 float64) float64 {
	return 32767 * math.Pow(10, (dBm0-FullScaleDBm0)/20)
}
