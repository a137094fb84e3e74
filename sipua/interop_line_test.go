package sipua

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"tipring/dsp/g711"
	"tipring/sipua/rtpstream"
)

// How a line sends DTMF: each digit's events for digitFrames frames, then
// nothing for as long (100 ms each, what a telephone set's keypad sends).
const digitFrames = 5

// line stands in for the media engine of one line in a call, as the interop
// tests need it: every 20 ms it sends a frame of its signal, or in its place
// the RFC 4733 events of the digits it is asked to send, and keeps the audio
// and the digits it receives. Like the engine, it alone calls the frame-loop
// methods of the call's stream.
type line struct {
	c      *Call
	signal []int16 // sent over and over; silence when nil
	send   chan string
	stop   chan struct{}
	done   chan struct{}

	mu      sync.Mutex
	sent    int     // frames given to Send
	heard   []int16 // audio received, decoded
	digits  []rtpstream.DigitEvent
	err     error         // of StartDigit or a codec the line cannot decode
	changed chan struct{} // closed, and replaced, at every frame
}

// startLine runs a line for the call until the call ends or the test does.
func startLine(t *testing.T, c *Call, signal []int16) *line {
	l := &line{c: c, signal: signal, send: make(chan string, 1), stop: make(chan struct{}),
		done: make(chan struct{}), changed: make(chan struct{})}
	go l.run()
	t.Cleanup(func() {
		close(l.stop)
		<-l.done
	})
	return l
}

func (l *line) run() {
	defer close(l.done)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	s := l.c.Stream()
	var (
		pcm     [rtpstream.FrameSize]int16
		frame   [rtpstream.FrameSize]byte
		pos     int    // in signal
		queue   string // digits to send
		down    bool   // a digit is being sent
		left    int    // frames until the digit, or the pause after it, ends
		decoded []int16
		digits  []rtpstream.DigitEvent
	)
	for {
		select {
		case d := <-l.send:
			queue += d
			continue
		case <-tick.C:
		case <-l.c.Done():
			return
		case <-l.stop:
			return
		}
		var err error
		if left > 0 {
			left--
		}
		if left == 0 {
			switch {
			case down:
				s.StopDigit()
				down, left = false, digitFrames
			case queue != "":
				err = s.StartDigit(queue[0])
				queue = queue[1:]
				down, left = true, digitFrames
			}
		}
		for i := range pcm {
			if len(l.signal) > 0 {
				pcm[i] = l.signal[pos]
				pos = (pos + 1) % len(l.signal)
			}
		}
		encode, decode, cerr := l.codec()
		if cerr != nil {
			err = cerr
		} else {
			encode(frame[:], pcm[:])
			s.Send(&frame)
		}
		// One frame a tick, from the jitter buffer, which absorbs the
		// ticks that come late.
		decoded = decoded[:0]
		if s.Receive(&frame) == rtpstream.Audio && cerr == nil {
			decode(pcm[:], frame[:])
			decoded = append(decoded, pcm[:]...)
		}
		digits = digits[:0]
		for ev, ok := l.c.Digit(); ok; ev, ok = l.c.Digit() {
			digits = append(digits, ev)
		}

		l.mu.Lock()
		l.sent++
		l.heard = append(l.heard, decoded...)
		l.digits = append(l.digits, digits...)
		if err != nil && l.err == nil {
			l.err = err
		}
		close(l.changed)
		l.changed = make(chan struct{})
		l.mu.Unlock()
	}
}

// codec returns the G.711 coder of the call's negotiated codec.
func (l *line) codec() (encode func([]byte, []int16), decode func([]int16, []byte), err error) {
	switch name := l.c.Media().Codec.Name; name {
	case "PCMU":
		return g711.EncodeUlaw, g711.DecodeUlaw, nil
	case "PCMA":
		return g711.EncodeAlaw, g711.DecodeAlaw, nil
	default:
		return nil, nil, fmt.Errorf("line: codec %q is not G.711", name)
	}
}

// sendDigits queues digits to be sent as RFC 4733 events, one after the
// other.
func (l *line) sendDigits(digits string) {
	select {
	case l.send <- digits:
	case <-l.done:
	}
}

// await waits until cond, called with the line's lock held, holds after a
// frame, or ctx ends.
func (l *line) await(ctx context.Context, cond func() bool) error {
	for {
		l.mu.Lock()
		ok, err, changed := cond(), l.err, l.changed
		l.mu.Unlock()
		switch {
		case err != nil:
			return err
		case ok:
			return nil
		}
		select {
		case <-changed:
		case <-l.done:
			return fmt.Errorf("line: stopped (call %v)", l.c.State())
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// hear waits until the line has received n samples of audio from now on,
// and returns them.
func (l *line) hear(ctx context.Context, n int) ([]int16, error) {
	l.mu.Lock()
	from := len(l.heard)
	l.mu.Unlock()
	var s []int16
	err := l.await(ctx, func() bool {
		if len(l.heard)-from < n {
			return false
		}
		s = append(s, l.heard[from:from+n]...)
		return true
	})
	if err != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		return nil, fmt.Errorf("%d of %d samples heard: %w", len(l.heard)-from, n, err)
	}
	return s, nil
}

// frames waits until the line has sent n more frames.
func (l *line) frames(ctx context.Context, n int) error {
	l.mu.Lock()
	until := l.sent + n
	l.mu.Unlock()
	return l.await(ctx, func() bool { return l.sent >= until })
}

// receivedDigits waits until the line has received n digits (their key
// going down and coming up again), and returns the events received.
func (l *line) receivedDigits(ctx context.Context, n int) ([]rtpstream.DigitEvent, error) {
	var evs []rtpstream.DigitEvent
	err := l.await(ctx, func() bool {
		ends := 0
		for _, ev := range l.digits {
			if ev.End {
				ends++
			}
		}
		evs = append(evs[:0], l.digits...)
		return ends >= n
	})
	if err != nil {
		return evs, fmt.Errorf("digits %v: %w", evs, err)
	}
	return evs, nil
}
