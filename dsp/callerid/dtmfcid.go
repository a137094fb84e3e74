package callerid

import (
	"fmt"
	"time"

	"tipring/dsp/dtmf"
)

// DTMF caller ID digit strings. The ETSI form (ETS 300 659-1 annex C for
// DTMF-based networks, used in the Netherlands, Belgium, Finland, Sweden,
// Brazil...) is A number C, or B and a two-digit code when the number is
// absent: 00 unavailable, 10 withheld. The Danish form ends with # and codes
// an absent number as D1 (withheld), D2 (international) or D3 (technical).
// The Indian form starts the number with D.
type dtmfForm struct {
	start, end byte
	absent     byte   // start digit of an absence code
	private    string // absence code: withheld by the caller
	outOfArea  string // absence code: unavailable
}

func (s Standard) dtmfForm() dtmfForm {
	switch s {
	case DTMFDenmark:
		return dtmfForm{start: 'A', end: '#', absent: 'D', private: "1", outOfArea: "2"}
	case DTMFIndia:
		return dtmfForm{start: 'D', end: 'C', absent: 'B', private: "10", outOfArea: "00"}
	}
	return dtmfForm{start: 'A', end: 'C', absent: 'B', private: "10", outOfArea: "00"}
}

// DTMF caller ID digits are sent faster than dialled digits: 60 ms of tone
// and 60 ms of pause, above the 50 ms that Danish and ETSI receivers must
// detect.
const (
	dtmfOn  = 60 * time.Millisecond
	dtmfOff = 60 * time.Millisecond
)

// Digits returns the DTMF digit string that carries m in standard s.
func (s Standard) Digits(m Message) (string, error) {
	if !s.isDTMF() {
		return "", fmt.Errorf("%w: %v is not a DTMF standard", ErrFormat, s)
	}
	if m.Name != "" || m.NameReason != ReasonNone || m.VMWI != VMWINone || !m.Time.IsZero() {
		return "", fmt.Errorf("%w: DTMF caller ID carries only a number", ErrFormat)
	}
	f := s.dtmfForm()
	switch m.NumberReason {
	case ReasonPrivate:
		return string([]byte{f.absent}) + f.private + string([]byte{f.end}), nil
	case ReasonOutOfArea:
		return string([]byte{f.absent}) + f.outOfArea + string([]byte{f.end}), nil
	case ReasonNone:
	default:
		return "", fmt.Errorf("%w: reason %q", ErrInvalid, byte(m.NumberReason))
	}
	if m.Number == "" || len(m.Number) > maxNumber {
		return "", fmt.Errorf("%w: DTMF number must have 1 to %d digits", ErrInvalid, maxNumber)
	}
	for i := 0; i < len(m.Number); i++ {
		if m.Number[i] < '0' || m.Number[i] > '9' {
			return "", fmt.Errorf("%w: DTMF number %q has a non-digit", ErrInvalid, m.Number)
		}
	}
	return string([]byte{f.start}) + m.Number + string([]byte{f.end}), nil
}

func (g Generator) dtmf(m Message) ([]int16, error) {
	digits, err := g.Standard.Digits(m)
	if err != nil {
		return nil, err
	}
	level := g.Level
	if level == 0 {
		level = DefaultLevel
	}
	// The dtmf package's 0 dBm0 differs from ours by 0.03 dB, far below
	// any tolerance of a DTMF receiver.
	return dtmf.Render(digits, dtmf.GenOpts{Level: level, On: dtmfOn, Off: dtmfOff})
}
