package echo

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os/exec"
	"sync"
	"testing"

	"tipring/dsp/g711"
	"tipring/internal/testtool"
)

// line is a simulated four-wire to two-wire hybrid with µ-law codecs on both
// sides: Rin is the far end after its codec, Sin the echo of Rin plus the
// near talker plus background noise, through the codec back.
type line struct {
	rin, sin []int16
	echo     []float64 // the echo part of Sin, before the codec
	near     []float64 // the near-talker part of Sin
}

func newLine(far []float64, h []float64, near []float64, noiseDBm0 float64) *line {
	n := len(far)
	l := &line{rin: make([]int16, n), sin: make([]int16, n), echo: make([]float64, n), near: make([]float64, n)}
	for i, v := range far {
		l.rin[i] = codec(v)
	}
	r := rand.New(rand.NewPCG(3, 4))
	sd := math.Sqrt(power(noiseDBm0))
	for i := range l.sin {
		var e float64
		for k, c := range h {
			if i-k >= 0 {
				e += c * float64(l.rin[i-k])
			}
		}
		l.echo[i] = e
		if near != nil {
			l.near[i] = near[i]
		}
		l.sin[i] = codec(e + l.near[i] + sd*r.NormFloat64())
	}
	return l
}

// codec passes a sample through a µ-law encoder and decoder.
func codec(v float64) int16 {
	return g711.DecodeUlawSample(g711.EncodeUlawSample(sat(v)))
}

// run passes the line through c in 20 ms frames and returns the output.
func run(t testing.TB, c *Canceller, l *line) []int16 {
	out := make([]int16, len(l.sin))
	for i := 0; i+160 <= len(out); i += 160 {
		if err := c.Process(out[i:i+160], l.sin[i:i+160], l.rin[i:i+160]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// window is 100 ms, the resolution of the ERLE figures.
const window = 800

// erle returns the echo return loss enhancement in dB of each 100 ms window,
// NaN where Sin is below -40 dBm0. There the line's -70 dBm0 noise and the
// µ-law quantisation of Sin (about 30 dB below a -40 dBm0 signal, worse
// below) leave less than the 30 dB the targets ask for to measure: a
// perfect canceller would fail there. G.168 likewise measures the residual
// echo only with the far end talking at stated levels (Rin -30 to 0 dBm0),
// whose echo through a 6 to 12 dB ERL stands clear of the noise.
func erle(sin, out []int16) []float64 {
	var r []float64
	for i := 0; i+window <= len(sin); i += window {
		var ps, po float64
		for j := i; j < i+window; j++ {
			ps += float64(sin[j]) * float64(sin[j])
			po += float64(out[j]) * float64(out[j])
		}
		if ps/window < power(-40) {
			r = append(r, math.NaN())
			continue
		}
		r = append(r, 10*math.Log10(ps/max(po, 1)))
	}
	return r
}

// convergence returns the time, in seconds, from which every measured window
// reaches 20 dB, or +Inf.
func convergence(e []float64) float64 {
	t := math.Inf(1)
	for i := len(e) - 1; i >= 0; i-- {
		if !math.IsNaN(e[i]) && e[i] < 20 {
			break
		}
		t = float64(i) * window / 8000
	}
	return t
}

// steady returns the ERLE over the windows from index from on, and the worst
// single window there.
func steady(sin, out []int16, from int) (mean, worst float64) {
	var ps, po float64
	worst = math.Inf(1)
	for i, v := range erle(sin, out) {
		if i < from || math.IsNaN(v) {
			continue
		}
		worst = min(worst, v)
		for j := i * window; j < (i+1)*window; j++ {
			ps += float64(sin[j]) * float64(sin[j])
			po += float64(out[j]) * float64(out[j])
		}
	}
	return 10 * math.Log10(ps/max(po, 1)), worst
}

var speechOnce struct {
	sync.Once
	far, near []float64
	err       string
}

// speech returns two talkers from espeak-ng, resampled to 8 kHz by sox,
// at least n samples each, at the given level while talking.
func speech(t testing.TB, n int, dBm0 float64) (far, near []float64) {
	testtool.Need(t, "espeak-ng")
	testtool.Need(t, "sox")
	speechOnce.Do(func() {
		far := "The quick brown fox jumps over the lazy dog. Please call me back on my office line before noon tomorrow, or leave a message with the front desk."
		near := "Yes, I can hear you quite well now. The weather here has been cold and wet all week, and the trains are running late again."
		speechOnce.far = say(t, "en-us", far)
		speechOnce.near = say(t, "en+f3", near)
	})
	loop := func(x []float64) []float64 {
		y := make([]float64, n)
		for i := range y {
			y[i] = x[i%len(x)]
		}
		var p float64
		var k int
		for _, v := range y {
			if math.Abs(v) > 100 {
				p += v * v
				k++
			}
		}
		g := math.Sqrt(power(dBm0) / (p / float64(k)))
		for i := range y {
			y[i] *= g
		}
		return y
	}
	return loop(speechOnce.far), loop(speechOnce.near)
}

// say returns text spoken by voice at 160 words a minute, resampled to 8 kHz
// by sox without dither: testtool.Speak lets sox dither, and a Sin that
// differs from run to run makes the conformance figures wander by a dB.
// espeak-ng itself is deterministic.
func say(t testing.TB, voice, text string) []float64 {
	wav, err := exec.Command(testtool.Need(t, "espeak-ng"), "-v", voice, "-s", "160", "--stdout", text).Output()
	if err != nil {
		t.Fatalf("espeak-ng: %v", err)
	}
	conv := exec.Command(testtool.Need(t, "sox"), "-D", "-t", "wav", "-", "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", "-L", "-")
	conv.Stdin = bytes.NewReader(wav)
	raw, err := conv.Output()
	if err != nil {
		t.Fatalf("sox: %v", err)
	}
	x := make([]float64, len(raw)/2)
	for i := range x {
		x[i] = float64(int16(binary.LittleEndian.Uint16(raw[2*i:])))
	}
	return x
}
