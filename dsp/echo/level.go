package echo

import "math"

// fullScaleDBm0 is the level of a full-scale sine (±32768) by the G.711
// µ-law convention: the largest sine the codec carries is +3.17 dBm0.
const fullScaleDBm0 = 3.17

// power returns the mean square, in 16-bit linear units, of a signal at the
// given level in dBm0.
func power(dBm0 float64) float64 {
	a := 32768 * math.Pow(10, (dBm0-fullScaleDBm0)/20)
	return a * a / 2
}
