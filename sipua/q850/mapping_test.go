package q850

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// rfc3398Section7 is the table of RFC 3398 §7.2.4.1 (ISUP cause → SIP
// response), transcribed row by row from the RFC.
var rfc3398Section7 = []struct {
	cause  int
	status int
}{
	{1, 404}, {2, 404}, {3, 404},
	{17, 486}, {18, 408}, {19, 480}, {20, 480}, {21, 403},
	{22, 410}, {23, 410}, {26, 404}, {27, 502}, {28, 484},
	{29, 501}, // printed as "510 Not implemented"; 510 is no SIP status
	{31, 480},
	{34, 503}, {38, 503}, {41, 503}, {42, 503}, {47, 503},
	{55, 403}, {57, 403}, {58, 503},
	{65, 488}, {70, 488}, {79, 501},
	{87, 403}, {88, 503},
	{102, 504}, {111, 500}, {127, 500},
}

// rfc3398Section8 is the table of RFC 3398 §8.2.6.1 (SIP response → ISUP
// cause), transcribed row by row from the RFC; 488 and 606 ("by Warning
// header") take the default the text gives, 31.
var rfc3398Section8 = []struct {
	status int
	cause  int
}{
	{400, 41}, {401, 21}, {402, 21}, {403, 21}, {404, 1}, {405, 63},
	{406, 79}, {407, 21}, {408, 102}, {410, 22}, {413, 127}, {414, 127},
	{415, 79}, {416, 127}, {420, 127}, {421, 127}, {423, 127},
	{480, 18}, {481, 41}, {482, 25}, {483, 25}, {484, 28}, {485, 1},
	{486, 17}, {488, 31},
	{500, 41}, {501, 79}, {502, 38}, {503, 41}, {504, 102}, {505, 127},
	{513, 127},
	{600, 17}, {603, 21}, {604, 1}, {606, 31},
}

func TestStatusRFC3398(t *testing.T) {
	for _, row := range rfc3398Section7 {
		if got := Cause(row.cause).Status(); got != row.status {
			t.Errorf("Cause(%d).Status() = %d, RFC 3398 §7.2.4.1 says %d", row.cause, got, row.status)
		}
	}
}

func TestFromStatusRFC3398(t *testing.T) {
	for _, row := range rfc3398Section8 {
		got, ok := FromStatus(row.status)
		if !ok || int(got) != row.cause {
			t.Errorf("FromStatus(%d) = %d, %v; RFC 3398 §8.2.6.1 says %d", row.status, got, ok, row.cause)
		}
	}
}

// Causes the table leaves out take the response of their class's
// unspecified cause, or 500 where that is unlisted too.
func TestStatusDefaults(t *testing.T) {
	for _, tc := range []struct {
		cause Cause
		want  int
	}{
		{0, 480},
		{NormalClearing, 480},
		{4, 480},
		{30, 480},
		{44, 503},  // resource unavailable, like 47
		{63, 500},  // 63 itself is unlisted
		{50, 500},  // its class is 63's
		{66, 501},  // service or option not implemented, like 79
		{81, 500},  // invalid message: 95 is unlisted
		{95, 500},  //
		{101, 500}, // protocol error, like 111
		{103, 500},
		{120, 500}, // interworking, like 127
		{128, 500}, // no Q.850 cause at all
		{255, 500},
	} {
		if got := tc.cause.Status(); got != tc.want {
			t.Errorf("Cause(%d).Status() = %d, want %d", tc.cause, got, tc.want)
		}
	}
}

func TestFromStatusDefaults(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   Cause
		ok     bool
	}{
		{-1, 0, false},
		{0, 0, false},
		{100, 0, false},
		{183, 0, false},
		{200, 0, false},
		{299, 0, false},
		{487, 0, false}, // no mapping: it answers the gateway's own CANCEL
		{700, 0, false},
		{1000, 0, false},
		{300, NormalUnspecified, true},
		{302, NormalUnspecified, true},
		{409, NormalUnspecified, true},
		{422, NormalUnspecified, true},
		{491, NormalUnspecified, true},
		{499, NormalUnspecified, true},
		{580, NormalUnspecified, true},
		{599, NormalUnspecified, true},
		{607, NormalUnspecified, true},
		{699, NormalUnspecified, true},
	} {
		got, ok := FromStatus(tc.status)
		if got != tc.want || ok != tc.ok {
			t.Errorf("FromStatus(%d) = %d, %v; want %d, %v", tc.status, got, ok, tc.want, tc.ok)
		}
	}
}

