package hookswitch

import (
	"errors"
	"fmt"
	"time"

	"tipring/hal"
)

// Timing holds the limits that tell hook-switch signals apart.
type Timing struct {
	// A break from PulseBreakMin to PulseBreakMax is a dial pulse; a
	// shorter one is contact bounce.
	PulseBreakMin, PulseBreakMax time.Duration
	// An off-hook period longer than DigitGap after a pulse ends the digit.
	DigitGap time.Duration
	// A break from FlashMin to FlashMax is a flash; a longer one a hang-up.
	FlashMin, FlashMax time.Duration
}

// DefaultTiming suits rotary dials and the flash keys of North American
// phones and analog telephone adapters.
//
// A rotary dial runs at 10 ± 1 pulses a second with a break of 60 to 67 %
// of each pulse, about 55 to 75 ms; PulseBreakMin and PulseBreakMax leave
// room for a slow dial and for a SLIC that stamps events to the frame, and
// 20 ms filters out contact bounce. The make between two pulses lasts about
// 40 ms, while between digits the user winds the dial round again, so a
// make of 300 ms can only be the end of a digit.
//
// A flash key opens the loop for 100 ms (UK timed break recall) to 600 ms
// (North America); analog telephone adapters commonly take 100 to 900 ms as
// a flash. Here a flash starts at 150 ms, clear of the longest dial pulse,
// and anything on hook for more than 900 ms has hung up.
var DefaultTiming = Timing{
	PulseBreakMin: 20 * time.Millisecond,
	PulseBreakMax: 120 * time.Millisecond,
	DigitGap:      300 * time.Millisecond,
	FlashMin:      150 * time.Millisecond,
	FlashMax:      900 * time.Millisecond,
}

// ErrTiming is matched by the errors of a Timing that cannot work.
var ErrTiming = errors.New("hookswitch: bad timing")

// Validate reports whether the limits are in order: 0 <= PulseBreakMin <=
// PulseBreakMax < FlashMin <= FlashMax, and DigitGap > 0.
func (t Timing) Validate() error {
	switch {
	case t.PulseBreakMin < 0:
		return fmt.Errorf("%w: PulseBreakMin %v is negative", ErrTiming, t.PulseBreakMin)
	case t.PulseBreakMax < t.PulseBreakMin:
		return fmt.Errorf("%w: PulseBreakMax %v is less than PulseBreakMin %v", ErrTiming, t.PulseBreakMax, t.PulseBreakMin)
	case t.FlashMin <= t.PulseBreakMax:
		return fmt.Errorf("%w: FlashMin %v is not above PulseBreakMax %v: a break would be both a pulse and a flash", ErrTiming, t.FlashMin, t.PulseBreakMax)
	case t.FlashMax < t.FlashMin:
		return fmt.Errorf("%w: FlashMax %v is less than FlashMin %v", ErrTiming, t.FlashMax, t.FlashMin)
	case t.DigitGap <= 0:
		return fmt.Errorf("%w: DigitGap %v is not positive", ErrTiming, t.DigitGap)
	}
	return nil
}

// Kind says what the user did.
type Kind uint8

const (
	OffHook Kind = iota + 1 // lifted the handset
	HangUp                  // put it down for longer than a flash
	Flash                   // pressed the hook switch or the flash key briefly
	Digit                   // dialled a digit on a rotary dial
)

var kindNames = [...]string{"", "off-hook", "hang-up", "flash", "digit"}

