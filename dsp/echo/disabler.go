package echo

import (
	"math"
	"math/cmplx"
)

// disabler turns the canceller off for modems and fax machines: G.168
// 6.4.2.10 (after G.165) asks that a 2100 Hz answer tone whose phase is
// reversed every 450 ms disable it, and that it come back once the signal has
// been gone for 250 ± 150 ms. A tone without reversals (the V.25 answer
// tone for echo suppressors only) leaves it on.
type disabler struct {
	dirs     [2]answerTone // near and far
	disabled bool
	quiet    int // consecutive quiet blocks while disabled
}

func (d *disabler) reset() { *d = disabler{} }

// process follows both directions and reports whether the canceller is off.
func (d *disabler) process(near, far []int16, pnear, pfar float64) bool {
	rev := d.dirs[0].process(near, pnear)
	rev = d.dirs[1].process(far, pfar) || rev
	if rev {
		d.disabled, d.quiet = true, 0
	}
	if d.disabled {
		if pnear < quiet && pfar < quiet {
			d.quiet++
		} else {
			d.quiet = 0
		}
		if d.quiet*blockLen >= 250*8 {
			d.reset()
		}
	}
	return d.disabled
}

// answerTone finds a 2100 Hz tone and the reversals of its phase in one
// direction. Each block is mixed down to baseband with a 2100 Hz oscillator
// and summed to one complex value; its phase advances block to block by the
// tone's offset from 2100 Hz (±21 Hz allowed, at most 76° a block), and a
// reversal adds 180° to that.
type answerTone struct {
	osc   complex128 // e^{-iωn} for the next sample
	last  complex128 // baseband value of the last tone block
	ago   int        // blocks since it; 0 when none
	drift complex128 // unit phase advance per block; 0 until known
	run   int        // consecutive tone blocks, a reversal's gap allowed
}

var oscStep = cmplx.Exp(complex(0, -2*math.Pi*2100/8000))

// Tone levels of G.164 7.2: detected at -31 dBm0 and above, never below
// -36 dBm0 (the threshold is the geometric middle).
var toneMin = power(-33.5)

func (a *answerTone) process(x []int16, p float64) bool {
	if a.osc == 0 {
		a.osc = 1
	}
	var z complex128
	for _, v := range x {
		z += complex(float64(v)*real(a.osc), float64(v)*imag(a.osc))
		a.osc *= oscStep
	}
	a.osc /= complex(cmplx.Abs(a.osc), 0)
	// A pure tone puts all its power into z: |z|² = p·blockLen²/2.
	pure := p > toneMin && real(z)*real(z)+imag(z)*imag(z) > 0.6*p*blockLen*blockLen/2
	if !pure {
		// The block holding a reversal is not pure: allow one.
		if a.ago > 0 && a.ago < 2 {
			a.ago++
			return false
		}
		*a = answerTone{osc: a.osc}
		return false
	}
	reversed := false
	if a.ago > 0 && a.drift != 0 {
		want := a.last
		for range a.ago {
			want *= a.drift
		}
		c := z * conj(want)
		reversed = real(c) < -0.5*cmplx.Abs(c)
	}
	if a.ago == 1 && !reversed {
		d := z * conj(a.last)
		d /= complex(cmplx.Abs(d), 0)
		if a.drift == 0 {
			a.drift = d
		} else {
			a.drift = 0.5*a.drift + 0.5*d
			a.drift /= complex(cmplx.Abs(a.drift), 0)
		}
	}
	a.last, a.ago = z, 1
	a.run++
	// G.168 wants the tone, not a burst: insist on 100 ms of it.
	return reversed && a.run*blockLen >= 800
}
