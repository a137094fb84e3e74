package dtmf

import (
	"math"
	"math/cmplx"
)

// The detector looks at the signal in half-blocks of halfBlock samples (5 ms).
// A Goertzel filter per Q.23 frequency gives each half-block's complex
// spectrum there; every half-block it judges the last four (a 20 ms window)
// as three overlapping 10 ms DFTs. Their magnitudes give the tone levels,
// and the phase each DFT advances from one to the next (5 ms later) gives
// each tone's frequency offset directly, so the ±1.5 % / ±3.5 % limits are
// met by measurement, not by hoping a filter's skirt lands between them.
const (
	nFilters  = 10 // the eight Q.23 tones, then the two of North American dial tone
	nDial     = 8
	halfBlock = 40
	window    = 4 // half-blocks judged at once
	history   = 8 // half-blocks remembered, for timing a digit's edges
)

// A digit starts after onRun consecutive windows agree on it and ends after
// offRun consecutive windows do not. A window only agrees when each of its
// half-blocks carries at least half the amplitude of the strongest, so with
// 5 ms steps a 23 ms burst gives at most 2 agreeing windows and a 40 ms one
// at least 5; a 10 ms break spoils at most 5 windows, a 30 ms pause at least 9.
const (
	onRun  = 3
	offRun = 7
)

// Thresholds shared by both profiles.
const (
	// A tone's frequency may be off by up to freqLimit of nominal: midway
	// between the 1.5 % that must operate and the 3.5 % that must not.
	freqLimit = 0.025
	// The two tones must carry at least minShare of the window's energy,
	// not counting dial tone (filters nDial on): speech falls short of it.
	minShare = 0.85
	// Each half-block must carry at least minBalance of the amplitude of
	// the window's strongest.
	minBalance = 0.5
	// Twist is measured on DFTs that frequency offsets and the other tone
	// bend by a dB or so; Q.24 sets no twist that must fail, so the limits
	// get twistMargin dB of room.
	twistMargin = 2
)

// A Profile is the set of receiver limits from one column of ITU-T Q.24.
type Profile struct {
	Name string
	// MinLevel is the level in dBm0 below which a tone does not count.
	MinLevel float64
	// NormalTwist is how many dB the high-group tone may be below the low
	// group; ReverseTwist how many dB it may be above.
	NormalTwist, ReverseTwist float64
}

// Q.24 receiver profiles.
var (
	// ATT is the North American (AT&T) column: tones from 0 to −25 dBm0
	// operate, −55 dBm0 does not; twist 8 dB normal, 4 dB reverse.
	ATT = Profile{Name: "att", MinLevel: -36, NormalTwist: 8, ReverseTwist: 4}
	// NTT is the Japanese (NTT) column: a narrower level range and 5 dB of
	// twist either way.
	NTT = Profile{Name: "ntt", MinLevel: -30, NormalTwist: 5, ReverseTwist: 5}
)

// Kind says which edge of a digit an Event reports.
type Kind uint8

// Event kinds.
const (
	// DigitStart is reported as soon as a digit is recognised, about 25 ms
	// after its tones begin, so a gateway can send an RFC 4733 event while
	// the key is still down.
	DigitStart Kind = iota + 1
	// DigitEnd is reported once the digit's tones have stopped for good.
	DigitEnd
)

func (k Kind) String() string {
	switch k {
	case DigitStart:
		return "start"
	case DigitEnd:
		return "end"
	}
	return "unknown"
}

// An Event is the start or the end of one digit. Times are sample indexes
// counted from the first sample given to the Detector.
type Event struct {
	Kind  Kind
	Digit byte
	// Start is the first sample of the digit's tones.
	Start int64
	// End is the sample after the last one of the digit's tones; it is
	// only known, and only set, in DigitEnd events.
	End int64
}

// eventCap is how many undelivered events a Detector keeps; Next should be
// called after every Process of up to a second or so of samples.
const eventCap = 32

