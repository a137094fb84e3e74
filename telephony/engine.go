package telephony

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"tipring/hal"
)

// A Port is one line's hardware: exactly one of FXS and FXO is set.
type Port struct {
	ID     int    // the line's number on the board, from 1
	Number string // the line's directory number, for status
	FXS    hal.FXS
	FXO    hal.FXO
}

func (p Port) channel() int {
	if p.FXS != nil {
		return p.FXS.Channel()
	}
	return p.FXO.Channel()
}

func (p Port) events() <-chan hal.Event {
	if p.FXS != nil {
		return p.FXS.Events()
	}
	return p.FXO.Events()
}

// Engine is the media engine: it owns the PCM bus and runs the frame loop.
type Engine struct {
	pcm   hal.PCM
	ports []Port
	rx    []hal.Frame
	tx    []hal.Frame

	mu    sync.Mutex
	lines []LineStatus
	bus   BusStatus
}

// New returns an engine for the lines on ports, whose audio travels on pcm.
func New(pcm hal.PCM, ports []Port) (*Engine, error) {
	n := pcm.Channels()
	used := make(map[int]int)
	e := &Engine{pcm: pcm, ports: ports, rx: make([]hal.Frame, n), tx: make([]hal.Frame, n)}
	for _, p := range ports {
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
		e.lines = append(e.lines, newLineStatus(p))
	}
	return e, nil
}

// BusStatus counts the frame loop's work and how late it ran.
type BusStatus struct {
	Frames    int64         // frames transferred
	Late      int64         // frames handled more than a frame after they were due
	WorstLate time.Duration // the worst lateness seen
}

// Run runs the frame loop until ctx is done or the bus fails.
func (e *Engine) Run(ctx context.Context) error {
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

// frame handles one frame: the lines' events, then the counters. Lines
// carry silence until calls exist.
func (e *Engine) frame(now, start time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, p := range e.ports {
		e.lines[i].drain(p)
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
	for i, p := range e.ports {
		e.lines[i].read(p)
	}
	return append([]LineStatus(nil), e.lines...), e.bus
}
