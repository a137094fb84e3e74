package web

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"tipring/board/sim"
	"tipring/hal"
	"tipring/sipua"
	"tipring/telephony"
)

// API is the JSON API of a running gateway.
type API struct {
	Version string
	Board   string
	Country string
	Started time.Time
	Engine  *telephony.Engine
	SIP     *sipua.UA
	Sim     *sim.Board // nil on real hardware
	Log     *slog.Logger
}

// Handler returns the API's routes.
func (a *API) Handler() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /v1/status", a.status)
	m.HandleFunc("GET /v1/sim/lines", a.simLines)
	m.HandleFunc("POST /v1/sim/lines/{id}/{action}", a.simAction)
	m.HandleFunc("POST /v1/sim/lines/{id}/play", a.simPlay)
	m.HandleFunc("POST /v1/sim/lines/{id}/record", a.simRecord)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no API at %s %s", r.Method, r.URL.Path))
	})
	return m
}

// Error is the body of every failed request.
type Error struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, Error{err.Error()})
}

// simError answers a failed action on the simulated board.
func simError(w http.ResponseWriter, err error) {
	code := http.StatusBadRequest
	switch {
	case errors.Is(err, sim.ErrNoLine):
		code = http.StatusNotFound
	case errors.Is(err, sim.ErrState):
		code = http.StatusConflict
	}
	writeError(w, code, err)
}

func (a *API) status(w http.ResponseWriter, r *http.Request) {
	lines, bus := a.Engine.Status()
	s := Status{
		Version: a.Version,
		Board:   a.Board,
		Country: a.Country,
		Uptime:  Seconds(time.Since(a.Started)),
		Bus:     BusStatus{Frames: bus.Frames, Late: bus.Late, WorstLate: Millis(bus.WorstLate)},
	}
	for _, l := range lines {
		ls := LineStatus{ID: l.ID, Kind: l.Kind.String(), Number: l.Number, State: l.State(), Activity: l.Activity, Hook: l.Hook.String()}
		ls.Call, ls.Other = callStatus(l.Call), callStatus(l.Other)
		if l.Kind == hal.KindFXS {
			ls.Linefeed = l.Linefeed.String()
		} else {
			ls.Ringing, ls.Polarity = l.Ringing, l.Polarity
			ls.LoopCurrent, ls.LineVoltage = &l.LoopCurrent, &l.LineVoltage
		}
		s.Lines = append(s.Lines, ls)
	}
	if a.SIP != nil {
		s.SIP = sipStatus(a.SIP.Status(), time.Now())
	}
	writeJSON(w, http.StatusOK, s)
}

func sipStatus(st sipua.Status, now time.Time) SIPStatus {
	s := SIPStatus{Forbidden: st.Forbidden, Listen: []string{}, Accounts: []AccountStatus{}}
	for _, l := range st.Listen {
		s.Listen = append(s.Listen, l.String())
	}
	until := func(t time.Time) *Seconds {
		if t.IsZero() {
			return nil
		}
		d := Seconds(max(t.Sub(now), 0))
		return &d
	}
	for _, r := range st.Registrations {
		s.Accounts = append(s.Accounts, AccountStatus{
			Name: r.Account, Registrar: r.Registrar, State: string(r.State), Server: r.Server, Contact: r.Contact,
			ExpiresIn: until(r.Expires), RetryIn: until(r.Retry), Failures: r.Failures, LastError: r.LastError,
		})
	}
	return s
}

// simBoard returns the simulated board, or answers that there is none.
func (a *API) simBoard(w http.ResponseWriter) *sim.Board {
	if a.Sim == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("board %q is real hardware; the sim commands need board \"sim\"", a.Board))
	}
	return a.Sim
}

func (a *API) simLines(w http.ResponseWriter, r *http.Request) {
	b := a.simBoard(w)
	if b == nil {
		return
	}
	var out []SimLine
	for n := 1; n <= b.NumPorts(); n++ {
		out = append(out, simLine(b, n))
	}
	writeJSON(w, http.StatusOK, out)
}

func simLine(b *sim.Board, n int) SimLine {
	l := SimLine{ID: n, Kind: b.Kind(n).String()}
	if p := b.FXS(n); p != nil {
		st := p.State()
		ph := &SimPhone{Hook: st.Hook.String(), Linefeed: st.Linefeed.String(), Ringing: st.Ringing, Dialling: st.Dialling, Flashing: st.Flashing,
			CallerID: wireCID(st.CallerID), MessageWaiting: st.MessageWaiting}
		for _, d := range st.Cadence {
			ph.Cadence = append(ph.Cadence, Millis(d))
		}
		l.Phone = ph
		return l
	}
	st := b.FXO(n).State()
	l.Exchange = &SimExchange{
		State: st.State.String(), Seized: st.Hook == hal.OffHook, Ringing: st.Ringing, Polarity: st.Polarity,
		LoopCurrent: st.LoopCurrent, LineVoltage: st.LineVoltage, Dialed: st.Dialed, CallerID: wireCID(st.CallerID),
	}
	return l
}

func wireCID(c *sim.CallerID) *CallerID {
	if c == nil {
		return nil
	}
	return &CallerID{Number: c.Number, Name: c.Name, Reason: c.Reason}
}

