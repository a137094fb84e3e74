package dtmf

// goertzelGo runs the eight DTMF Goertzel filters, feedback c, over one
// half-block and leaves in s each filter's last state (s[i]) and the one
// before it (s[nDial+i]). It is the reference for the assembly versions,
// which do the same arithmetic in the same order, so agree to the bit.
func goertzelGo(x *[halfBlock]int16, c *[nDial]float64, s *[2 * nDial]float64) {
	for g := 0; g < nDial; g += 4 {
		c0, c1, c2, c3 := c[g], c[g+1], c[g+2], c[g+3]
		var a0, a1, a2, a3, b0, b1, b2, b3 float64
		for _, v := range x {
			v := float64(v)
			a0, b0 = c0*a0-(b0-v), a0
			a1, b1 = c1*a1-(b1-v), a1
			a2, b2 = c2*a2-(b2-v), a2
			a3, b3 = c3*a3-(b3-v), a3
		}
		s[g], s[g+1], s[g+2], s[g+3] = a0, a1, a2, a3
		s[nDial+g], s[nDial+g+1], s[nDial+g+2], s[nDial+g+3] = b0, b1, b2, b3
	}
}
