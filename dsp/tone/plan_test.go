package tone

import (
	"slices"
	"testing"
)

func TestPlansComplete(t *testing.T) {
	for _, cc := range []string{"US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "CH", "AT", "SE", "AU", "NZ", "JP", "ITU"} {
		if !slices.Contains(Countries(), cc) {
			t.Errorf("no plan for %s", cc)
		}
	}
	for _, cc := range Countries() {
		p, ok := Lookup(cc)
		if !ok || p.Country != cc || p.Name == "" {
			t.Fatalf("Lookup(%q) = %+v, %v", cc, p, ok)
		}
		if len(p.Ring) == 0 || len(p.Ring)%2 != 0 {
			t.Errorf("%s: ring cadence %v is not on/off pairs", cc, p.Ring)
		}
		for _, k := range Kinds() {
			tn := p.Tone(k)
			if len(tn.Segments) == 0 || tn.Loop < 0 || tn.Loop >= len(tn.Segments) {
				t.Errorf("%s %v: %d segments, loop %d", cc, k, len(tn.Segments), tn.Loop)
				continue
			}
			sounds := false
			for i, s := range tn.Segments {
				if len(s.Freqs) > maxFreqs {
					t.Errorf("%s %v: segment %d has %d frequencies", cc, k, i, len(s.Freqs))
				}
				if s.Ms == 0 && i != len(tn.Segments)-1 {
					t.Errorf("%s %v: endless segment %d is not the last", cc, k, i)
				}
				sounds = sounds || len(s.Freqs) > 0
			}
			if !sounds {
				t.Errorf("%s %v is silent", cc, k)
			}
			if tn.Level > 0 || tn.Level < -30 {
				t.Errorf("%s %v: level %v dBm0", cc, k, tn.Level)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"us", "US", true}, {"De", "DE", true}, {"UK", "GB", true}, {"itu", "ITU", true},
		{"XX", "", false}, {"", "", false},
	} {
		p, ok := Lookup(tc.in)
		if ok != tc.ok || (ok && p.Country != tc.want) {
			t.Errorf("Lookup(%q) = %v, %v; want %s, %v", tc.in, p, ok, tc.want, tc.ok)
		}
	}
}

func TestKindNames(t *testing.T) {
	for _, k := range Kinds() {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	if _, ok := ParseKind("hum"); ok {
		t.Error(`ParseKind("hum") succeeded`)
	}
}
