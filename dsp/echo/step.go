package echo

// stepSize sets the background filter's step to the share of residual echo
// in the error, after J.-M. Valin, On adjusting the learning rate in
// frequency domain echo cancellation with double-talk, IEEE Trans. ASLP
// 15(3), 2007: the residual echo is the echo estimate times the filter's
// leakage, the part of the echo it still misses. Here the leakage is the
// ratio of error to estimate on blocks the Geigel test finds free of
// near-end speech. A near talker the test misses still swells the error
// with power the estimate does not explain, and the step shrinks with it.
type stepSize struct {
	mu   float64
	leak float64
}

const muMax = 1.0

func (s *stepSize) reset() { *s = stepSize{mu: muMax, leak: 1e6} }

// update takes the powers of the echo estimate and of the error in the
// last block, and whether the near end was silent.
func (s *stepSize) update(py, pe float64, echoOnly bool) {
	py = max(py, 1)
	if echoOnly {
		// Down fast as the filter converges, up slowly: a near talker
		// the Geigel test missed must not open the step.
		r := pe / py
		if r < s.leak {
			s.leak += 0.2 * (r - s.leak)
		} else {
			s.leak += 0.02 * (r - s.leak)
		}
	}
	s.mu = muMax * min(1, s.leak*py/max(pe, 1))
}
