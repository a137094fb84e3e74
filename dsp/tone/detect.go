package tone

import "math"

// Detector tuning. Blocks are 20 ms: long enough to tell 413 Hz from 438 Hz
// apart from a speech harmonic, short enough to time a 167 ms burst.
const (
	blockLen = 160

	minLevel     = -42.0 // dBm0; quieter blocks count as silence
	onRatio      = 0.8   // share of a block's energy the plan's sines must explain
	minShare     = 0.15  // share of that each component of a sum must have
	offTone      = 0.1   // between bursts the tone is 10 dB under the last burst,
	offDrop      = 0.25  // and whatever else is there 6 dB under it
	weakResidual = 0.3   // a block straddling a burst edge leaves little unexplained energy
	dialMinMs    = 1500  // continuous tone this long is dial tone
	mergeHz      = 15    // frequencies closer than this are one component (AU 420/425)
)

// minE is minLevel as a mean square.
var minE = zeroDBm0 * math.Pow(10, minLevel/10)

// detected lists the kinds a Detector recognises. Busy comes before
// congestion so that where a country uses one tone for both, it is
// reported as busy.
var detected = []Kind{Busy, Congestion, Ringback, Dial}

// Event reports a recognised tone. A Detector reports each tone twice: once
// when it recognises it (End is 0), and once when the tone stops (End set).
// Start and End are sample indices counted from the first sample the
// Detector was given; End is one past the tone's last sample.
type Event struct {
	Tone  Kind
	Start int64
	End   int64
}

// A Detector recognises the busy, congestion, ringback and dial tones of
// one Plan in a stream of 8 kHz samples. It keeps no statistics of what it
// hears: every decision comes from the plan's frequencies and cadences, so
// speech and music cannot teach it anything.
//
// Where a plan's congestion tone has busy tone's frequencies and cadence
// (Japan; Australia, whose congestion differs only in the level of every
// other burst) the Detector reports it as busy. Where the two differ only
// in cadence it waits until the cadence tells them apart: Spanish busy
// takes three of its cycles, being the start of Spanish congestion.
type Detector struct {
	sets []*freqSet
	m    []*matcher
	buf  [blockLen]float64
	n    int
	pos  int64 // index of the sample in buf[0]
	ev   []Event
}

type class uint8

const (
	none  class = iota // nothing followed yet
	on                 // the set's sines and little else
	off                // silence, or quiet against the last burst
	weak               // a block straddling the edge of a burst
	other              // anything else: speech, music, another tone
)

// A freqSet is one combination of frequencies the plan's tones use, with
// the least-squares machinery to measure how much of a block they explain
// and the on/off segmentation of the stream at those frequencies.
type freqSet struct {
	freqs []float64
	basis [][blockLen]float64 // sin and cos of each frequency over a block
	ginv  []float64           // inverse Gram matrix of basis, row-major
	b, c  []float64           // scratch: inner products, coefficients

	cur      class // on, off or none
	curStart int64
	weakAt   int64 // start of a pending weak block, or -1
	ref      float64
	refSum   float64
	refN     int
	dialMin  int64 // samples of continuous tone that make dial tone here
}

// A step is one on or off segment of a cadence, with its tolerance.
type step struct {
	on       bool
	nom      int64
	min, max int64
}

// A matcher follows one tone's cadence over a freqSet's segments. Each bit
// of alive is an alignment (the pattern step the run started at) that
// every segment since the run's start has agreed with.
type matcher struct {
	kind   Kind
	set    *freqSet
	pat    []step // nil for a continuous tone
	arm    uint64 // alignments a run may start at: the pattern's on steps
	alive  uint64
	count  int   // segments matched since start
	start  int64 // first sample of the run
	lastOn int64 // end of the last matched burst
	active bool  // recognised and reported
}

