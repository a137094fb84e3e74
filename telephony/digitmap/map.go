package digitmap

import (
	"math/bits"
	"strings"
)

// The keys of a DTMF keypad are numbered: the digits 0-9 are 0-9, then
// * # A B C D are 10-15.
const (
	symbols    = "0123456789*#ABCD"
	numSymbols = len(symbols)
)

// symbol returns the number of key c, or -1 if c is not a key.
func symbol(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case c == '*':
		return 10
	case c == '#':
		return 11
	case 'A' <= c && c <= 'D':
		return int(c-'A') + 12
	case 'a' <= c && c <= 'd':
		return int(c-'a') + 12
	}
	return -1
}

// A set holds the keys one element of a map accepts, bit i for key i.
type set uint16

const anyDigit set = 1<<10 - 1 // x

// Map is a parsed digit map. It is safe for concurrent use.
type Map struct {
	alts []alternative
}

// An alternative is one pattern of a map, compiled for matching all its
// positions at once: bit i of a state word means "the digits so far can be
// followed by element i", and the bit past the last element means "the
// digits so far match the whole pattern".
type alternative struct {
	accepts [numSymbols]uint64 // bit i set: element i accepts that key
	repeats uint64             // bit i set: element i is followed by .
	end     uint64             // the bit past the last element
	timer   bool               // the pattern ends in T
}

// String returns the map in canonical form: no parentheses or whitespace,
// x for any digit, A-D in upper case, ranges of three digits or more.
// Parse reads it back to the same map.
func (m *Map) String() string {
	var b strings.Builder
	for i := range m.alts {
		if i > 0 {
			b.WriteByte('|')
		}
		a := &m.alts[i]
		for e := 0; uint64(1)<<e != a.end; e++ {
			writeSet(&b, a.element(e))
			if a.repeats&(1<<e) != 0 {
				b.WriteByte('.')
			}
		}
		if a.timer {
			b.WriteByte('T')
		}
	}
	return b.String()
}

// element returns the set that element e accepts.
func (a *alternative) element(e int) set {
	var s set
	for sym, mask := range a.accepts {
		if mask&(1<<e) != 0 {
			s |= 1 << sym
		}
	}
	return s
}

func writeSet(b *strings.Builder, s set) {
	if s == anyDigit {
		b.WriteByte('x')
		return
	}
	if s&(s-1) == 0 { // a single key
		b.WriteByte(symbols[bits.TrailingZeros16(uint16(s))])
		return
	}
	b.WriteByte('[')
	for sym := 0; sym < numSymbols; {
		if s&(1<<sym) == 0 {
			sym++
			continue
		}
		end := sym + 1 // past the run of digits from sym
		for sym < 10 && end < 10 && s&(1<<end) != 0 {
			end++
		}
		if end-sym >= 3 {
			b.WriteByte(symbols[sym])
			b.WriteByte('-')
			b.WriteByte(symbols[end-1])
		} else {
			for k := sym; k < end; k++ {
				b.WriteByte(symbols[k])
			}
		}
		sym = end
	}
	b.WriteByte(']')
}
