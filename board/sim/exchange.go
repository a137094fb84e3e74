package sim

import (
	"fmt"
	"time"

	"tipring/dsp/callerid"
	"tipring/dsp/dtmf"
	"tipring/hal"
)

// LineState is what the exchange behind a simulated PSTN line is doing.
type LineState uint8

const (
	LineIdle         LineState = iota // nothing on the line
	LineRinging                       // a caller is ringing the gateway
	LineDialTone                      // the gateway seized the line: dial tone
	LineDialling                      // digits are coming in
	LineRingback                      // the called party is being rung
	LineConnected                     // a call is up
	LineBusy                          // the far end hung up: busy tone until release
	LineDisconnected                  // the far end hung up: silence until release
)

var lineStateNames = [...]string{"idle", "ringing", "dial-tone", "dialling", "ringback", "connected", "busy", "disconnected"}

func (s LineState) String() string { return lineStateNames[s] }

// Hangup is how the exchange tells the gateway that the far end hung up.
type Hangup uint8

const (
	HangupLoop     Hangup = iota // loop current drops for a moment (open switch interval)
	HangupPolarity               // the line's polarity reverses
	HangupBusy                   // busy tone until the gateway releases
)

// ParseHangup reads the name of a Hangup method: loop, polarity or busy.
func ParseHangup(s string) (Hangup, error) {
	switch s {
	case "loop":
		return HangupLoop, nil
	case "polarity":
		return HangupPolarity, nil
	case "busy":
		return HangupBusy, nil
	}
	return 0, fmt.Errorf("unknown hang-up method %q (want loop, polarity or busy)", s)
}

// Electrical and timing figures of the simulated exchange line.
const (
	idleVolts    = 48
	seizedVolts  = 8
	loopMilliamp = 30

	openLoopTime  = 800 * time.Millisecond // battery removed on a loop-drop hang-up
	pulseMaxBreak = 120 * time.Millisecond // longer on hook is not a dial pulse
	releaseTime   = 300 * time.Millisecond // on hook this long releases the line
	pulseDigitGap = 300 * time.Millisecond // off hook this long ends a pulsed digit
	dialTimeout   = 3 * time.Second        // after the last digit, the number is complete
	ringTimeout   = 3 * time.Minute        // an unanswered caller gives up
)

// Exchange is an FXO port of the simulated board: a PSTN line with an
// exchange and a far party behind it. The gateway drives it through the
// hal.FXO methods; a test or a person acts as the exchange and the far party
// through the others.
type Exchange struct {
	b      *Board
	n      int
	events eventQueue
	lineAudio

	state   LineState
	stateAt time.Duration
	hook    hal.Hook // the gateway's
	hookAt  time.Duration
	pending []hookStep // the gateway's timed hook changes still to make

	polarity     int
	batteryOff   bool
	batteryUntil time.Duration

	ringOn bool
	cid    *CallerID // the caller ID of the call ringing now
	alert  alerting  // how the call is rung

	tone   toneSource
	digits *dtmf.Detector
	dialed []byte        // every digit the gateway sent since it seized the line
	pulses int           // breaks of the pulsed digit under way
	closed time.Duration // how long the loop was closed before the break under way
	timing PulseTiming
	lastAt time.Duration // bus time of the last digit or pulse

	echo *hybrid // nil: the line returns no echo
}

func newExchange(b *Board, n int) *Exchange {
	return &Exchange{b: b, n: n, events: newEventQueue(), polarity: 1, digits: dtmf.NewDetector(dtmf.ATT)}
}

func (x *Exchange) String() string           { return fmt.Sprintf("sim fxo %d", x.n) }
func (x *Exchange) Channel() int             { return x.n - 1 }
func (x *Exchange) audio() *lineAudio        { return &x.lineAudio }
func (x *Exchange) Events() <-chan hal.Event { return x.events.ch }

// Hook returns whether the gateway holds the line.
func (x *Exchange) Hook() hal.Hook {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	return x.hook
}

// Ringing reports ringing voltage on the line.
func (x *Exchange) Ringing() bool {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	return x.ringOn
}