// NewDetector returns a Detector for the tones of p.
func NewDetector(p *Plan) *Detector {
	d := &Detector{ev: make([]Event, 0, 2*len(detected))}
	for _, k := range detected {
		t := p.Tone(k)
		freqs, pat := cadenceOf(t)
		set := d.setFor(freqs)
		if d.duplicate(set, pat) {
			continue
		}
		m := &matcher{kind: k, set: set, pat: pat}
		for i, s := range pat {
			if s.on {
				m.arm |= 1 << i
			}
		}
		d.m = append(d.m, m)
	}
	for _, s := range d.sets {
		s.dialMin = dialMinMs * 8
		for _, m := range d.m {
			if m.set == s {
				for _, st := range m.pat {
					if st.on {
						s.dialMin = max(s.dialMin, st.max+blockLen)
					}
				}
			}
		}
	}
	return d
}

// cadenceOf returns the frequencies of a tone's bursts and its cadence as
// alternating on/off steps (nil when it never stops). Amplitude modulation
// and level steps are ignored: the carrier and the timing identify it.
func cadenceOf(t *Tone) ([]float64, []step) {
	var freqs []float64
	var pat []step
	for _, s := range t.Segments {
		for _, f := range s.Freqs {
			if !hasFreq(freqs, f) {
				freqs = append(freqs, f)
			}
		}
		if s.Ms == 0 {
			return freqs, nil
		}
		isOn := len(s.Freqs) > 0
		if n := len(pat); n > 0 && pat[n-1].on == isOn {
			pat[n-1].nom += int64(s.Ms) * 8
		} else {
			pat = append(pat, step{on: isOn, nom: int64(s.Ms) * 8})
		}
	}
	for i := range pat {
		tol := max(pat[i].nom/5, 50*8) // ±20 % or ±50 ms, whichever is wider
		pat[i].min, pat[i].max = pat[i].nom-tol, pat[i].nom+tol
	}
	return freqs, pat
}

func hasFreq(fs []float64, f float64) bool {
	for _, g := range fs {
		if math.Abs(f-g) < mergeHz {
			return true
		}
	}
	return false
}

// setFor returns the freqSet for freqs, creating it if no tone so far uses
// the same frequencies.
func (d *Detector) setFor(freqs []float64) *freqSet {
	for _, s := range d.sets {
		if len(s.freqs) == len(freqs) && func() bool {
			for _, f := range freqs {
				if !hasFreq(s.freqs, f) {
					return false
				}
			}
			return true
		}() {
			return s
		}
	}
	s := newFreqSet(freqs)
	d.sets = append(d.sets, s)
	return s
}

// duplicate reports whether a tone already followed on set has a cadence
// indistinguishable from pat.
func (d *Detector) duplicate(set *freqSet, pat []step) bool {
	for _, m := range d.m {
		if m.set == set && samePattern(m.pat, pat) {
			return true
		}
	}
	return false
}

func samePattern(a, b []step) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	l := len(a) * len(b) // a common multiple of both periods
	for rot := range b {
		same := true
		for i := range l {
			x, y := a[i%len(a)], b[(i+rot)%len(b)]
			if x.on != y.on || y.nom < x.min || y.nom > x.max {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

func newFreqSet(freqs []float64) *freqSet {
	n := 2 * len(freqs)
	s := &freqSet{
		freqs:  freqs,
		basis:  make([][blockLen]float64, n),
		b:      make([]float64, n),
		c:      make([]float64, n),
		weakAt: -1,
	}
	for k, f := range freqs {
		for i := range blockLen {
			w := 2 * math.Pi * f * float64(i) / 8000
			s.basis[2*k][i] = math.Sin(w)
			s.basis[2*k+1][i] = math.Cos(w)
		}
	}
	g := make([]float64, n*n)
	for i := range n {
		for j := range n {
			for t := range blockLen {
				g[i*n+j] += s.basis[i][t] * s.basis[j][t]
			}
		}
	}
	s.ginv = invert(g, n)
	return s
}

// invert returns the inverse of the n×n matrix a (row-major) by
// Gauss-Jordan elimination with partial pivoting. Gram matrices of distinct
// frequencies are positive definite, so a pivot is always found.
func invert(a []float64, n int) []float64 {
	inv := make([]float64, n*n)
	for i := range n {
		inv[i*n+i] = 1
	}
	for col := range n {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r*n+col]) > math.Abs(a[p*n+col]) {
				p = r
			}
		}
		for j := range n {
			a[col*n+j], a[p*n+j] = a[p*n+j], a[col*n+j]
			inv[col*n+j], inv[p*n+j] = inv[p*n+j], inv[col*n+j]
		}
		d := a[col*n+col]
		for j := range n {
			a[col*n+j] /= d
			inv[col*n+j] /= d
		}
		for r := range n {
			if r == col {
				continue
			}
			f := a[r*n+col]
			for j := range n {
				a[r*n+j] -= f * a[col*n+j]
				inv[r*n+j] -= f * inv[col*n+j]
			}
		}
	}
	return inv
}

