package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tipring/dsp/callerid"
	"tipring/dsp/echo"
	"tipring/dsp/jitter"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/telephony/digitmap"
	"tipring/telephony/numbering"
)

// A Port is one line: its hardware, exactly one of FXS and FXO, and how it
// behaves.
type Port struct {
	ID     int    // the line's number on the board, from 1
	Number string // the line's directory number
	FXS    hal.FXS
	FXO    hal.FXO

	Account string // the SIP account its calls go out on
	Name    string // display name of its calls
	// Anonymous withholds the caller's identity on the line's calls: the
	// phone's on FXS, the PSTN caller's on FXO.
	Anonymous bool
	DialPlan  *digitmap.Map // nil: any digits, sent after a pause or with #
	// Hotline is, on an FXS line, the number dialled when the phone goes
	// off hook (after HotlineDelay without a digit: a warm line); on an FXO
	// line, where the PSTN's calls go.
	Hotline      string
	HotlineDelay time.Duration
	Digits       DigitTimeouts // how long dialling waits for a key
	CallerID     CallerID      // FXS: how caller ID is sent; the zero value sends none
	Reversal     bool          // FXS: reverse polarity on answer, restore it on disconnect
	Howler       bool          // FXS: the howler for a phone left off hook after a call
	// CallWaiting (FXS): a call for the line while it is in a call waits,
	// announced by the call-waiting tone, rather than being refused busy.
	CallWaiting bool
	// MWI (FXS): messages waiting in the account's mailbox give stutter
	// dial tone and, with FSK caller ID, light the phone's lamp (mwi.go).
	MWI bool
	// Transfer and Conference (FXS) are what a flash in a call leads to:
	// hanging up transfers the held call, a flash with the second call
	// answered makes a three-way conference (see consult.go).
	Transfer   bool
	Conference bool

	// Voice is how the line's audio is cleaned up: echo cancellation,
	// loss concealment and the jitter buffer's delay.
	Voice Voice

	Answer     Answer     // FXO: when a call out to the PSTN counts as answered
	Disconnect Disconnect // FXO: the signs of the far end hanging up heeded
	Dialing    Dialing    // FXO: how numbers go to the exchange
}

// Voice configures a line's voice processing.
type Voice struct {
	// EchoTail is the longest echo the line's echo canceller removes, 16
	// to 128 ms (G.168); 0 turns it off.
	EchoTail time.Duration
	// NoPLC fills the gaps of lost packets with silence instead of
	// concealing them (G.711 Appendix I).
	NoPLC bool
	// JitterMin and JitterMax bound the delay of the calls' jitter
	// buffers; both 0: rtpstream's defaults.
	JitterMin, JitterMax time.Duration
}

func (v Voice) check() error {
	if v.EchoTail != 0 {
		if _, err := echo.New(echo.Config{Tail: v.EchoTail}); err != nil {
			return err
		}
	}
	if v.JitterMin != 0 || v.JitterMax != 0 {
		if _, err := jitter.New(jitter.Config{Min: v.JitterMin, Max: v.JitterMax}); err != nil {
			return err
		}
	}
	return nil
}

// CallerID is how an FXS line sends caller ID; the zero value sends none.
type CallerID struct {
	Standard callerid.Standard
	Alerting callerid.Alerting
}

func (p *Port) channel() int {
	if p.FXS != nil {
		return p.FXS.Channel()
	}
	return p.FXO.Channel()
}

func (p *Port) events() <-chan hal.Event {
	if p.FXS != nil {
		return p.FXS.Events()
	}
	return p.FXO.Events()
}

// Options are what the engine needs besides the lines.
type Options struct {
	// Country selects the tones and the ring cadence (ISO 3166 alpha-2, or
	// "ITU").
	Country string
	// SIP places the lines' calls; nil: they cannot call out.
	SIP Dialer
	// Inbound routes incoming calls to lines, tried in order before the
	// lines' own numbers.
	Inbound []Inbound
	// Numbering rewrites the numbers dialled on the lines and those of
	// incoming calls; nil leaves them as they are.
	Numbering *numbering.Plan
	// LocalCalls: a phone that dials the number of another FXS line calls
	// it directly, at the gateway's own SIP address, not through the
	// line's account.
	LocalCalls bool
	// Location is the time zone of the time sent with caller ID; nil: UTC.
	Location *time.Location
	Log      *slog.Logger
}

// line is a line's state machine, run by the frame loop.
type line interface {
	// event takes what the port reported.
	event(ev hal.Event)
	// frame runs the line for the frame starting at bus time now, after
	// its events: rx is what the line sent, tx what goes to it.
	frame(now time.Duration, rx, tx *hal.Frame)
	status() string
	current() *sipua.Call
	quality() quality
}

// Engine is the media engine: it owns the PCM bus and runs the frame loop,
// in which the lines' state machines and audio run.
type Engine struct {
	pcm   hal.PCM
	ports []*Port
	rx    []hal.Frame
	tx    []hal.Frame

	tones   *tone.Plan
	cadence []time.Duration
	loc     *time.Location
	log     *slog.Logger
	inbound []Inbound
	numbers *numbering.Plan

	sigs  []*signaller
	busy  []atomic.Bool // by port index: the line is not idle
	waits []atomic.Bool // by port index: the line, busy, takes a call as waiting
	// alerting, by port index: the line's call is not answered yet, a call
	// it placed or one it rings for.
	alerting []atomic.Bool
	index    map[int]int // port index by line ID

	mu     sync.Mutex
	lines  []line
	status []LineStatus
	bus    BusStatus
}

