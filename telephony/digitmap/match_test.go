package digitmap

import (
	"math/rand/v2"
	"strings"
	"testing"
)

const usMap = "[2-9]xxxxxx|1[2-9]xxxxxxxxx|911|*xx|x.T"

func TestMatch(t *testing.T) {
	type check struct {
		digits   string
		timedOut bool
		want     Status
	}
	for _, tc := range []struct {
		m      string
		checks []check
	}{
		{usMap, []check{
			{"", false, Partial},
			{"9", false, Partial},
			{"91", false, Partial},
			// 911 could still become 911xxxx under [2-9]xxxxxx: a map that
			// must dial it at once leaves 9 11 out of that pattern.
			{"911", false, Ambiguous},
			{"911", true, Complete},
			{"555123", false, Partial},
			{"5551234", false, Complete},
			{"55512345", false, Partial}, // only x.T is left
			{"55512345", true, Complete},
			{"1", false, Partial},
			{"12125551234", false, Complete},
			{"11", false, Partial}, // not 1[2-9]..., but x.T
			{"11", true, Complete},
			{"*", false, Partial},
			{"*6", false, Partial},
			{"*69", false, Complete},
			{"*691", false, NoMatch}, // x.T takes no *
			{"*69", true, Complete},
			{"*6", true, NoMatch},
			{"#", false, NoMatch},
			{"", true, Complete}, // x. repeats zero times
			{"9a", false, NoMatch},
		}},
		{"x.T", []check{
			{"", false, Partial},
			{"0", false, Partial},
			{"0123456789", false, Partial},
			{"0123456789", true, Complete},
			{"12*", false, NoMatch},
		}},
		{"911", []check{
			{"", false, Partial},
			{"", true, NoMatch},
			{"9", false, Partial},
			{"9", true, NoMatch},
			{"911", false, Complete},
			{"911", true, Complete},
			{"9111", false, NoMatch},
			{"912", false, NoMatch},
		}},
		{"1xxx|1xxxxxx", []check{
			{"1", false, Partial},
			{"123", false, Partial},
			{"1234", false, Ambiguous},
			{"1234", true, Complete},
			{"12345", false, Partial},
			{"12345", true, NoMatch},
			{"1234567", false, Complete},
			{"12345678", false, NoMatch},
			{"2", false, NoMatch},
		}},
		{"(0T|00x.T|0[1-9]xxxxxxxx)", []check{
			{"0", false, Partial},
			{"0", true, Complete},
			{"00", false, Partial},
			{"00", true, Complete}, // 00x.T: x. repeats zero times
			{"0049301234", false, Partial},
			{"0049301234", true, Complete},
			{"0301234567", false, Complete},
			{"030123456", false, Partial},
			{"030123456", true, NoMatch},
			{"03012345678", false, NoMatch},
			{"1", false, NoMatch},
		}},
		{"[2-8]xxxxxx|9[02-9]xxxxx|91[02-9]xxxx|911|x.T", []check{
			{"911", false, Complete},
			{"9101234", false, Complete},
			{"9111", false, Partial},
			{"9111", true, Complete},
		}},
		{"[1-4]xxx", []check{
			{"1000", false, Complete},
			{"4999", false, Complete},
			{"5000", false, NoMatch},
			{"0", false, NoMatch},
			{"49", false, Partial},
			{"49", true, NoMatch},
			{"10000", false, NoMatch},
		}},
		{"[13-5*#]", []check{
			{"1", false, Complete},
			{"2", false, NoMatch},
			{"3", false, Complete},
			{"5", false, Complete},
			{"6", false, NoMatch},
			{"*", false, Complete},
			{"#", false, Complete},
		}},
		{"*xx|#xx|x.", []check{
			{"", false, Ambiguous}, // x. matches nothing and more
			{"*7", false, Partial},
			{"*72", false, Complete},
			{"#72", false, Complete},
			{"72", false, Ambiguous},
			{"72", true, Complete},
		}},
		{"xx.#|*[ABCD]x", []check{
			{"1", false, Partial},
			{"1#", false, Complete},
			{"123#", false, Complete},
			{"123#4", false, NoMatch},
			{"*b1", false, Complete},
			{"*B1", false, Complete},
			{"*E1", false, NoMatch},
		}},
		{"9x.1x", []check{
			{"91", false, Partial},
			{"912", false, Ambiguous}, // 9-1-2, and 9-x-1-x to come
			{"9112", false, Ambiguous},
			{"9123", false, Partial},
			{"9123", true, NoMatch},
		}},
		{"T|911", []check{
			{"", false, Partial},
			{"", true, Complete},
			{"9", true, NoMatch},
			{"911", false, Complete},
		}},
		{"1xxT|1xxx", []check{
			{"123", false, Partial},
			{"123", true, Complete},
			{"1234", false, Complete},
		}},
	} {
		m, err := Parse(tc.m)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.m, err)
		}
		for _, c := range tc.checks {
			if got := m.Match(c.digits, c.timedOut); got != c.want {
				t.Errorf("Parse(%q).Match(%q, %t) = %v, want %v", tc.m, c.digits, c.timedOut, got, c.want)
			}
		}
	}
}

