package telephony

import "tipring/hal"

// LineStatus is what the gateway knows of a line from its port.
type LineStatus struct {
	ID     int
	Kind   hal.Kind
	Number string

	// FXS: the phone's hook and how the port feeds the line.
	Hook     hal.Hook
	Linefeed hal.Linefeed
	// FXO: our seizure, and what the line shows.
	Ringing     bool
	Polarity    int
	LoopCurrent int
	LineVoltage int

	LastEvent hal.Event // the latest change the port reported
}

func newLineStatus(p Port) LineStatus {
	s := LineStatus{ID: p.ID, Number: p.Number, Kind: hal.KindFXS}
	if p.FXO != nil {
		s.Kind = hal.KindFXO
	}
	s.read(p)
	return s
}

// State names what the line is doing in one word.
func (s LineStatus) State() string {
	switch {
	case s.Kind == hal.KindFXS && s.Hook == hal.OffHook:
		return "off-hook"
	case s.Kind == hal.KindFXS && s.Linefeed == hal.LinefeedRinging:
		return "ringing"
	case s.Kind == hal.KindFXO && s.Hook == hal.OffHook:
		return "seized"
	case s.Kind == hal.KindFXO && s.Ringing:
		return "ringing"
	case s.Kind == hal.KindFXO && s.LineVoltage == 0:
		return "no-battery"
	}
	return "idle"
}

// drain takes the port's pending events, then reads its state.
func (s *LineStatus) drain(p Port) {
	ch := p.events()
	for {
		select {
		case ev := <-ch:
			s.LastEvent = ev
		default:
			s.read(p)
			return
		}
	}
}

func (s *LineStatus) read(p Port) {
	if p.FXS != nil {
		s.Hook, s.Linefeed = p.FXS.Hook(), p.FXS.Linefeed()
		return
	}
	s.Hook, s.Ringing, s.Polarity = p.FXO.Hook(), p.FXO.Ringing(), p.FXO.Polarity()
	s.LoopCurrent, s.LineVoltage = p.FXO.LoopCurrent(), p.FXO.LineVoltage()
}
