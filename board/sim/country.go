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

func lookupCountry(cc string) (*countryPlan, error) {
	tp, ok := tone.Lookup(cc)
	if !ok {
		return nil, fmt.Errorf("sim: no tone plan for country %q (known: %s)", cc, strings.Join(tone.Countries(), ", "))
	}
	p := &countryPlan{tones: tp}
	p.cidStandard, p.cidAlerting = callerid.ForCountry(tp.Country)
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
