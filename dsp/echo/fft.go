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
	// Twiddles of the half-size FFT's stages after the first radix-4 one:
	// of a radix-2 stage of size 8 if there is one (the half size is an
	// odd power of two), e^{-2πij/8}, j < 4; then of each radix-4 stage of
	// size 4m in turn, W^j, W^2j, W^3j with W = e^{-2πi/4m}, j < m.
	radix2 []complex128
	stage  [][3]complex128
	sp     []complex128 // e^{-2πik/n}, k ≤ n/2: split twiddles
	z      []complex128 // scratch, n/2 points
}

func newRealFFT(n int) *realFFT {
	h := n / 2
	f := &realFFT{n: n, perm: make([]int, h), sp: make([]complex128, h+1), z: make([]complex128, h)}
	shift := bits.UintSize - bits.TrailingZeros(uint(h))
	for i := range f.perm {
		f.perm[i] = int(bits.Reverse(uint(i)) >> shift)
	}
	tw := func(j, size int) complex128 {
		s, c := math.Sincos(-2 * math.Pi * float64(j) / float64(size))
		return complex(c, s)
	}
	size := 4
	if h >= 8 && bits.TrailingZeros(uint(h))%2 == 1 {
		size = 8
		for j := range 4 {
			f.radix2 = append(f.radix2, tw(j, 8))
		}
	}
	for ; size*4 <= h; size *= 4 {
		for j := range size {
			f.stage = append(f.stage, [3]complex128{tw(j, 4*size), tw(2*j, 4*size), tw(3*j, 4*size)})
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
	z := f.z[:h]
	x = x[:2*h]
	for i, p := range f.perm {
		z[p] = complex(x[2*i], x[2*i+1])
	}
	f.butterflies(z)
	X = X[:h+1]
	sp := f.sp[:h+1]
	X[0] = complex(real(z[0])+imag(z[0]), 0)
	X[h] = complex(real(z[0])-imag(z[0]), 0)
	// Bins k and h-k come from the same two points, their even parts
	// conjugate, their odd parts too, and sp[h-k] = -conj(sp[k]): one
	// multiplication serves both.
	for k := 1; k <= h/2; k++ {
		a, b := z[k], conj(z[h-k])
		even := (a + b) * 0.5
		d := a - b
		odd := complex(imag(d)*0.5, -real(d)*0.5) // d·(-i/2)
		t := sp[k] * odd
		X[k] = even + t
		X[h-k] = conj(even - t)
	}
}

// inverse sets x (n samples) to the inverse DFT of X, scaled by 1/n so that
// inverse(forward(x)) is x.
func (f *realFFT) inverse(x []float64, X []complex128) {
	h := f.n / 2
	z := f.z[:h]
	X = X[:h+1]
	sp := f.sp[:h]
	perm := f.perm[:h]
	// Conjugating in and out turns the forward butterflies into the
	// inverse: z = conj(even + i·odd), and as in forward, the pair k, h-k
	// shares one multiplication.
	even, odd := X[0]+conj(X[h]), X[0]-conj(X[h])
	z[perm[0]] = complex(real(even)-imag(odd), -imag(even)-real(odd))
	for k := 1; k <= h/2; k++ {
		a, b := X[k], conj(X[h-k])
		even := a + b
		odd := (a - b) * conj(sp[k])
		z[perm[k]] = complex(real(even)-imag(odd), -imag(even)-real(odd))
		// even' = conj(even) and odd' = conj(odd): z' = even - i·odd.
		z[perm[h-k]] = complex(real(even)+imag(odd), imag(even)-real(odd))
	}
	f.butterflies(z)
	s := 1 / float64(f.n)
	x = x[:2*h]
	for i, v := range z {
		x[2*i] = real(v) * s
		x[2*i+1] = -imag(v) * s
	}
}

// butterflies runs the decimation-in-time stages on z, which is in
// bit-reversed order: a first radix-4 stage whose twiddles are 1 and -i and
// need no multiplications, a radix-2 stage if the number of stages is odd,
// then radix-4 stages, which take three multiplications for every four
// points where two radix-2 stages take four, and go over z half as often.
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
	size := 4
	if tw := f.radix2; tw != nil {
		size = 8
		for start := 0; start+8 <= h; start += 8 {
			lo := z[start : start+4 : start+4]
			hi := z[start+4 : start+8 : start+8]
			for j, w := range tw[:4] {
				t := w * hi[j]
				u := lo[j]
				lo[j] = u + t
				hi[j] = u - t
			}
		}
	}
	// A block of size 4m combines four of size m: the DFTs of the samples
	// at offsets 0, 2, 1 and 3 modulo 4 of its own, in that order, as the
	// bit-reversed input leaves them.
	stage := f.stage
	for ; size*4 <= h; size *= 4 {
		m := size
		tw := stage[:m:m]
		stage = stage[m:]
		for start := 0; start < h; start += 4 * m {
			q0 := z[start : start+m : start+m]
			q1 := z[start+m : start+2*m : start+2*m]
			q2 := z[start+2*m : start+3*m : start+3*m]
			q3 := z[start+3*m : start+4*m : start+4*m]
			_, _, _, _ = q0[m-1], q1[m-1], q2[m-1], q3[m-1]
			for j, w := range tw {
				a, b := q0[j], w[1]*q1[j]
				c, d := w[0]*q2[j], w[2]*q3[j]
				t0, t1 := a+b, a-b
				t2, u := c+d, c-d
				t3 := complex(imag(u), -real(u)) // -i·(c-d)
				q0[j], q2[j] = t0+t2, t0-t2
				q1[j], q3[j] = t1+t3, t1-t3
			}
		}
	}
}

func conj(c complex128) complex128 { return complex(real(c), -imag(c)) }
