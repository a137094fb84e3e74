package echo

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// BlockLen is the number of samples the canceller works on at a time (10 ms
// at 8 kHz). Process takes any whole number of blocks; a 20 ms frame is two.
const BlockLen = blockLen

// Tail lengths the canceller accepts.
const (
	MinTail     = 16 * time.Millisecond
	MaxTail     = 128 * time.Millisecond
	DefaultTail = 64 * time.Millisecond
)

// ErrFrameLen is returned by Process for buffers whose lengths differ or are
// not a whole number of blocks.
var ErrFrameLen = errors.New("echo: near, far and out must have the same length, a multiple of BlockLen")

// Config sets up a Canceller. The zero Config is the default: a 64 ms tail
// with the non-linear processor on.
type Config struct {
	// Tail is the longest echo path the canceller models, bulk delay
	// included: MinTail to MaxTail, DefaultTail when zero.
	Tail time.Duration
	// NoNLP turns the non-linear processor off, leaving the output of the
	// linear canceller alone. Measurements of ERLE use it; calls should not.
	NoNLP bool
}

// Canceller removes the echo of the far-end signal (what the gateway sends
// to the line, Rin) from the near-end signal (what comes back from the line,
// Sin). A Canceller serves one channel and is not safe for concurrent use.
type Canceller struct {
	cfg   Config
	parts int
	fft   *realFFT

	window [fftLen]float64 // the far end: the newest blockLen samples last
	hist   spectra

	// Two-path structure: the background filter adapts on every block and
	// may diverge during double talk; the foreground filter makes the
	// output and only ever takes the background's weights when they cancel
	// more, so double talk cannot spoil it.
	fg, bg     weights
	fgErr      float64 // smoothed output power of each path
	bgErr      float64
	diff       float64 // smoothed power of the difference of their estimates
	constraint int     // blocks into the round of constraining the partitions
	// The norm of each background partition's weights after the last
	// update, for the proportionate steps.
	bgNorm [maxParts]float64

	acc  [bins]complex128
	errS [bins]complex128
	yf   [fftLen]float64
	yb   [fftLen]float64
	buf  [fftLen]float64
	ef   [blockLen]float64

	step stepSize

	nlp      nlp
	fgLeak   float64 // foreground error against its echo estimate, near end silent
	dtHold   int     // blocks to hold adaptation after near-end speech
	farHold  int     // blocks the echo of the last active far-end block may still ring
	disabler disabler

	// Far-end peaks of the blocks in the tail, newest at farPeakHead, for
	// the Geigel test that tells echo from near speech.
	farPeak     []float64
	farPeakHead int
	erle        erleMeter
}

// New returns a Canceller for cfg.
func New(cfg Config) (*Canceller, error) {
	if cfg.Tail == 0 {
		cfg.Tail = DefaultTail
	}
	if cfg.Tail < MinTail || cfg.Tail > MaxTail {
		return nil, fmt.Errorf("echo: tail %v out of range %v to %v", cfg.Tail, MinTail, MaxTail)
	}
	taps := int(cfg.Tail / (time.Second / 8000))
	parts := (taps + partLen - 1) / partLen
	c := &Canceller{
		cfg:   cfg,
		parts: parts,
		fft:   newRealFFT(fftLen),
		hist:  newSpectra((parts-1)*blocksPerPart + 1),
		fg:    newWeights(parts),
		bg:    newWeights(parts),
		// The tail, plus a block for the echo that starts in one block
		// and arrives in the next.
		farPeak: make([]float64, parts*blocksPerPart+1),
	}
	c.Reset()
	return c, nil
}

// Tail returns the echo path length the canceller models.
func (c *Canceller) Tail() time.Duration { return c.cfg.Tail }

