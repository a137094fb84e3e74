package sim

import (
	"fmt"
	"slices"
	"time"

	"tipring/dsp/dtmf"
	"tipring/hal"
)

// Timing of what a phone does with its hook switch.
const (
	flashTime     = 500 * time.Millisecond // on hook long enough for a flash, short of a hang-up
	pulseBreak    = 60 * time.Millisecond  // 10 pulses a second at 60 % break
	pulseMake     = 40 * time.Millisecond
	pulseInterval = 700 * time.Millisecond // between digits
)

// Phone is an FXS port of the simulated board with a phone plugged in. The
// gateway drives it through the hal.FXS methods; a test or a person acts as
// its user through the others.
type Phone struct {
	b       *Board
	n       int
	hook    hal.Hook
	feed    hal.Linefeed
	events  eventQueue
	pending []hookStep // timed hook changes still to make (flash, pulses)
	keypad  *dtmf.Generator
	display cidDisplay
	cw      typeII
	lineAudio

	ringing   bool
	ringSince time.Duration
	cadence   []time.Duration // the last ring on/off periods, oldest first
}

// hookStep is a hook change planned for a bus time.
type hookStep struct {
	at    time.Duration
	hook  hal.Hook
	flash bool // part of a hook flash, not of dialling
}

func newPhone(b *Board, n int) *Phone {
	return &Phone{b: b, n: n, events: newEventQueue(), feed: hal.LinefeedForward, keypad: newKeypad(), display: newCIDDisplay(),
		cw: newTypeII(b.country.cidStandard)}
}

// newKeypad returns the DTMF generator of a telephone set.
func newKeypad() *dtmf.Generator {
	g, err := dtmf.NewGenerator(dtmf.DefaultGenOpts)
	if err != nil {
		panic(err) // the default options are valid
	}
	return g
}

func (p *Phone) String() string           { return fmt.Sprintf("sim fxs %d", p.n) }
func (p *Phone) Channel() int             { return p.n - 1 }
func (p *Phone) audio() *lineAudio        { return &p.lineAudio }
func (p *Phone) Events() <-chan hal.Event { return p.events.ch }

// Hook returns the phone's hook state.
func (p *Phone) Hook() hal.Hook {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return p.hook
}

// Linefeed returns the mode the gateway drives the line in.
func (p *Phone) Linefeed() hal.Linefeed {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return p.feed
}

// SetLinefeed drives the line. Ringing a phone that is off hook trips the
// ring at once, as a SLIC's ring-trip detector does: the line goes to
// forward feed.
func (p *Phone) SetLinefeed(l hal.Linefeed) error {
	if l > hal.LinefeedRinging {
		return fmt.Errorf("%v: no linefeed mode %d", p, l)
	}
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	if l == hal.LinefeedRinging && p.hook == hal.OffHook {
		l = hal.LinefeedForward
	}
	p.setFeed(l, p.b.now)
	return nil
}

func (p *Phone) setFeed(l hal.Linefeed, now time.Duration) {
	ring := l == hal.LinefeedRinging
	if ring != p.ringing {
		if ring && len(p.cadence) > 0 && now-p.ringSince > newCallGap {
			p.cadence = nil
		}
		if !ring || len(p.cadence) > 0 {
			p.cadence = append(p.cadence, now-p.ringSince)
		}
		if len(p.cadence) > 8 {
			p.cadence = p.cadence[2:] // whole on/off pairs, so it starts with "on"
		}
		p.ringing, p.ringSince = ring, now
	}
	p.feed = l
}

// newCallGap is a pause in ringing long enough to mean a new call.
const newCallGap = 10 * time.Second

// OffHook lifts the handset.
func (p *Phone) OffHook() error {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	if p.hook == hal.OffHook || len(p.pending) > 0 {
		return p.stateErr("is already off hook")
	}
	p.setHook(hal.OffHook, p.b.now)
	return nil
}

// OnHook hangs up, abandoning any flash or pulse digits under way.
func (p *Phone) OnHook() error {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	if p.hook == hal.OnHook && len(p.pending) == 0 {
		return p.stateErr("is already on hook")
	}
	p.pending = p.pending[:0]
	p.play = nil
	p.keypad = newKeypad()
	if p.hook == hal.OffHook {
		p.setHook(hal.OnHook, p.b.now)
	}
	return nil
}

// SetTypeII sets whether the phone takes caller ID during a call (Type II,
// the default): it answers the CAS alert of call-waiting caller ID and
// shows the caller. Off, it ignores the alert, as a Type I phone does.
func (p *Phone) SetTypeII(on bool) {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	p.cw.off = !on
}

