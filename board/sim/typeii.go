package sim

import (
	"math"
	"time"

	"tipring/dsp/callerid"
	"tipring/dsp/dtmf"
	"tipring/hal"
)

// typeII is what a Type II phone does in a call: it hears the CAS alert
// (2130 and 2750 Hz together) that comes before call-waiting caller ID,
// answers it with its ACK digit once the alert is over, and decodes the FSK
// that follows into its display.
type typeII struct {
	off    bool            // the phone ignores the alert, as a Type I phone does
	digit  byte            // the ACK: D (Bell 202 countries) or A (ETSI)
	ack    *dtmf.Generator // sends the ACK
	heard  int             // frames of CAS heard in a row
	listen int             // samples left in which FSK may come
	det    *callerid.Detector
	buf    hal.Frame
}

// Timing of the phone's side of call-waiting caller ID.
const (
	casFrames = 2                       // frames of CAS, 40 ms, that make an alert (it lasts 80 ms)
	ackLen    = 60 * time.Millisecond   // the ACK digit
	fskWindow = 1500 * time.Millisecond // after the ACK, for the data to come and end
)

func newTypeII(std callerid.Standard) typeII {
	t := typeII{digit: 'A', det: callerid.NewDetector()}
	if std == callerid.Bell202 {
		t.digit = 'D'
	}
	var err error
	if t.ack, err = dtmf.NewGenerator(dtmf.GenOpts{Level: -8, Twist: 2, On: ackLen, Off: ackLen}); err != nil {
		panic(err) // the options are valid
	}
	return t
}

// send mixes the ACK, while it lasts, into what the phone sends.
func (t *typeII) send(out *hal.Frame) {
	if !t.ack.Busy() {
		return
	}
	t.ack.Read(t.buf[:])
	for i, s := range t.buf {
		out[i] = sat16(int32(out[i]) + int32(s))
	}
}

// hear takes a frame the phone hears off hook, and reports a caller ID it
// decoded.
func (t *typeII) hear(in *hal.Frame) (callerid.Message, bool) {
	var msg callerid.Message
	found := false
	if t.listen > 0 {
		t.listen -= len(in)
		for s := in[:]; len(s) > 0; {
			n, done := t.det.Process(s)
			s = s[n:]
			if done {
				msg, found, t.listen = t.det.Message(), true, 0
			}
		}
	}
	switch {
	case isCAS(in[:]):
		t.heard++
	case t.heard >= casFrames && !t.off:
		t.ack.Queue(string(t.digit))
		t.listen, t.det = int(fskWindow*hal.SampleRate/time.Second), callerid.NewDetector()
		t.heard = 0
	default:
		t.heard = 0
	}
	return msg, found && msg.VMWI == callerid.VMWINone
}

// isCAS reports whether a frame is the CAS alert: both its tones strong,
// and little else.
func isCAS(x []int16) bool {
	var e float64
	for _, v := range x {
		e += float64(v) * float64(v)
	}
	if e < float64(len(x))*100*100 {
		return false
	}
	// A sine of amplitude A over N samples has Goertzel power (A·N/2)² and
	// energy A²·N/2; each of the CAS's two tones, of equal level, thus has
	// 4|X|²/N equal to the energy of the whole frame; 0.7 of it lets some
	// noise in, not a third tone as strong.
	for _, f := range []float64{2130, 2750} {
		if goertzel(x, f)*4/float64(len(x)) < 0.7*e {
			return false
		}
	}
	return true
}

// goertzel returns |X(f)|², the power of x at frequency f.
func goertzel(x []int16, f float64) float64 {
	c := 2 * math.Cos(2*math.Pi*f/hal.SampleRate)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	return s1*s1 + s2*s2 - c*s1*s2
}
