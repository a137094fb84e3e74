package plc

import "math"

// Pitch search figures of G.711 Appendix I.
const (
	corrLen = 160 // the newest 20 ms, matched against earlier stretches
	// minPower keeps a near-silent candidate from winning on a tiny
	// denominator.
	minPower = 250
)

// findPitch returns the lag, from minPitch to maxPitch, at which the newest
// corrLen samples of h best match the samples lag earlier, by normalised
// cross-correlation. It searches every other lag on every other sample
// first (Appendix I's 2:1 decimation), then the coarse winner and the lags
// either side of it on every sample. On a tie the shorter lag wins, so a
// multiple of the period is not taken for the period.
func findPitch(h *[histLen]float32) int {
	coarse := search(h, minPitch, maxPitch, 2)
	return search(h, max(minPitch, coarse-1), min(maxPitch, coarse+1), 1)
}

// search returns the best lag from lo to hi, visiting every step-th lag
// and sample.
func search(h *[histLen]float32, lo, hi, step int) int {
	best, score := lo, math.Inf(-1)
	for lag := lo; lag <= hi; lag += step {
		if r := match(h, lag, step); r > score {
			best, score = lag, r
		}
	}
	return best
}

// match is the cross-correlation of the newest corrLen samples of h with
// those lag earlier, divided by the root energy of the earlier ones (the
// newer ones' energy is the same for every lag).
func match(h *[histLen]float32, lag, step int) float64 {
	var r, e float64
	for i := histLen - corrLen; i < histLen; i += step {
		x, y := float64(h[i]), float64(h[i-lag])
		r += x * y
		e += y * y
	}
	return r / math.Sqrt(max(e, minPower))
}
