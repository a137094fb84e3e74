package callerid

import (
	"errors"
	"fmt"
)

// A Message is what a caller ID signal tells the phone: a call's time,
// number and name (each possibly withheld for a Reason), or the state of the
// message-waiting lamp.
type Message struct {
	Standard     Standard  // the signal it came in; set by the decoders
	Format       Format    // SDMF or MDMF; only Bell 202 sends SDMF
	Time         Time      // the call's local time; the zero Time means none
	Number       string    // the calling number
	NumberReason Reason    // why Number is absent, if it is
	Name         string    // the calling name
	NameReason   Reason    // why Name is absent, if it is
	VMWI         Indicator // set for a message-waiting message, which has no caller
}

// Format is the message layout of an FSK caller ID message.
type Format int

const (
	MDMF Format = iota // multiple data message format: typed parameters
	SDMF               // single data message format (GR-30): time and number only
)

func (f Format) String() string {
	if f == SDMF {
		return "sdmf"
	}
	return "mdmf"
}

// Time is the month, day, hour and minute sent with a call.
type Time struct {
	Month, Day, Hour, Minute int
}

// IsZero reports whether t is the zero Time, meaning no time was sent.
func (t Time) IsZero() bool { return t == Time{} }

// String formats t as the eight digits MMDDHHMM sent on the line.
func (t Time) String() string {
	return fmt.Sprintf("%02d%02d%02d%02d", t.Month, t.Day, t.Hour, t.Minute)
}

func (t Time) valid() bool {
	return t.Month >= 1 && t.Month <= 12 && t.Day >= 1 && t.Day <= 31 &&
		t.Hour >= 0 && t.Hour <= 23 && t.Minute >= 0 && t.Minute <= 59
}

// ParseTime parses the eight digits MMDDHHMM.
func ParseTime(s string) (Time, error) {
	t, ok := parseDigits([]byte(s))
	if !ok {
		return Time{}, fmt.Errorf("%w: time %q is not a valid MMDDHHMM", ErrInvalid, s)
	}
	return t, nil
}

// Reason says why a number or name is absent. GR-30 and EN 300 659-3 use
// the same two letters.
type Reason byte

const (
	ReasonNone      Reason = 0
	ReasonPrivate   Reason = 'P' // withheld by the caller
	ReasonOutOfArea Reason = 'O' // unavailable: out of area, international, technical
)

func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return ""
	case ReasonPrivate:
		return "private"
	case ReasonOutOfArea:
		return "out-of-area"
	}
	return fmt.Sprintf("reason-%#02x", byte(r))
}

// Indicator is the message-waiting lamp state a VMWI message sets.
type Indicator int

const (
	VMWINone Indicator = iota // not a message-waiting message
	VMWIOn
	VMWIOff
)

func (v Indicator) String() string {
	switch v {
	case VMWIOn:
		return "on"
	case VMWIOff:
		return "off"
	}
	return ""
}

// Errors of encoding and decoding.
var (
	ErrInvalid  = errors.New("callerid: invalid message")
	ErrChecksum = errors.New("callerid: checksum mismatch")
	ErrFormat   = errors.New("callerid: message not supported by this standard")
)

// Message types (GR-30-CORE, EN 300 659-3 5.2).
const (
	typeSDMF = 0x04 // call setup, single data message format
	typeMDMF = 0x80 // call setup, multiple data message format
	typeMWI  = 0x82 // message waiting indication
)

// Parameter types of MDMF and ETSI messages (EN 300 659-3 5.3).
const (
	paramDateTime     = 0x01
	paramNumber       = 0x02
	paramNumberAbsent = 0x04
	paramName         = 0x07
	paramNameAbsent   = 0x08
	paramVMWI         = 0x0B
)

// Field limits: EN 300 659-3 allows 20 number digits and 50 name characters.
const (
	maxNumber = 20
	maxName   = 50
	maxFrame  = 255 + 3 // type, length, up to 255 body bytes, checksum
)

// Frame returns m as the bytes an FSK signal carries: message type, length,
// body and checksum (two's complement of the byte sum, GR-30 and EN 300 659-3).
func (m Message) Frame() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	b := make([]byte, 2, 64)
	switch {
	case m.VMWI != VMWINone:
		b[0] = typeMWI
		v := byte(0x00)
		if m.VMWI == VMWIOn {
			v = 0xFF
		}
		b = append(b, paramVMWI, 1, v)
	case m.Format == SDMF:
		b[0] = typeSDMF
		b = append(b, m.Time.String()...)
		if m.NumberReason != ReasonNone {
			b = append(b, byte(m.NumberReason))
		} else {
			b = append(b, m.Number...)
		}
	default:
		b[0] = typeMDMF
		if !m.Time.IsZero() {
			b = appendParam(b, paramDateTime, m.Time.String())
		}
		if m.NumberReason != ReasonNone {
			b = appendParam(b, paramNumberAbsent, string(rune(m.NumberReason)))
		} else if m.Number != "" {
			b = appendParam(b, paramNumber, m.Number)
		}
		if m.NameReason != ReasonNone {
			b = appendParam(b, paramNameAbsent, string(rune(m.NameReason)))
		} else if m.Name != "" {
			b = appendParam(b, paramName, m.Name)
		}
	}
	b[1] = byte(len(b) - 2)
	return append(b, checksum(b)), nil
}

func appendParam(b []byte, typ byte, v string) []byte {
	b = append(b, typ, byte(len(v)))
	return append(b, v...)
}

// checksum returns the byte that makes the sum of b and it zero mod 256.
func checksum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return -s
}

