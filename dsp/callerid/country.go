package callerid

import "strings"

// countryStyle is how each country's exchanges send caller ID: Telcordia
// GR-30 Bell 202 after the first ring in North America; ETSI EN 300 659 V.23
// with a dual-tone alert before ringing in the UK (BT SIN 227) and after the
// first ring in most of Europe; DTMF before ringing in the Netherlands and
// Sweden, Danish DTMF in Denmark, and Brazil's DTMF after the first ring.
// Japan's NTT system is not modelled; V.23 after the first ring stands in.
var countryStyle = map[string]struct {
	std   Standard
	alert Alerting
}{
	"US": {Bell202, AfterFirstRing},
	"CA": {Bell202, AfterFirstRing},
	"GB": {V23, LineReversalDTAS},
	"UK": {V23, LineReversalDTAS},
	"NL": {DTMF, LineReversal},
	"SE": {DTMF, LineReversal},
	"DK": {DTMFDenmark, LineReversal},
	"BR": {DTMFBrazil, AfterFirstRing},
}

// ForCountry returns the standard and alerting a country's phones expect
// (ISO 3166 alpha-2, any case): V.23 after the first ring where nothing
// else is known, as in most of Europe.
func ForCountry(cc string) (Standard, Alerting) {
	if s, ok := countryStyle[strings.ToUpper(cc)]; ok {
		return s.std, s.alert
	}
	return V23, AfterFirstRing
}
