package dtmf

import (
	"math/rand/v2"
	"testing"
)

// TestGoertzelMatchesReference checks the build's filters against the Go
// reference to the bit, on noise, full-scale extremes and silence.
func TestGoertzelMatchesReference(t *testing.T) {
	d := NewDetector(ATT)
	c := (*[nDial]float64)(d.coef[:nDial])
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 1000 {
		var x [halfBlock]int16
		for i := range x {
			switch n % 4 {
			case 0:
				x[i] = int16(r.IntN(1 << 16))
			case 1:
				x[i] = [2]int16{-32768, 32767}[r.IntN(2)]
			case 2:
				x[i] = int16(r.IntN(64) - 32)
			}
		}
		var got, want [2 * nDial]float64
		goertzel(&x, c, &got)
		goertzelGo(&x, c, &want)
		if got != want {
			t.Fatalf("block %d: got %v, want %v", n, got, want)
		}
	}
}