func (m Message) check() error {
	if m.VMWI != VMWINone {
		if m.VMWI != VMWIOn && m.VMWI != VMWIOff {
			return fmt.Errorf("%w: VMWI %d", ErrInvalid, m.VMWI)
		}
		if m.Number != "" || m.Name != "" || m.NumberReason != ReasonNone || m.NameReason != ReasonNone || !m.Time.IsZero() {
			return fmt.Errorf("%w: a message-waiting message carries no call", ErrInvalid)
		}
		if m.Format == SDMF {
			return fmt.Errorf("%w: VMWI is sent as MDMF", ErrFormat)
		}
		return nil
	}
	if !m.Time.IsZero() && !m.Time.valid() {
		return fmt.Errorf("%w: time %+v", ErrInvalid, m.Time)
	}
	if m.Number != "" && m.NumberReason != ReasonNone || m.Name != "" && m.NameReason != ReasonNone {
		return fmt.Errorf("%w: a field is both given and withheld", ErrInvalid)
	}
	for _, r := range []Reason{m.NumberReason, m.NameReason} {
		if r != ReasonNone && r != ReasonPrivate && r != ReasonOutOfArea {
			return fmt.Errorf("%w: reason %q", ErrInvalid, byte(r))
		}
	}
	if err := checkText("number", m.Number, maxNumber); err != nil {
		return err
	}
	if err := checkText("name", m.Name, maxName); err != nil {
		return err
	}
	if m.Format == SDMF {
		if m.Time.IsZero() {
			return fmt.Errorf("%w: SDMF needs a time", ErrInvalid)
		}
		if m.Name != "" || m.NameReason != ReasonNone {
			return fmt.Errorf("%w: SDMF carries no name", ErrFormat)
		}
		if m.Number == "" && m.NumberReason == ReasonNone {
			return fmt.Errorf("%w: SDMF needs a number or a reason", ErrInvalid)
		}
		return nil
	}
	if m.Time.IsZero() && m.Number == "" && m.Name == "" && m.NumberReason == ReasonNone && m.NameReason == ReasonNone {
		return fmt.Errorf("%w: empty message", ErrInvalid)
	}
	return nil
}

func checkText(what, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%w: %s longer than %d characters", ErrInvalid, what, max)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return fmt.Errorf("%w: %s has a non-printable character", ErrInvalid, what)
		}
	}
	return nil
}

// ParseFrame decodes the bytes of an FSK caller ID message (type, length,
// body, checksum). Unknown parameters are skipped.
func ParseFrame(b []byte) (Message, error) {
	var m Message
	err := parseFrame(b, &m)
	return m, err
}

// parseFrame checks b and, when m is not nil, decodes it into m. With m nil
// it does not allocate, so receivers can vet a frame inside the frame loop.
func parseFrame(b []byte, m *Message) error {
	if len(b) < 3 || int(b[1]) != len(b)-3 {
		return fmt.Errorf("%w: length", ErrInvalid)
	}
	if checksum(b) != 0 {
		return ErrChecksum
	}
	body := b[2 : len(b)-1]
	switch b[0] {
	case typeSDMF:
		if len(body) < 9 {
			return fmt.Errorf("%w: short SDMF", ErrInvalid)
		}
		t, ok := parseDigits(body[:8])
		if !ok {
			return fmt.Errorf("%w: SDMF time", ErrInvalid)
		}
		num := body[8:]
		if m != nil {
			m.Format, m.Time = SDMF, t
			if len(num) == 1 && (num[0] == 'O' || num[0] == 'P') {
				m.NumberReason = Reason(num[0])
			} else {
				m.Number = string(num)
			}
		}
		return nil
	case typeMDMF, typeMWI:
	default:
		return fmt.Errorf("%w: message type %#02x", ErrInvalid, b[0])
	}
	var sawVMWI bool
	for len(body) > 0 {
		if len(body) < 2 || int(body[1]) > len(body)-2 {
			return fmt.Errorf("%w: parameter length", ErrInvalid)
		}
		typ, v := body[0], body[2:2+int(body[1])]
		body = body[2+len(v):]
		switch typ {
		case paramDateTime:
			t, ok := parseDigits(v)
			if !ok {
				return fmt.Errorf("%w: date and time", ErrInvalid)
			}
			if m != nil {
				m.Time = t
			}
		case paramNumberAbsent, paramNameAbsent:
			if len(v) != 1 {
				return fmt.Errorf("%w: reason length", ErrInvalid)
			}
			if m != nil && typ == paramNumberAbsent {
				m.NumberReason = Reason(v[0])
			} else if m != nil {
				m.NameReason = Reason(v[0])
			}
		case paramVMWI:
			if len(v) != 1 {
				return fmt.Errorf("%w: VMWI length", ErrInvalid)
			}
			sawVMWI = true
			if m != nil {
				m.VMWI = VMWIOff
				if v[0] != 0 {
					m.VMWI = VMWIOn
				}
			}
		case paramNumber:
			if m != nil {
				m.Number = string(v)
			}
		case paramName:
			if m != nil {
				m.Name = string(v)
			}
		}
	}
	if b[0] == typeMWI && !sawVMWI {
		return fmt.Errorf("%w: message waiting without indicator", ErrInvalid)
	}
	return nil
}

// parseDigits decodes the eight ASCII digits MMDDHHMM.
func parseDigits(v []byte) (Time, bool) {
	if len(v) != 8 {
		return Time{}, false
	}
	var d [8]int
	for i, c := range v {
		if c < '0' || c > '9' {
			return Time{}, false
		}
		d[i] = int(c - '0')
	}
	t := Time{d[0]*10 + d[1], d[2]*10 + d[3], d[4]*10 + d[5], d[6]*10 + d[7]}
	return t, t.valid()
}