// Reset forgets the echo path and everything learnt about the line. Call it
// when the far end changes (a new call, a transfer), whose echo path has
// nothing to do with the last one.
func (c *Canceller) Reset() {
	c.window = [fftLen]float64{}
	c.hist.clear()
	c.bgNorm = [maxParts]float64{}
	c.fg.clear()
	c.bg.clear()
	c.fgErr, c.bgErr, c.diff = 0, 0, 0
	c.constraint = 0
	c.step.reset()
	c.farHold = 0
	c.dtHold = 0
	c.fgLeak = 1
	c.nlp.reset()
	c.disabler.reset()
	clear(c.farPeak)
	c.erle = erleMeter{}
}

// ERLE returns the echo return loss enhancement of the linear canceller in
// dB: the power of the echo coming back from the line against what is left
// of it, smoothed over about a second of blocks in which the far end talks
// and the near end does not. It is 0 until such blocks have been seen.
func (c *Canceller) ERLE() float64 { return c.erle.dB() }

// Disabled reports whether a 2100 Hz answer tone with phase reversals has
// turned the canceller off (G.168 6.4.2.10); it turns itself back on once
// both directions have been quiet for 250 ms.
func (c *Canceller) Disabled() bool { return c.disabler.disabled }

// Process writes to out the near-end signal near with the echo of far
// removed. far is the signal sent to the line at the same time as near was
// received from it. The three must have the same length, a multiple of
// BlockLen; out may be near.
func (c *Canceller) Process(out, near, far []int16) error {
	if len(near) != len(far) || len(out) != len(near) || len(near)%blockLen != 0 {
		return ErrFrameLen
	}
	for i := 0; i < len(near); i += blockLen {
		c.block(out[i:i+blockLen], near[i:i+blockLen], far[i:i+blockLen])
	}
	return nil
}

// Levels, as mean squares in 16-bit linear units.
var (
	farActive = power(-45) // far end worth adapting to
	regular   = power(-60) // per-bin regularisation of the step
	quiet     = power(-36) // G.164: the disabler releases below this
)

// Step size of the background filter, normalised by the far-end power in
// each bin plus floorFrac of the mean over all bins: bins the far end leaves
// empty would otherwise take huge steps on nothing but noise. A tenth left
// speech 1 dB short of this steady ERLE and converging later; half fails on
// the composite source signal's noise bursts.
const floorFrac = 0.2

// dtHangover is how long adaptation stays frozen after the Geigel test
// last found the near end talking: between syllables the near talker's
// power dips below the test, not out of the error.
const dtHangover = 10

