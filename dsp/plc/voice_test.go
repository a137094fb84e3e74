package plc

import "math"

// vowel is a steady voiced sound: a pitch and three formants.
type vowel struct {
	f0         float64 // Hz
	f1, f2, f3 float64 // formant frequencies, Hz
}

var vowels = []vowel{
	{110, 730, 1090, 2440}, // a
	{140, 270, 2290, 3010}, // i
	{125, 300, 870, 2240},  // u
	{160, 530, 1840, 2480}, // e
	{95, 570, 840, 2410},   // o
}

// voicedAt returns the synthetic talker's vowel t seconds in, gliding from
// one of vowels to the next every 200 ms, and how far into the glide it is.
func voicedAt(t float64) (vowel, float64) {
	seg := int(t / 0.2)
	frac := t/0.2 - float64(seg)
	a, b := vowels[seg%len(vowels)], vowels[(seg+1)%len(vowels)]
	mix := func(p, q float64) float64 { return p + (q-p)*frac }
	return vowel{mix(a.f0, b.f0), mix(a.f1, b.f1), mix(a.f2, b.f2), mix(a.f3, b.f3)}, frac
}

// voiced returns a synthetic talker: a glottal pulse train through three
// formant resonators, moving from vowel to vowel every 200 ms with the
// pitch gliding between them, in 160 ms syllables with 40 ms pauses. It is
// deterministic, needs no outside tool, and has what the concealer relies
// on and what breaks it: a period to find, and a period and a spectrum
// that keep changing.
func voiced(seconds float64) []int16 {
	const fs = 8000.0
	n := int(seconds * fs)
	y := make([]float64, n)
	var res [3]struct{ y1, y2 float64 }
	bw := [3]float64{80, 100, 150}
	phase := 0.0
	for i := range n {
		t := float64(i) / fs
		vw, frac := voicedAt(t)
		// A pulse each time the phase wraps: the glottal excitation.
		var e float64
		if phase += vw.f0 / fs; phase >= 1 {
			phase--
			e = 1
		}
		v := e
		for k, f := range [3]float64{vw.f1, vw.f2, vw.f3} {
			r := math.Exp(-math.Pi * bw[k] / fs)
			y := 2*r*math.Cos(2*math.Pi*f/fs)*res[k].y1 - r*r*res[k].y2 + (1-r)*v
			res[k].y2, res[k].y1 = res[k].y1, y
			v = y
		}
		// Syllables: a raised-cosine envelope over 160 ms, then 40 ms quiet.
		env := 0.0
		if frac < 0.8 {
			env = 0.5 - 0.5*math.Cos(2*math.Pi*frac/0.8)
		}
		y[i] = v * env
	}
	// Peaks at half of full scale, a loud talker.
	var peak float64
	for _, v := range y {
		peak = max(peak, math.Abs(v))
	}
	x := make([]int16, n)
	for i, v := range y {
		x[i] = int16(math.Round(v / peak * 16384))
	}
	return x
}
