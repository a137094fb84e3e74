package plc

import (
	"errors"
	"fmt"
	"math"
)

const (
	// BlockLen is the 10 ms block, in samples, that frames are made of.
	BlockLen = 80
	// Delay is how many samples (3.75 ms) the output lags the input: the
	// longest cross-fade at the start of a loss, a quarter of the longest
	// pitch period.
	Delay = maxPitch / 4
)

// Figures of G.711 Appendix I at 8 kHz.
const (
	minPitch = 40  // 200 Hz
	maxPitch = 120 // 66.7 Hz
	// histLen holds the longest repeated span, three periods of the lowest
	// pitch, and the quarter period before it that fades into its end.
	histLen = 3*maxPitch + Delay
	// endFadeStep lengthens the fade-in after a loss by 4 ms for every 10 ms
	// lost beyond the first: the longer the gap, the less the synthetic
	// signal resembles what comes back.
	endFadeStep = 32
	// fadeStep is the attenuation per sample from 10 ms into a loss on,
	// 20 % per 10 ms, which reaches silence 60 ms into it.
	fadeStep   = 0.2 / BlockLen
	silentFrom = 6 // blocks lost in a row after which the output is silence
)

// ErrFrameLen means a frame is not a positive whole number of 10 ms blocks.
var ErrFrameLen = errors.New("plc: frame length is not a positive multiple of 80 samples (10 ms)")

// A Concealer fills gaps in one stream of audio. The zero value is ready
// to use, with silence as its history.
type Concealer struct {
	// hist is the signal as it goes out before the delay: received blocks,
	// or synthetic ones during a loss. The newest sample is last.
	hist [histLen]int16
	lost int // blocks lost in a row, up to the current one

	// State of the current loss, set up by its first block.
	pitch int // period in samples
	fade  int // length of the cross-fades inside the loss, pitch/4
	span  int // length of the repeated end of buf: 1, 2 or 3 periods
	pos   int // read position in that span
	// buf is hist as it was when the loss started, its last fade samples
	// cross-faded into the samples just before the span, so that reading
	// the span round and round has no seam.
	buf [histLen]float32
	// tail is the real last fade samples of buf, kept for re-doing that
	// cross-fade when the span grows.
	tail [Delay]float32
}

// Good takes a received frame and replaces it, in place, with the frame to
// play: the stream Delay samples behind, with the end of any loss just
// before it faded into the received signal.
func (c *Concealer) Good(frame []int16) error {
	if err := checkLen(frame); err != nil {
		return err
	}
	for i := 0; i < len(frame); i += BlockLen {
		b := frame[i : i+BlockLen]
		if c.lost > 0 {
			c.endLoss(b)
		}
		c.push(b)
		c.emit(b)
	}
	return nil
}

// Lost fills frame with the frame to play in place of one that did not
// arrive.
func (c *Concealer) Lost(frame []int16) error {
	if err := checkLen(frame); err != nil {
		return err
	}
	for i := 0; i < len(frame); i += BlockLen {
		b := frame[i : i+BlockLen]
		var s [BlockLen]float32
		switch {
		case c.lost == 0:
			c.startLoss()
			c.read(s[:])
		case c.lost < 3:
			// 10 and 20 ms in: one more period each time, up to three.
			c.widen(s[:])
		case c.lost < silentFrom:
			c.read(s[:])
		}
		attenuate(s[:], c.lost*BlockLen)
		c.lost++
		for j, v := range s {
			b[j] = toInt16(v)
		}
		c.push(b)
		c.emit(b)
	}
	return nil
}

func checkLen(frame []int16) error {
	if len(frame) == 0 || len(frame)%BlockLen != 0 {
		return fmt.Errorf("%w: %d samples", ErrFrameLen, len(frame))
	}
	return nil
}

// push appends a block to the history.
func (c *Concealer) push(b []int16) {
	copy(c.hist[:], c.hist[BlockLen:])
	copy(c.hist[histLen-BlockLen:], b)
}

// emit writes the block that is due to be played, Delay samples behind.
func (c *Concealer) emit(b []int16) {
	copy(b, c.hist[histLen-Delay-BlockLen:histLen-Delay])
}

// startLoss sets up the repetition of the last pitch period.
func (c *Concealer) startLoss() {
	for i, v := range c.hist {
		c.buf[i] = float32(v)
	}
	c.pitch = findPitch(&c.buf)
	c.fade = c.pitch / 4
	copy(c.tail[:c.fade], c.buf[histLen-c.fade:])
	c.span = c.pitch
	c.pos = 0
	c.loopSpan()
	// The faded tail has not been played yet (fade <= Delay): play it
	// instead of the real one, so the signal runs into the repetition.
	for i := histLen - c.fade; i < histLen; i++ {
		c.hist[i] = toInt16(c.buf[i])
	}
}

// loopSpan cross-fades the end of buf from the real signal into the
// samples just before the span, so that the span's last sample leads into
// its first as they did one span earlier.
func (c *Concealer) loopSpan() {
	end := histLen - c.fade
	before := histLen - c.span - c.fade
	for i := range c.fade {
		w := ramp(i, c.fade)
		c.buf[end+i] = (1-w)*c.tail[i] + w*c.buf[before+i]
	}
}

// widen adds one more period to the repeated span and reads s from it,
// fading from the old span over the first quarter period.
func (c *Concealer) widen(s []float32) {
	var old [Delay]float32
	pos := c.pos
	c.read(old[:c.fade])
	// Keep the phase: the new span starts a whole period earlier.
	c.pos = pos % c.pitch
	c.span += c.pitch
	c.loopSpan()
	c.read(s)
	for i := range c.fade {
		w := ramp(i, c.fade)
		s[i] = (1-w)*old[i] + w*s[i]
	}
}

// read fills s from the repeated span.
func (c *Concealer) read(s []float32) {
	start := histLen - c.span
	for i := range s {
		s[i] = c.buf[start+c.pos]
		if c.pos++; c.pos == c.span {
			c.pos = 0
		}
	}
}

// endLoss fades the first block after a loss in from the synthetic signal.
func (c *Concealer) endLoss(b []int16) {
	n := min(c.fade+(c.lost-1)*endFadeStep, BlockLen)
	var s [BlockLen]float32
	if c.lost < silentFrom {
		c.read(s[:n])
		attenuate(s[:n], c.lost*BlockLen)
	}
	for i := range n {
		w := ramp(i, n)
		b[i] = toInt16((1-w)*s[i] + w*float32(b[i]))
	}
	c.lost = 0
}

// attenuate applies the fade of a loss to s, whose first sample is the
// n-th since the loss started: full level for 10 ms, then down 20 % every
// 10 ms.
func attenuate(s []float32, n int) {
	for i := range s {
		g := 1 - float32(n+i-BlockLen)*fadeStep
		if g >= 1 {
			continue
		}
		s[i] *= max(g, 0)
	}
}

// ramp is the weight of the incoming signal at sample i of an n-sample
// cross-fade, rising in equal steps and never quite 0 or 1.
func ramp(i, n int) float32 {
	return float32(i+1) / float32(n+1)
}

func toInt16(v float32) int16 {
	return int16(max(math.MinInt16, min(math.MaxInt16, math.Round(float64(v)))))
}