// A Detector recognises DTMF digits in a stream of 8 kHz samples given to
// Process in blocks of any size; the results do not depend on the sizes.
// It never allocates after NewDetector.
type Detector struct {
	prof     Profile
	minPow   float64 // MinLevel as a sum of three 10 ms DFT powers
	twistLo  float64 // least high/low power ratio
	twistHi  float64 // greatest high/low power ratio
	maxTan   [nFilters]float64
	coef     [nFilters]float64 // Goertzel feedback, 2cos ω
	cos, sin [nFilters]float64 // of ω, to read a Goertzel filter's DFT
	// A half-block's DFT has its phase measured from the half-block's
	// start; turn, e^{jωH}, brings the one before it to the same origin.
	turn [nFilters]complex128

	// The samples of the last window half-blocks, the current one being
	// filled; the filters run once a half-block is complete.
	x      [window][halfBlock]int16
	filled int

	// Ring of the last half-blocks, counted by half: their DFTs z, the 10 ms
	// DFTs u of each with the one before and their powers, and energies.
	z    [history][nDial]complex128
	u    [history][nDial]complex128
	pu   [history][nDial]float64
	e    [history]float64
	half int64
	// DFTs of the dial-tone filters, per slot of x, and whether they are
	// computed: only windows that would hold a digit but for dial tone
	// need them.
	dz     [window][nFilters - nDial]complex128
	dialOK [window]bool

	cand     byte  // digit the latest windows agree on, or 0
	candRun  int   // how many windows in a row
	candFrom int64 // first half-block of the first of those windows
	digit    byte  // digit in progress, or 0
	row, col int   // its tones' filters
	start    int64 // its start
	fails    int   // windows in a row since it was last seen
	end      int64 // where it ended, if it does not come back

	events     [eventCap]Event
	evHead, ev int
}

// NewDetector returns a Detector with the limits of profile p.
func NewDetector(p Profile) *Detector {
	d := &Detector{prof: p}
	a := 20 * peak(p.MinLevel) // a 10 ms DFT's magnitude for that level
	d.minPow = 3 * a * a
	d.twistLo = math.Pow(10, -(p.NormalTwist+twistMargin)/10)
	d.twistHi = math.Pow(10, (p.ReverseTwist+twistMargin)/10)
	for i := range nFilters {
		var f float64
		switch {
		case i < 4:
			f = lowFreqs[i]
		case i < nDial:
			f = highFreqs[i-4]
		default:
			f = dialFreqs[i-nDial]
		}
		w := 2 * math.Pi * f / SampleRate
		d.coef[i] = 2 * math.Cos(w)
		d.sin[i], d.cos[i] = math.Sincos(w)
		d.turn[i] = cmplx.Rect(1, w*halfBlock)
		d.maxTan[i] = math.Tan(2 * math.Pi * freqLimit * f * halfBlock / SampleRate)
	}
	return d
}

// Profile returns the limits the Detector applies.
func (d *Detector) Profile() Profile { return d.prof }

// Process takes the next samples of the stream.
func (d *Detector) Process(samples []int16) {
	for len(samples) > 0 {
		n := copy(d.x[d.half%window][d.filled:], samples)
		samples = samples[n:]
		d.filled += n
		if d.filled == halfBlock {
			d.endHalfBlock()
		}
	}
}

// dft returns the DFT at filter i's frequency that a Goertzel filter left
// in state s1, s2.
func (d *Detector) dft(i int, s1, s2 float64) complex128 {
	return complex(s1-d.cos[i]*s2, d.sin[i]*s2)
}

// filter puts in z the DFTs of half-block x at the DTMF frequencies and
// returns its energy.
func (d *Detector) filter(z *[nDial]complex128, x *[halfBlock]int16) (energy int64) {
	var s [2 * nDial]float64
	goertzel(x, (*[nDial]float64)(d.coef[:nDial]), &s)
	for i := range z {
		z[i] = d.dft(i, s[i], s[nDial+i])
	}
	for _, v := range x {
		energy += int64(v) * int64(v)
	}
	return energy
}