func (k Kind) String() string {
	if k >= OffHook && k <= Digit {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// An Action is one thing the user did.
type Action struct {
	Kind  Kind
	Digit byte // '0' to '9', for Digit
	// At is the bus time of the hook change the action stands for: going
	// off hook; the start of the break of a flash or a hang-up; the end of
	// the last pulse of a digit.
	At time.Duration
}

func (a Action) String() string {
	if a.Kind == Digit {
		return fmt.Sprintf("digit %c @%v", a.Digit, a.At)
	}
	return fmt.Sprintf("%v @%v", a.Kind, a.At)
}

// queueCap is how many actions a Decoder keeps until Next takes them. One
// event or tick yields at most three, so a caller that drains the queue each
// frame never loses one.
const queueCap = 16

// A Decoder turns a phone's hook changes into Actions.
type Decoder struct {
	t        Timing
	hook     hal.Hook      // as last reported
	hungUp   bool          // on hook, and known to be a hang-up (or never off hook)
	brk      time.Duration // when the current break began, on hook but not hung up
	pulses   int           // of the digit being dialled; 11 means too many
	lastMake time.Duration // when the last pulse ended

	q     [queueCap]Action
	qHead int
	qLen  int
}

// New returns a Decoder for a phone whose hook is initial now.
func New(t Timing, initial hal.Hook) (*Decoder, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if initial != hal.OnHook && initial != hal.OffHook {
		return nil, fmt.Errorf("hookswitch: no hook state %d", initial)
	}
	return &Decoder{t: t, hook: initial, hungUp: initial == hal.OnHook}, nil
}

// Event takes a hook change of the phone. Other kinds of event, and a
// change to the state the phone is already in (the port dropped the one
// between), are ignored.
func (d *Decoder) Event(e hal.Event) {
	switch {
	case e.Kind == hal.EventHookOn && d.hook == hal.OffHook:
		if d.pulses > 0 && e.At-d.lastMake > d.t.DigitGap {
			d.endDigit()
		}
		d.hook, d.brk = hal.OnHook, e.At
	case e.Kind == hal.EventHookOff && d.hook == hal.OnHook:
		d.hook = hal.OffHook
		if d.hungUp {
			d.hungUp = false
			d.push(Action{Kind: OffHook, At: e.At})
			return
		}
		switch b := e.At - d.brk; {
		case b > d.t.FlashMax: // Tick was late to see the hang-up
			d.hangUp()
			d.hungUp = false
			d.push(Action{Kind: OffHook, At: e.At})
		case b >= d.t.FlashMin:
			d.endDigit()
			d.push(Action{Kind: Flash, At: d.brk})
		case b >= d.t.PulseBreakMin && b <= d.t.PulseBreakMax:
			if d.pulses <= 10 {
				d.pulses++
			}
			d.lastMake = e.At
		}
		// Any other break is bounce, or too long for a pulse and too
		// short for a flash: as if it never happened.
	}
}

// Tick resolves what only the passing of time tells: that a digit has
// ended, or that a break has lasted too long to be a flash. now is the bus
// time; give every event up to now to Event first.
func (d *Decoder) Tick(now time.Duration) {
	switch {
	case d.hook == hal.OffHook && d.pulses > 0 && now-d.lastMake > d.t.DigitGap:
		d.endDigit()
	case d.hook == hal.OnHook && !d.hungUp && now-d.brk > d.t.FlashMax:
		d.hangUp()
	}
}

// Next returns the oldest action not yet returned; ok is false when there
// is none. When more than 16 wait, the oldest are lost.
func (d *Decoder) Next() (a Action, ok bool) {
	if d.qLen == 0 {
		return Action{}, false
	}
	a = d.q[d.qHead]
	d.qHead = (d.qHead + 1) % queueCap
	d.qLen--
	return a, true
}

// endDigit reports the digit being dialled, if it is one.
func (d *Decoder) endDigit() {
	if d.pulses >= 1 && d.pulses <= 10 {
		d.push(Action{Kind: Digit, Digit: "1234567890"[d.pulses-1], At: d.lastMake})
	}
	d.pulses = 0
}

func (d *Decoder) hangUp() {
	d.endDigit()
	d.push(Action{Kind: HangUp, At: d.brk})
	d.hungUp = true
}

func (d *Decoder) push(a Action) {
	if d.qLen == queueCap {
		d.qHead = (d.qHead + 1) % queueCap
		d.qLen--
	}
	d.q[(d.qHead+d.qLen)%queueCap] = a
	d.qLen++
}
