package telephony

import (
	"tipring/sipua"
	"tipring/sipua/q850"
	"tipring/telephony/digitmap"
)

// Inbound sends incoming calls for numbers that Match to the first free of
// Lines.
type Inbound struct {
	Match *digitmap.Map
	Lines []int // line IDs, tried in order
}

// Incoming routes an incoming call to a line: by the Inbound rules, then by
// the lines' own numbers, looking at the Request-URI's number before To's.
// A line in a call that takes another as waiting comes after every free
// line. Without a line for the number the call is refused with 404; when
// every line it may go to is busy, with 486. It is meant as
// sipua.Config.Incoming.
func (e *Engine) Incoming(c *sipua.Call) {
	number := e.local(c.Target)
	candidates := e.route(number)
	if to := e.local(c.To.Number); len(candidates) == 0 && to != number {
		number = to
		candidates = e.route(number)
	}
	if len(candidates) == 0 {
		e.log.Info("incoming call refused: no line for the number", "target", c.Target, "to", c.To.Number, "from", c.From.Number)
		c.Reject(q850.UnallocatedNumber)
		return
	}
	// A call that came from the gateway's own side of a Mediation Server
	// (Ms-Call-Source) back to a line still alerting in another dialog is
	// a loop, such as a forward to the PSTN of a call from the PSTN:
	// [MS-OCPSTN] 3.3 has it refused with 605.
	if c.CallSource() != "" {
		for _, i := range candidates {
			if e.alerting[i].Load() {
				e.log.Info("incoming call refused: a loop", "line", e.ports[i].ID, "call_source", c.CallSource(), "from", c.From.Number, "to", c.To.Number)
				c.RejectLoop()
				return
			}
		}
	}
	for _, i := range candidates {
		if !e.busy[i].Load() && e.sigs[i].offer(c, number) {
			e.log.Info("incoming call", "line", e.ports[i].ID, "from", c.From.Number, "to", c.To.Number)
			return
		}
	}
	for _, i := range candidates {
		if e.waits[i].Load() && e.sigs[i].offer(c, number) {
			e.log.Info("incoming call waiting", "line", e.ports[i].ID, "from", c.From.Number, "to", c.To.Number)
			return
		}
	}
	e.log.Info("incoming call refused: line busy", "target", c.Target, "to", c.To.Number, "from", c.From.Number)
	c.Reject(q850.UserBusy)
}

// local is a called number in the form the site dials it, which the routes
// and the lines' numbers are written in.
func (e *Engine) local(number string) string {
	if e.numbers == nil || number == "" {
		return number
	}
	n, err := e.numbers.Inbound(number)
	if err != nil {
		return number // not a number: only a line's name-like number matches
	}
	return n
}

// route returns the indexes of the lines a call for number may go to, in
// the order to try them.
func (e *Engine) route(number string) []int {
	if number == "" {
		return nil
	}
	for _, r := range e.inbound {
		if st := r.Match.Match(number, true); st == digitmap.Complete || st == digitmap.Ambiguous {
			idx := make([]int, 0, len(r.Lines))
			for _, id := range r.Lines {
				idx = append(idx, e.index[id])
			}
			return idx
		}
	}
	for i, p := range e.ports {
		if p.FXS != nil && p.Number == number {
			return []int{i}
		}
	}
	return nil
}
