package sim

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"tipring/hal"
)

// Opts configures a simulated board.
type Opts struct {
	// Ports are the kinds of the board's ports, numbered from 1 in order;
	// port n uses PCM channel n-1.
	Ports []hal.Kind
	// Country selects the exchange's tones, ring cadence and caller ID
	// standard (ISO 3166 alpha-2, or "ITU").
	Country string
	// Paced makes Transfer wait for the wall clock, 20 ms a frame. Unpaced,
	// every Transfer is the next frame at once.
	Paced bool
	// EchoReturnLoss, when above 0, makes every FXO line return an echo of
	// what the gateway sends into it, that many dB below it, as the
	// hybrids of real lines do (ERL; G.168 tests at 6 dB and up).
	EchoReturnLoss float64
}

// Errors of actions on the board match these with errors.Is.
var (
	ErrState  = errors.New("sim: the line's state does not allow that")
	ErrNoLine = errors.New("sim: no such line")
)

// actionError is a user's mistake explained in its own words; it matches
// ErrState or ErrNoLine.
type actionError struct {
	msg  string
	kind error
}

func (e *actionError) Error() string        { return e.msg }
func (e *actionError) Is(target error) bool { return target == e.kind }

func stateError(format string, a ...any) error {
	return &actionError{fmt.Sprintf(format, a...), ErrState}
}

// Board is the simulated board.
type Board struct {
	mu      sync.Mutex
	country *countryPlan
	ports   []port
	now     time.Duration // bus time of the frame being transferred next

	paced   bool
	start   time.Time // wall time of bus time 0, when paced
	overrun int       // frames the bus skipped because nobody transferred them
	timer   *time.Timer
	closed  chan struct{}
	once    sync.Once
}

// port is the part of a phone or an exchange line that the board drives.
type port interface {
	// frame carries one frame: in is what the gateway sent to the line,
	// out receives what the line sends to the gateway. now is the bus time
	// at the start of the frame.
	frame(now time.Duration, in, out *hal.Frame)
	audio() *lineAudio
}

// New returns a simulated board.
func New(o Opts) (*Board, error) {
	plan, err := lookupCountry(o.Country)
	if err != nil {
		return nil, err
	}
	if o.EchoReturnLoss < 0 || math.IsNaN(o.EchoReturnLoss) {
		return nil, fmt.Errorf("sim: echo return loss %v dB: want 0 (none) or more", o.EchoReturnLoss)
	}
	b := &Board{country: plan, paced: o.Paced, closed: make(chan struct{})}
	for i, k := range o.Ports {
		n := i + 1
		switch k {
		case hal.KindFXS:
			b.ports = append(b.ports, newPhone(b, n))
		case hal.KindFXO:
			x := newExchange(b, n)
			if o.EchoReturnLoss > 0 {
				x.echo = newHybrid(o.EchoReturnLoss)
			}
			b.ports = append(b.ports, x)
		default:
			return nil, fmt.Errorf("sim: port %d: the simulated board has no %v ports", n, k)
		}
	}
	b.start = time.Now()
	return b, nil
}

func (b *Board) String() string { return "sim" }

// NumPorts returns the number of ports.
func (b *Board) NumPorts() int { return len(b.ports) }

// Kind returns the kind of port n.
func (b *Board) Kind(n int) hal.Kind {
	if _, ok := b.port(n).(*Phone); ok {
		return hal.KindFXS
	}
	return hal.KindFXO
}

// FXS returns port n as a phone's line, or nil if it is not an FXS port.
func (b *Board) FXS(n int) *Phone {
	p, _ := b.port(n).(*Phone)
	return p
}

// FXO returns port n as an exchange line, or nil if it is not an FXO port.
func (b *Board) FXO(n int) *Exchange {
	e, _ := b.port(n).(*Exchange)
	return e
}

func (b *Board) port(n int) port {
	if n < 1 || n > len(b.ports) {
		return nil
	}
	return b.ports[n-1]
}

// PCM returns the board's PCM bus.
func (b *Board) PCM() hal.PCM { return bus{b} }

// Overruns returns how many frames a paced bus dropped because its reader
// fell behind.
func (b *Board) Overruns() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.overrun
}

// Now returns the bus time.
func (b *Board) Now() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

// Close stops the board: a waiting Transfer returns hal.ErrClosed, and so
// does every later one.
func (b *Board) Close() error {
	b.once.Do(func() { close(b.closed) })
	return nil
}

// bus is the board's PCM bus.
type bus struct{ b *Board }

func (s bus) Channels() int { return len(s.b.ports) }
func (s bus) Close() error  { return s.b.Close() }

// maxBacklog is how far a paced bus lets its reader fall behind before it
// drops frames, as a real PCM bus's DMA ring would overrun.
const maxBacklog = 5

func (s bus) Transfer(rx, tx []hal.Frame) error {
	b := s.b
	if len(rx) != len(b.ports) || len(tx) != len(b.ports) {
		return fmt.Errorf("sim: Transfer of %d/%d frames on a %d-channel bus", len(rx), len(tx), len(b.ports))
	}
	if b.paced {
		if err := b.waitFrame(); err != nil {
			return err
		}
	}
	select {
	case <-b.closed:
		return hal.ErrClosed
	default:
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, p := range b.ports {
		p.frame(b.now, &tx[i], &rx[i])
	}
	b.now += hal.FrameDuration
	return nil
}

// waitFrame sleeps until the wall clock reaches the end of the frame about to
// be transferred, so that a frame of bus time is a frame of real time.
func (b *Board) waitFrame() error {
	b.mu.Lock()
	due := b.start.Add(b.now + hal.FrameDuration)
	if late := time.Since(due); late > maxBacklog*hal.FrameDuration {
		skip := late / hal.FrameDuration
		b.overrun += int(skip)
		b.start = b.start.Add(skip * hal.FrameDuration)
		due = b.start.Add(b.now + hal.FrameDuration)
	}
	b.mu.Unlock()
	d := time.Until(due)
	if d <= 0 {
		return nil
	}
	if b.timer == nil {
		b.timer = time.NewTimer(d)
	} else {
		b.timer.Reset(d)
	}
	select {
	case <-b.timer.C:
		return nil
	case <-b.closed:
		return hal.ErrClosed
	}
}
