package web

import (
	"strconv"
	"time"
)

// Status is the answer to GET /v1/status.
type Status struct {
	Version string       `json:"version"`
	Board   string       `json:"board"`
	Country string       `json:"country"`
	Uptime  Seconds      `json:"uptime_s"`
	Lines   []LineStatus `json:"lines"`
	Bus     BusStatus    `json:"bus"`
	SIP     SIPStatus    `json:"sip"`
}

// SIPStatus is the SIP side: the listening addresses, the accounts'
// registrations and the requests refused.
type SIPStatus struct {
	Listen   []string        `json:"listen"`
	Accounts []AccountStatus `json:"accounts"`
	// Forbidden counts out-of-dialog requests from untrusted peers.
	Forbidden uint64 `json:"forbidden"`
}

// AccountStatus is one account's registration.
type AccountStatus struct {
	Name      string `json:"name"`
	Registrar string `json:"registrar"`
	State     string `json:"state"`
	// Server is the transport address registered with, or tried last.
	Server  string `json:"server,omitempty"`
	Contact string `json:"contact,omitempty"`
	// ExpiresIn is how long the binding has left; RetryIn when the next
	// attempt is due after a failure.
	ExpiresIn *Seconds `json:"expires_in_s,omitempty"`
	RetryIn   *Seconds `json:"retry_in_s,omitempty"`
	Failures  int      `json:"failures,omitempty"`
	LastError string   `json:"last_error,omitempty"`
}

// LineStatus is one line as the gateway sees it.
type LineStatus struct {
	ID     int    `json:"id"`
	Kind   string `json:"kind"`
	Number string `json:"number"`
	State  string `json:"state"`
	// Activity is what the line is doing: idle, dial-tone, dialling,
	// calling, talking, ringing, cleared, conference (FXS); idle, ringing,
	// collecting, calling, seizing, dialling, progress, talking, releasing
	// (FXO).
	Activity string      `json:"activity"`
	Call     *CallStatus `json:"call,omitempty"`
	Other    *CallStatus `json:"other_call,omitempty"` // FXS: a held or waiting call, or a conference's other party
	Hook     string      `json:"hook"`
	// FXS
	Linefeed string `json:"linefeed,omitempty"`
	// FXO
	Ringing     bool `json:"ringing,omitempty"`
	Polarity    int  `json:"polarity,omitempty"`
	LoopCurrent *int `json:"loop_current_ma,omitempty"`
	LineVoltage *int `json:"line_voltage_v,omitempty"`
}

// CallStatus is the call a line carries and its media's counters.
type CallStatus struct {
	Direction string `json:"direction"` // "in" or "out"
	Peer      string `json:"peer"`
	State     string `json:"state"`
	Held      bool   `json:"held,omitempty"` // the gateway holds the call
	// Gateway: the peer says it is a gateway (isGateway in its Contact,
	// [MS-OCPSTN]), as a Mediation Server does.
	Gateway bool   `json:"gateway,omitempty"`
	Codec   string `json:"codec,omitempty"`
	// SRTP is the crypto suite of SRTP media, absent for plain RTP;
	// SRTPFailed counts the packets that did not authenticate.
	SRTP            string `json:"srtp,omitempty"`
	SRTPFailed      uint64 `json:"srtp_failed,omitempty"`
	PacketsSent     uint64 `json:"rtp_sent"`
	PacketsReceived uint64 `json:"rtp_received"`
	Lost            int64  `json:"rtp_lost"`
	Jitter          Millis `json:"jitter_ms"`
	Concealed       int64  `json:"concealed_frames"`
	// Buffer is the jitter buffer's delay: how long the fastest packets
	// wait before they play.
	Buffer Millis `json:"buffer_ms"`
	// ERLE is how much the line's echo canceller takes off the echo, in
	// dB to a tenth; absent while there is nothing to measure or the
	// canceller is off.
	ERLE float64 `json:"erle_db,omitempty"`
}

// BusStatus is the frame loop's record.
type BusStatus struct {
	Frames    int64  `json:"frames"`
	Late      int64  `json:"late_frames"`
	WorstLate Millis `json:"worst_late_ms"`
}

// SimLine is a simulated board's line as its far end sees it: a phone on an
// FXS line, an exchange on an FXO line.
type SimLine struct {
	ID       int          `json:"id"`
	Kind     string       `json:"kind"`
	Phone    *SimPhone    `json:"phone,omitempty"`
	Exchange *SimExchange `json:"exchange,omitempty"`
}

// SimPhone is a simulated phone.
type SimPhone struct {
	Hook     string    `json:"hook"`
	Linefeed string    `json:"linefeed"`
	Ringing  bool      `json:"ringing"`
	Cadence  []Millis  `json:"ring_cadence_ms,omitempty"` // last ringing on/off periods, starting with "on"
	Dialling bool      `json:"dialling"`
	Flashing bool      `json:"flashing"`
	CallerID *CallerID `json:"caller_id,omitempty"` // the last one the phone displayed
	// MessageWaiting is the phone's message-waiting lamp.
	MessageWaiting bool `json:"message_waiting"`
}

// SimExchange is the exchange behind a simulated PSTN line.
type SimExchange struct {
	State       string    `json:"state"`
	Seized      bool      `json:"seized"`
	Ringing     bool      `json:"ringing"`
	Polarity    int       `json:"polarity"`
	LoopCurrent int       `json:"loop_current_ma"`
	LineVoltage int       `json:"line_voltage_v"`
	Dialed      string    `json:"dialed"`
	CallerID    *CallerID `json:"caller_id,omitempty"` // of the call ringing now
}

// CallerID is a calling party's identity on an analog line.
type CallerID struct {
	Number string `json:"number,omitempty"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason,omitempty"` // why the number is absent: private or unavailable
}

// SimRequest is the body of a sim action; each action reads its own fields.
type SimRequest struct {
	Digits   string    `json:"digits,omitempty"`    // dial
	Pulse    bool      `json:"pulse,omitempty"`     // dial
	CallerID *CallerID `json:"caller_id,omitempty"` // ring
	Reverse  bool      `json:"reverse,omitempty"`   // answer: polarity reversal
	By       string    `json:"by,omitempty"`        // hangup: loop, polarity or busy
}

// Millis is a duration written as a number of milliseconds.
type Millis time.Duration

func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(m)/float64(time.Millisecond), 'f', -1, 64), nil
}

func (m *Millis) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	*m = Millis(f * float64(time.Millisecond))
	return err
}

// Seconds is a duration written as a whole number of seconds.
type Seconds time.Duration

func (s Seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(time.Duration(s)/time.Second), 10), nil
}

func (s *Seconds) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(b), 10, 64)
	*s = Seconds(time.Duration(n) * time.Second)
	return err
}
