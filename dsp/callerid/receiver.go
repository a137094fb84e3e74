package callerid

import "math"

// FSK receiver design: two complex correlators, one per tone, slide over a
// window that makes mark and space orthogonal; the sign of their energy
// difference is the bit. The decision only compares energies, so it works
// the same at any level above a silence floor. A UART finds start bits on
// the mark-to-space edge, interpolated to a fraction of a sample, and reads
// the bits at their centres; a framer takes the byte after a run of marks
// as a message type and accepts the message only if its checksum and
// structure are right.

// tabLen is the common period, in samples, of 1200, 1300, 2100 and 2200 Hz
// at 8 kHz, so one table holds every tone's oscillator without drift.
const tabLen = 80

const (
	bitLen = float64(SampleRate) / baud // samples per bit, 20/3
	// silenceFloor is the level below which the receiver hears no signal.
	silenceFloor = -55.0 // dBm0
	// huntMarks is the run of mark, in bits, that must precede the message
	// type byte: less than the 80 marks of off-hook FSK, more than a noise
	// burst in a mark makes.
	huntMarks = 20
	// gapMarks ends a message whose bytes stop coming.
	gapMarks = 40
)

// A Receiver decodes one FSK caller ID standard from a stream of samples.
// The zero Receiver is not usable; make one with NewReceiver.
type Receiver struct {
	std   Standard
	tab   [tabLen][4]float64 // mark cos, mark sin, space cos, space sin
	win   int
	ring  [10][4]float64
	sum   [4]float64
	ri    int
	ti    int
	floor float64
	dprev float64

	inByte  bool
	t       float64 // samples since the start bit's leading edge
	bit     int
	shift   uint16
	markRun int // samples since the last byte, framing error or silence

	// Mark frequency check: the mark correlator's phase advance over one
	// window, summed over the mark run before a message, is zero when the
	// mark is at this standard's frequency.
	markTick  int
	markPrev  complex128
	markAcc   complex128
	msgDrift  complex128
	lastDrift complex128

	n      int // bytes in frame; 0 while hunting for a message
	frame  [maxFrame]byte
	msg    [maxFrame]byte
	msgLen int
}

// NewReceiver returns a receiver for Bell202 or V23.
func NewReceiver(std Standard) *Receiver {
	r := &Receiver{std: std}
	mark, space := std.tones()
	// The window length puts the other tone on a null of the correlator:
	// Bell 202's tones are 1000 Hz apart (8 samples), V.23's 800 Hz (10).
	r.win = int(math.Round(SampleRate / (space - mark)))
	for i := range r.tab {
		wm := 2 * math.Pi * mark * float64(i) / SampleRate
		ws := 2 * math.Pi * space * float64(i) / SampleRate
		r.tab[i] = [4]float64{math.Cos(wm), math.Sin(wm), math.Cos(ws), math.Sin(ws)}
	}
	a := Amplitude(silenceFloor) * float64(r.win) / 2
	r.floor = a * a
	return r
}

// bitCentre[k] is the time of bit k's centre after the start bit's edge.
// The correlator lags the line by half a window, and its zero crossing by
// the same amount, so the lag cancels.
var bitCentre = [bitsPerByte]float64{
	0.5 * bitLen, 1.5 * bitLen, 2.5 * bitLen, 3.5 * bitLen, 4.5 * bitLen,
	5.5 * bitLen, 6.5 * bitLen, 7.5 * bitLen, 8.5 * bitLen, 9.5 * bitLen,
}

// Process feeds samples to r. It returns after the sample that completes a
// message, with the number of samples used and true; Message then returns
// the message, and the rest of the samples go to the next Process call.
// Otherwise it uses all samples and returns false. It does not allocate.
func (r *Receiver) Process(samples []int16) (int, bool) {
	for i, s := range samples {
		x := float64(s)
		c := &r.tab[r.ti]
		old := &r.ring[r.ri]
		p0, p1, p2, p3 := x*c[0], x*c[1], x*c[2], x*c[3]
		r.sum[0] += p0 - old[0]
		r.sum[1] += p1 - old[1]
		r.sum[2] += p2 - old[2]
		r.sum[3] += p3 - old[3]
		*old = [4]float64{p0, p1, p2, p3}
		if r.ri++; r.ri == r.win {
			r.ri = 0
		}
		if r.ti++; r.ti == tabLen {
			r.ti = 0
		}
		em := r.sum[0]*r.sum[0] + r.sum[1]*r.sum[1]
		es := r.sum[2]*r.sum[2] + r.sum[3]*r.sum[3]
		d := es - em // > 0: space
		r.markRun++
		if r.inByte {
			if r.clock(d) {
				r.dprev = d
				return i + 1, true
			}
		} else if em+es < r.floor {
			r.markRun = 0
			r.n = 0
			r.markAcc = 0
		} else if d > 0 && r.dprev <= 0 {
			r.inByte = true
			r.t = d / (d - r.dprev)
			r.bit = 0
			r.shift = 0
		} else if d <= 0 {
			if r.markTick++; r.markTick == r.win {
				r.markTick = 0
				m := complex(r.sum[0], -r.sum[1])
				r.markAcc += m * complex(real(r.markPrev), -imag(r.markPrev))
				r.markPrev = m
			}
		}
		if r.n > 0 && r.markRun > gapMarks*SampleRate/baud {
			r.n = 0
		}
		r.dprev = d
	}
	return len(samples), false
}

// clock advances the UART by one sample inside a byte and reports whether
// a message has just been completed.
func (r *Receiver) clock(d float64) bool {
	r.t++
	if r.t < bitCentre[r.bit] {
		return false
	}
	// The decision at the bit centre, interpolated between two samples.
	v := d - (r.t-bitCentre[r.bit])*(d-r.dprev)
	switch {
	case r.bit == 0:
		if v <= 0 { // a glitch, not a start bit
			r.inByte = false
			return false
		}
	case r.bit < bitsPerByte-1:
		if v <= 0 {
			r.shift |= 1 << (r.bit - 1)
		}
	default:
		r.inByte = false
		if v > 0 { // framing error
			r.n = 0
			r.markRun = 0
			r.markAcc = 0
			return false
		}
		return r.byteIn(byte(r.shift))
	}
	r.bit++
	return false
}

// byteIn adds a received byte to the message being framed.
func (r *Receiver) byteIn(b byte) bool {
	idle := r.markRun - int(bitCentre[bitsPerByte-1])
	drift := r.markAcc
	r.markRun = 0
	r.markAcc = 0
	if r.n == 0 {
		if idle < huntMarks*SampleRate/baud || b != typeSDMF && b != typeMDMF && b != typeMWI {
			return false
		}
		r.msgDrift = drift
	}
	r.frame[r.n] = b
	r.n++
	if r.n < 2 || r.n < int(r.frame[1])+3 {
		return false
	}
	n := r.n
	r.n = 0
	if parseFrame(r.frame[:n], nil) != nil {
		return false
	}
	r.msgLen = copy(r.msg[:], r.frame[:n])
	r.lastDrift = r.msgDrift
	return true
}

// Message returns the message completed by the last Process call that
// returned true.
func (r *Receiver) Message() Message {
	m, _ := ParseFrame(r.msg[:r.msgLen])
	m.Standard = r.std
	return m
}

// markOffset returns how far, in Hz, the mark before the last message was
// from this standard's mark frequency.
func (r *Receiver) markOffset() float64 {
	return math.Atan2(imag(r.lastDrift), real(r.lastDrift)) * SampleRate / (2 * math.Pi * float64(r.win))
}
