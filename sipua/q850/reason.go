package q850

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Protocols of the Reason header that RFC 3326 defines.
const (
	ProtocolSIP  = "SIP"   // Cause is a SIP status code
	ProtocolQ850 = "Q.850" // Cause is a Q.850 cause value
)

// A Reason is one value of a SIP Reason header (RFC 3326 §2): why a
// request such as BYE or CANCEL was sent, or, in a response (RFC 6432),
// the Q.850 cause behind it.
type Reason struct {
	// Protocol is ProtocolSIP, ProtocolQ850 or another protocol token.
	Protocol string
	// Cause is the protocol's cause: a SIP status code (100 to 699) or a
	// Q.850 cause value (1 to 127). 0 means none.
	Cause int
	// Text is the optional free text, unquoted.
	Text string
}

// Reason returns the Reason header value that carries c, with its Q.850
// wording as text: Q.850;cause=16;text="Normal call clearing".
func (c Cause) Reason() Reason {
	return Reason{Protocol: ProtocolQ850, Cause: int(c), Text: c.String()}
}

// StatusReason returns the Reason header value that carries SIP status
// code, with its reason phrase as text: SIP;cause=486;text="Busy Here".
func StatusReason(code int) Reason {
	return Reason{Protocol: ProtocolSIP, Cause: code, Text: StatusText(code)}
}

// String formats r as a Reason header value, leaving out an absent cause
// or text. Text is quoted with backslash escapes; CR and LF, which a
// quoted string cannot hold, become spaces, and invalid UTF-8 becomes
// U+FFFD.
func (r Reason) String() string {
	text := r.Text
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(r.Protocol) + len(text) + 24)
	b.WriteString(r.Protocol)
	if r.Cause != 0 {
		var digits [20]byte
		b.WriteString(";cause=")
		b.Write(strconv.AppendInt(digits[:0], int64(r.Cause), 10))
	}
	if text != "" {
		b.WriteString(`;text="`)
		writeEscaped(&b, text)
		b.WriteByte('"')
	}
	return b.String()
}

// writeEscaped writes s as the inside of an RFC 3261 quoted-string.
func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\r' || c == '\n':
			b.WriteByte(' ')
		case c == '"' || c == '\\' || c < 0x20 && c != '\t' || c == 0x7f:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// Q850Cause returns the cause of the first Q.850 value in rs that has one.
// A gateway releasing the telephone side uses it in preference to mapping
// the SIP status (RFC 6432).
func Q850Cause(rs []Reason) (Cause, bool) {
	for _, r := range rs {
		if r.Protocol == ProtocolQ850 && 0 < r.Cause && r.Cause < 128 {
			return Cause(r.Cause), true
		}
	}
	return 0, false
}

// ErrBadReason is wrapped by every error ParseReasons returns.
var ErrBadReason = errors.New("q850: bad Reason header")

// ParseReasons parses a Reason header value: one or more reason values
// separated by commas (RFC 3326 §2). Protocol and parameter names are
// case-insensitive; "SIP" and "Q.850" come back spelt as the constants.
// Extension parameters are checked and dropped. A cause must lie in its
// protocol's range, and the text must be valid UTF-8.
func ParseReasons(value string) ([]Reason, error) {
	p := parser{s: value}
	var rs []Reason
	for {
		p.skipSpace()
		r, err := p.reason()
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
		p.skipSpace()
		if p.i == len(p.s) {
			return rs, nil
		}
		if p.s[p.i] != ',' {
			return nil, p.errorf("want ',' between reasons, got %q", p.s[p.i])
		}
		p.i++
	}
}

// parser reads the grammar of RFC 3326 §2 with the RFC 3261 §25.1 rules it
// builds on: tokens, quoted strings and linear white space.
type parser struct {
	s string
	i int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at byte %d", ErrBadReason, fmt.Sprintf(format, args...), p.i)
}

// skipSpace skips linear white space: spaces, tabs, and line folds
// (CRLF followed by a space or tab).
func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch {
		case p.s[p.i] == ' ' || p.s[p.i] == '\t':
			p.i++
		case p.fold():
			p.i += 2
		default:
			return
		}
	}
}

// fold reports whether a line fold starts at p.i.
func (p *parser) fold() bool {
	return strings.HasPrefix(p.s[p.i:], "\r\n") && p.i+2 < len(p.s) && (p.s[p.i+2] == ' ' || p.s[p.i+2] == '\t')
}

