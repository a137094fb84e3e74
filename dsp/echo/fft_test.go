package echo

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestRealFFT checks the transform against a direct DFT and the round trip.
func TestRealFFT(t *testing.T) {
	for _, n := range []int{4, 8, 64, 256} {
		f := newRealFFT(n)
		r := rand.New(rand.NewPCG(1, uint64(n)))
		x := make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		X := make([]complex128, n/2+1)
		f.forward(X, x)
		for k := range X {
			var want complex128
			for i, v := range x {
				want += complex(v, 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(i*k)/float64(n)))
			}
			if cmplx.Abs(X[k]-want) > 1e-9*float64(n) {
				t.Errorf("n=%d bin %d: %v, want %v", n, k, X[k], want)
			}
		}
		y := make([]float64, n)
		f.inverse(y, X)
		for i := range x {
			if math.Abs(y[i]-x[i]) > 1e-12*float64(n) {
				t.Errorf("n=%d round trip sample %d: %v, want %v", n, i, y[i], x[i])
			}
		}
	}
}

// BenchmarkRealFFT measures a forward and an inverse transform of the
// canceller's size.
func BenchmarkRealFFT(b *testing.B) {
	f := newRealFFT(fftLen)
	x := make([]float64, fftLen)
	for i := range x {
		x[i] = float64(i % 17)
	}
	X := make([]complex128, bins)
	b.ReportAllocs()
	for b.Loop() {
		f.forward(X, x)
		f.inverse(x, X)
	}
}
