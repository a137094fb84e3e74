package dtmf

// goertzel is goertzelGo on SSE2, two filters to a register: the scalar
// code is bound by the number of floating-point instructions, which this
// halves.
//
//go:noescape
func goertzel(x *[halfBlock]int16, c *[nDial]float64, s *[2 * nDial]float64)
