package echo

import (
	"math"
	"math/bits"
)

// realFFT transforms real blocks of a fixed power-of-two length n to their
// n/2+1 non-negative-frequency bins and back. It runs a complex FFT of n/2
// points on the samples packed as even + i·odd and untangles the halves,
// which costs half of a complex FFT of n points.
type realFFT struct {
	n    int
	perm []int        // bit-reversal permutation of n/2 points
	tw   []complex128 // e^{-2πik/(n/2)}, k < n/4: twiddles of the half-size FFT
	sp   []complex128 // e^{-2πik/n}, k ≤ n/2: split twiddles
	z    []complex128 // scratch, n/2 points
}

func newRealFFT(n int) *realFFT {
	h := n / 2
	f := &realFFT{n: n, perm: make([]int, h), tw: make([]complex128, h/2), sp: make([]complex128, h+1), z: make([]complex128, h)}
	shift := bits.UintSize - bits.TrailingZeros(uint(h))
	for i := range f.perm {
		f.perm[i] = int(bits.Reverse(uint(i)) >> shift)
	}
	for k := range f.tw {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(h))
		f.tw[k] = complex(c, s)
	}
	for k := range f.sp {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		f.sp[k] = complex(c, s)
	}
	return f
}

// forward sets X (n/2+1 bins) to the unnormalised DFT of x (n samples).
func (f *realFFT) forward(X []complex128, x []float64) {
	h := f.n / 2
	z := f.z
	for i, p := range f.perm {
		z[p] = complex(x[2*i], x[2*i+1])
	}
	f.butterflies(z)
	for k := 0; k <= h; k++ {
		a := z[k%h]
		b := conj(z[(h-k)%h])
		even := (a + b) * 0.5
		odd := (a - b) * complex(0, -0.5)
		X[k] = even + f.sp[k]*odd
	}
}

// inverse sets x (n samples) to the inverse DFT of X, scaled by 1/n so that
// inverse(forward(x)) is x.
func (f *realFFT) inverse(x []float64, X []complex128) {
	h := f.n / 2
	z := f.z
	for k := 0; k < h; k++ {
		a := X[k]
		b := conj(X[h-k])
		even := a + b
		odd := (a - b) * conj(f.sp[k])
		// Conjugating in and out turns the forward butterflies into the inverse.
		z[f.perm[k]] = conj(even + complex(0, 1)*odd)
	}
	f.butterflies(z)
	s := 1 / float64(f.n)
	for i, v := range z {
		x[2*i] = real(v) * s
		x[2*i+1] = -imag(v) * s
	}
}

// butterflies runs the radix-2 decimation-in-time stages on z, which is in
// bit-reversed order.
func (f *realFFT) butterflies(z []complex128) {
	h := len(z)
	for size := 2; size <= h; size <<= 1 {
		half := size >> 1
		step := h / size
		for start := 0; start < h; start += size {
			for j := 0; j < half; j++ {
				t := f.tw[j*step] * z[start+j+half]
				u := z[start+j]
				z[start+j] = u + t
				z[start+j+half] = u - t
			}
		}
	}
}

func conj(c complex128) complex128 { return complex(real(c), -imag(c)) }
