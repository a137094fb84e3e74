package interop

import (
	"math"
	"slices"
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

// TestFrameToneShare: a tone broken in phase at a frame's edge, as a
// jitter buffer breaks it when it inserts silence or repeats a frame,
// still counts whole frame by frame; other sound still does not.
func TestFrameToneShare(t *testing.T) {
	for _, f := range []float64{440, 1004} {
		tone := Tone(f, 8000, time.Second)
		jumps := slices.Concat(tone[:10*FrameSamples], make([]int16, FrameSamples), // silence inserted
			tone[10*FrameSamples:30*FrameSamples], tone[29*FrameSamples:30*FrameSamples], // a frame repeated
			tone[31*FrameSamples:]) // and one dropped
		mix := make([]int16, len(tone))
		for i, v := range Tone(f*1.5, 8000, time.Second) {
			mix[i] = v/2 + tone[i]/2
		}
		for _, c := range []struct {
			name     string
			s        []int16
			f        float64
			min, max float64
		}{
			{"the tone itself", tone, f, 0.99, 1.01},
			{"the tone with jumps in phase", jumps, f, 0.97, 1.01},
			{"another frequency", tone, f * 1.5, 0, 0.05},
			{"half of a mix", mix, f, 0.45, 0.55},
			{"silence", make([]int16, 800), f, 0, 0},
			{"nothing", nil, f, 0, 0},
		} {
			if got := FrameToneShare(c.s, c.f); got < c.min || got > c.max {
				t.Errorf("%v Hz, %s: share %.3f, want %.2f to %.2f", f, c.name, got, c.min, c.max)
			}
		}
	}
	// What FrameToneShare is for: a frame holds 8.8 periods of 440 Hz, so
	// each jump turns the phase by most of a period, and measured whole
	// the tone loses much of its share.
	tone := Tone(440, 8000, time.Second)
	jump := slices.Concat(tone[:25*FrameSamples], make([]int16, FrameSamples), tone[25*FrameSamples:])
	if got := ToneShare(jump, 440); got > 0.9 {
		t.Errorf("ToneShare of 440 Hz with a frame of silence inserted %.3f, want under 0.9", got)
	}
}