// endHalfBlock stores the half-block's DFTs, judges the window it
// completes and moves the digit state on.
func (d *Detector) endHalfBlock() {
	k := ring(d.half)
	prev, prev2 := ring(d.half+history-1), ring(d.half+history-2)
	x := &d.x[d.half%window]
	z := &d.z[k]
	e := d.filter(z, x)
	// pow sums the three 10 ms powers of the window, while they are at hand.
	var pow [nDial]float64
	for i, zi := range z {
		u := zi
		if d.half > 0 {
			u += d.turn[i] * d.z[prev][i]
		}
		p := abs2(u)
		d.u[k][i], d.pu[k][i] = u, p
		pow[i] = d.pu[prev2][i] + d.pu[prev][i] + p
	}
	d.e[k] = float64(e) // exact: at most 40·2³⁰
	d.dialOK[d.half%window] = false
	d.filled = 0
	if d.half >= window-1 {
		d.step(d.judge(&pow))
	}
	d.half++
}

// dialPow returns the powers of the dial-tone filters summed over the
// window's three 10 ms DFTs, running the filters on the half-blocks that
// have not had them.
func (d *Detector) dialPow() [nFilters - nDial]float64 {
	for h := d.half - (window - 1); h <= d.half; h++ {
		k := h % window
		if d.dialOK[k] {
			continue
		}
		x := &d.x[k]
		c0, c1 := d.coef[nDial], d.coef[nDial+1]
		var a0, a1, b0, b1 float64
		for _, s := range x {
			v := float64(s)
			a0, b0 = c0*a0-(b0-v), a0
			a1, b1 = c1*a1-(b1-v), a1
		}
		d.dz[k] = [2]complex128{d.dft(nDial, a0, b0), d.dft(nDial+1, a1, b1)}
		d.dialOK[k] = true
	}
	var p [nFilters - nDial]float64
	for h := d.half - (window - 2); h <= d.half; h++ {
		k, prev := h%window, (h-1)%window
		for i := range p {
			p[i] += abs2(d.dz[k][i] + d.turn[nDial+i]*d.dz[prev][i])
		}
	}
	return p
}

// ring returns the ring slot of half-block k, which must be in the ring.
func ring(k int64) int { return int(k % history) }

func abs2(z complex128) float64 { return real(z)*real(z) + imag(z)*imag(z) }

// judge returns the digit the window ending with the current half-block
// holds, or 0, given the powers of its 10 ms DFTs summed.
func (d *Detector) judge(pow *[nDial]float64) byte {
	k0, k1, k2, k3 := ring(d.half-3), ring(d.half-2), ring(d.half-1), ring(d.half)
	r, c := 0, 4
	for i := 1; i < 4; i++ {
		if pow[i] > pow[r] {
			r = i
		}
		if pow[i+4] > pow[c] {
			c = i + 4
		}
	}
	pr, pc := pow[r], pow[c]
	if pr < d.minPow || pc < d.minPow {
		return 0
	}
	if pc < pr*d.twistLo || pc > pr*d.twistHi {
		return 0
	}
	// A tone of amplitude A gives a 10 ms DFT of magnitude 40A, power
	// 1600A², over 80 samples of energy 40A²: power/(40·energy) = 1.
	e := 40 * (d.e[k0] + 2*d.e[k1] + 2*d.e[k2] + d.e[k3])
	if !d.filled4(r, c) || !d.onFrequency(r) || !d.onFrequency(c) {
		return 0
	}
	// Dial tone, when the tones fall short without discounting it, is
	// judged last: it takes filtering.
	if pr+pc < minShare*e {
		p := d.dialPow()
		if pr+pc < minShare*(e-p[0]-p[1]) {
			return 0
		}
	}
	return keypad[r][c-4]
}

// filled4 reports whether the two tones, together, keep their amplitude
// across the window's half-blocks. Together, because a 5 ms DFT of the
// weaker one still carries some of the stronger.
func (d *Detector) filled4(r, c int) bool {
	lo, hi := math.Inf(1), 0.0
	for k := d.half - 3; k <= d.half; k++ {
		a := d.mag(k, r) + d.mag(k, c)
		// Plain comparisons: min and max would also handle NaN and -0,
		// which sums of square roots are not.
		if a < lo {
			lo = a
		}
		if a > hi {
			hi = a
		}
	}
	return lo >= minBalance*hi
}

