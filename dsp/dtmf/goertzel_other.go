//go:build !amd64

package dtmf

func goertzel(x *[halfBlock]int16, c *[nDial]float64, s *[2 * nDial]float64) {
	goertzelGo(x, c, s)
}