// Process takes the next samples of the stream, in blocks of any size, and
// returns what it recognised or saw end. The returned slice is reused by the
// next call.
func (d *Detector) Process(samples []int16) []Event {
	d.ev = d.ev[:0]
	for len(samples) > 0 {
		k := copy16(d.buf[d.n:], samples)
		d.n += k
		samples = samples[k:]
		if d.n == blockLen {
			d.block()
			d.n = 0
			d.pos += blockLen
		}
	}
	return d.ev
}

func copy16(dst []float64, src []int16) int {
	n := min(len(dst), len(src))
	for i := range n {
		dst[i] = float64(src[i])
	}
	return n
}

// Flush ends every tone still sounding at the end of the stream, and starts
// the Detector afresh.
func (d *Detector) Flush() []Event {
	d.ev = d.ev[:0]
	for _, s := range d.sets {
		d.interrupt(s, d.pos+int64(d.n))
	}
	return d.ev
}

func (d *Detector) block() {
	var e float64
	for _, v := range d.buf {
		e += v * v
	}
	e /= blockLen
	for _, s := range d.sets {
		d.advance(s, s.classify(&d.buf, e), e)
	}
}

// classify says what block x, of mean square e, is at the set's frequencies.
func (s *freqSet) classify(x *[blockLen]float64, e float64) class {
	n := len(s.b)
	for i := range n {
		var dot float64
		for t, v := range x {
			dot += v * s.basis[i][t]
		}
		s.b[i] = dot
	}
	var p float64 // squared norm of the least-squares fit
	for i := range n {
		var c float64
		for j := range n {
			c += s.ginv[i*n+j] * s.b[j]
		}
		s.c[i] = c
		p += c * s.b[i]
	}
	p /= blockLen
	if e >= minE && p >= onRatio*e && s.balanced(p) {
		return on
	}
	if e < minE || (s.ref > 0 && p < offTone*s.ref && e < offDrop*s.ref) {
		return off
	}
	if s.ref > 0 && e-p < weakResidual*s.ref {
		return weak
	}
	return other
}

// balanced reports whether every component carries its share of the fit p:
// a plain 400 Hz tone must not pass for 400+450 Hz.
func (s *freqSet) balanced(p float64) bool {
	if len(s.freqs) == 1 {
		return true
	}
	for k := range s.freqs {
		a, b := s.c[2*k], s.c[2*k+1]
		if (a*a+b*b)/2 < minShare*p {
			return false
		}
	}
	return true
}

// advance moves the set's segmentation on by the block at d.pos.
func (d *Detector) advance(s *freqSet, c class, e float64) {
	t := d.pos
	switch c {
	case weak:
		if s.weakAt >= 0 {
			d.interrupt(s, s.weakAt)
			return
		}
		s.weakAt = t
		return
	case other:
		if s.weakAt >= 0 {
			t = s.weakAt
		}
		d.interrupt(s, t)
		return
	}
	at := t
	if s.weakAt >= 0 {
		// A burst edge inside the weak block: put it in the middle.
		at = s.weakAt + blockLen/2
		s.weakAt = -1
	}
	if c != s.cur {
		if s.cur != none {
			d.segment(s, s.cur == on, s.curStart, at)
		}
		s.cur, s.curStart = c, at
		if c == on {
			s.refSum, s.refN = 0, 0
		}
	}
	if c == on {
		s.refSum += e
		s.refN++
		s.ref = s.refSum / float64(s.refN)
	}
	d.ongoing(s, t+blockLen)
}