// simLineOf returns the simulated board and the line number {id} of a sim
// route, or answers why there are none.
func (a *API) simLineOf(w http.ResponseWriter, r *http.Request) (*sim.Board, int, bool) {
	b := a.simBoard(w)
	if b == nil {
		return nil, 0, false
	}
	n, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("line %q: not a line number", r.PathValue("id")))
		return nil, 0, false
	}
	return b, n, true
}

// maxRequest bounds a JSON request body.
const maxRequest = 64 << 10

func (a *API) simAction(w http.ResponseWriter, r *http.Request) {
	b, n, ok := a.simLineOf(w, r)
	if !ok {
		return
	}
	var req SimRequest
	if r.ContentLength != 0 {
		dec := json.NewDecoder(io.LimitReader(r.Body, maxRequest))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil && err != io.EOF {
			writeError(w, http.StatusBadRequest, fmt.Errorf("bad request body: %v", err))
			return
		}
	}
	err := a.act(b, n, r.PathValue("action"), req)
	if err != nil {
		simError(w, err)
		return
	}
	a.Log.Info("sim", "line", n, "action", r.PathValue("action"))
	writeJSON(w, http.StatusOK, simLine(b, n))
}

// act performs one action on line n of the simulated board.
func (a *API) act(b *sim.Board, n int, action string, req SimRequest) error {
	kind := "fxs"
	switch action {
	case "offhook", "onhook", "flash", "dial":
	case "ring", "answer", "hangup":
		kind = "fxo"
	default:
		return fmt.Errorf("unknown action %q", action)
	}
	p, x := b.FXS(n), b.FXO(n)
	if p == nil && x == nil {
		return b.CheckLine(n)
	}
	if (kind == "fxs") != (p != nil) {
		return fmt.Errorf("line %d is %v: %s is for %s lines", n, b.Kind(n), action, kind)
	}
	switch action {
	case "offhook":
		return p.OffHook()
	case "onhook":
		return p.OnHook()
	case "flash":
		return p.Flash()
	case "dial":
		return p.Dial(req.Digits, req.Pulse)
	case "ring":
		var cid *sim.CallerID
		if req.CallerID != nil {
			cid = &sim.CallerID{Number: req.CallerID.Number, Name: req.CallerID.Name, Reason: req.CallerID.Reason}
		}
		return x.Ring(cid)
	case "answer":
		return x.Answer(req.Reverse)
	default: // hangup
		how := sim.HangupLoop
		if req.By != "" {
			var err error
			if how, err = sim.ParseHangup(req.By); err != nil {
				return err
			}
		}
		return x.Hangup(how)
	}
}

// Audio travels as raw 16-bit little-endian samples at 8 kHz, mono.
const audioType = "audio/L16;rate=8000"

// maxAudio bounds played audio: ten minutes.
const maxAudio = 10 * 60 * hal.SampleRate * 2

func (a *API) simPlay(w http.ResponseWriter, r *http.Request) {
	b, n, ok := a.simLineOf(w, r)
	if !ok {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxAudio+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if len(data) > maxAudio {
		writeError(w, http.StatusRequestEntityTooLarge, errors.New("audio longer than ten minutes"))
		return
	}
	if len(data)%2 != 0 {
		writeError(w, http.StatusBadRequest, errors.New("audio is not whole 16-bit samples"))
		return
	}
	s := make([]int16, len(data)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
	}
	if err := b.Play(n, s); err != nil {
		simError(w, err)
		return
	}
	a.Log.Info("sim", "line", n, "action", "play", "seconds", float64(len(s))/hal.SampleRate)
	writeJSON(w, http.StatusOK, simLine(b, n))
}

func (a *API) simRecord(w http.ResponseWriter, r *http.Request) {
	b, n, ok := a.simLineOf(w, r)
	if !ok {
		return
	}
	sec, err := strconv.ParseFloat(r.URL.Query().Get("seconds"), 64)
	if err != nil || sec <= 0 {
		writeError(w, http.StatusBadRequest, fmt.Errorf("seconds=%q: want a positive number", r.URL.Query().Get("seconds")))
		return
	}
	rec, err := b.Record(n, int(sec*hal.SampleRate))
	if err != nil {
		simError(w, err)
		return
	}
	a.Log.Info("sim", "line", n, "action", "record", "seconds", sec)
	s, err := rec.Wait(r.Context())
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			writeError(w, http.StatusServiceUnavailable, err)
		}
		return
	}
	out := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
	}
	w.Header().Set("Content-Type", audioType)
	w.Write(out)
}

func callStatus(c *telephony.CallStatus) *CallStatus {
	if c == nil {
		return nil
	}
	dir := "out"
	if c.Incoming {
		dir = "in"
	}
	return &CallStatus{Direction: dir, Peer: c.Peer, State: c.State.String(), Held: c.Held, Gateway: c.Gateway, Codec: c.Codec,
		SRTP: c.SRTP, SRTPFailed: c.SRTPFailed,
		PacketsSent: c.PacketsSent, PacketsReceived: c.PacketsReceived, Lost: c.Lost,
		Jitter: Millis(c.Jitter), Concealed: c.Concealed, Buffer: Millis(c.Delay), ERLE: math.Round(c.ERLE*10) / 10}
}
