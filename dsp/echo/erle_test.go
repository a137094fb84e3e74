package echo

import (
	"math"
	"testing"
)

// TestERLE checks the canceller's own ERLE figure against the one measured
// from outside on the last second of a converged run, that it is 0 before
// any far-end speech and after Reset, and that near speech on its own does
// not count.
func TestERLE(t *testing.T) {
	const n = 5 * 8000
	c, err := New(Config{NoNLP: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ERLE(); got != 0 {
		t.Errorf("new canceller: ERLE %v, want 0", got)
	}

	l := newLine(css(n, -15, 1), echoPath(0, 6, bulkDelay), nil, -70)
	out := run(t, c, l)
	want, _ := steady(l.sin, out, 40)
	if got := c.ERLE(); math.Abs(got-want) > 3 || got < 10 {
		t.Errorf("converged: ERLE %.1f dB, measured %.1f dB over the last second", got, want)
	}

	c.Reset()
	if got := c.ERLE(); got != 0 {
		t.Errorf("after Reset: ERLE %v, want 0", got)
	}
	// The near end alone: nothing to measure.
	near := newLine(make([]float64, n), echoPath(0, 6, bulkDelay), css(n, -15, 2), -70)
	run(t, c, near)
	if got := c.ERLE(); got != 0 {
		t.Errorf("near end alone: ERLE %v, want 0", got)
	}
}
