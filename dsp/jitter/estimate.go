package jitter

import "math"

// The delay estimate looks at the last window packets (2.56 s at one
// packet per 20 ms frame) and leaves out the outliers slowest of them, so
// the target covers the 98th percentile: a lone straggler is cheaper to
// conceal than to wait for.
const (
	window   = 128
	outliers = 2
)

// An arrival is what the estimator keeps of one packet, in samples.
type arrival struct {
	// transit is the arrival time less the RTP timestamp: the network's
	// delay plus a constant offset between the two clocks.
	transit int64
	// phase is the arrival time less the playout clock's ticks so far:
	// where between two Gets the packet came, plus a constant.
	phase int64
}

// estimator keeps the last window arrivals and the extremes the buffer
// steers by.
type estimator struct {
	a    [window]arrival
	n    int // arrivals held
	head int // where the next goes

	minTransit  int64 // the fastest packet's transit
	highTransit int64 // the slowest packet's but outliers
	minPhase    int64 // the arrival closest after a Get
}

func (e *estimator) reset() { e.n, e.head = 0, 0 }

func (e *estimator) add(a arrival) {
	e.a[e.head] = a
	e.head = (e.head + 1) % window
	e.n = min(e.n+1, window)
	e.scan()
}

// scan finds the extremes of the arrivals held. A scan of 128 pairs costs
// less than keeping sorted structures up to date.
func (e *estimator) scan() {
	var top [outliers + 1]int64 // the largest transits, largest first
	for i := range top {
		top[i] = math.MinInt64
	}
	e.minTransit, e.minPhase = math.MaxInt64, math.MaxInt64
	for _, a := range e.a[:e.n] {
		e.minTransit = min(e.minTransit, a.transit)
		e.minPhase = min(e.minPhase, a.phase)
		if a.transit <= top[outliers] {
			continue
		}
		i := outliers
		for ; i > 0 && a.transit > top[i-1]; i-- {
			top[i] = top[i-1]
		}
		top[i] = a.transit
	}
	e.highTransit = top[min(outliers, e.n-1)]
}

// spread is how much later than the fastest packet the slowest but
// outliers arrived, in samples.
func (e *estimator) spread() int64 { return e.highTransit - e.minTransit }
