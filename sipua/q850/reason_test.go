package q850

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReasonString(t *testing.T) {
	for _, tc := range []struct {
		r    Reason
		want string
	}{
		{NormalClearing.Reason(), `Q.850;cause=16;text="Normal call clearing"`},
		{UserBusy.Reason(), `Q.850;cause=17;text="User busy"`},
		{StatusReason(486), `SIP;cause=486;text="Busy Here"`},
		{StatusReason(299), `SIP;cause=299`}, // no phrase known
		{Reason{Protocol: "SIP", Cause: 200, Text: "Call completed elsewhere"}, `SIP;cause=200;text="Call completed elsewhere"`},
		{Reason{Protocol: "Q.850"}, `Q.850`},
		{Reason{Protocol: "X", Text: `say "hi" \ bye`}, `X;text="say \"hi\" \\ bye"`},
		{Reason{Protocol: "X", Text: "a\r\nb\tc"}, "X;text=\"a  b\tc\""},
		{Reason{Protocol: "X", Text: "bell\x07del\x7f"}, "X;text=\"bell\\\x07del\\\x7f\""},
		{Reason{Protocol: "X", Text: "caf\xe9"}, "X;text=\"caf\uFFFD\""},
		{Reason{Protocol: "X", Text: "Zürich"}, `X;text="Zürich"`},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestParseReasons(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Reason
	}{
		{`Q.850;cause=16;text="Normal call clearing"`,
			[]Reason{{"Q.850", 16, "Normal call clearing"}}},
		{`SIP;cause=200;text="Call completed elsewhere"`,
			[]Reason{{"SIP", 200, "Call completed elsewhere"}}},
		// RFC 3326 §2: one value per protocol, several per header.
		{`SIP;cause=480;text="Temporarily Unavailable", Q.850;cause=18;text="No user responding"`,
			[]Reason{{"SIP", 480, "Temporarily Unavailable"}, {"Q.850", 18, "No user responding"}}},
		{`Q.850;cause=17`, []Reason{{"Q.850", 17, ""}}},
		{`Q.850`, []Reason{{"Q.850", 0, ""}}},
		{`q.850;CAUSE=17;Text="x"`, []Reason{{"Q.850", 17, "x"}}},
		{`sip;cause=603`, []Reason{{"SIP", 603, ""}}},
		{`preemption;cause=1;text="UA Preemption"`, []Reason{{"preemption", 1, "UA Preemption"}}},
		{`Q.850;cause=016`, []Reason{{"Q.850", 16, ""}}},
		// White space wherever the grammar has SWS, and line folds.
		{" \tQ.850 ; cause = 16 ; text = \"Normal call clearing\" \t",
			[]Reason{{"Q.850", 16, "Normal call clearing"}}},
		{"SIP;cause=200 ,\r\n Q.850;cause=16", []Reason{{"SIP", 200, ""}, {"Q.850", 16, ""}}},
		{"Q.850;\r\n\tcause=16", []Reason{{"Q.850", 16, ""}}},
		{"X;text=\"two\r\n  lines\"", []Reason{{"X", 0, "two  lines"}}},
		// Escapes and UTF-8 in the text.
		{`X;text="say \"hi\" \\ bye"`, []Reason{{"X", 0, `say "hi" \ bye`}}},
		{`X;text="\a\b"`, []Reason{{"X", 0, "ab"}}},
		{`X;text=""`, []Reason{{"X", 0, ""}}},
		{`X;text="a,b;c=d"`, []Reason{{"X", 0, "a,b;c=d"}}},
		{"X;text=\"Zürich\ttab\"", []Reason{{"X", 0, "Zürich\ttab"}}},
		// Extension parameters are checked and dropped (RFC 8606 location).
		{`Q.850;cause=17;location=LN`, []Reason{{"Q.850", 17, ""}}},
		{`Q.850;flag;cause=17;x="q;,\"";y=[2001:db8::1]`, []Reason{{"Q.850", 17, ""}}},
	} {
		got, err := ParseReasons(tc.in)
		if err != nil {
			t.Errorf("ParseReasons(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseReasons(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseReasonsErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // in the error message
	}{
		{``, "want a protocol at byte 0"},
		{`   `, "want a protocol"},
		{`;cause=16`, "want a protocol"},
		{`Q.850,`, "want a protocol at byte 6"},
		{`,Q.850`, "want a protocol at byte 0"},
		{`Q.850,,SIP`, "want a protocol"},
		{`Q.850 SIP`, "want ','"},
		{`Q.850;`, "want a parameter name"},
		{`Q.850;=16`, "want a parameter name"},
		{`Q.850;cause`, "cause wants digits"},
		{`Q.850;cause=`, "cause wants digits"},
		{`Q.850;cause=x`, "cause wants digits"},
		{`Q.850;cause=-1`, "cause wants digits"},
		{`Q.850;cause=1x`, "want ','"},
		{`Q.850;cause=0`, "Q.850 cause 0 outside 1..127"},
		{`Q.850;cause=128`, "Q.850 cause 128 outside 1..127"},
		{`SIP;cause=99`, "SIP cause 99 outside 100..699"},
		{`SIP;cause=700`, "SIP cause 700 outside 100..699"},
		{`X;cause=1234567890`, "too long"},
		{`Q.850;cause=16;cause=17`, "second cause"},
		{`Q.850;text="a";text="b"`, "second text"},
		{`Q.850;text`, "text wants a quoted string"},
		{`Q.850;text=abc`, "text wants a quoted string"},
		{`Q.850;text="abc`, "unterminated quoted string at byte 11"},
		{`Q.850;text="abc\"`, "unterminated"},
		{`Q.850;text="abc\`, "unterminated"},
		{"Q.850;text=\"a\nb\"", "control character"},
		{"Q.850;text=\"a\r\nb\"", "control character"},
		{"Q.850;text=\"a\x00b\"", "control character"},
		{"Q.850;text=\"a\x7fb\"", "control character"},
		{"Q.850;text=\"a\\\nb\"", "bad escape"},
		{"Q.850;text=\"a\\\xc3\xa9\"", "bad escape"},
		{"Q.850;text=\"caf\xe9\"", "not UTF-8"},
		{"Q.850\r\n;cause=16", "want ','"}, // CRLF without a following space ends the header
		{`Q.850;x=`, "parameter wants a value"},
		{`Q.850;x=[zz]`, "bad IPv6 reference"},
		{`Q.850;x=[]`, "bad IPv6 reference"},
		{`Q.850;x=[::1`, "bad IPv6 reference"},
		{`Q.850;x="open`, "unterminated"},
		{`Reason: Q.850;cause=16`, "want ','"}, // the value only, not the header
	} {
		got, err := ParseReasons(tc.in)
		if err == nil {
			t.Errorf("ParseReasons(%q) = %+v, want an error", tc.in, got)
			continue
		}
		if !errors.Is(err, ErrBadReason) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseReasons(%q): %v, want ErrBadReason with %q", tc.in, err, tc.want)
		}
	}
}

func TestQ850Cause(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Cause
		ok   bool
	}{
		{`SIP;cause=486, Q.850;cause=17`, UserBusy, true},
		{`Q.850;text="no cause", Q.850;cause=21`, CallRejected, true},
		{`SIP;cause=486;text="Busy Here"`, 0, false},
		{`X;cause=17`, 0, false},
	} {
		rs, err := ParseReasons(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := Q850Cause(rs); got != tc.want || ok != tc.ok {
			t.Errorf("Q850Cause(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := Q850Cause([]Reason{{Protocol: ProtocolQ850, Cause: 300}}); ok {
		t.Error("Q850Cause took cause 300")
	}
}

// What String writes, ParseReasons reads back unchanged: for every cause
// and every known status.
func TestReasonRoundTrip(t *testing.T) {
	var rs []Reason
	for c := Cause(1); c < 128; c++ {
		rs = append(rs, c.Reason())
	}
	for code := range 700 {
		if StatusText(code) != "" {
			rs = append(rs, StatusReason(code))
		}
	}
	for _, r := range rs {
		got, err := ParseReasons(r.String())
		if err != nil || len(got) != 1 || got[0] != r {
			t.Errorf("ParseReasons(%q) = %+v, %v; want %+v", r.String(), got, err, r)
		}
	}
}

func FuzzParseReasons(f *testing.F) {
	for _, s := range []string{
		`Q.850;cause=16;text="Normal call clearing"`,
		`SIP;cause=480;text="Temporarily Unavailable", Q.850;cause=18`,
		" q.850 ; cause = 17 ;\r\n text = \"User \\\"busy\\\"\" ",
		`Q.850;cause=17;location=LN;x="y";z=[::1]`,
		"X;text=\"Zürich\"",
		`Q.850;cause=128`,
		`Q.850;text="abc`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rs, err := ParseReasons(in)
		if err != nil {
			if !errors.Is(err, ErrBadReason) {
				t.Fatalf("ParseReasons(%q): error %v does not wrap ErrBadReason", in, err)
			}
			return
		}
		if len(rs) == 0 {
			t.Fatalf("ParseReasons(%q) gave no reasons and no error", in)
		}
		// Writing the values and reading them again gives them back.
		parts := make([]string, len(rs))
		for i, r := range rs {
			parts[i] = r.String()
		}
		out := strings.Join(parts, ", ")
		again, err := ParseReasons(out)
		if err != nil {
			t.Fatalf("ParseReasons(%q) = %+v, written %q, which does not parse: %v", in, rs, out, err)
		}
		if !reflect.DeepEqual(again, rs) {
			t.Fatalf("ParseReasons(%q) = %+v, written %q, read back %+v", in, rs, out, again)
		}
	})
}

var sink []Reason

func BenchmarkParseReasons(b *testing.B) {
	in := `SIP;cause=480;text="Temporarily Unavailable", Q.850;cause=18;text="No user responding"`
	b.ReportAllocs()
	for b.Loop() {
		rs, err := ParseReasons(in)
		if err != nil {
			b.Fatal(err)
		}
		sink = rs
	}
}

var sinkString string

func BenchmarkReasonString(b *testing.B) {
	r := NormalClearing.Reason()
	b.ReportAllocs()
	for b.Loop() {
		sinkString = r.String()
	}
}
