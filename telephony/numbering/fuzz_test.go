package numbering

import (
	"errors"
	"testing"
)

// FuzzNumbers feeds arbitrary strings, as a SIP peer might send, to every
// function of each test site's plan, and checks what holds for any input.
func FuzzNumbers(f *testing.F) {
	for _, s := range []string{
		"+12125550100", "tel:+1-212-555-0100;ext=1", "2125550100", "011442079460000",
		"02079460000", "000", "0011", "*69%23", "%2B4930123456", "911", "+", "", "12%",
		"1(2", "0102125550100", "+999999999999999", "\xff+1",
	} {
		f.Add(s)
	}
	office := de
	office.Rules = []Rule{{Match: "0", Strip: 1}, {Match: "030", Strip: 9, Prefix: "+", Direction: In}}
	plans := []Plan{us, gb, de, au, jp, it, itu, office, {CountryCode: "x", NationalPrefix: "+", InternationalPrefix: "0"}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range plans {
			e, ok := p.E164(s)
			if ok != (e != "") {
				t.Fatalf("%+v: E164(%q) = %q, %v", p, s, e, ok)
			}
			if ok {
				if e[0] != '+' || !isInternational(e[1:]) {
					t.Fatalf("%+v: E164(%q) = %q, not E.164", p, s, e)
				}
				if again, _ := p.E164(e); again != e {
					t.Fatalf("%+v: E164(%q) = %q, but E164 of that is %q", p, s, e, again)
				}
			}

			in, err := p.Inbound(s)
			switch {
			case err != nil && !errors.Is(err, ErrNotNumber):
				t.Fatalf("%+v: Inbound(%q): %v is not ErrNotNumber", p, s, err)
			case err == nil && !isNumber(in):
				t.Fatalf("%+v: Inbound(%q) = %q, not a number", p, s, in)
			}
			// The dialled form means the same number again, except where
			// national numbers have neither a prefix nor a known length.
			if n, ok := subscriber(s); ok && len(p.Rules) == 0 && p.CountryCode != it.CountryCode {
				want, _ := p.E164(n)
				if got, _ := p.E164(in); got != want {
					t.Fatalf("%+v: Inbound(%q) = %q, which is %q in E.164, not %q", p, s, in, got, want)
				}
			}

			out, err := p.Outbound(s)
			switch {
			case err != nil && !errors.Is(err, ErrNotNumber):
				t.Fatalf("%+v: Outbound(%q): %v is not ErrNotNumber", p, s, err)
			case err == nil && !isNumber(out):
				t.Fatalf("%+v: Outbound(%q) = %q, not a number", p, s, out)
			case len(p.Rules) == 0 && (err == nil) != isNumber(s):
				t.Fatalf("%+v: Outbound(%q): %v", p, s, err)
			case len(p.Rules) == 0 && err == nil && out != s:
				t.Fatalf("%+v: Outbound(%q) = %q without rules", p, s, out)
			}
		}
	})
}

func BenchmarkE164(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := gb.E164("02079460000"); !ok {
			b.Fatal("not E.164")
		}
	}
}

func BenchmarkInbound(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gb.Inbound("tel:+44-20-7946-0000"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOutbound(b *testing.B) {
	p := us
	p.Rules = []Rule{{Match: "*67", Strip: 3}, {Match: "9", Strip: 1}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Outbound("912125550100"); err != nil {
			b.Fatal(err)
		}
	}
}
