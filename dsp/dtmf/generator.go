package dtmf

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// SampleRate is the rate of the PCM the package reads and writes, in Hz.
const SampleRate = 8000

// queueCap is how many digits a Generator holds that it has not yet started.
const queueCap = 64

var (
	// ErrDigit means a character is not one of the DTMF digits 0-9 * # A-D.
	ErrDigit = errors.New("dtmf: not a DTMF digit")
	// ErrQueueFull means the digits do not fit in what a Generator still has
	// to send; none of them were queued.
	ErrQueueFull = errors.New("dtmf: generator queue full")
)

// GenOpts sets how a Generator sends digits.
type GenOpts struct {
	// Level is the level of the low-group tone, in dBm0 (see MaxDBm0).
	Level float64
	// Twist is the level of the high-group tone minus the level of the
	// low-group tone, in dB.
	Twist float64
	// On is how long each digit's tones last; Off the silence after each.
	On, Off time.Duration
}

// DefaultGenOpts are what a telephone set sends: the high group 2 dB above
// the low group to make up for line loss at the higher frequencies, −8 and
// −6 dBm0 (within the −10 to 0 dBm0 range of ITU-T Q.23), and 100 ms of tone
// then 100 ms of silence, twice the Q.24 minimum tone and pause.
var DefaultGenOpts = GenOpts{Level: -8, Twist: 2, On: 100 * time.Millisecond, Off: 100 * time.Millisecond}

// A Generator turns queued digits into PCM: each digit's two tones for On,
// then silence for Off. Samples beyond the last queued digit are silence.
// The tones' phase runs on across Read calls, so the output does not depend
// on how the caller cuts it into buffers.
type Generator struct {
	ampLow, ampHigh float64
	onSamples       int
	offSamples      int

	queue       [queueCap]byte
	qhead, qlen int

	tone bool // whether the current segment is a digit's tones (else a pause)
	left int  // samples left in the current segment

	// Each tone is a unit phasor rotated by one sample's phase step.
	low, high       phasor
	lowStep, hiStep phasor
}

type phasor struct{ re, im float64 }

func (p phasor) mul(q phasor) phasor {
	return phasor{p.re*q.re - p.im*q.im, p.re*q.im + p.im*q.re}
}

func step(freq float64) phasor {
	s, c := math.Sincos(2 * math.Pi * freq / SampleRate)
	return phasor{c, s}
}

// NewGenerator returns an idle Generator. On must be at least one sample
// long and Off must not be negative. Levels high enough for the sum of the
// tones to exceed full scale are allowed; the output then saturates.
func NewGenerator(o GenOpts) (*Generator, error) {
	on, off := samples(o.On), samples(o.Off)
	if on < 1 || off < 0 {
		return nil, fmt.Errorf("dtmf: tone %v and pause %v: want a tone of at least %v and a pause of at least 0",
			o.On, o.Off, time.Second/SampleRate)
	}
	return &Generator{
		ampLow:     peak(o.Level),
		ampHigh:    peak(o.Level + o.Twist),
		onSamples:  on,
		offSamples: off,
	}, nil
}

func samples(d time.Duration) int {
	return int(math.Round(d.Seconds() * SampleRate))
}

// Queue adds digits (0-9 * # A-D, letters in either case) to be sent after
// those already queued. If any character is not a digit, or the digits do
// not all fit, it queues none and returns ErrDigit or ErrQueueFull.
func (g *Generator) Queue(digits string) error {
	for i := 0; i < len(digits); i++ {
		if _, _, ok := position(digits[i]); !ok {
			return fmt.Errorf("%w: %q", ErrDigit, digits[i])
		}
	}
	if g.qlen+len(digits) > queueCap {
		return ErrQueueFull
	}
	for i := 0; i < len(digits); i++ {
		g.queue[(g.qhead+g.qlen)%queueCap] = digits[i]
		g.qlen++
	}
	return nil
}

// Busy reports whether the Generator has tones or pauses still to send.
func (g *Generator) Busy() bool {
	return g.left > 0 || g.qlen > 0
}

// Read fills dst with the next samples and returns how many of them belong
// to digits (their tones and the pauses after them); the rest of dst, from
// that count on, is silence.
func (g *Generator) Read(dst []int16) int {
	n := 0
	for n < len(dst) {
		if g.left == 0 && !g.advance() {
			break
		}
		k := min(g.left, len(dst)-n)
		if g.tone {
			g.render(dst[n : n+k])
		} else {
			clear(dst[n : n+k])
		}
		n += k
		g.left -= k
	}
	clear(dst[n:])
	return n
}

// advance starts the next segment: the pause after a tone, or the next
// queued digit. It reports false when there is nothing left to send.
func (g *Generator) advance() bool {
	if g.tone && g.offSamples > 0 {
		g.tone, g.left = false, g.offSamples
		return true
	}
	g.tone = false
	if g.qlen == 0 {
		return false
	}
	d := g.queue[g.qhead]
	g.qhead = (g.qhead + 1) % queueCap
	g.qlen--
	lo, hi, _ := Frequencies(d)
	// Both tones start at a zero crossing (sine phase 0).
	g.low, g.high = phasor{1, 0}, phasor{1, 0}
	g.lowStep, g.hiStep = step(lo), step(hi)
	g.tone, g.left = true, g.onSamples
	return true
}

func (g *Generator) render(dst []int16) {
	for i := range dst {
		v := g.ampLow*g.low.im + g.ampHigh*g.high.im
		dst[i] = saturate(v)
		g.low = g.low.mul(g.lowStep)
		g.high = g.high.mul(g.hiStep)
	}
}

func saturate(v float64) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(v))
}

// Render returns digits as PCM sent with options o: each digit's tones and
// the pause after it. It is for tools and tests; the media loop uses a
// Generator and its own buffers.
func Render(digits string, o GenOpts) ([]int16, error) {
	g, err := NewGenerator(o)
	if err != nil {
		return nil, err
	}
	out := make([]int16, 0, len(digits)*(g.onSamples+g.offSamples))
	var buf [queueCap]int16
	for len(digits) > 0 || g.Busy() {
		if !g.Busy() {
			k := min(len(digits), queueCap)
			if err := g.Queue(digits[:k]); err != nil {
				return nil, err
			}
			digits = digits[k:]
		}
		n := g.Read(buf[:])
		out = append(out, buf[:n]...)
	}
	return out, nil
}