func (c *Canceller) block(out, near, far []int16) {
	var px, pd float64
	for i := range far {
		x, d := float64(far[i]), float64(near[i])
		px += x * x
		pd += d * d
	}
	px /= blockLen
	pd /= blockLen
	if c.disabler.process(near, far, pd, px) {
		copy(out, near)
		return
	}

	copy(c.window[:], c.window[blockLen:])
	for i, v := range far {
		c.window[fftLen-blockLen+i] = float64(v)
	}
	X := c.hist.push()
	c.fft.forward(X[:], c.window[:])
	c.hist.setPower()

	c.fg.estimate(c.fft, c.yf[:], &c.acc, &c.hist)
	c.bg.estimate(c.fft, c.yb[:], &c.acc, &c.hist)
	var pf, pb, py, pyb, pdiff float64
	eb := c.buf[fftLen-blockLen:]
	for i, v := range near {
		d := float64(v)
		yf, yb := c.yf[fftLen-blockLen+i], c.yb[fftLen-blockLen+i]
		c.ef[i] = d - yf
		eb[i] = d - yb
		pf += c.ef[i] * c.ef[i]
		pb += eb[i] * eb[i]
		py += yf * yf
		pyb += yb * yb
		pdiff += (yf - yb) * (yf - yb)
	}
	pf /= blockLen
	pb /= blockLen
	py /= blockLen
	pyb /= blockLen
	pdiff /= blockLen
	c.fgErr = 0.6*c.fgErr + 0.4*pf
	c.bgErr = 0.6*c.bgErr + 0.4*pb
	c.diff = 0.6*c.diff + 0.4*pdiff

	active := px > farActive
	if active {
		c.farHold = c.parts * blocksPerPart
	} else if c.farHold > 0 {
		c.farHold--
	}
	// Until the foreground cancels 10 dB, the Geigel test tells near
	// speech from echo; from then on, an error 12 dB above the foreground's
	// usual leakage of its echo estimate does, which catches a near talker
	// no louder than the echo and lets a hybrid with a poor ERL, whose echo
	// alone passes the Geigel test, adapt.
	var nt bool
	if c.fgLeak > 0.1 {
		nt = c.nearTalks(near, far)
	} else {
		c.nearTalks(near, far)
		nt = pf > 16*c.fgLeak*py+4*c.nlp.floor
	}
	if active && !nt {
		if r := pf / max(py, 1); r < c.fgLeak {
			c.fgLeak += 0.2 * (r - c.fgLeak)
		} else {
			c.fgLeak += 0.02 * (r - c.fgLeak)
		}
		c.fgLeak = min(c.fgLeak, 1)
	}
	if nt {
		c.dtHold = dtHangover
	} else if c.dtHold > 0 {
		c.dtHold--
	}
	adapt := active
	// The background is trusted only when its gain over the foreground is
	// large against the difference between their echo estimates: during
	// double talk a diverging background differs much and gains little.
	// Both filters' residual echoes make up the difference too, and while
	// they are of a size, a background that cancels twice as well as the
	// foreground gains no more than their difference: the threshold is a
	// sixteenth, which lets the foreground follow a background that gains
	// a little (a quarter left speech 0.3 to 0.7 dB short of this steady
	// ERLE) and still turns away one that double talk pulled astray.
	// Nor while the near end talks, lest the background fitted to it pass
	// on: unless the background takes 6 dB off Sin, which it cannot with a
	// near talker at the level of the echo. Then the foreground failed on
	// far-end sounds it had not heard before (or, at first, on the echo of
	// a hybrid with a poor ERL, which passes the Geigel test), and the
	// background has learnt them.
	gain := c.fgErr - c.bgErr
	trust := c.dtHold == 0 || pb < pd/4
	switch {
	case active && trust && gain > 0 && gain*gain > c.fgErr*c.diff/16:
		c.fg.copyFrom(c.bg)
		copy(c.ef[:], eb)
		c.fgErr, pf = c.bgErr, pb
		py = 0
		for i := range c.ef {
			y := c.yb[fftLen-blockLen+i]
			py += y * y
		}
		py /= blockLen
	case gain < 0 && gain*gain > 4*c.fgErr*c.diff:
		// The background has diverged: start it again from the
		// foreground rather than wait for it to find its way back.
		c.bg.copyFrom(c.fg)
		c.bgErr = c.fgErr
		c.diff = 0
		adapt = false
	}
	if adapt {
		c.adapt(pyb, pb)
	}

	if c.farHold > 0 && !nt {
		c.erle.add(pd, pf)
	}

	if c.cfg.NoNLP {
		for i, e := range c.ef {
			out[i] = sat(e)
		}
		return
	}
	c.nlp.process(out, c.ef[:], pf, py, c.farHold > 0)
}