// Polarity returns +1 for normal polarity, -1 for reversed.
func (x *Exchange) Polarity() int {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	return x.polarity
}

// LoopCurrent returns the loop current in mA.
func (x *Exchange) LoopCurrent() int {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	return x.current()
}

func (x *Exchange) current() int {
	if x.hook == hal.OffHook && !x.batteryOff {
		return loopMilliamp
	}
	return 0
}

// LineVoltage returns the tip-ring voltage in volts.
func (x *Exchange) LineVoltage() int {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	return x.voltage()
}

func (x *Exchange) voltage() int {
	switch {
	case x.batteryOff:
		return 0
	case x.hook == hal.OffHook:
		return seizedVolts
	}
	return idleVolts
}

// SetHook seizes or releases the line now, dropping the timed changes not
// yet made. A seizure answers a ringing line or draws dial tone; a short
// release while dialling is a dial pulse, and only a release longer than
// releaseTime ends the call.
func (x *Exchange) SetHook(h hal.Hook) error {
	if h != hal.OnHook && h != hal.OffHook {
		return fmt.Errorf("%v: no hook state %d", x, h)
	}
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	x.pending = x.pending[:0]
	x.setHook(h, x.b.now)
	return nil
}

// SetHookAt seizes or releases the line at bus time at, after the changes
// already planned: the frame that holds at makes it, stamped with at
// itself, so pulses keep their lengths to the nanosecond.
func (x *Exchange) SetHookAt(h hal.Hook, at time.Duration) error {
	if h != hal.OnHook && h != hal.OffHook {
		return fmt.Errorf("%v: no hook state %d", x, h)
	}
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	if len(x.pending) == 0 && at <= x.b.now {
		x.setHook(h, x.b.now)
		return nil
	}
	x.pending = append(x.pending, hookStep{at: at, hook: h})
	return nil
}

// setHook makes the gateway's hook change at bus time now. The loop current
// stops and starts with the hook, as a DAA measures it, pulses included.
func (x *Exchange) setHook(h hal.Hook, now time.Duration) {
	if h == x.hook {
		return
	}
	oldV, oldC := x.voltage(), x.current()
	held := now - x.hookAt // how long the loop was as it was
	x.hook, x.hookAt = h, now
	dialling := x.state == LineDialTone || x.state == LineDialling
	switch {
	case h == hal.OnHook:
		x.closed = held
	case x.state == LineIdle:
		x.setState(LineDialTone, now)
		x.dialed, x.timing = x.dialed[:0], PulseTiming{}
		x.digits = dtmf.NewDetector(dtmf.ATT)
	case x.state == LineRinging:
		x.stopRinging(now)
		x.setState(LineConnected, now)
	case dialling && held <= pulseMaxBreak:
		x.timing.add(held, x.closed, x.pulses > 0)
		x.pulses++
		x.lastAt = now
		x.setState(LineDialling, now)
	}
	if c := x.current(); c != oldC {
		x.events.send(hal.Event{Kind: hal.EventLoopCurrent, At: now, Value: c})
	}
	x.voltageEvent(oldV, now)
}

func (x *Exchange) voltageEvent(old int, now time.Duration) {
	if v := x.voltage(); v != old {
		x.events.send(hal.Event{Kind: hal.EventLineVoltage, At: now, Value: v})
	}
}

func (x *Exchange) setState(s LineState, now time.Duration) {
	x.state, x.stateAt = s, now
	x.tone.set(x.b.country, s)
}

func (x *Exchange) stateErr(what string) error {
	return stateError("line %d %s", x.n, what)
}

// Ring rings the gateway, as a caller's exchange would, sending the caller
// ID in the country's standard when cid is not nil.
func (x *Exchange) Ring(cid *CallerID) error {
	plan := callerid.Plan{{Kind: callerid.StepRinging}}
	if cid != nil {
		var err error
		if plan, err = x.b.country.callerIDPlan(cid); err != nil {
			return fmt.Errorf("line %d: %w", x.n, err)
		}
	}
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	if x.state != LineIdle || x.hook == hal.OffHook {
		return x.stateErr(fmt.Sprintf("is %v: only an idle line can ring", x.stateName()))
	}
	now := x.b.now
	x.setState(LineRinging, now)
	x.cid = cid
	x.alert = alerting{plan: plan, at: now}
	return nil
}

