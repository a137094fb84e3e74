package callerid

import "testing"

func TestForCountry(t *testing.T) {
	for _, c := range []struct {
		cc    string
		std   Standard
		alert Alerting
	}{
		{"US", Bell202, AfterFirstRing},
		{"gb", V23, LineReversalDTAS},
		{"NL", DTMF, LineReversal},
		{"FR", V23, AfterFirstRing},
		{"ITU", V23, AfterFirstRing},
	} {
		if std, alert := ForCountry(c.cc); std != c.std || alert != c.alert {
			t.Errorf("ForCountry(%q) = %v, %d; want %v, %d", c.cc, std, alert, c.std, c.alert)
		}
	}
}
