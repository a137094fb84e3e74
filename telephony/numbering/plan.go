package numbering

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotNumber is wrapped by the errors about strings that are not telephone
// numbers.
var ErrNotNumber = errors.New("numbering: not a telephone number (want digits, * and #, with an optional leading +)")

// Plan is how numbers are written and dialled at one site.
type Plan struct {
	CountryCode         string // E.164 country code, as in "1" or "44"; "" reads no national number as E.164
	NationalPrefix      string // trunk prefix before a national number: "1" in NANP, "0" in most countries, "" where none
	InternationalPrefix string // prefix before a country code: "011" in NANP, "00" in most of Europe; "" allows only +
	Rules               []Rule // tried in order; the first of a direction whose Match fits applies
}

// Direction says which way a Rule rewrites numbers.
type Direction int

// The directions.
const (
	Out Direction = iota // from a line toward SIP: what a phone dialled
	In                   // from SIP toward a line: the number called
)

// Rule rewrites the numbers that begin with Match: it removes Strip
// characters from the front, at most all of them, then puts Prefix there.
// An empty Match fits every number.
type Rule struct {
	Match     string
	Strip     int
	Prefix    string
	Direction Direction
}

// Outbound applies the first Out rule that fits to the number a phone
// dialled, and returns the number as it goes toward SIP; E164 then tells
// whether it goes as an E.164 number or as a dial string.
func (p *Plan) Outbound(dialled string) (string, error) {
	if !isNumber(dialled) {
		return "", fmt.Errorf("%w: %q", ErrNotNumber, dialled)
	}
	return p.rewrite(Out, dialled)
}

// Inbound returns the number a call from SIP is for, in the form the lines'
// numbers and the inbound digit maps are written in: as a user at the site
// dials it. number is a number or the user part of a SIP or tel URI
// ("+1-212-555-0100;phone-context=..."): its parameters and visual
// separators are dropped (RFC 3966 section 5.1.1) and percent-escapes
// decoded ("#" arrives as %23, RFC 3261 section 25.1).
//
// A number that E164 reads is turned into the dialled form: in the site's
// own country the national number after the national prefix ("+442079460000"
// becomes "02079460000"), or on its own where national numbers are dialled
// so (the ten digits of NANP) or where there is no national prefix;
// elsewhere the international prefix and the E.164 digits ("0033142685300").
// A number whose dialled form would read as another stays in E.164, as does
// any where the plan has no prefix to write it with. Anything else, such as
// an extension, stays as it is. The first In rule that fits is applied after
// that, so rules are written in the dialled form too.
//
// A line's number written in E.164 compares with the result in its dialled
// form: what Inbound returns for it on a Plan without Rules.
func (p *Plan) Inbound(number string) (string, error) {
	n, ok := subscriber(number)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrNotNumber, number)
	}
	if e, ok := p.E164(n); ok {
		n = p.dialled(e)
	}
	return p.rewrite(In, n)
}

// rewrite applies the first rule of direction d that fits n.
func (p *Plan) rewrite(d Direction, n string) (string, error) {
	for _, r := range p.Rules {
		if r.Direction != d || !strings.HasPrefix(n, r.Match) {
			continue
		}
		out := r.Prefix + n[min(max(r.Strip, 0), len(n)):]
		if !isNumber(out) {
			return "", fmt.Errorf("%w: the rule for %q turns %q into %q", ErrNotNumber, r.Match, n, out)
		}
		return out, nil
	}
	return n, nil
}

// isNumber reports whether s is digits, * and #, with an optional leading +.
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isKey(s[i]) {
			return false
		}
	}
	return true
}

// isKey reports whether c is a key of a telephone keypad that numbers use.
func isKey(c byte) bool {
	return c >= '0' && c <= '9' || c == '*' || c == '#'
}

// subscriber returns the number in s, a number or the user part of a SIP or
// tel URI, without its scheme, parameters, visual separators and escapes;
// ok is false when there is none.
func subscriber(s string) (n string, ok bool) {
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s = s[4:]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	if isNumber(s) {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '-', '.', '(', ')': // RFC 3966 visual separators
			continue
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			c = hi<<4 | lo
			i += 2
		}
		b = append(b, c)
	}
	n = string(b)
	return n, isNumber(n)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