// Answer makes the called party answer an outgoing call, reversing the
// line's polarity if reverse is set (answer supervision).
func (x *Exchange) Answer(reverse bool) error {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	if x.state != LineDialling && x.state != LineRingback {
		return x.stateErr(fmt.Sprintf("is %v: nothing to answer", x.stateName()))
	}
	now := x.b.now
	x.setState(LineConnected, now)
	if reverse {
		x.reverse(now)
	}
	return nil
}

// Hangup ends the call from the far end. A ringing caller simply gives up;
// otherwise the exchange signals the gateway with method h.
func (x *Exchange) Hangup(h Hangup) error {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	now := x.b.now
	switch x.state {
	case LineRinging:
		x.stopRinging(now)
		x.setState(LineIdle, now)
		return nil
	case LineIdle, LineBusy, LineDisconnected:
		return x.stateErr(fmt.Sprintf("is %v: no call to hang up", x.stateName()))
	}
	switch h {
	case HangupLoop:
		old := x.voltage()
		x.batteryOff, x.batteryUntil = true, now+openLoopTime
		x.events.send(hal.Event{Kind: hal.EventLoopCurrent, At: now, Value: 0})
		x.voltageEvent(old, now)
		x.setState(LineDisconnected, now)
	case HangupPolarity:
		x.reverse(now)
		x.setState(LineDisconnected, now)
	case HangupBusy:
		x.setState(LineBusy, now)
	}
	return nil
}

func (x *Exchange) reverse(now time.Duration) {
	x.polarity = -x.polarity
	x.events.send(hal.Event{Kind: hal.EventPolarity, At: now, Value: x.polarity})
}

func (x *Exchange) stateName() string {
	if x.state == LineIdle && x.hook == hal.OffHook {
		return "seized"
	}
	return x.state.String()
}

func (x *Exchange) stopRinging(now time.Duration) {
	if x.ringOn {
		x.ringOn = false
		x.events.send(hal.Event{Kind: hal.EventRingStop, At: now})
	}
	x.cid, x.alert = nil, alerting{}
}

func (x *Exchange) frame(now time.Duration, in, out *hal.Frame) {
	made := 0
	for _, s := range x.pending {
		if s.at >= now+hal.FrameDuration {
			break
		}
		x.setHook(s.hook, max(s.at, now))
		made++
	}
	x.pending = x.pending[:copy(x.pending, x.pending[made:])]
	x.supervise(now)
	*out = hal.Frame{}
	switch x.state {
	case LineRinging:
		x.alert.frame(x, now, out)
	case LineIdle:
	default:
		if x.hook == hal.OffHook && !x.batteryOff {
			x.tone.read(out)
			if x.state == LineConnected {
				x.source(out)
			}
		}
	}
	if x.state != LineConnected {
		x.source(&hal.Frame{}) // the far party's audio runs on unheard
	}
	if x.hook == hal.OnHook || x.batteryOff {
		*in = hal.Frame{}
	} else {
		x.listen(now, in)
	}
	x.sink(in)
	if x.echo != nil && x.hook == hal.OffHook && !x.batteryOff {
		x.echo.add(out, in)
	}
}

// supervise makes the changes that time alone brings.
func (x *Exchange) supervise(now time.Duration) {
	if x.batteryOff && now >= x.batteryUntil {
		old := x.voltage()
		x.batteryOff = false
		if c := x.current(); c > 0 {
			x.events.send(hal.Event{Kind: hal.EventLoopCurrent, At: now, Value: c})
		}
		x.voltageEvent(old, now)
	}
	if x.hook == hal.OnHook && x.state != LineIdle && x.state != LineRinging && now-x.hookAt >= releaseTime {
		x.release(now)
	}
	if x.pulses > 0 && x.hook == hal.OffHook && now-x.lastAt >= pulseDigitGap {
		if d, ok := pulseDigit(x.b.country.tones.Country, x.pulses); ok {
			x.dialed = append(x.dialed, d)
		}
		x.pulses = 0
	}
	if x.state == LineDialling && x.pulses == 0 && now-x.lastAt >= dialTimeout {
		x.setState(LineRingback, now)
	}
	if x.state == LineRinging && now-x.stateAt >= ringTimeout {
		x.stopRinging(now)
		x.setState(LineIdle, now)
	}
}