// Every value either way lands somewhere sensible: a final failure
// response, or a defined cause.
func TestMappingsTotal(t *testing.T) {
	for c := range 256 {
		if s := Cause(c).Status(); s < 400 || s > 699 || StatusText(s) == "" {
			t.Errorf("Cause(%d).Status() = %d: not a known failure response", c, s)
		}
	}
	for s := 300; s < 700; s++ {
		c, ok := FromStatus(s)
		if s == 487 {
			continue
		}
		if !ok || strings.HasPrefix(c.String(), "cause ") {
			t.Errorf("FromStatus(%d) = %d, %v: not a defined cause", s, c, ok)
		}
	}
}

// seedPath is the section of the project's seed document
// 002_f5f975245d2bac65.txt that holds its SIP ↔ PSTN table, copied
// unchanged into testdata so that the test runs from any checkout.
var seedPath = filepath.Join("testdata", "seed-002-sip-pstn-table.md")

type seedRow struct {
	status int
	causes []int // the causes in parentheses, first the one to send
}

// readSeedTable parses the markdown table under "SIP code and PSTN
// mapping": | 404 Not found | The Number called is unallocated (1, 2 or 3) | 404 |
func readSeedTable(t *testing.T) []seedRow {
	t.Helper()
	f, err := os.Open(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lead := regexp.MustCompile(`^(\d{3}) `)
	paren := regexp.MustCompile(`\(([^)]*)\)`)
	number := regexp.MustCompile(`\d+`)
	var rows []seedRow
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "### "):
			in = line == "### SIP code and PSTN mapping"
			continue
		case !in || !strings.HasPrefix(line, "|"):
			continue
		}
		cols := strings.Split(strings.Trim(line, "|"), "|")
		if len(cols) != 3 {
			t.Fatalf("seed row %q: want 3 columns", line)
		}
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		m := lead.FindStringSubmatch(cols[0])
		if m == nil {
			continue // the header and the rule under it
		}
		status, _ := strconv.Atoi(m[1])
		if cols[2] != m[1] {
			t.Fatalf("seed row %q: status %s in the first column, %s in the last", line, m[1], cols[2])
		}
		p := paren.FindStringSubmatch(cols[1])
		if p == nil {
			t.Fatalf("seed row %q: no cause in parentheses", line)
		}
		row := seedRow{status: status}
		for _, n := range number.FindAllString(p[1], -1) {
			c, _ := strconv.Atoi(n)
			row.causes = append(row.causes, c)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// The seed's table maps SIP responses to the causes sent to the PSTN; each
// of its rows agrees with RFC 3398 §8.2.6.1.
func TestSeedTable(t *testing.T) {
	rows := readSeedTable(t)
	if len(rows) != 9 {
		t.Fatalf("read %d rows from the seed's table, want 9", len(rows))
	}
	for _, row := range rows {
		got, ok := FromStatus(row.status)
		if !ok || int(got) != row.causes[0] {
			t.Errorf("FromStatus(%d) = %d, %v; the seed says %v", row.status, got, ok, row.causes)
		}
	}
	// Read the other way (cause → response), six rows disagree with RFC
	// 3398 §7.2.4.1, which Status follows: the seed lists one cause for
	// several responses (17 for 486 and 600), and a 407 or 6xx says
	// nothing the PSTN told. The RFC's answers for those rows:
	rfc := map[int]int{407: 403, 480: 408, 502: 503, 600: 486, 603: 403, 604: 404}
	for _, row := range rows {
		want, ok := rfc[row.status]
		if !ok {
			want = row.status
		}
		for _, c := range row.causes {
			if got := Cause(c).Status(); got != want {
				t.Errorf("Cause(%d).Status() = %d, want %d (seed row %d)", c, got, want, row.status)
			}
		}
	}
}