// onFrequency reports whether tone i is within freqLimit of nominal: a
// 10 ms DFT advances in phase by 2π·Δf·5 ms from one half-block to the next.
func (d *Detector) onFrequency(i int) bool {
	u0, u1, u2 := d.u[ring(d.half-2)][i], d.u[ring(d.half-1)][i], d.u[ring(d.half)][i]
	p := (u1*cmplx.Conj(u0) + u2*cmplx.Conj(u1)) * cmplx.Conj(d.turn[i])
	return real(p) > 0 && math.Abs(imag(p)) <= d.maxTan[i]*real(p)
}

// step moves the digit state on by one window whose verdict is w.
func (d *Detector) step(w byte) {
	k := d.half
	switch {
	case w == 0:
		d.cand, d.candRun = 0, 0
	case w == d.cand:
		d.candRun++
	default:
		d.cand, d.candRun, d.candFrom = w, 1, k-(window-1)
	}
	if d.digit != 0 {
		if w == d.digit {
			d.fails = 0
		} else {
			if d.fails == 0 {
				d.end = d.endEdge(k - 1)
			}
			d.fails++
			if d.fails < offRun {
				return
			}
			d.push(Event{Kind: DigitEnd, Digit: d.digit, Start: d.start, End: d.end})
			d.digit = 0
		}
	}
	if d.digit == 0 && d.candRun >= onRun {
		d.digit, d.fails = d.cand, 0
		d.row, d.col, _ = position(d.cand)
		d.col += 4
		d.start = d.startEdge(d.candFrom)
		d.push(Event{Kind: DigitStart, Digit: d.digit, Start: d.start})
	}
}

// amp is the summed magnitude of the digit's two tones in half-block k.
func (d *Detector) amp(k int64) float64 {
	if k < 0 {
		return 0 // before the stream began
	}
	return d.mag(k, d.row) + d.mag(k, d.col)
}

// mag is the magnitude of filter i's DFT of half-block k.
func (d *Detector) mag(k int64, i int) float64 { return math.Sqrt(abs2(d.z[ring(k)][i])) }

// cover estimates what fraction of half-block k the digit's tones fill,
// from their amplitude there against ref, that of a filled half-block.
func (d *Detector) cover(k int64, ref float64) float64 {
	return min(1, d.amp(k)/ref)
}

// startEdge places the start of the tones in the window that begins with
// half-block k and is the first to hold the digit: tones that began inside
// an edge half-block fill it in proportion to their amplitude there.
func (d *Detector) startEdge(k int64) int64 {
	ref := max(d.amp(k+1), d.amp(k+2))
	t := float64(k+1)*halfBlock - halfBlock*(d.cover(k, ref)+d.cover(k-1, ref))
	return int64(math.Round(t))
}

// endEdge places the end of the tones in the window that ends with
// half-block k and is the last to hold the digit.
func (d *Detector) endEdge(k int64) int64 {
	ref := max(d.amp(k-2), d.amp(k-1))
	t := float64(k)*halfBlock + halfBlock*(d.cover(k, ref)+d.cover(k+1, ref))
	return int64(math.Round(t))
}

// push queues an event, dropping the oldest when the caller has not kept up.
func (d *Detector) push(e Event) {
	if d.ev == eventCap {
		d.evHead = (d.evHead + 1) % eventCap
		d.ev--
	}
	d.events[(d.evHead+d.ev)%eventCap] = e
	d.ev++
}

// Next returns the oldest event not yet returned; ok is false when there is
// none.
func (d *Detector) Next() (e Event, ok bool) {
	if d.ev == 0 {
		return Event{}, false
	}
	e = d.events[d.evHead]
	d.evHead = (d.evHead + 1) % eventCap
	d.ev--
	return e, true
}