// pulseDigit is the digit a train of pulses stands for at the country's
// exchanges: n pulses for n and ten for 0 in most, n+1 for n in Sweden
// (one for 0), 10-n for n in New Zealand (ten for 0, one for 9). More than
// ten pulses are no digit.
func pulseDigit(country string, pulses int) (byte, bool) {
	if pulses < 1 || pulses > 10 {
		return 0, false
	}
	switch country {
	case "SE":
		return byte('0' + pulses - 1), true
	case "NZ":
		return byte('0' + 10 - pulses), true
	}
	return byte('0' + pulses%10), true
}

// PulseTiming is what the exchange measured of the dial pulses it counted
// since the line was seized; zero durations were not seen.
type PulseTiming struct {
	Pulses             int
	MinBreak, MaxBreak time.Duration // the loop open, each pulse
	MinMake, MaxMake   time.Duration // the loop closed between the pulses of a digit
	MinPause           time.Duration // the loop closed between digits
}

// add counts a pulse: a break after the loop was closed for closed, within
// a digit or before its first pulse.
func (t *PulseTiming) add(brk, closed time.Duration, withinDigit bool) {
	switch {
	case withinDigit:
		t.MinMake, t.MaxMake = widen(t.MinMake, t.MaxMake, closed)
	case t.Pulses > 0:
		t.MinPause, _ = widen(t.MinPause, 0, closed)
	}
	t.MinBreak, t.MaxBreak = widen(t.MinBreak, t.MaxBreak, brk)
	t.Pulses++
}

// widen returns the range lo..hi grown to hold d; a zero lo is no range yet.
func widen(lo, hi, d time.Duration) (time.Duration, time.Duration) {
	if lo == 0 || d < lo {
		lo = d
	}
	return lo, max(hi, d)
}

// release returns the line to idle when the gateway has let go of it.
func (x *Exchange) release(now time.Duration) {
	x.setState(LineIdle, now)
	x.pulses = 0
	if x.polarity != 1 {
		x.reverse(now)
	}
	if x.batteryOff {
		old := x.voltage()
		x.batteryOff = false
		x.voltageEvent(old, now)
	}
}

// setRing turns ringing voltage on or off.
func (x *Exchange) setRing(on bool, now time.Duration) {
	if on == x.ringOn {
		return
	}
	x.ringOn = on
	k := hal.EventRingStop
	if on {
		k = hal.EventRingStart
	}
	x.events.send(hal.Event{Kind: k, At: now})
}

// listen hears DTMF digits the gateway sends while it holds the line.
func (x *Exchange) listen(now time.Duration, in *hal.Frame) {
	x.digits.Process(in[:])
	for {
		e, ok := x.digits.Next()
		if !ok {
			break
		}
		if e.Kind != dtmf.DigitStart {
			continue
		}
		x.dialed = append(x.dialed, e.Digit)
		x.lastAt = now
		if x.state == LineDialTone || x.state == LineDialling {
			x.setState(LineDialling, now)
		}
	}
}

// ExchangeState is what the exchange knows of the line.
type ExchangeState struct {
	State       LineState
	Hook        hal.Hook // the gateway's
	Ringing     bool
	Polarity    int
	LoopCurrent int
	LineVoltage int
	Dialed      string      // digits the gateway sent since it seized the line
	Pulses      PulseTiming // how the gateway pulsed the digits it dialled so
	CallerID    *CallerID   // of the call ringing now
}

// State returns the exchange's view of the line.
func (x *Exchange) State() ExchangeState {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	return ExchangeState{
		State:       x.state,
		Hook:        x.hook,
		Ringing:     x.ringOn,
		Polarity:    x.polarity,
		LoopCurrent: x.current(),
		LineVoltage: x.voltage(),
		Dialed:      string(x.dialed),
		Pulses:      x.timing,
		CallerID:    x.cid,
	}
}
