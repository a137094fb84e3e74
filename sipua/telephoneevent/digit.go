package telephoneevent

// digits is indexed by event code (RFC 4733 section 3.2).
const digits = "0123456789*#ABCD"

// Code returns the event code of a keypad digit, one of 0-9 * # A-D (the
// letters in either case); ok is false for any other byte.
func Code(digit byte) (code uint8, ok bool) {
	switch {
	case digit >= '0' && digit <= '9':
		return digit - '0', true
	case digit == '*':
		return 10, true
	case digit == '#':
		return 11, true
	case digit >= 'A' && digit <= 'D':
		return digit - 'A' + 12, true
	case digit >= 'a' && digit <= 'd':
		return digit - 'a' + 12, true
	}
	return 0, false
}

// Digit returns the keypad digit of an event code, 0-9 * # or A-D; ok is
// false for codes above 15, which are not DTMF digits.
func Digit(code uint8) (digit byte, ok bool) {
	if int(code) >= len(digits) {
		return 0, false
	}
	return digits[code], true
}
