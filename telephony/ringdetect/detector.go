package ringdetect

import (
	"errors"
	"fmt"
	"time"

	"tipring/hal"
)

// Opts holds the limits the Detector judges ringing by.
type Opts struct {
	// A burst from MinBurst to MaxBurst long is a ring; a shorter one is a
	// spike, a longer one no ringing.
	MinBurst, MaxBurst time.Duration
	// A gap in ringing shorter than MinPause is a dropout within a burst.
	MinPause time.Duration
	// No ringing for longer than MaxPause ends the call.
	MaxPause time.Duration
	// A first burst no longer than AlertMax, followed by at least AlertGap
	// of silence, is a ring-pulse alert.
	AlertMax, AlertGap time.Duration
}

// DefaultOpts accepts the ring cadences of every country the gateway has a
// tone plan for, and EN 300 659-1's ring-pulse alert.
//
// MinBurst is under the shortest burst (400 ms) and the shortest RP-AS
// (200 ms) with room for a ring detector that sees a burst a ring cycle
// short (50 ms at 20 Hz); MinPause is half the shortest pause (200 ms).
// MaxBurst is half as long again as the longest burst (2 s), and MaxPause
// the longest pause (5 s) with 20 % to spare. AlertMax is the longest RP-AS
// (300 ms) and a ring cycle; AlertGap is the shortest time from its end to
// the data.
var DefaultOpts = Opts{
	MinBurst: 150 * time.Millisecond,
	MaxBurst: 3 * time.Second,
	MinPause: 100 * time.Millisecond,
	MaxPause: 6 * time.Second,
	AlertMax: 350 * time.Millisecond,
	AlertGap: 500 * time.Millisecond,
}

// ErrOpts is matched by the errors of Opts that cannot work.
var ErrOpts = errors.New("ringdetect: bad options")

// Validate reports whether the limits are in order: 0 < MinBurst <=
// AlertMax < MaxBurst, and 0 < MinPause < AlertGap < MaxPause.
func (o Opts) Validate() error {
	switch {
	case o.MinBurst <= 0:
		return fmt.Errorf("%w: MinBurst %v is not positive", ErrOpts, o.MinBurst)
	case o.AlertMax < o.MinBurst:
		return fmt.Errorf("%w: AlertMax %v is less than MinBurst %v", ErrOpts, o.AlertMax, o.MinBurst)
	case o.MaxBurst <= o.AlertMax:
		return fmt.Errorf("%w: MaxBurst %v is not above AlertMax %v", ErrOpts, o.MaxBurst, o.AlertMax)
	case o.MinPause <= 0:
		return fmt.Errorf("%w: MinPause %v is not positive", ErrOpts, o.MinPause)
	case o.AlertGap <= o.MinPause:
		return fmt.Errorf("%w: AlertGap %v is not above MinPause %v", ErrOpts, o.AlertGap, o.MinPause)
	case o.MaxPause <= o.AlertGap:
		return fmt.Errorf("%w: MaxPause %v is not above AlertGap %v", ErrOpts, o.MaxPause, o.AlertGap)
	}
	return nil
}

// Kind says what the ringing means.
type Kind uint8

const (
	// CallStart: a call is ringing. At is the start of its first burst;
	// it is reported when that burst ends, just before the burst's
	// RingStart and RingEnd.
	CallStart Kind = iota + 1
	RingStart      // a burst of the call's ringing began
	RingEnd        // it ended
	// Alert: a ring-pulse alert; caller ID data follows, then ringing.
	Alert
	// Abandoned: no ringing for longer than MaxPause since the last burst
	// or the alert, at At: the caller gave up, or someone else answered.
	Abandoned
)

var kindNames = [...]string{"", "call-start", "ring-start", "ring-end", "alert", "abandoned"}

