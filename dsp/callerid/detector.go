package callerid

import "math"

// markTolerance is how far, in Hz, the mark before a message may be from a
// receiver's mark frequency for the Detector to credit that standard. Bell
// 202 and V.23 marks are 100 Hz apart, and each receiver decodes the
// other's signal too, so the mark frequency is what tells them apart.
const markTolerance = 50

// A Detector decodes caller ID of any standard from a stream of samples and
// says which standard it was.
type Detector struct {
	bell, v23 *Receiver
	dtmf      *DTMFReceiver
	msg       Message
}

// NewDetector returns a Detector.
func NewDetector() *Detector {
	return &Detector{bell: NewReceiver(Bell202), v23: NewReceiver(V23), dtmf: NewDTMFReceiver()}
}

// Process feeds samples to d, with the same contract as Receiver.Process,
// except that it may use up to 40 samples past the end of the message.
func (d *Detector) Process(samples []int16) (int, bool) {
	used := 0
	for used < len(samples) {
		k := min(dtmfChunk, len(samples)-used)
		chunk := samples[used : used+k]
		used += k
		found := d.fsk(d.bell, chunk)
		if d.fsk(d.v23, chunk) {
			found = true
		}
		for c := chunk; len(c) > 0; {
			n, ok := d.dtmf.Process(c)
			if ok {
				d.msg, found = d.dtmf.Message(), true
			}
			c = c[n:]
		}
		if found {
			return used, true
		}
	}
	return used, false
}

// fsk runs one FSK receiver over chunk and keeps a message it decodes if
// the mark before it was at the receiver's own frequency.
func (d *Detector) fsk(r *Receiver, chunk []int16) bool {
	found := false
	for len(chunk) > 0 {
		n, ok := r.Process(chunk)
		if ok && math.Abs(r.markOffset()) < markTolerance {
			d.msg, found = r.Message(), true
		}
		chunk = chunk[n:]
	}
	return found
}

// Message returns the message completed by the last Process call that
// returned true.
func (d *Detector) Message() Message { return d.msg }

// Decode returns the caller ID messages of any standard found in samples.
func Decode(samples []int16) []Message {
	d := NewDetector()
	var ms []Message
	for len(samples) > 0 {
		n, ok := d.Process(samples)
		if ok {
			ms = append(ms, d.Message())
		}
		samples = samples[n:]
	}
	return ms
}
