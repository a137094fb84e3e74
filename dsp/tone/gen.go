package tone

import "math"

// maxFreqs bounds the components of one segment; no national tone has more.
const maxFreqs = 4

// sineTable holds one period of a sine in 2^sineBits steps. Phases are
// 32-bit fractions of a period, so a phase increment is exact to 2 µHz and
// phase never drifts.
const sineBits = 10

var sineTable = func() (t [1<<sineBits + 1]float64) {
	for i := range t {
		t[i] = math.Sin(2 * math.Pi * float64(i) / (1 << sineBits))
	}
	return t
}()

// sine returns sin(2π·phase/2³²) by linear interpolation in sineTable.
func sine(phase uint32) float64 {
	const fracBits = 32 - sineBits
	i := phase >> fracBits
	f := float64(phase&(1<<fracBits-1)) * (1.0 / (1 << fracBits))
	a := sineTable[i]
	return a + (sineTable[i+1]-a)*f
}

// phaseStep returns the phase increment per 8 kHz sample of f Hz.
func phaseStep(f float64) uint32 {
	return uint32(int64(math.Round(f / 8000 * (1 << 32))))
}

// A Generator plays a Tone as 8 kHz 16-bit samples. The phase of every
// component carries over from one call to the next, so frames of any size
// join without clicks, and cadence steps fall on exact sample counts.
type Generator struct {
	tone  *Tone
	seg   int
	left  int // samples left in the segment; -1 for a segment that never ends
	amp   float64
	n     int // components sounding
	step  [maxFreqs]uint32
	phase [maxFreqs]uint32
	mStep uint32 // amplitude-modulation phase increment, 0 for none
	mPh   uint32
}

// NewGenerator returns a Generator at the start of t. t must not change
// while the Generator uses it.
func NewGenerator(t *Tone) *Generator {
	g := &Generator{tone: t}
	g.enter(0)
	return g
}

// enter starts segment i. Phases restart at zero after silence, so a burst
// starts at a zero crossing; between two sounding segments they run on.
func (g *Generator) enter(i int) {
	s := &g.tone.Segments[i]
	if g.n == 0 {
		g.phase = [maxFreqs]uint32{}
		g.mPh = 0
	}
	g.seg = i
	g.left = s.Ms * 8
	if s.Ms == 0 {
		g.left = -1
	}
	g.n = min(len(s.Freqs), maxFreqs)
	for k := range g.n {
		g.step[k] = phaseStep(s.Freqs[k])
	}
	g.amp = Amplitude(g.tone.Level + s.Gain)
	g.mStep = phaseStep(s.AM)
}

// Generate fills dst with the next len(dst) samples of the tone.
func (g *Generator) Generate(dst []int16) {
	for i := 0; i < len(dst); {
		if g.left == 0 {
			next := g.seg + 1
			if next == len(g.tone.Segments) {
				next = g.tone.Loop
			}
			g.enter(next)
			continue
		}
		n := len(dst) - i
		if g.left > 0 {
			n = min(n, g.left)
			g.left -= n
		}
		g.fill(dst[i : i+n])
		i += n
	}
}

// fill writes samples of the current segment.
func (g *Generator) fill(dst []int16) {
	if g.n == 0 {
		clear(dst)
		return
	}
	for i := range dst {
		var v float64
		for k := range g.n {
			v += sine(g.phase[k])
			g.phase[k] += g.step[k]
		}
		v *= g.amp
		if g.mStep != 0 {
			v *= 1 + AMDepth*sine(g.mPh)
			g.mPh += g.mStep
		}
		dst[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
}