// Flash presses the hook switch briefly.
func (p *Phone) Flash() error {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	if p.hook == hal.OnHook {
		return p.stateErr("is on hook: take it off hook first")
	}
	at := p.planStart()
	p.pending = append(p.pending, hookStep{at: at, hook: hal.OnHook, flash: true}, hookStep{at: at + flashTime, hook: hal.OffHook, flash: true})
	return nil
}

// Dial dials digits by pulses (0-9 only) or by DTMF (0-9 * # A-D).
func (p *Phone) Dial(digits string, pulse bool) error {
	if digits == "" {
		return fmt.Errorf("line %d: nothing to dial", p.n)
	}
	for _, c := range digits {
		if !(c >= '0' && c <= '9') && (pulse || !isDTMFExtra(c)) {
			if pulse {
				return fmt.Errorf("line %d: cannot pulse-dial %q: a rotary dial has only 0-9", p.n, c)
			}
			return fmt.Errorf("line %d: cannot dial %q: DTMF digits are 0-9 * # A-D", p.n, c)
		}
	}
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	if p.hook == hal.OnHook {
		return p.stateErr("is on hook: take it off hook first")
	}
	if !pulse {
		if err := p.keypad.Queue(digits); err != nil {
			return fmt.Errorf("line %d: %w", p.n, err)
		}
		return nil
	}
	at := p.planStart()
	for _, c := range digits {
		n := int(c - '0')
		if n == 0 {
			n = 10
		}
		for range n {
			p.pending = append(p.pending, hookStep{at: at, hook: hal.OnHook}, hookStep{at: at + pulseBreak, hook: hal.OffHook})
			at += pulseBreak + pulseMake
		}
		at += pulseInterval - pulseMake
	}
	return nil
}

func isDTMFExtra(c rune) bool {
	switch c {
	case '*', '#', 'A', 'B', 'C', 'D':
		return true
	}
	return false
}

// planStart is when newly planned hook changes begin: at the next frame, or
// after the changes already planned.
func (p *Phone) planStart() time.Duration {
	if n := len(p.pending); n > 0 {
		return p.pending[n-1].at + pulseInterval
	}
	return p.b.now
}

func (p *Phone) setHook(h hal.Hook, at time.Duration) {
	p.hook = h
	k := hal.EventHookOn
	if h == hal.OffHook {
		k = hal.EventHookOff
		if p.feed == hal.LinefeedRinging {
			p.setFeed(hal.LinefeedForward, at)
		}
	}
	p.events.send(hal.Event{Kind: k, At: at})
}

func (p *Phone) stateErr(what string) error {
	return stateError("line %d %s", p.n, what)
}

func (p *Phone) frame(now time.Duration, in, out *hal.Frame) {
	end := now + hal.FrameDuration
	for len(p.pending) > 0 && p.pending[0].at < end {
		s := p.pending[0]
		p.pending = p.pending[1:]
		p.setHook(s.hook, max(s.at, now))
	}
	if len(p.pending) == 0 {
		p.pending = nil
	}
	// Played audio runs in real time whether or not the gateway hears it.
	p.keypad.Read(out[:])
	p.cw.send(out)
	p.source(out)
	if p.hook == hal.OnHook {
		*out = hal.Frame{}
	}
	if !p.feed.CarriesAudio() {
		*in = hal.Frame{}
	}
	if p.hook == hal.OnHook {
		p.display.process(in[:])
	} else if m, ok := p.cw.hear(in); ok {
		p.display.last = fromMessage(m)
	}
	p.sink(in)
}

// PhoneState is what a phone's user can see and hear.
type PhoneState struct {
	Hook     hal.Hook
	Linefeed hal.Linefeed
	Ringing  bool
	// Cadence holds the last ringing on and off periods, oldest first,
	// starting with an "on" period.
	Cadence []time.Duration
	// Dialling reports digits still under way, Flashing a hook flash.
	Dialling bool
	Flashing bool
	CallerID *CallerID // the last caller ID the phone decoded
	// MessageWaiting is the phone's message-waiting lamp, as the last
	// VMWI message set it.
	MessageWaiting bool
}

// State returns what the phone's user sees.
func (p *Phone) State() PhoneState {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return PhoneState{
		Hook:           p.hook,
		Linefeed:       p.feed,
		Ringing:        p.ringing,
		Cadence:        append([]time.Duration(nil), p.cadence...),
		Dialling:       p.keypad.Busy() || slices.ContainsFunc(p.pending, func(s hookStep) bool { return !s.flash }),
		Flashing:       slices.ContainsFunc(p.pending, func(s hookStep) bool { return s.flash }),
		CallerID:       p.display.last,
		MessageWaiting: p.display.lamp,
	}
}