// TestMatchBacktracking compares Match on random maps and digits with a
// matcher that tries every way through each pattern.
func TestMatchBacktracking(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := "0123456789*#ABCD"
	randomSet := func() string {
		switch r.IntN(4) {
		case 0:
			return "x"
		case 1:
			return string(keys[r.IntN(len(keys))])
		}
		var b strings.Builder
		b.WriteByte('[')
		for range 1 + r.IntN(3) {
			if lo := r.IntN(10); r.IntN(2) == 0 {
				b.WriteString(string(rune('0'+lo)) + "-" + string(rune('0'+lo+r.IntN(10-lo))))
			} else {
				b.WriteByte(keys[r.IntN(len(keys))])
			}
		}
		b.WriteByte(']')
		return b.String()
	}
	for range 2000 {
		var b strings.Builder
		for i := range 1 + r.IntN(3) {
			if i > 0 {
				b.WriteByte('|')
			}
			for range 1 + r.IntN(5) {
				b.WriteString(randomSet())
				if r.IntN(3) == 0 {
					b.WriteByte('.')
				}
			}
			if r.IntN(3) == 0 {
				b.WriteByte('T')
			}
		}
		m, err := Parse(b.String())
		if err != nil {
			t.Fatalf("Parse(%q): %v", b.String(), err)
		}
		for range 20 {
			digits := make([]byte, r.IntN(7))
			for i := range digits {
				digits[i] = "0123456789*#"[r.IntN(12)] // mostly digits, a few * #
				if r.IntN(8) == 0 {
					digits[i] = keys[r.IntN(len(keys))]
				}
			}
			for _, timedOut := range []bool{false, true} {
				got, want := m.Match(string(digits), timedOut), backtrack(m, string(digits), timedOut)
				if got != want {
					t.Fatalf("Parse(%q).Match(%q, %t) = %v, backtracking says %v", m, digits, timedOut, got, want)
				}
			}
			checkMatch(t, m, string(digits))
		}
	}
}

// backtrack works out Match by trying every way of matching each pattern,
// written as simply as possible rather than fast.
func backtrack(m *Map, digits string, timedOut bool) Status {
	var whole, longer, timer bool
	for i := range m.alts {
		a := &m.alts[i]
		var elems []set
		var repeats []bool
		for e := 0; uint64(1)<<e != a.end; e++ {
			elems = append(elems, a.element(e))
			repeats = append(repeats, a.repeats&(1<<e) != 0)
		}
		w, l := walk(elems, repeats, digits)
		if a.timer {
			timer = timer || w || l
			w, l = w && timedOut, false
		}
		whole, longer = whole || w, longer || l
	}
	switch {
	case timedOut && whole:
		return Complete
	case timedOut:
		return NoMatch
	case whole && longer:
		return Ambiguous
	case whole:
		return Complete
	case longer || timer:
		return Partial
	}
	return NoMatch
}

// walk reports whether digits match all of elems, and whether digits can be
// followed by more in a match.
func walk(elems []set, repeats []bool, digits string) (whole, longer bool) {
	if len(elems) == 0 {
		return digits == "", false
	}
	if digits == "" {
		// Every element ahead accepts some key, so more can follow.
		w, _ := walk(elems[1:], repeats[1:], "")
		return repeats[0] && w, true
	}
	var w1, l1, w2, l2 bool
	if repeats[0] {
		w1, l1 = walk(elems[1:], repeats[1:], digits) // repeated no more
	}
	if sym := symbol(digits[0]); sym >= 0 && elems[0]&(1<<sym) != 0 {
		if repeats[0] {
			w2, l2 = walk(elems, repeats, digits[1:])
		} else {
			w2, l2 = walk(elems[1:], repeats[1:], digits[1:])
		}
	}
	return w1 || w2, l1 || l2
}

func BenchmarkMatch(b *testing.B) {
	m, err := Parse(usMap)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, digits string }{
		{"3digits", "911"},
		{"7digits", "5551234"},
		{"11digits", "12125551234"},
		{"20digits", "00493012345678901234"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Match(bc.digits, false)
			}
		})
	}
}

// TestMatchDoesNotAllocate keeps the promise made to the media loop.
func TestMatchDoesNotAllocate(t *testing.T) {
	m, err := Parse(usMap)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { m.Match("12125551234", false) }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}
