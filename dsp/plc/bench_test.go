package plc

import "testing"

func TestNoAllocs(t *testing.T) {
	x := voiced(1)
	var c Concealer
	frame := make([]int16, 160)
	p := 0
	allocs := testing.AllocsPerRun(200, func() {
		// Two good frames, then a loss growing to 80 ms, over and over.
		if p%6 < 2 {
			copy(frame, x[p%40*160:])
			c.Good(frame)
		} else {
			c.Lost(frame)
		}
		p++
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per frame, want 0", allocs)
	}
}

func BenchmarkGood(b *testing.B) {
	x := voiced(1)
	var c Concealer
	frame := make([]int16, 160)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		copy(frame, x[i%50*160:])
		c.Good(frame)
	}
}

// BenchmarkLost times a good 20 ms frame and a lost one after it: the
// pitch search and the start of the loss, the dearest frame there is,
// with the cheapest (BenchmarkGood). They are timed together: stopping
// the timer between them costs more than both on a small machine.
func BenchmarkLost(b *testing.B) {
	x := voiced(1)
	var c Concealer
	frame := make([]int16, 160)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		copy(frame, x[i%50*160:])
		c.Good(frame)
		c.Lost(frame)
	}
}

// BenchmarkLossAndRecovery times a lost frame and the good one after it,
// which fades the synthetic signal out: the dearest two frames in a row.
func BenchmarkLossAndRecovery(b *testing.B) {
	x := voiced(1)
	var c Concealer
	frame := make([]int16, 160)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Lost(frame)
		copy(frame, x[i%50*160:])
		c.Good(frame)
	}
}