// reason reads protocol *(SEMI reason-params).
func (p *parser) reason() (Reason, error) {
	var r Reason
	r.Protocol = p.token()
	switch {
	case r.Protocol == "":
		return r, p.errorf("want a protocol")
	case strings.EqualFold(r.Protocol, ProtocolSIP):
		r.Protocol = ProtocolSIP
	case strings.EqualFold(r.Protocol, ProtocolQ850):
		r.Protocol = ProtocolQ850
	}
	var haveCause, haveText bool
	for {
		p.skipSpace()
		if p.i == len(p.s) || p.s[p.i] != ';' {
			return r, nil
		}
		p.i++
		p.skipSpace()
		name := p.token()
		if name == "" {
			return r, p.errorf("want a parameter name")
		}
		p.skipSpace()
		hasValue := p.i < len(p.s) && p.s[p.i] == '='
		if hasValue {
			p.i++
			p.skipSpace()
		}
		var err error
		switch {
		case strings.EqualFold(name, "cause"):
			if haveCause {
				return r, p.errorf("second cause")
			}
			haveCause = true
			r.Cause, err = p.cause(r.Protocol, hasValue)
		case strings.EqualFold(name, "text"):
			if haveText {
				return r, p.errorf("second text")
			}
			haveText = true
			if !hasValue || p.i == len(p.s) || p.s[p.i] != '"' {
				return r, p.errorf("text wants a quoted string")
			}
			r.Text, err = p.quoted()
		case hasValue:
			err = p.genericValue()
		}
		if err != nil {
			return r, err
		}
	}
}

// cause reads the digits of a cause parameter and checks them against the
// range of protocol.
func (p *parser) cause(protocol string, hasValue bool) (int, error) {
	start := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	if !hasValue || p.i == start {
		return 0, p.errorf("cause wants digits")
	}
	if p.i-start > 9 {
		return 0, p.errorf("cause %.12s... too long", p.s[start:])
	}
	n, _ := strconv.Atoi(p.s[start:p.i]) // nine digits at most: cannot fail
	lo, hi := 0, 999999999
	switch protocol {
	case ProtocolSIP:
		lo, hi = 100, 699
	case ProtocolQ850:
		lo, hi = 1, 127
	}
	if n < lo || n > hi {
		return 0, p.errorf("%s cause %d outside %d..%d", protocol, n, lo, hi)
	}
	return n, nil
}

// token reads an RFC 3261 token, returning "" if none starts at p.i.
func (p *parser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func isTokenChar(c byte) bool {
	switch c {
	case '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~':
		return true
	}
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// quoted reads a quoted-string starting at its opening quote and returns
// its contents unescaped; a line fold inside it leaves its white space.
func (p *parser) quoted() (string, error) {
	open := p.i
	p.i++
	start := p.i
	// b holds the unescaped text once an escape or fold makes it differ
	// from the input; until then the text is a slice of the input.
	var b []byte
	copyOut := func() {
		if b == nil {
			b = append(make([]byte, 0, len(p.s)-start), p.s[start:p.i]...)
		}
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			text := p.s[start:p.i]
			if b != nil {
				text = string(b)
			}
			if !utf8.ValidString(text) {
				return "", p.errorf("text is not UTF-8")
			}
			p.i++
			return text, nil
		case c == '\\' && p.i+1 < len(p.s):
			e := p.s[p.i+1]
			if e == '\r' || e == '\n' || e > 0x7f {
				return "", p.errorf("bad escape of %q", e)
			}
			copyOut()
			b = append(b, e)
			p.i += 2
			continue
		case p.fold():
			copyOut()
			p.i += 2
			continue
		case c < 0x20 && c != '\t' || c == 0x7f:
			return "", p.errorf("control character %q in text", c)
		}
		if b != nil {
			b = append(b, c)
		}
		p.i++
	}
	p.i = open
	return "", p.errorf("unterminated quoted string")
}

// genericValue reads the value of an extension parameter: a token, a
// quoted string or a bracketed IPv6 address (RFC 3261 gen-value).
func (p *parser) genericValue() error {
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case '"':
			_, err := p.quoted()
			return err
		case '[':
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 2 || strings.Trim(p.s[p.i+1:p.i+end], "0123456789abcdefABCDEF:.") != "" {
				return p.errorf("bad IPv6 reference")
			}
			p.i += end + 1
			return nil
		}
	}
	if p.token() == "" {
		return p.errorf("parameter wants a value")
	}
	return nil
}
