package main

import (
	"fmt"
	"slices"
	"time"

	"tipring/board/sim"
	"tipring/config"
	"tipring/dsp/callerid"
	"tipring/telephony"
	"tipring/telephony/digitmap"
	"tipring/telephony/numbering"
)

// linePorts gives each configured line its port on the board and the
// behaviour its keys ask for. The configuration has been validated.
func linePorts(cfg *config.Config, b *sim.Board) ([]telephony.Port, error) {
	var ports []telephony.Port
	for _, l := range cfg.Lines {
		p := telephony.Port{
			ID: l.ID, Number: l.Number, Account: l.Account, Name: l.Name, Anonymous: l.SendAnonymous,
			Hotline: l.Hotline, HotlineDelay: time.Duration(l.HotlineDelay) * time.Second,
			Digits: telephony.DigitTimeouts{
				First:    time.Duration(l.FirstDigitTimeout) * time.Second,
				Inter:    time.Duration(l.InterDigitTimeout) * time.Second,
				Critical: time.Duration(l.CriticalTimeout) * time.Second,
			},
			Reversal: l.Reversal, Howler: l.Howler, CallWaiting: l.CallWaiting, MWI: l.MWI,
			Transfer: l.Transfer, Conference: l.Conference,
			Voice: lineVoice(&l),
		}
		if p.Account == "" && len(cfg.Accounts) > 0 {
			p.Account = cfg.Accounts[0].Name
		}
		if l.DialPlan != "" {
			m, err := digitmap.Parse(l.DialPlan)
			if err != nil {
				return nil, fmt.Errorf("line %d: dial_plan: %w", l.ID, err)
			}
			p.DialPlan = m
		}
		switch l.Kind {
		case config.FXS:
			p.FXS = b.FXS(l.ID)
			p.CallerID = callerIDMode(l.CallerID, cfg.Device.Country)
		case config.FXO:
			p.FXO = b.FXO(l.ID)
			if l.Answer == "polarity" {
				p.Answer = telephony.AnswerPolarity
			}
			p.Disconnect = telephony.Disconnect{
				LoopDrop: slices.Contains(l.Disconnect, "loop"),
				Polarity: slices.Contains(l.Disconnect, "polarity"),
				Tone:     slices.Contains(l.Disconnect, "tone"),
				Silence:  time.Duration(l.SilenceTimeout) * time.Second,
			}
			if l.Dialing == "pulse" {
				p.Dialing = telephony.DialPulse
			}
		}
		ports = append(ports, p)
	}
	return ports, nil
}

// lineVoice is the voice processing a line's keys ask for.
func lineVoice(l *config.Line) telephony.Voice {
	v := telephony.Voice{
		NoPLC:     !l.PLC,
		JitterMin: time.Duration(l.JitterMin) * time.Millisecond,
		JitterMax: time.Duration(l.JitterMax) * time.Millisecond,
	}
	if l.EchoCanceller {
		v.EchoTail = time.Duration(l.EchoTail) * time.Millisecond
	}
	return v
}

// callerIDMode is how a caller_id key sends caller ID: "auto" as the
// country's phones expect it.
func callerIDMode(mode, country string) telephony.CallerID {
	switch mode {
	case "auto":
		std, alert := callerid.ForCountry(country)
		return telephony.CallerID{Standard: std, Alerting: alert}
	case "bell202":
		return telephony.CallerID{Standard: callerid.Bell202, Alerting: callerid.AfterFirstRing}
	case "v23":
		return telephony.CallerID{Standard: callerid.V23, Alerting: callerid.AfterFirstRing}
	case "v23-dtas":
		return telephony.CallerID{Standard: callerid.V23, Alerting: callerid.DTAS}
	case "v23-rpas":
		return telephony.CallerID{Standard: callerid.V23, Alerting: callerid.RPAS}
	case "v23-lr":
		return telephony.CallerID{Standard: callerid.V23, Alerting: callerid.LineReversalDTAS}
	case "dtmf":
		return telephony.CallerID{Standard: callerid.DTMF, Alerting: callerid.LineReversal}
	}
	return telephony.CallerID{} // off
}

// inboundRoutes are the routing.inbound rules.
func inboundRoutes(cfg *config.Config) ([]telephony.Inbound, error) {
	var routes []telephony.Inbound
	for i, in := range cfg.Routing.Inbound {
		m, err := digitmap.Parse(in.Match)
		if err != nil {
			return nil, fmt.Errorf("routing.inbound[%d].match: %w", i, err)
		}
		routes = append(routes, telephony.Inbound{Match: m, Lines: in.Lines})
	}
	return routes, nil
}

// numberingPlan is how numbers are written at the site.
func numberingPlan(cfg *config.Config) *numbering.Plan {
	p := &numbering.Plan{CountryCode: cfg.CountryCode(), NationalPrefix: cfg.NationalPrefix(),
		InternationalPrefix: cfg.InternationalPrefix()}
	for _, r := range cfg.Routing.Rewrite {
		dir := numbering.Out
		if r.Direction == "in" {
			dir = numbering.In
		}
		p.Rules = append(p.Rules, numbering.Rule{Match: r.Match, Strip: r.Strip, Prefix: r.Prefix, Direction: dir})
	}
	return p
}
