package echo

import "time"

// Partitioned-block frequency-domain adaptive filter (overlap-save).
//
// Each block of blockLen far-end samples is transformed together with the
// samples before it, fftLen in all. The echo path is cut into partitions of
// partLen taps; partition k sees the far end 2k blocks (k·partLen samples)
// late, so its spectrum is the one computed 2k blocks ago and no block is
// transformed twice. partLen + blockLen ≤ fftLen keeps the circular
// convolution and correlation free of wrap-around on the samples used.
const (
	blockLen      = 80  // 10 ms: the filter adapts 100 times a second
	partLen       = 160 // taps per partition, a whole number of blocks
	fftLen        = 256
	bins          = fftLen/2 + 1
	blocksPerPart = partLen / blockLen
	maxParts      = (int(MaxTail/time.Millisecond)*8 + partLen - 1) / partLen
)

// weights is one echo path estimate: the spectra of its partitions.
type weights [][bins]complex128

func newWeights(parts int) weights { return make(weights, parts) }

func (w weights) copyFrom(v weights) { copy(w, v) }

func (w weights) clear() { clear(w) }

// estimate sets y to the echo estimate for the newest block (its last
// blockLen samples are valid), given the far-end spectra hist, newest first.
func (w weights) estimate(f *realFFT, y []float64, acc *[bins]complex128, hist *spectra) {
	*acc = [bins]complex128{}
	// Two partitions a pass: half the loads and stores of acc.
	k := 0
	for ; k+1 < len(w); k += 2 {
		x0, x1 := hist.at(k*blocksPerPart), hist.at((k+1)*blocksPerPart)
		w0, w1 := &w[k], &w[k+1]
		for i := range acc {
			acc[i] += w0[i]*x0[i] + w1[i]*x1[i]
		}
	}
	if k < len(w) {
		x, wk := hist.at(k*blocksPerPart), &w[k]
		for i := range acc {
			acc[i] += wk[i] * x[i]
		}
	}
	f.inverse(y, acc[:])
}

// spectra is a ring of the far-end spectra of recent blocks and of their
// power in each bin.
type spectra struct {
	s    [][bins]complex128
	p    [][bins]float64
	head int
}

func newSpectra(n int) spectra {
	return spectra{s: make([][bins]complex128, n), p: make([][bins]float64, n)}
}

func (h *spectra) clear() {
	clear(h.s)
	clear(h.p)
}

// push makes room for a new spectrum, which the caller writes to the
// result before calling setPower.
func (h *spectra) push() *[bins]complex128 {
	h.head = (h.head + len(h.s) - 1) % len(h.s)
	return &h.s[h.head]
}

// setPower computes the power of the newest spectrum.
func (h *spectra) setPower() {
	x, p := &h.s[h.head], &h.p[h.head]
	for i, v := range x {
		p[i] = real(v)*real(v) + imag(v)*imag(v)
	}
}

// at returns the spectrum of the block i blocks before the newest.
func (h *spectra) at(i int) *[bins]complex128 { return &h.s[(h.head+i)%len(h.s)] }

// powerAt returns the power of the spectrum at(i).
func (h *spectra) powerAt(i int) *[bins]float64 { return &h.p[(h.head+i)%len(h.p)] }
