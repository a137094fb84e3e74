package tone

import "math"

// FullScaleDBm0 is the level of a sine whose peak is full scale (±32768),
// taken from G.711 µ-law: the largest sine the codec carries is +3.17 dBm0.
const FullScaleDBm0 = 3.17

// Amplitude returns the peak value, in 16-bit linear units, of a sine at the
// given level.
func Amplitude(dBm0 float64) float64 {
	return 32768 * math.Pow(10, (dBm0-FullScaleDBm0)/20)
}

// Level returns the level in dBm0 of a signal whose mean square (in 16-bit
// linear units) is meanSquare.
func Level(meanSquare float64) float64 {
	return 10 * math.Log10(meanSquare/zeroDBm0)
}

// zeroDBm0 is the mean square of a 0 dBm0 sine: half its peak squared.
var zeroDBm0 = Amplitude(0) * Amplitude(0) / 2
