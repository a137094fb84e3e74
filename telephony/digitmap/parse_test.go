package digitmap

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[2-9]xxxxxx|1[2-9]xxxxxxxxx|911|*xx|x.T", "[2-9]xxxxxx|1[2-9]xxxxxxxxx|911|*xx|x.T"},
		{"(0T|00x.T|0[1-9]xxxxxxxx)", "0T|00x.T|0[1-9]xxxxxxxx"},
		{"[1-4]xxx", "[1-4]xxx"},
		{"(0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T)",
			"0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T"},
		{" ( 9 11 | X . t ) ", "911|x.T"},
		{"[13-5*#]", "[13-5*#]"},
		{"[0-9]", "x"},
		{"[x]", "x"},
		{"[x#]", "[0-9#]"},
		{"[5]", "5"},
		{"[34]", "[34]"},
		{"[2 - 4]", "[2-4]"},
		{"[3-3]", "3"},
		{"[dcba]", "[ABCD]"},
		{"aBcD", "ABCD"},
		{"[0-24-6*]", "[0-24-6*]"},
		{"[5-78-9]", "[5-9]"},
		{"#xx|X.", "#xx|x."},
		{"x.x.x", "x.x.x"},
		{"T", "T"},
		{"(T)", "T"},
		{"911|911", "911|911"},
		{strings.Repeat("x", 63), strings.Repeat("x", 63)},
	} {
		m, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := m.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty digit map"},
		{" \t", "empty digit map"},
		{"12[34", "position 3: unclosed ["},
		{"[]", "position 1: empty [ ]"},
		{"1[[2]]", "position 3: [ inside [ ]"},
		{"2-9]", "position 2: '-' is not allowed in a digit map (want 0-9 * # A-D x [ ] . T | ( ))"},
		{"29]", "position 3: ] without ["},
		{"[-5]", "position 2: - must follow a digit"},
		{"[5-]", "position 3: - must be followed by a digit"},
		{"[5-*]", "position 3: - must be followed by a digit"},
		{"[*-5]", "position 3: - must follow a digit"},
		{"[1-3-5]", "position 5: - must follow a digit"},
		{"[9-2]", "position 3: range 9-2 runs backwards"},
		{"[1T]", "position 3: T cannot be inside [ ]"},
		{"[1|2]", "position 3: '|' is not allowed inside [ ] (want 0-9 * # A-D x -)"},
		{"[1", "position 1: unclosed ["},
		{".1", "position 1: . with nothing before it to repeat"},
		{"1|.", "position 3: . with nothing before it to repeat"},
		{"1..", "position 3: . after ."},
		{"1T2", "position 2: T must end an alternative"},
		{"1T.", "position 2: T must end an alternative"},
		{"xTT", "position 2: T must end an alternative"},
		{"|911", "position 1: empty alternative before |"},
		{"911||x.", "position 5: empty alternative before |"},
		{"911|", "empty alternative at the end"},
		{"()", "position 2: empty alternative before )"},
		{"(911|)", "position 6: empty alternative before )"},
		{"(911", "position 1: unclosed ("},
		{"911)", "position 4: ) without ("},
		{"(911)x", "position 6: 'x' after the closing )"},
		{"(911)|1", "position 6: '|' after the closing )"},
		{"9(11)", "position 2: ( may only enclose the whole map"},
		{"((911))", "position 2: ( may only enclose the whole map"},
		{"91e", "position 3: 'e' is not allowed in a digit map (want 0-9 * # A-D x [ ] . T | ( ))"},
		{"9€1", "position 2: '€' is not allowed in a digit map (want 0-9 * # A-D x [ ] . T | ( ))"},
		{"[9€]", "position 3: '€' is not allowed inside [ ] (want 0-9 * # A-D x -)"},
		{"9\xff", "position 2: '\uFFFD' is not allowed in a digit map (want 0-9 * # A-D x [ ] . T | ( ))"},
		{strings.Repeat("x", 64), "position 64: more than 63 elements in one alternative"},
	} {
		m, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want error %q", tc.in, m, tc.want)
			continue
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("Parse(%q): got error %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzParse checks that Parse never panics, that a map it accepts reads
// back from its String, and that Match takes any digits without panicking
// and keeps its promises.
func FuzzParse(f *testing.F) {
	for _, seed := range []struct{ m, digits string }{
		{"[2-9]xxxxxx|1[2-9]xxxxxxxxx|911|*xx|x.T", "911"},
		{"(0T|00x.T|0[1-9]xxxxxxxx)", "0012345"},
		{"[1-4]xxx", "1234"},
		{"1xxx|1xxxxxx", "1234"},
		{"[13-5*#]x.[A-d]T", "3#9a"},
		{"x.x.x.", ""},
		{"( 9 1 1 )", "91"},
		{"[9-2]", "9"},
		{"1T2", "12"},
		{"(", "e"},
	} {
		f.Add(seed.m, seed.digits)
	}
	f.Fuzz(func(t *testing.T, s, digits string) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		canon := m.String()
		m2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", s, canon, err)
		}
		if got := m2.String(); got != canon {
			t.Fatalf("String of %q is %q, of that %q", s, canon, got)
		}
		for n := 0; n <= len(digits); n++ {
			checkMatch(t, m, digits[:n])
		}
	})
}

// checkMatch checks what must hold of Match for any map and digits.
func checkMatch(t *testing.T, m *Map, digits string) {
	t.Helper()
	st, timed := m.Match(digits, false), m.Match(digits, true)
	if timed != Complete && timed != NoMatch {
		t.Fatalf("%q: Match(%q, true) = %v, want complete or no match", m, digits, timed)
	}
	if (st == Ambiguous || st == Complete) && timed != Complete {
		t.Fatalf("%q: Match(%q) = %v but %v after the timer", m, digits, st, timed)
	}
	if st == NoMatch {
		if timed != NoMatch {
			t.Fatalf("%q: Match(%q) = %v but %v after the timer", m, digits, st, timed)
		}
		for _, k := range []string{"0", "5", "9", "*", "#", "A", "d"} {
			if got := m.Match(digits+k, false); got != NoMatch {
				t.Fatalf("%q: Match(%q) = no match but Match(%q) = %v", m, digits, digits+k, got)
			}
		}
	}
}
