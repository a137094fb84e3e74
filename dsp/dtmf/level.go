package dtmf

import "math"

// MaxDBm0 is the level in dBm0 of a full-scale sine in 16-bit linear PCM:
// the G.711 A-law convention (G.711 table 1a), in which a 0 dBm0 sine has a
// peak of 32768·10^(-3.14/20) ≈ 22827. µ-law puts full scale at +3.17 dBm0;
// the 0.03 dB between them is below what any limit here can see.
const MaxDBm0 = 3.14

// peak returns the peak amplitude of a sine at level dBm0.
func peak(dBm0 float64) float64 {
	return 32768 * math.Pow(10, (dBm0-MaxDBm0)/20)
}
