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

// BenchmarkLost times a lost 20 ms frame after a good one: the pitch search
// and the start of the loss, the dearest frame there is.
func BenchmarkLost(b *testing.B) {
	x := voiced(1)
	var c Concealer
	frame := make([]int16, 160)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		copy(frame, x[i%50*160:])
		c.Good(frame)
		b.StartTimer()
		c.Lost(frame)
	}
}

// BenchmarkGoodAfterLoss times the first good frame after a lost one, which
// fades the synthetic signal out.
func BenchmarkGoodAfterLoss(b *testing.B) {
	x := voiced(1)
	var c Concealer
	frame := make([]int16, 160)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		c.Lost(frame)
		copy(frame, x[i%50*160:])
		b.StartTimer()
		c.Good(frame)
	}
}
