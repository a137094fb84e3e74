package sim

import (
	"context"
	"errors"
	"fmt"

	"tipring/hal"
)

// lineAudio is what a person at the far end of a simulated line does with
// sound: play samples into the line and record what the gateway sends.
type lineAudio struct {
	play []int16 // queued samples still to send to the gateway
	recs []*Recording
}

// A Recording collects what the gateway sends to a line.
type Recording struct {
	buf  []int16
	done chan struct{}
}

// Wait blocks until the recording is complete or ctx is done, and returns
// the samples.
func (r *Recording) Wait(ctx context.Context) ([]int16, error) {
	select {
	case <-r.done:
		return r.buf, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// source mixes the next frame of played audio into out.
func (a *lineAudio) source(out *hal.Frame) {
	n := min(len(a.play), hal.FrameSamples)
	for i := range n {
		out[i] = sat16(int32(out[i]) + int32(a.play[i]))
	}
	a.play = a.play[n:]
	if len(a.play) == 0 {
		a.play = nil
	}
}

// sink hands a frame the gateway sent to every running recording.
func (a *lineAudio) sink(in *hal.Frame) {
	kept := a.recs[:0]
	for _, r := range a.recs {
		n := min(cap(r.buf)-len(r.buf), hal.FrameSamples)
		r.buf = append(r.buf, in[:n]...)
		if len(r.buf) == cap(r.buf) {
			close(r.done)
			continue
		}
		kept = append(kept, r)
	}
	a.recs = kept
}

func sat16(v int32) int16 {
	return int16(max(-32768, min(32767, v)))
}

// maxPlay bounds what one line may have queued: ten minutes.
const maxPlay = 10 * 60 * hal.SampleRate

var errTooLong = errors.New("longer than ten minutes")

// Play queues samples to be sent into the gateway on port n, after whatever
// is queued already.
func (b *Board) Play(n int, samples []int16) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.portOrErr(n)
	if err != nil {
		return err
	}
	a := p.audio()
	if len(a.play)+len(samples) > maxPlay {
		return fmt.Errorf("line %d: %w", n, errTooLong)
	}
	a.play = append(a.play, samples...)
	return nil
}

// Record starts recording what the gateway sends to port n for the given
// number of samples, starting with the next frame.
func (b *Board) Record(n, samples int) (*Recording, error) {
	if samples <= 0 || samples > maxPlay {
		return nil, fmt.Errorf("line %d: recording of %d samples: want 1 to %d", n, samples, maxPlay)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.portOrErr(n)
	if err != nil {
		return nil, err
	}
	r := &Recording{buf: make([]int16, 0, samples), done: make(chan struct{})}
	a := p.audio()
	a.recs = append(a.recs, r)
	return r, nil
}

// CheckLine returns an error unless the board has a line n.
func (b *Board) CheckLine(n int) error {
	_, err := b.portOrErr(n)
	return err
}

func (b *Board) portOrErr(n int) (port, error) {
	p := b.port(n)
	if p == nil {
		return nil, &actionError{fmt.Sprintf("line %d: no such line (the board has lines 1 to %d)", n, len(b.ports)), ErrNoLine}
	}
	return p, nil
}