func (k Kind) String() string {
	if k >= CallStart && k <= Abandoned {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// A Signal is what the ringing said, and the bus time it happened.
type Signal struct {
	Kind Kind
	At   time.Duration
}

func (s Signal) String() string { return fmt.Sprintf("%v @%v", s.Kind, s.At) }

// queueCap is how many signals a Detector keeps until Next takes them. One
// event or tick yields at most four, so a caller that drains the queue each
// frame never loses one.
const queueCap = 16

// state is where the Detector is in a call.
type state uint8

const (
	idle      state = iota
	shortRing       // a first burst short enough to be an alert: waiting to see
	alerted         // after an alert, waiting for the ringing
	ringing         // in a call
)

// A Detector turns the ringing on an FXO port into Signals.
type Detector struct {
	o Opts

	on    bool          // ringing voltage, as last reported
	offAt time.Duration // when it last ceased

	// The burst being measured: from start, through dropouts, to offAt.
	burst     bool
	start     time.Duration
	confirmed bool // long enough to be no spike

	state             state
	firstAt, firstEnd time.Duration // the short first burst, in shortRing
	last              time.Duration // end of the last burst or the alert, in alerted and ringing

	q     [queueCap]Signal
	qHead int
	qLen  int
}

// New returns a Detector for an idle line.
func New(o Opts) (*Detector, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Detector{o: o}, nil
}

// Event takes a change of the line's ringing. Other kinds of event, and a
// change to the state the ringing is already in (the port dropped the one
// between), are ignored.
func (d *Detector) Event(e hal.Event) {
	switch {
	case e.Kind == hal.EventRingStart && !d.on:
		d.expire(e.At)
		d.on = true
		if !d.burst { // else a dropout, and the burst goes on
			d.burst, d.start, d.confirmed = true, e.At, false
		}
	case e.Kind == hal.EventRingStop && d.on:
		d.on, d.offAt = false, e.At
		if d.burst && !d.confirmed && e.At-d.start >= d.o.MinBurst {
			d.confirm()
		}
	}
}

// Tick resolves what only the passing of time tells: that a burst is no
// spike, that it has ended, that a short first burst was an alert, or that
// the caller gave up. now is the bus time; give every event up to now to
// Event first.
func (d *Detector) Tick(now time.Duration) {
	if d.burst && d.on && !d.confirmed && now-d.start >= d.o.MinBurst {
		d.confirm()
	}
	d.expire(now)
}

// Reset returns the detector to an idle line, dropping the signals not yet
// taken: for when the gateway answers the call. A burst under way is not
// counted.
func (d *Detector) Reset() {
	*d = Detector{o: d.o, on: d.on}
}

// Next returns the oldest signal not yet returned; ok is false when there
// is none. When more than 16 wait, the oldest are lost.
func (d *Detector) Next() (s Signal, ok bool) {
	if d.qLen == 0 {
		return Signal{}, false
	}
	s = d.q[d.qHead]
	d.qHead = (d.qHead + 1) % queueCap
	d.qLen--
	return s, true
}

// confirm marks the burst under way as no spike.
func (d *Detector) confirm() {
	d.confirmed = true
	switch d.state {
	case shortRing: // a ring so soon: the short first burst was a ring too
		d.startCall(d.firstAt, d.firstEnd)
		d.push(RingStart, d.start)
	case ringing:
		d.push(RingStart, d.start)
	}
}

// expire settles what has become certain by now: a burst ended, an alert,
// a call abandoned.
func (d *Detector) expire(now time.Duration) {
	if d.burst && !d.on && now-d.offAt >= d.o.MinPause {
		d.burst = false
		d.ended(d.start, d.offAt)
	}
	if d.burst {
		return
	}
	if d.state == shortRing && now-d.firstEnd >= d.o.AlertGap {
		d.push(Alert, d.firstAt)
		d.state, d.last = alerted, d.firstEnd
	}
	if (d.state == alerted || d.state == ringing) && now-d.last > d.o.MaxPause {
		d.push(Abandoned, d.last)
		d.state = idle
	}
}

// ended judges a burst that has ended.
func (d *Detector) ended(start, end time.Duration) {
	switch {
	case !d.confirmed:
		// A spike.
	case d.state == ringing:
		d.push(RingEnd, end)
		d.last = end
	case end-start > d.o.MaxBurst:
		// Not ringing: no call starts with it.
	case d.state == idle && end-start <= d.o.AlertMax:
		d.state, d.firstAt, d.firstEnd = shortRing, start, end
	default:
		d.startCall(start, end)
	}
}

// startCall reports a call whose first burst ran from start to end.
func (d *Detector) startCall(start, end time.Duration) {
	d.push(CallStart, start)
	d.push(RingStart, start)
	d.push(RingEnd, end)
	d.state, d.last = ringing, end
}

func (d *Detector) push(k Kind, at time.Duration) {
	if d.qLen == queueCap {
		d.qHead = (d.qHead + 1) % queueCap
		d.qLen--
	}
	d.q[(d.qHead+d.qLen)%queueCap] = Signal{Kind: k, At: at}
	d.qLen++
}
