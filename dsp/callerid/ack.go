package callerid

import "tipring/dsp/dtmf"

// An AckDetector listens, after a CAS alert, for the phone's acknowledgement
// that it is ready for call-waiting caller ID: DTMF A or D (GR-30-CORE,
// EN 300 659-2). How long to listen is the plan's StepAwaitAck.
type AckDetector struct {
	det *dtmf.Detector
}

// NewAckDetector returns an AckDetector.
func NewAckDetector() *AckDetector {
	return &AckDetector{det: dtmf.NewDetector(dtmf.ATT)}
}

// Process feeds samples from the phone and returns the ACK digit, 'A' or
// 'D', once it is recognised, or 0.
func (a *AckDetector) Process(samples []int16) byte {
	a.det.Process(samples)
	var ack byte
	for e, ok := a.det.Next(); ok; e, ok = a.det.Next() {
		if e.Kind == dtmf.DigitStart && (e.Digit == 'A' || e.Digit == 'D') {
			ack = e.Digit
		}
	}
	return ack
}
