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
	perm []int // bit-reversal permutation of n/2 points
	// Twiddles of the half-size FFT's stages from the third on, each
	// stage's run of half its size in turn: e^{-2πij/size}, j < size/2.
	stage []complex128
	sp    []complex128 // e^{-2πik/n}, k ≤ n/2: split twiddles
	z     []complex128 // scratch, n/2 points
}

func newRealFFT(n int) *realFFT {
	h := n / 2
	f := &realFFT{n: n, perm: make([]int, h), sp: make([]complex128, h+1), z: make([]complex128, h)}
	shift := bits.UintSize - bits.TrailingZeros(uint(h))
	for i := range f.perm {
		f.perm[i] = int(bits.Reverse(uint(i)) >> shift)
	}
	for size := 8; size <= h; size <<= 1 {
		for j := range size / 2 {
			s, c := math.Sincos(-2 * math.Pi * float64(j) / float64(size))
			f.stage = append(f.stage, complex(c, s))
		}
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
	X = X[:h+1]
	sp := f.sp[:h+1]
	X[0] = complex(real(z[0])+imag(z[0]), 0)
	X[h] = complex(real(z[0])-imag(z[0]), 0)
	for k := 1; k < h; k++ {
		a, b := z[k], conj(z[h-k])
		even := (a + b) * 0.5
		d := a - b
		odd := complex(imag(d)*0.5, -real(d)*0.5) // d·(-i/2)
		X[k] = even + sp[k]*odd
	}
}

// inverse sets x (n samples) to the inverse DFT of X, scaled by 1/n so that
// inverse(forward(x)) is x.
func (f *realFFT) inverse(x []float64, X []complex128) {
	h := f.n / 2
	z := f.z
	X = X[:h+1]
	sp := f.sp[:h]
	for k, p := range f.perm {
		a, b := X[k], conj(X[h-k])
		even := a + b
		odd := (a - b) * conj(sp[k])
		// Conjugating in and out turns the forward butterflies into the
		// inverse: z = conj(even + i·odd).
		z[p] = complex(real(even)-imag(odd), -imag(even)-real(odd))
	}
	f.butterflies(z)
	s := 1 / float64(f.n)
	for i, v := range z {
		x[2*i] = real(v) * s
		x[2*i+1] = -imag(v) * s
	}
}

// butterflies runs the radix-2 decimation-in-time stages on z, which is in
// bit-reversed order. The first two stages, whose twiddles are 1 and -i,
// need no multiplications.
func (f *realFFT) butterflies(z []complex128) {
	h := len(z)
	if h == 2 {
		z[0], z[1] = z[0]+z[1], z[0]-z[1]
		return
	}
	for s := 0; s+4 <= h; s += 4 {
		q := z[s : s+4 : s+4]
		a, b := q[0]+q[1], q[0]-q[1]
		c, d := q[2]+q[3], q[2]-q[3]
		d = complex(imag(d), -real(d)) // -i·d
		q[0], q[2] = a+c, a-c
		q[1], q[3] = b+d, b-d
	}
	for size := 8; size <= h; size <<= 1 {
		half := size >> 1
		tw := f.stage[half-4 : half-4+half]
		for start := 0; start < h; start += size {
			lo := z[start : start+half : start+half]
			hi := z[start+half : start+size : start+size]
			for j, w := range tw {
				t := w * hi[j]
				u := lo[j]
				lo[j] = u + t
				hi[j] = u - t
			}
		}
	}
}

func conj(c complex128) complex128 { return complex(real(c), -imag(c)) }
