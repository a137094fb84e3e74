package telephoneevent

import "testing"

func TestDigitCodes(t *testing.T) {
	// RFC 4733 section 3.2, table 1.
	for i, d := range []byte("0123456789*#ABCD") {
		code, ok := Code(d)
		if !ok || code != uint8(i) {
			t.Errorf("Code(%q) = %d, %v; want %d, true", d, code, ok, i)
		}
		back, ok := Digit(uint8(i))
		if !ok || back != d {
			t.Errorf("Digit(%d) = %q, %v; want %q, true", i, back, ok, d)
		}
	}
	for i, d := range []byte("abcd") {
		if code, ok := Code(d); !ok || code != uint8(12+i) {
			t.Errorf("Code(%q) = %d, %v; want %d, true", d, code, ok, 12+i)
		}
	}
	for _, d := range []byte("EeF/:@ \x00\xff") {
		if code, ok := Code(d); ok {
			t.Errorf("Code(%q) = %d, true; want not ok", d, code)
		}
	}
	for _, code := range []uint8{16, 32, 255} {
		if d, ok := Digit(code); ok {
			t.Errorf("Digit(%d) = %q, true; want not ok", code, d)
		}
	}
}
