package callerid

import "tipring/dsp/dtmf"

// dtmfChunk is how many samples a DTMFReceiver gives its digit detector at a
// time, so that it can stop soon after the end digit.
const dtmfChunk = 40

// dtmfTimeout abandons a digit string that stops without its end digit:
// caller ID digits follow each other within about 100 ms.
const dtmfTimeout = SampleRate / 2 // samples

// A DTMFReceiver decodes DTMF caller ID of every variant from a stream of
// samples.
type DTMFReceiver struct {
	det    *dtmf.Detector
	buf    [maxNumber + 4]byte // start digit, code or number, end digit
	n      int
	quiet  int // samples since the last digit
	msg    [maxNumber + 4]byte
	msgLen int
}

// NewDTMFReceiver returns a DTMF caller ID receiver.
func NewDTMFReceiver() *DTMFReceiver {
	return &DTMFReceiver{det: dtmf.NewDetector(dtmf.ATT)}
}

// Process feeds samples to r, with the same contract as Receiver.Process,
// except that it may use up to 40 samples past the end of the message.
func (r *DTMFReceiver) Process(samples []int16) (int, bool) {
	used := 0
	for used < len(samples) {
		k := min(dtmfChunk, len(samples)-used)
		r.det.Process(samples[used : used+k])
		used += k
		r.quiet += k
		if r.n > 0 && r.quiet > dtmfTimeout {
			r.n = 0
		}
		done := false
		for e, ok := r.det.Next(); ok; e, ok = r.det.Next() {
			if e.Kind == dtmf.DigitStart && r.digit(e.Digit) {
				done = true
			}
		}
		if done {
			return used, true
		}
	}
	return used, false
}

// digit adds a received digit and reports whether it completed a message.
func (r *DTMFReceiver) digit(d byte) bool {
	r.quiet = 0
	switch {
	case d == 'A' || d == 'B' || d == 'D':
		r.buf[0], r.n = d, 1 // a start digit always starts afresh
		return false
	case r.n == 0:
		return false
	case d == 'C' || d == '#':
		r.buf[r.n] = d
		n := r.n + 1
		r.n = 0
		if _, ok := parseDTMF(r.buf[:n]); !ok {
			return false
		}
		r.msgLen = copy(r.msg[:], r.buf[:n])
		return true
	case r.n == len(r.buf)-1:
		r.n = 0
		return false
	}
	r.buf[r.n] = d
	r.n++
	return false
}

// Message returns the message completed by the last Process call that
// returned true.
func (r *DTMFReceiver) Message() Message {
	m, _ := parseDTMF(r.msg[:r.msgLen])
	return m
}

// parseDTMF decodes a caller ID digit string, from start to end digit, and
// names the variant its digits show. Brazil sends the ETSI digits, so it
// reads as DTMF.
func parseDTMF(s []byte) (Message, bool) {
	if len(s) < 3 {
		return Message{}, false
	}
	start, body, end := s[0], s[1:len(s)-1], s[len(s)-1]
	for _, c := range body {
		if c < '0' || c > '9' {
			return Message{}, false
		}
	}
	m := Message{Standard: DTMF}
	if end == '#' {
		m.Standard = DTMFDenmark
	}
	switch {
	case start == 'B' && end == 'C' && len(body) == 2:
		m.NumberReason = ReasonOutOfArea
		if string(body) == "10" {
			m.NumberReason = ReasonPrivate
		}
	case start == 'D' && end == '#' && len(body) == 1:
		m.NumberReason = ReasonOutOfArea
		if body[0] == '1' {
			m.NumberReason = ReasonPrivate
		}
	case start == 'A' || start == 'D':
		if start == 'D' && end == 'C' {
			m.Standard = DTMFIndia
		}
		m.Number = string(body)
	default:
		return Message{}, false
	}
	return m, true
}