var errNoSIP = errors.New("telephony: no SIP user agent")

// New returns an engine for the lines on ports, whose audio travels on pcm.
func New(pcm hal.PCM, ports []Port, o Options) (*Engine, error) {
	tp, ok := tone.Lookup(o.Country)
	if !ok {
		return nil, fmt.Errorf("telephony: no tone plan for country %q", o.Country)
	}
	n := pcm.Channels()
	e := &Engine{pcm: pcm, rx: make([]hal.Frame, n), tx: make([]hal.Frame, n),
		tones: tp, loc: o.Location, log: o.Log, inbound: o.Inbound, numbers: o.Numbering,
		busy: make([]atomic.Bool, len(ports)), waits: make([]atomic.Bool, len(ports)),
		alerting: make([]atomic.Bool, len(ports)), index: make(map[int]int)}
	if e.loc == nil {
		e.loc = time.UTC
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	for _, ms := range tp.Ring {
		e.cadence = append(e.cadence, time.Duration(ms)*time.Millisecond)
	}
	used := make(map[int]int)
	for i := range ports {
		p := &ports[i]
		if (p.FXS == nil) == (p.FXO == nil) {
			return nil, fmt.Errorf("telephony: line %d: want exactly one of an FXS and an FXO port", p.ID)
		}
		ch := p.channel()
		if ch < 0 || ch >= n {
			return nil, fmt.Errorf("telephony: line %d: PCM channel %d is not on the %d-channel bus", p.ID, ch, n)
		}
		if other, ok := used[ch]; ok {
			return nil, fmt.Errorf("telephony: lines %d and %d share PCM channel %d", other, p.ID, ch)
		}
		used[ch] = p.ID
		e.index[p.ID] = i
		if err := p.Voice.check(); err != nil {
			return nil, fmt.Errorf("telephony: line %d: %w", p.ID, err)
		}
	}
	for _, r := range o.Inbound {
		for _, id := range r.Lines {
			if _, ok := e.index[id]; !ok {
				return nil, fmt.Errorf("telephony: inbound route %v: no line %d", r.Match, id)
			}
		}
	}
	local := make(map[string]bool)
	if o.LocalCalls {
		for _, p := range ports {
			if p.FXS != nil && p.Number != "" {
				local[p.Number] = true
			}
		}
	}
	for i := range ports {
		p := new(Port)
		*p = ports[i]
		sig := newSignaller(p.ID, p.Account, o.SIP, o.Numbering, local, e.log)
		e.ports, e.sigs = append(e.ports, p), append(e.sigs, sig)
		if p.FXS != nil {
			e.lines = append(e.lines, newFXSLine(e, p, sig))
		} else {
			e.lines = append(e.lines, newFXOLine(e, p, sig))
		}
		e.status = append(e.status, newLineStatus(p))
	}
	return e, nil
}

// setBusy records whether line id is in use, for routing incoming calls.
func (e *Engine) setBusy(id int, busy bool) {
	e.busy[e.index[id]].Store(busy)
}

// setAlerting records whether line id's call is still to be answered.
func (e *Engine) setAlerting(id int, alerting bool) {
	e.alerting[e.index[id]].Store(alerting)
}

// setWaits records whether line id, busy, would take a call as waiting.
func (e *Engine) setWaits(id int, waits bool) {
	e.waits[e.index[id]].Store(waits)
}

// BusStatus counts the frame loop's work and how late it ran.
type BusStatus struct {
	Frames    int64         // frames transferred
	Late      int64         // frames handled more than a frame after they were due
	WorstLate time.Duration // the worst lateness seen
}

// Run runs the frame loop until ctx is done or the bus fails.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, s := range e.sigs {
		wg.Go(func() { s.run(sctx) })
	}
	stop := context.AfterFunc(ctx, func() { e.pcm.Close() })
	defer stop()
	var start time.Time
	for {
		if err := e.pcm.Transfer(e.rx, e.tx); err != nil {
			if errors.Is(err, hal.ErrClosed) && ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("telephony: PCM bus: %w", err)
		}
		now := time.Now()
		if start.IsZero() {
			start = now
		}
		e.frame(now, start)
	}
}

// frame runs every line for one frame, then counts it.
func (e *Engine) frame(now, start time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	bus := time.Duration(e.bus.Frames) * hal.FrameDuration
	for i, l := range e.lines {
		p := e.ports[i]
		events := p.events()
		for drained := false; !drained; {
			select {
			case ev := <-events:
				e.status[i].LastEvent = ev
				l.event(ev)
			default:
				drained = true
			}
		}
		ch := p.channel()
		l.frame(bus, &e.rx[ch], &e.tx[ch])
	}
	e.bus.Frames++
	due := start.Add(time.Duration(e.bus.Frames-1) * hal.FrameDuration)
	if late := now.Sub(due); late > hal.FrameDuration {
		e.bus.Late++
		e.bus.WorstLate = max(e.bus.WorstLate, late)
	}
}

// Status returns the state of every line, read from its port now, and of
// the frame loop.
func (e *Engine) Status() ([]LineStatus, BusStatus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]LineStatus, len(e.lines))
	for i, l := range e.lines {
		s := &e.status[i]
		s.read(e.ports[i])
		s.Activity = l.status()
		s.Call = callStatus(l.current(), l.quality())
		s.Other = nil
		if f, ok := l.(*fxsLine); ok {
			if c, held := f.second(); c != nil {
				s.Other = callStatus(c, quality{})
				s.Other.Held = held
			}
		}
		out[i] = *s
	}
	return out, e.bus
}
