package numbering

import "strings"

// maxDigits is the most digits an E.164 number has, country code included.
const maxDigits = 15

// E164 returns digits as an E.164 number, "+" and its digits, when they
// normalise to one: a number that starts with + or the international prefix
// is international, one that starts with the national prefix is national,
// and a national number on its own is one only where the country's plan
// says so by its length (NANP: ten digits). Short codes, extensions, local
// numbers without their area code and anything with * or # give false, as
// do numbers of more than 15 digits and ones that stop at the country code.
func (p *Plan) E164(digits string) (string, bool) {
	if !isNumber(digits) || strings.ContainsAny(digits, "*#") {
		return "", false
	}
	if digits[0] == '+' {
		if !isInternational(digits[1:]) {
			return "", false
		}
		return digits, true
	}
	// The first prefix that fits decides, as in a switch's digit analysis:
	// in Japan, 010 is international although 0 is the national prefix.
	var national string
	switch {
	case p.InternationalPrefix != "" && strings.HasPrefix(digits, p.InternationalPrefix):
		n := digits[len(p.InternationalPrefix):]
		if !isInternational(n) {
			return "", false
		}
		return "+" + n, true
	case p.CountryCode == "":
		return "", false
	case p.NationalPrefix != "" && strings.HasPrefix(digits, p.NationalPrefix):
		national = digits[len(p.NationalPrefix):]
	case dialledWithoutPrefix(p.CountryCode):
		national = digits
	default:
		return "", false
	}
	n := p.CountryCode + national
	if !isInternational(n) || countryCode(n) != p.CountryCode {
		return "", false
	}
	return "+" + n, true
}

// dialled returns the E.164 number e as a user at the site dials it: see
// Inbound.
func (p *Plan) dialled(e string) string {
	n := e[1:]
	if cc := countryCode(n); cc == p.CountryCode {
		national := n[len(cc):]
		if !dialledWithoutPrefix(cc) {
			national = p.NationalPrefix + national
		}
		// No real number is written so, but +4900 must not become 000.
		if p.InternationalPrefix != "" && strings.HasPrefix(national, p.InternationalPrefix) {
			return e
		}
		return national
	}
	if p.InternationalPrefix == "" {
		return e
	}
	return p.InternationalPrefix + n
}

// isInternational reports whether n, digits without the +, is an E.164
// number: a country code, a national number that fits what is known of
// the country's plan, and no more than 15 digits.
func isInternational(n string) bool {
	if n == "" || len(n) > maxDigits || n[0] == '0' {
		return false
	}
	for i := range len(n) {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	cc := countryCode(n)
	return len(n) > len(cc) && isNationalNumber(cc, n[len(cc):])
}

// isNationalNumber reports whether n can be a national (significant) number
// of country code cc, as far as the package knows the country's plan.
func isNationalNumber(cc, n string) bool {
	switch cc {
	case "1":
		// NANP: NPA-NXX-XXXX, where the area code (NPA) and the exchange
		// code (NXX) begin with 2 to 9.
		return len(n) == 10 && n[0] >= '2' && n[3] >= '2'
	case "61":
		// Australia: nine digits after the trunk prefix 0, which keeps the
		// emergency number 000 from reading as +6100.
		return len(n) == 9
	}
	return true
}

// dialledWithoutPrefix reports whether national numbers of country code cc
// are dialled on their own, with no national prefix, which isNationalNumber
// must then tell from short codes and local numbers. In NANP, ten-digit
// dialling is the rule.
func dialledWithoutPrefix(cc string) bool {
	return cc == "1"
}

// countryCode returns the country code that begins n, the digits of an
// international number; country codes are a prefix code, so there is one
// answer. It returns n itself when n is too short to hold one.
func countryCode(n string) string {
	if n == "" {
		return ""
	}
	l := 3
	if n[0] == '1' || n[0] == '7' {
		l = 1
	} else if len(n) >= 2 && isTwoDigitCode(n[:2]) {
		l = 2
	}
	return n[:min(l, len(n))]
}

// isTwoDigitCode reports whether cc is a country code of two digits (ITU-T
// E.164 country code assignments): of the others, 1 and 7 have one digit and
// the rest three.
func isTwoDigitCode(cc string) bool {
	switch cc {
	case "20", "27",
		"30", "31", "32", "33", "34", "36", "39",
		"40", "41", "43", "44", "45", "46", "47", "48", "49",
		"51", "52", "53", "54", "55", "56", "57", "58",
		"60", "61", "62", "63", "64", "65", "66",
		"81", "82", "84", "86",
		"90", "91", "92", "93", "94", "95", "98":
		return true
	}
	return false
}
