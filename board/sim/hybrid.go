package sim

import (
	"math"

	"tipring/hal"
)

// hybrid is the echo a two-wire line returns of what the gateway sends
// into it: the 2-to-4-wire hybrids of the FXO port and of the exchange's
// line card never match the line's impedance exactly. Its impulse response
// is of the kind ITU-T G.168 Annex D measured on real networks, made up
// here: a bulk delay, then a few milliseconds of decaying, ringing
// dispersion, scaled so that the echo of white noise is ERL dB below it.
type hybrid struct {
	h    []float64
	hist []float64 // what the gateway sent: the last len(h)-1 samples, then the frame
}

const (
	hybridDelay = 32 // samples of bulk delay: 4 ms
	hybridTaps  = 96 // samples of dispersion: 12 ms
)

func newHybrid(erl float64) *hybrid {
	h := make([]float64, hybridDelay+hybridTaps)
	var energy float64
	for k := range hybridTaps {
		t := float64(k)
		v := math.Exp(-t/14) * math.Cos(2*math.Pi*0.06*t+0.4)
		if k == 0 {
			v = 0.3 // the first tap: the hybrid's straight-through leak
		}
		h[hybridDelay+k] = v
		energy += v * v
	}
	g := math.Sqrt(math.Pow(10, -erl/10) / energy)
	for k := range h {
		h[k] *= g
	}
	return &hybrid{h: h, hist: make([]float64, len(h)-1+hal.FrameSamples)}
}

// add adds to out the echo of in, the frame the gateway sends now.
func (y *hybrid) add(out, in *hal.Frame) {
	n := len(y.h) - 1
	copy(y.hist, y.hist[hal.FrameSamples:])
	for i, s := range in {
		y.hist[n+i] = float64(s)
	}
	for i := range out {
		var e float64
		for k, c := range y.h {
			e += c * y.hist[n+i-k]
		}
		out[i] = sat16(int32(out[i]) + int32(math.Round(e)))
	}
}
