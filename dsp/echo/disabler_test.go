package echo

import (
	"math"
	"testing"
	"time"
)

// TestDisabler sends an answer tone to the far end and checks that only the
// tone with phase reversals turns the canceller off, within 1 s, and that
// 400 ms of silence turns it back on.
func TestDisabler(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reversal bool
		offset   float64 // Hz from 2100
		want     bool
	}{
		{"reversals", true, 0, true},
		{"reversals +15 Hz", true, 15, true},
		{"reversals -15 Hz", true, -15, true},
		{"no reversals", false, 0, false},
	} {
		c, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		const n = 8000
		far := make([]int16, n+3200)
		a := math.Sqrt(2 * power(-12))
		for i := range n {
			ph := 2 * math.Pi * (2100 + tc.offset) * float64(i) / 8000
			if tc.reversal && (i/3600)%2 == 1 { // every 450 ms
				ph += math.Pi
			}
			far[i] = int16(a * math.Sin(ph))
		}
		near := make([]int16, len(far))
		out := make([]int16, len(far))
		off := false
		for i := 0; i < n; i += 160 {
			if err := c.Process(out[i:i+160], near[i:i+160], far[i:i+160]); err != nil {
				t.Fatal(err)
			}
			off = off || c.Disabled()
		}
		if off != tc.want {
			t.Errorf("%s: disabled %v, want %v", tc.name, off, tc.want)
		}
		if err := c.Process(out[n:], near[n:], far[n:]); err != nil {
			t.Fatal(err)
		}
		if c.Disabled() {
			t.Errorf("%s: still disabled after 400 ms of silence", tc.name)
		}
	}
}

func TestNewTail(t *testing.T) {
	for _, tail := range []int{0, 16, 64, 128} {
		if _, err := New(Config{Tail: time.Duration(tail) * time.Millisecond}); err != nil {
			t.Errorf("tail %d ms: %v", tail, err)
		}
	}
	for _, tail := range []int{-1, 15, 129} {
		if _, err := New(Config{Tail: time.Duration(tail) * time.Millisecond}); err == nil {
			t.Errorf("tail %d ms: no error", tail)
		}
	}
	c, _ := New(Config{})
	if err := c.Process(make([]int16, 100), make([]int16, 100), make([]int16, 100)); err != ErrFrameLen {
		t.Errorf("100 samples: %v, want ErrFrameLen", err)
	}
}
