package sim

import (
	"errors"
	"fmt"
	"tipring/dsp/callerid"
)

// CallerID is a calling party's identity as an analog line carries it.
type CallerID struct {
	Number string
	Name   string
	Reason string // why Number is absent: "private" or "unavailable"
}

func (c *CallerID) message() (callerid.Message, error) {
	m := callerid.Message{Number: c.Number, Name: c.Name}
	switch c.Reason {
	case "":
		if c.Number == "" {
			return m, errors.New("caller ID without a number: give one, or the reason private or unavailable")
		}
	case "private":
		m.NumberReason, m.NameReason = callerid.ReasonPrivate, callerid.ReasonPrivate
	case "unavailable":
		m.NumberReason, m.NameReason = callerid.ReasonOutOfArea, callerid.ReasonOutOfArea
	default:
		return m, fmt.Errorf("caller ID reason %q: want private or unavailable", c.Reason)
	}
	if c.Name == "" && m.NameReason == 0 {
		m.NameReason = callerid.ReasonOutOfArea
	}
	return m, nil
}

func fromMessage(m callerid.Message) *CallerID {
	c := &CallerID{Number: m.Number, Name: m.Name}
	switch m.NumberReason {
	case callerid.ReasonPrivate:
		c.Reason = "private"
	case callerid.ReasonOutOfArea:
		c.Reason = "unavailable"
	}
	return c
}

// callerIDPlan returns how the country's exchange rings with caller ID c.
func (p *countryPlan) callerIDPlan(c *CallerID) (callerid.Plan, error) {
	m, err := c.message()
	if err != nil {
		return nil, err
	}
	if p.cidStandard != callerid.Bell202 && p.cidStandard != callerid.V23 {
		m.Name, m.NameReason = "", 0 // DTMF caller ID carries only the number
	}
	return callerid.Generator{Standard: p.cidStandard}.Plan(p.cidAlerting, m)
}

// cidDisplay is the caller ID display of a phone: it decodes every standard
// from what the line carries while the phone is on hook, callers and
// message-waiting messages, which set its lamp.
type cidDisplay struct {
	det  *callerid.Detector
	last *CallerID
	lamp bool
}

func newCIDDisplay() cidDisplay { return cidDisplay{det: callerid.NewDetector()} }

func (c *cidDisplay) process(s []int16) {
	for len(s) > 0 {
		n, done := c.det.Process(s)
		s = s[n:]
		if !done {
			continue
		}
		switch m := c.det.Message(); m.VMWI {
		case callerid.VMWINone:
			c.last = fromMessage(m)
		default:
			c.lamp = m.VMWI == callerid.VMWIOn
		}
	}
}