// adapt moves the background filter along the gradient of the error in
// c.buf (its last blockLen samples), each bin's step normalised by the
// far-end power in it and sized by the share of residual echo in the error,
// then constrains one partition back to partLen taps.
func (c *Canceller) adapt(py, pe float64) {
	clear(c.buf[:fftLen-blockLen])
	c.fft.forward(c.errS[:], c.buf[:])
	c.step.update(py, pe, c.dtHold == 0)
	// Proportionate steps: a partition takes a share of the step after
	// its share of the weights' norms, a quarter of it, and an even
	// share, the rest. An echo path is a few milliseconds of response
	// after a bulk delay, so most partitions hold next to nothing, and
	// the step they would waste goes where the echo is. A larger
	// proportionate share learns far-end sounds not heard before more
	// slowly: half of it left speech 0.5 to 1.5 dB short of this steady
	// ERLE, three quarters failed on the composite source signal.
	var gain [maxParts]float64
	var total float64
	for _, n := range c.bgNorm[:c.parts] {
		total += n
	}
	for k, n := range c.bgNorm[:c.parts] {
		gain[k] = 0.75/float64(c.parts) + 0.25*n/(total+1e-9)
	}
	// Each bin's step is normalised by the far-end power in it over all
	// the partitions, weighted by their steps.
	var pow [bins]float64
	for k := range c.parts {
		x := c.hist.powerAt(k * blocksPerPart)
		g := gain[k]
		for i, v := range x {
			pow[i] += g * v
		}
	}
	var mean float64
	for _, p := range pow {
		mean += p
	}
	mean /= bins
	reg := regular*fftLen + floorFrac*mean
	var scale [bins]float64
	for i, p := range pow {
		scale[i] = c.step.mu / (p + reg)
	}
	for k := range c.bg {
		x := c.hist.at(k * blocksPerPart)
		w := &c.bg[k]
		g := gain[k]
		var e float64
		for i := range w {
			d := conj(x[i]) * c.errS[i]
			s := g * scale[i]
			v := w[i] + complex(real(d)*s, imag(d)*s)
			w[i] = v
			e += real(v)*real(v) + imag(v)*imag(v)
		}
		c.bgNorm[k] = math.Sqrt(e)
	}
	// Without the constraint the weights grow taps beyond partLen that
	// wrap around the circular convolution; one partition every other
	// block keeps the cost down (two of the five transforms a block) and
	// is enough to keep them in check: the conformance figures are those
	// of one partition every block.
	c.constraint = (c.constraint + 1) % (2 * c.parts)
	if c.constraint%2 == 1 {
		return
	}
	k := c.constraint / 2
	c.fft.inverse(c.buf[:], c.bg[k][:])
	clear(c.buf[partLen:])
	c.fft.forward(c.bg[k][:], c.buf[:])
}

// nearTalks is the Geigel test: the near end talks when Sin peaks above
// half the far end's peak over the tail, which echo through a hybrid with
// the 6 dB ERL G.168 assumes at worst does not reach.
func (c *Canceller) nearTalks(near, far []int16) bool {
	var pf, pn int
	for i, v := range far {
		pf = max(pf, abs(int(v)))
		pn = max(pn, abs(int(near[i])))
	}
	c.farPeakHead = (c.farPeakHead + 1) % len(c.farPeak)
	c.farPeak[c.farPeakHead] = float64(pf)
	var m float64
	for _, p := range c.farPeak {
		m = max(m, p)
	}
	return float64(pn) > 0.5*m
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// erleMeter sums the powers of Sin and of the canceller's output over the
// last second's worth of blocks it is given: the ERLE over them is the
// power ratio, as G.168 measures it, and a bad block a second ago no
// longer weighs on it.
type erleMeter struct {
	sin, out [100]float64 // 1 s of 10 ms blocks
	next     int
	n        int
}

func (m *erleMeter) add(sin, out float64) {
	m.sin[m.next], m.out[m.next] = sin, out
	m.next = (m.next + 1) % len(m.sin)
	m.n = min(m.n+1, len(m.sin))
}

func (m *erleMeter) dB() float64 {
	if m.n == 0 {
		return 0
	}
	var ps, po float64
	for i := range m.n {
		ps += m.sin[i]
		po += m.out[i]
	}
	// An output of 1 LSB² is as far as 16-bit samples go.
	return 10 * math.Log10(max(ps, 1)/max(po, 1))
}

func sat(v float64) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	case v >= 0:
		return int16(v + 0.5)
	default:
		return int16(v - 0.5)
	}
}
