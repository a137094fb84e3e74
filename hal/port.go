package hal

import (
	"errors"
	"fmt"
	"time"
)

// ErrClosed is returned by the operations of a port or bus that was closed.
var ErrClosed = errors.New("hal: closed")

// Kind is the kind of a port: what sits at the far end of its wires.
type Kind uint8

const (
	KindFXS Kind = iota + 1 // a phone, fed and rung by the gateway
	KindFXO                 // a PSTN line, fed and rung by an exchange
)

func (k Kind) String() string {
	switch k {
	case KindFXS:
		return "fxs"
	case KindFXO:
		return "fxo"
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Hook is the state of a loop: on hook (open, no current) or off hook.
type Hook uint8

const (
	OnHook Hook = iota
	OffHook
)

func (h Hook) String() string {
	if h == OffHook {
		return "off-hook"
	}
	return "on-hook"
}

// Linefeed is how an FXS port drives its line. The modes are those of the
// usual ProSLIC linefeed register; "OHT" is on-hook transmission, the
// low-power feed that carries audio (caller ID) to a phone on hook.
type Linefeed uint8

const (
	LinefeedOpen       Linefeed = iota // no battery: the phone sees a dead line
	LinefeedForward                    // normal polarity, full feed
	LinefeedForwardOHT                 // normal polarity, on-hook transmission
	LinefeedReverse                    // reversed polarity, full feed
	LinefeedReverseOHT                 // reversed polarity, on-hook transmission
	LinefeedRinging                    // ringing voltage
)

var linefeedNames = [...]string{"open", "forward", "forward-oht", "reverse", "reverse-oht", "ringing"}

func (l Linefeed) String() string {
	if int(l) < len(linefeedNames) {
		return linefeedNames[l]
	}
	return fmt.Sprintf("Linefeed(%d)", l)
}

// Reversed reports whether the linefeed applies reversed polarity.
func (l Linefeed) Reversed() bool { return l == LinefeedReverse || l == LinefeedReverseOHT }

// CarriesAudio reports whether a phone on the line hears what the port sends.
func (l Linefeed) CarriesAudio() bool { return l != LinefeedOpen && l != LinefeedRinging }

// EventKind says what changed on a line.
type EventKind uint8

const (
	// FXS: the phone's hook changed. Pulse digits and flashes are runs of
	// these; the line state machine decodes them from the event times.
	EventHookOff EventKind = iota + 1
	EventHookOn
	// FXO: ringing voltage appeared or ceased.
	EventRingStart
	EventRingStop
	// FXO: the line's polarity changed; Value is +1 (normal) or -1.
	EventPolarity
	// FXO: loop current (Value, in mA) appeared or ceased while seized.
	EventLoopCurrent
	// FXO: the line voltage (Value, in volts) changed: battery removed or
	// restored, or a parallel phone took the line.
	EventLineVoltage
)

var eventNames = [...]string{"", "hook-off", "hook-on", "ring-start", "ring-stop", "polarity", "loop-current", "line-voltage"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) && k != 0 {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", k)
}

// An Event is a change on a line, stamped with the bus time at which it
// happened, so its timing survives however late it is read.
type Event struct {
	Kind  EventKind
	At    time.Duration // bus time since the board started
	Value int
}

func (e Event) String() string {
	if e.Kind == EventPolarity || e.Kind == EventLoopCurrent || e.Kind == EventLineVoltage {
		return fmt.Sprintf("%v %d @%v", e.Kind, e.Value, e.At)
	}
	return fmt.Sprintf("%v @%v", e.Kind, e.At)
}

// FXS is a port that feeds a phone.
type FXS interface {
	fmt.Stringer
	// Channel is the port's PCM bus channel.
	Channel() int
	// Hook returns the phone's hook state now.
	Hook() Hook
	// Linefeed returns the mode the line is driven in.
	Linefeed() Linefeed
	// SetLinefeed drives the line in mode l. Ring cadence is the caller's:
	// it alternates LinefeedRinging with an OHT mode.
	SetLinefeed(l Linefeed) error
	// Events delivers hook changes. The port drops events when nobody
	// reads them; Hook still tells the state.
	Events() <-chan Event
}

// FXO is a port that terminates a PSTN line.
type FXO interface {
	fmt.Stringer
	// Channel is the port's PCM bus channel.
	Channel() int
	// Hook returns whether the gateway holds the line seized (off hook).
	Hook() Hook
	// SetHook seizes (OffHook) or releases (OnHook) the line now, and
	// drops the changes SetHookAt planned that are not made yet.
	SetHook(h Hook) error
	// SetHookAt seizes or releases the line at bus time at, or now if at
	// has passed, after the changes planned before it. Pulse dialling is a
	// run of these handed over a few frames ahead: its breaks and makes
	// (60/40 or 67/33 ms) need not fall on frame boundaries, and frames are
	// handled late.
	SetHookAt(h Hook, at time.Duration) error
	// Ringing reports whether ringing voltage is on the line now.
	Ringing() bool
	// Polarity returns +1 for normal polarity, -1 for reversed.
	Polarity() int
	// LoopCurrent returns the loop current in mA (0 when released).
	LoopCurrent() int
	// LineVoltage returns the tip-ring voltage in volts, without its sign
	// (Polarity has that): about 48 on an idle line, under 10 when seized.
	LineVoltage() int
	// Events delivers ringing, polarity, loop current and voltage changes.
	Events() <-chan Event
}
