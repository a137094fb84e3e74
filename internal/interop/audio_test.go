package interop

import (
	"math"
	"testing"
	"time"
)

func TestToneShareAndLevel(t *testing.T) {
	tone := Tone(1004, 8000, time.Second)
	if len(tone) != SampleRate {
		t.Fatalf("%d samples in a second, want %d", len(tone), SampleRate)
	}
	mix := make([]int16, len(tone))
	for i, v := range Tone(440, 8000, time.Second) {
		mix[i] = v/2 + tone[i]/2
	}
	for _, c := range []struct {
		name     string
		s        []int16
		f        float64
		min, max float64
	}{
		{"the tone itself", tone, 1004, 0.99, 1.01},
		{"another frequency", tone, 440, 0, 0.01},
		{"half of a mix", mix, 1004, 0.45, 0.55},
		{"silence", make([]int16, 800), 1004, 0, 0},
	} {
		if got := ToneShare(c.s, c.f); got < c.min || got > c.max {
			t.Errorf("%s: share at %v Hz %.3f, want %.2f to %.2f", c.name, c.f, got, c.min, c.max)
		}
	}
	// A sine of peak a has an RMS level of 20 log10(a/√2/32768) dBFS.
	if got, want := LevelDB(tone), 20*math.Log10(8000/math.Sqrt2/32768); math.Abs(got-want) > 0.01 {
		t.Errorf("level %.2f dBFS, want %.2f", got, want)
	}
	if got := LevelDB(make([]int16, 10)); !math.IsInf(got, -1) {
		t.Errorf("level of silence %v, want -Inf", got)
	}
}
