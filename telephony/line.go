package telephony

import (
	"time"

	"tipring/hal"
	"tipring/sipua"
)

// LineStatus is what the gateway knows of a line.
type LineStatus struct {
	ID     int
	Kind   hal.Kind
	Number string

	// Activity is what the line's state machine is doing: idle, dial-tone,
	// dialling, calling, talking, ringing, cleared (FXS); idle, ringing,
	// seizing, dialling, calling, talking, releasing (FXO).
	Activity string
	Call     *CallStatus // the call the line carries, or nil
	// Other is an FXS line's second call: held, waiting, or the other
	// party of a conference; nil if none.
	Other *CallStatus

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

// CallStatus is a line's call and its media's counters.
type CallStatus struct {
	Incoming bool
	Peer     string // the other party's number
	State    sipua.CallState
	Held     bool // the line holds the call
	Codec    string
	// SRTP names the crypto suite of the call's SRTP, "" for plain RTP;
	// SRTPFailed counts the packets that did not authenticate.
	SRTP       string
	SRTPFailed uint64
	// Gateway: the peer's Contact says it is a gateway ([MS-OCPSTN]
	// isGateway), as a Mediation Server's does.
	Gateway bool

	PacketsSent     uint64
	PacketsReceived uint64
	Lost            int64
	Jitter          time.Duration
	// Concealed counts the frames due from the network that did not come
	// in time, since the line started.
	Concealed int64
	// Delay is the jitter buffer's: how long the fastest packets wait
	// before they play.
	Delay time.Duration
	// ERLE is how much the line's echo canceller takes off the echo, in
	// dB; 0 while it has nothing to measure, or is off.
	ERLE float64
}

// quality is what the line's voice processing says of the call's audio.
type quality struct {
	concealed int64
	erle      float64
}

func callStatus(c *sipua.Call, q quality) *CallStatus {
	if c == nil {
		return nil
	}
	m := c.Media()
	s := &CallStatus{Incoming: c.Incoming, State: c.State(), Codec: m.Codec.Name, Gateway: c.PeerIsGateway(),
		Concealed: q.concealed, ERLE: q.erle}
	if m.SRTP.Suite != 0 {
		s.SRTP = m.SRTP.Suite.String()
	}
	s.Peer = c.To.Number
	if c.Incoming {
		s.Peer = c.From.Number
	}
	st := c.Stream().Stats()
	s.PacketsSent, s.PacketsReceived, s.Lost, s.Jitter = st.PacketsSent, st.PacketsReceived, st.Lost, st.Jitter
	s.Delay, s.SRTPFailed = st.Playout.Delay, st.SRTPFailed
	return s
}

func newLineStatus(p *Port) LineStatus {
	s := LineStatus{ID: p.ID, Number: p.Number, Kind: hal.KindFXS}
	if p.FXO != nil {
		s.Kind = hal.KindFXO
	}
	s.read(p)
	return s
}

// State names what the line's hardware shows in one word.
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

func (s *LineStatus) read(p *Port) {
	if p.FXS != nil {
		s.Hook, s.Linefeed = p.FXS.Hook(), p.FXS.Linefeed()
		return
	}
	s.Hook, s.Ringing, s.Polarity = p.FXO.Hook(), p.FXO.Ringing(), p.FXO.Polarity()
	s.LoopCurrent, s.LineVoltage = p.FXO.LoopCurrent(), p.FXO.LineVoltage()
}
