package echo

import "math"

// nlp is the non-linear processor: while the far end talks and the near end
// is silent, it replaces the residual echo with comfort noise at the level
// and spectral tilt of the line's background noise. Whenever the near end
// speaks it passes the canceller's output untouched.
type nlp struct {
	floor float64 // background noise power, tracked from below
	r0    float64 // background autocorrelation at lags 0 and 1, for the tilt
	r1    float64
	gain  float64 // of the canceller output; comfort noise fills the rest
	cn    float64 // last comfort noise sample
	rng   uint64
	last  float64 // last output sample, for r1
}

func (n *nlp) reset() {
	*n = nlp{floor: power(-70), gain: 1, rng: 0x9e3779b97f4a7c15}
}

// minFloor keeps the noise floor estimate off zero on digital silence.
var minFloor = power(-90)

// Residual echo this far below the echo estimate, or less, counts as the
// near end being silent: near-end speech or a diverged filter leaves more.
const residual = 1.0 / 16 // -12 dB

func (n *nlp) process(out []int16, e []float64, pe, pecho float64, farTalking bool) {
	// Follow the background down at once and up by 2 dB a second.
	if pe < n.floor {
		n.floor = pe
	} else {
		n.floor *= 1.0046
	}
	n.floor = max(n.floor, minFloor)
	noiseOnly := pe < 2*n.floor
	if noiseOnly && !farTalking {
		var r0, r1 float64
		prev := n.last
		for _, v := range e {
			r0 += v * v
			r1 += v * prev
			prev = v
		}
		n.r0 = 0.9*n.r0 + 0.1*r0
		n.r1 = 0.9*n.r1 + 0.1*r1
	}
	n.last = e[len(e)-1]

	target := 1.0
	if farTalking && pe < residual*pecho+2*n.floor {
		target = 0
	}
	from := n.gain
	if target > from {
		n.gain = target // the near talker is never clipped
	} else {
		n.gain = 0.5*from + 0.5*target
	}
	tilt := 0.0
	if n.r0 > 0 {
		tilt = max(-0.9, min(0.9, n.r1/n.r0))
	}
	// Uniform noise of variance 1/3 through the one-pole tilt filter,
	// scaled to the floor.
	amp := math.Sqrt(3 * n.floor * (1 - tilt*tilt))
	for i, v := range e {
		g := from + (n.gain-from)*float64(i+1)/float64(len(e))
		if g >= 1 {
			out[i] = sat(v)
			n.noise(tilt, amp)
			continue
		}
		out[i] = sat(g*v + math.Sqrt(1-g*g)*n.noise(tilt, amp))
	}
}

// noise returns the next comfort noise sample.
func (n *nlp) noise(tilt, amp float64) float64 {
	n.rng ^= n.rng << 13
	n.rng ^= n.rng >> 7
	n.rng ^= n.rng << 17
	u := float64(n.rng>>11)/(1<<53)*2 - 1
	n.cn = tilt*n.cn + amp*u
	return n.cn
}
