package sim

import (
	"fmt"
	"strings"
	"time"

	"tipring/dsp/callerid"
	"tipring/dsp/tone"
	"tipring/hal"
)

// countryPlan is how the simulated exchange of a country behaves: its tones,
// its ring cadence and how it sends caller ID.
type countryPlan struct {
	tones       *tone.Plan
	ring        []time.Duration // on, off, on, off...
	cidStandard callerid.Standard
	cidAlerting callerid.Alerting
}

// callerIDStyle is how each country's exchanges send caller ID, as far as
// the simulated exchange models it: Telcordia GR-30 Bell 202 after the first
// ring in North America; ETSI EN 300 659 V.23 with a dual-tone alert before
// ringing in the UK (BT SIN 227) and after the first ring in most of Europe;
// DTMF before ringing in the Netherlands and Sweden. Japan's NTT system is
// not modelled; its lines send V.23 after the first ring here.
var callerIDStyle = map[string]struct {
	std   callerid.Standard
	alert callerid.Alerting
}{
	"US": {callerid.Bell202, callerid.AfterFirstRing},
	"CA": {callerid.Bell202, callerid.AfterFirstRing},
	"GB": {callerid.V23, callerid.LineReversalDTAS},
	"NL": {callerid.DTMF, callerid.LineReversal},
	"SE": {callerid.DTMF, callerid.LineReversal},
}

func lookupCountry(cc string) (*countryPlan, error) {
	tp, ok := tone.Lookup(cc)
	if !ok {
		return nil, fmt.Errorf("sim: no tone plan for country %q (known: %s)", cc, strings.Join(tone.Countries(), ", "))
	}
	p := &countryPlan{tones: tp, cidStandard: callerid.V23, cidAlerting: callerid.AfterFirstRing}
	if s, ok := callerIDStyle[tp.Country]; ok {
		p.cidStandard, p.cidAlerting = s.std, s.alert
	}
	for _, ms := range tp.Ring {
		p.ring = append(p.ring, time.Duration(ms)*time.Millisecond)
	}
	return p, nil
}

// ringing reports whether the ring cadence has ringing voltage on at time t
// after it started.
func (p *countryPlan) ringing(t time.Duration) bool {
	var period time.Duration
	for _, d := range p.ring {
		period += d
	}
	t %= period
	for i, d := range p.ring {
		if t < d {
			return i%2 == 0
		}
		t -= d
	}
	return false
}

// toneSource plays the tone that goes with the exchange's state.
type toneSource struct {
	gen *tone.Generator
}

func (t *toneSource) set(p *countryPlan, s LineState) {
	t.gen = nil
	switch s {
	case LineDialTone:
		t.gen = tone.NewGenerator(&p.tones.Dial)
	case LineRingback:
		t.gen = tone.NewGenerator(&p.tones.Ringback)
	case LineBusy:
		t.gen = tone.NewGenerator(&p.tones.Busy)
	}
}

func (t *toneSource) read(out *hal.Frame) {
	if t.gen != nil {
		t.gen.Generate(out[:])
	}
}
