package digitmap

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// maxElements bounds the elements of one alternative, so that its match
// state fits in a uint64 with one bit to spare for the end.
const maxElements = 63

// Parse reads a digit map such as "[2-9]xxxxxx|911|x.T". Its errors give the
// 1-based byte position of the problem: "position 4: unclosed [".
func Parse(s string) (*Map, error) {
	p := &parser{s: s}
	p.skipSpace()
	if p.i == len(s) {
		return nil, errors.New("empty digit map")
	}
	open := -1 // offset of the ( enclosing the map, if any
	if s[p.i] == '(' {
		open = p.i
		p.i++
	}
	m := new(Map)
	for {
		a, err := p.alternative()
		if err != nil {
			return nil, err
		}
		m.alts = append(m.alts, a)
		// An alternative ends at |, at ) or at the end of s.
		switch {
		case p.i == len(s):
			if open >= 0 {
				return nil, p.errorf(open, "unclosed (")
			}
			return m, nil
		case s[p.i] == '|':
			p.i++
		case open < 0:
			return nil, p.errorf(p.i, ") without (")
		default:
			p.i++
			p.skipSpace()
			if p.i < len(s) {
				return nil, p.errorf(p.i, "%s after the closing )", p.quote(p.i))
			}
			return m, nil
		}
	}
}

type parser struct {
	s string
	i int // offset of the next byte to read
}

// alternative reads elements up to the next |, ) or the end of the map.
func (p *parser) alternative() (alternative, error) {
	var a alternative
	n := 0            // elements read
	repeated := false // the last element already has its .
	timer := -1       // offset of the T, once read
	for {
		p.skipSpace()
		if p.i == len(p.s) || p.s[p.i] == '|' || p.s[p.i] == ')' {
			break
		}
		at, c := p.i, p.s[p.i]
		if timer >= 0 {
			return a, p.errorf(timer, "T must end an alternative")
		}
		var s set
		switch c {
		case 'T', 't':
			a.timer, timer = true, at
			p.i++
			continue
		case '.':
			if n == 0 {
				return a, p.errorf(at, ". with nothing before it to repeat")
			}
			if repeated {
				return a, p.errorf(at, ". after .")
			}
			a.repeats |= 1 << (n - 1)
			repeated = true
			p.i++
			continue
		case '[':
			var err error
			if s, err = p.bracket(); err != nil {
				return a, err
			}
		case '(':
			return a, p.errorf(at, "( may only enclose the whole map")
		case ']':
			return a, p.errorf(at, "] without [")
		default:
			var ok bool
			if s, ok = letter(c); !ok {
				return a, p.errorf(at, "%s is not allowed in a digit map (want 0-9 * # A-D x [ ] . T | ( ))", p.quote(at))
			}
			p.i++
		}
		if n == maxElements {
			return a, p.errorf(at, "more than %d elements in one alternative", maxElements)
		}
		for sym := range numSymbols {
			if s&(1<<sym) != 0 {
				a.accepts[sym] |= 1 << n
			}
		}
		n++
		repeated = false
	}
	if n == 0 && timer < 0 {
		if p.i == len(p.s) {
			return a, errors.New("empty alternative at the end")
		}
		return a, p.errorf(p.i, "empty alternative before %c", p.s[p.i])
	}
	a.end = 1 << n
	return a, nil
}

// bracket reads a set such as [2-9] or [13-5*#], starting at its [.
func (p *parser) bracket() (set, error) {
	open := p.i
	p.i++
	var s set
	prev := -1 // the digit just read, which may start a range
	for {
		p.skipSpace()
		if p.i == len(p.s) {
			return 0, p.errorf(open, "unclosed [")
		}
		at, c := p.i, p.s[p.i]
		p.i++
		switch c {
		case ']':
			if s == 0 {
				return 0, p.errorf(open, "empty [ ]")
			}
			return s, nil
		case '-':
			if prev < 0 {
				return 0, p.errorf(at, "- must follow a digit")
			}
			p.skipSpace()
			if p.i == len(p.s) || !isDigit(p.s[p.i]) {
				return 0, p.errorf(at, "- must be followed by a digit")
			}
			hi := int(p.s[p.i] - '0')
			p.i++
			if hi < prev {
				return 0, p.errorf(at, "range %d-%d runs backwards", prev, hi)
			}
			for d := prev; d <= hi; d++ {
				s |= 1 << d
			}
			prev = -1
		case 'T', 't':
			return 0, p.errorf(at, "T cannot be inside [ ]")
		case '[':
			return 0, p.errorf(at, "[ inside [ ]")
		default:
			e, ok := letter(c)
			if !ok {
				return 0, p.errorf(at, "%s is not allowed inside [ ] (want 0-9 * # A-D x -)", p.quote(at))
			}
			s |= e
			prev = -1
			if isDigit(c) {
				prev = int(c - '0')
			}
		}
	}
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// quote returns the character at offset at, quoted for an error message.
func (p *parser) quote(at int) string {
	r, _ := utf8.DecodeRuneInString(p.s[at:])
	return fmt.Sprintf("%q", r)
}

// errorf returns an error about the byte at offset at.
func (p *parser) errorf(at int, format string, args ...any) error {
	return fmt.Errorf("position %d: %s", at+1, fmt.Sprintf(format, args...))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// letter returns the set that a single letter of a map stands for.
func letter(c byte) (set, bool) {
	if c == 'x' || c == 'X' {
		return anyDigit, true
	}
	sym := symbol(c)
	if sym < 0 {
		return 0, false
	}
	return 1 << sym, true
}
