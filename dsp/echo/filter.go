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
	for k := range w {
		x := hist.at(k * blocksPerPart)
		wk := &w[k]
		for i := range acc {
			acc[i] += wk[i] * x[i]
		}
	}
	f.inverse(y, acc[:])
}

// spectra is a ring of the far-end spectra of recent blocks.
type spectra struct {
	s    [][bins]complex128
	head int
}

func (h *spectra) push() *[bins]complex128 {
	h.head = (h.head + len(h.s) - 1) % len(h.s)
	return &h.s[h.head]
}

// at returns the spectrum of the block i blocks before the newest.
func (h *spectra) at(i int) *[bins]complex128 { return &h.s[(h.head+i)%len(h.s)] }