// segment feeds a finished segment to the set's matchers.
func (d *Detector) segment(s *freqSet, isOn bool, start, end int64) {
	for _, m := range d.m {
		if m.set != s {
			continue
		}
		if m.pat == nil {
			if isOn && m.active {
				d.end(m, end)
			}
			continue
		}
		if m.alive != 0 {
			if m.alive = m.match(isOn, end-start); m.alive != 0 {
				m.count++
				if isOn {
					m.lastOn = end
				}
				continue
			}
			if m.active {
				d.end(m, m.lastOn)
			}
		}
		if isOn {
			// A burst that breaks a run may start the next one.
			m.count, m.start, m.alive = 0, start, m.arm
			if m.alive = m.match(true, end-start); m.alive != 0 {
				m.count, m.lastOn = 1, end
			}
		}
	}
	d.recognise(s)
}

// match returns the alignments that agree with one more segment.
func (m *matcher) match(isOn bool, dur int64) uint64 {
	var keep uint64
	for a := m.alive; a != 0; a &= a - 1 {
		p := trailingZeros(a)
		st := m.pat[(p+m.count)%len(m.pat)]
		if st.on == isOn && dur >= st.min && dur <= st.max {
			keep |= 1 << p
		}
	}
	return keep
}

func trailingZeros(a uint64) int {
	n := 0
	for a&1 == 0 {
		a >>= 1
		n++
	}
	return n
}

// ongoing checks the unfinished segment, now lasting until sample now,
// against every matcher: an alignment dies as soon as the segment outlasts
// its step, and continuous tone is recognised once it has lasted long
// enough not to be a burst of anything else.
func (d *Detector) ongoing(s *freqSet, now int64) {
	dur := now - s.curStart
	for _, m := range d.m {
		if m.set != s {
			continue
		}
		if m.pat == nil {
			if s.cur == on && !m.active && dur >= s.dialMin && !d.owned(s) {
				m.active, m.start = true, s.curStart
				d.ev = append(d.ev, Event{Tone: m.kind, Start: m.start})
			}
			continue
		}
		if m.alive == 0 {
			continue
		}
		var keep uint64
		for a := m.alive; a != 0; a &= a - 1 {
			p := trailingZeros(a)
			st := m.pat[(p+m.count)%len(m.pat)]
			if st.on == (s.cur == on) && dur <= st.max {
				keep |= 1 << p
			}
		}
		if m.alive = keep; keep == 0 && m.active {
			d.end(m, m.lastOn)
		}
	}
}

// owned reports whether a tone on s is already recognised.
func (d *Detector) owned(s *freqSet) bool {
	for _, m := range d.m {
		if m.set == s && m.active {
			return true
		}
	}
	return false
}

// recognise reports a cadenced tone once it has matched a whole period and
// one more burst, and no other tone on the same frequencies that started no
// later still fits.
func (d *Detector) recognise(s *freqSet) {
	if d.owned(s) {
		return
	}
	for _, m := range d.m {
		if m.set != s || m.pat == nil || m.alive == 0 || m.count < len(m.pat)+1 {
			continue
		}
		rival := false
		for _, o := range d.m {
			if o != m && o.set == s && o.pat != nil && o.alive != 0 && o.start <= m.start {
				rival = true
			}
		}
		if !rival {
			m.active = true
			d.ev = append(d.ev, Event{Tone: m.kind, Start: m.start})
			return
		}
	}
}

// interrupt ends the set's run at sample at: something that is neither the
// tone nor silence came in, or the stream ended.
func (d *Detector) interrupt(s *freqSet, at int64) {
	for _, m := range d.m {
		if m.set != s {
			continue
		}
		if m.active {
			end := m.lastOn
			if s.cur == on && (m.pat == nil || m.alive != 0) {
				end = at // cut off mid-burst
			}
			d.end(m, end)
		}
		m.alive, m.count = 0, 0
	}
	s.cur, s.weakAt, s.ref = none, -1, 0
}

func (d *Detector) end(m *matcher, at int64) {
	m.active = false
	d.ev = append(d.ev, Event{Tone: m.kind, Start: m.start, End: at})
}
