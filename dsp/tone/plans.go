package tone

// Country data: ITU-T E.180 Supplement 2 and the national specifications it
// summarises (cross-checked against other public tone tables). Levels are
// nominal; networks send tones anywhere within a few dB of them.

// hz lists the frequencies of a segment.
func hz(f ...float64) []float64 { return f }

// steady is a tone that never stops.
func steady(level float64, f []float64) Tone {
	return Tone{Level: level, Segments: []Segment{{Freqs: f}}}
}

// cadence is a tone of f alternately on and off for the given durations.
func cadence(level float64, f []float64, ms ...int) Tone {
	t := Tone{Level: level}
	for i, d := range ms {
		s := Segment{Ms: d}
		if i%2 == 0 {
			s.Freqs = f
		}
		t.Segments = append(t.Segments, s)
	}
	return t
}

// stutter is dial tone f preceded by ten 100 ms bursts, the North American
// message-waiting indication most networks copy.
func stutter(level float64, f []float64) Tone {
	t := cadence(level, f, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
		100, 100, 100, 100, 100, 100, 100, 100, 100, 100)
	t.Segments = append(t.Segments, Segment{Freqs: f})
	t.Loop = len(t.Segments) - 1
	return t
}

// sit is the E.180 special information tone: three rising tones of on ms
// each with gap ms between them, then pause ms of silence.
func sit(level float64, f1, f2, f3 float64, on, gap, pause int) Tone {
	t := Tone{Level: level}
	for i, f := range []float64{f1, f2, f3} {
		if i > 0 && gap > 0 {
			t.Segments = append(t.Segments, Segment{Ms: gap})
		}
		t.Segments = append(t.Segments, Segment{Ms: on, Freqs: hz(f)})
	}
	t.Segments = append(t.Segments, Segment{Ms: pause})
	return t
}

func northAmerica(code, name string) Plan {
	return Plan{
		Country:     code,
		Name:        name,
		Dial:        steady(-13, hz(350, 440)),
		Ringback:    cadence(-19, hz(440, 480), 2000, 4000),
		Busy:        cadence(-24, hz(480, 620), 500, 500),
		Congestion:  cadence(-24, hz(480, 620), 250, 250),
		CallWaiting: cadence(-13, hz(440), 300, 9700),
		StutterDial: stutter(-13, hz(350, 440)),
		SIT:         sit(-24, 950, 1400, 1800, 330, 0, 1000),
		Ring:        []int{2000, 4000},
	}
}

// european is the E.180 recommendation that most of Europe follows: 425 Hz
// everywhere, told apart by cadence.
func european(code, name string, f float64, ring, busy, congestion []int) Plan {
	return Plan{
		Country:     code,
		Name:        name,
		Dial:        steady(-10, hz(f)),
		Ringback:    cadence(-10, hz(f), ring...),
		Busy:        cadence(-10, hz(f), busy...),
		Congestion:  cadence(-10, hz(f), congestion...),
		CallWaiting: cadence(-10, hz(f), 200, 200, 200, 5000),
		StutterDial: stutter(-10, hz(f)),
		SIT:         sit(-10, 950, 1400, 1800, 330, 0, 1000),
		Ring:        ring,
	}
}

var plans = func() []Plan {
	ps := []Plan{
		european("ITU", "ITU-T E.180 recommendation", 425, []int{1000, 4000}, []int{500, 500}, []int{250, 250}),
		northAmerica("US", "United States"),
		northAmerica("CA", "Canada"),
		{
			Country:  "GB",
			Name:     "United Kingdom",
			Dial:     steady(-13, hz(350, 440)),
			Ringback: cadence(-13, hz(400, 450), 400, 200, 400, 2000),
			Busy:     cadence(-10, hz(400), 375, 375),
			// The "beep-bip" engaged tone of BT SIN 350.
			Congestion:  cadence(-10, hz(400), 400, 350, 225, 525),
			CallWaiting: cadence(-10, hz(400), 100, 4000),
			// BT's "special dial tone": dial tone alternating with 440 Hz alone.
			StutterDial: Tone{Level: -13, Segments: []Segment{{Ms: 750, Freqs: hz(350, 440)}, {Ms: 750, Freqs: hz(440)}}},
			SIT:         sit(-13, 950, 1400, 1800, 330, 15, 1000),
			Ring:        []int{400, 200, 400, 2000},
		},
		european("DE", "Germany", 425, []int{1000, 4000}, []int{480, 480}, []int{240, 240}),
		european("FR", "France", 440, []int{1500, 3500}, []int{500, 500}, []int{250, 250}),
		european("IT", "Italy", 425, []int{1000, 4000}, []int{500, 500}, []int{200, 200}),
		european("ES", "Spain", 425, []int{1500, 3000}, []int{200, 200}, []int{200, 200, 200, 200, 200, 600}),
		european("NL", "Netherlands", 425, []int{1000, 4000}, []int{500, 500}, []int{250, 250}),
		european("BE", "Belgium", 425, []int{1000, 3000}, []int{500, 500}, []int{167, 167}),
		european("CH", "Switzerland", 425, []int{1000, 4000}, []int{500, 500}, []int{200, 200}),
		european("AT", "Austria", 420, []int{1000, 5000}, []int{400, 400}, []int{200, 200}),
		european("SE", "Sweden", 425, []int{1000, 5000}, []int{250, 250}, []int{250, 750}),
		{
			Country:  "AU",
			Name:     "Australia",
			Dial:     steady(-13, hz(413, 438)),
			Ringback: cadence(-13, hz(413, 438), 400, 200, 400, 2000),
			Busy:     cadence(-10, hz(425), 375, 375),
			// ACIF S002: busy's cadence with every other burst 10 dB down.
			Congestion: Tone{Level: -10, Segments: []Segment{
				{Ms: 375, Freqs: hz(425)}, {Ms: 375}, {Ms: 375, Freqs: hz(425), Gain: -10}, {Ms: 375},
			}},
			CallWaiting: cadence(-10, hz(425), 200, 200, 200, 4400),
			StutterDial: cadence(-13, hz(413, 438), 100, 40),
			SIT:         sit(-10, 950, 1400, 1800, 330, 0, 1000),
			Ring:        []int{400, 200, 400, 2000},
		},
		{
			Country:     "NZ",
			Name:        "New Zealand",
			Dial:        steady(-10, hz(400)),
			Ringback:    cadence(-13, hz(400, 450), 400, 200, 400, 2000),
			Busy:        cadence(-10, hz(400), 500, 500),
			Congestion:  cadence(-10, hz(400), 250, 250),
			CallWaiting: cadence(-10, hz(400), 200, 3000),
			StutterDial: stutter(-10, hz(400)),
			SIT:         sit(-10, 950, 1400, 1800, 330, 0, 1000),
			Ring:        []int{400, 200, 400, 2000},
		},
		{
			Country: "JP",
			Name:    "Japan",
			Dial:    steady(-10, hz(400)),
			// NTT: ringback and call waiting are 400 Hz modulated at 16 Hz.
			Ringback: Tone{Level: -10, Segments: []Segment{{Ms: 1000, Freqs: hz(400), AM: 16}, {Ms: 2000}}},
			Busy:     cadence(-10, hz(400), 500, 500),
			// Japanese networks use busy tone for congestion too.
			Congestion:  cadence(-10, hz(400), 500, 500),
			CallWaiting: Tone{Level: -10, Segments: []Segment{{Ms: 500, Freqs: hz(400), AM: 16}, {Ms: 8000}}},
			StutterDial: stutter(-10, hz(400)),
			SIT:         sit(-10, 950, 1400, 1800, 330, 0, 1000),
			Ring:        []int{1000, 2000},
		},
	}
	// National departures from the European pattern.
	for i := range ps {
		p := &ps[i]
		switch p.Country {
		case "FR":
			p.CallWaiting = cadence(-10, hz(440), 300, 10000)
		case "IT":
			// Italy's dial tone is itself cadenced.
			p.Dial = cadence(-10, hz(425), 200, 200, 600, 1000)
			p.CallWaiting = cadence(-10, hz(425), 400, 100, 250, 100, 150, 14000)
			p.StutterDial = Tone{Level: -10, Segments: []Segment{{Ms: 400, Freqs: hz(470)}, {Ms: 400, Freqs: hz(425)}}}
		case "ES":
			p.CallWaiting = cadence(-10, hz(425), 175, 175, 175, 3500)
		case "NL":
			p.CallWaiting = cadence(-10, hz(425), 500, 9500)
			p.StutterDial = cadence(-10, hz(425), 500, 50)
		case "BE":
			p.CallWaiting = cadence(-10, hz(1400), 175, 175, 175, 3500)
			p.StutterDial = cadence(-10, hz(425), 1000, 250)
			p.SIT = sit(-10, 900, 1400, 1800, 330, 0, 1000)
		case "CH":
			p.CallWaiting = cadence(-10, hz(425), 200, 200, 200, 4000)
			p.StutterDial = cadence(-10, hz(425, 340), 1100, 1100)
		case "AT":
			p.CallWaiting = cadence(-10, hz(420), 40, 1960)
			p.StutterDial = steady(-10, hz(380, 420))
			p.SIT = sit(-10, 950, 1450, 1850, 330, 0, 1000)
		case "SE":
			p.CallWaiting = cadence(-10, hz(425), 200, 500, 200, 9100)
			p.SIT = sit(-10, 950, 1400, 1800, 332, 24, 2000)
		case "DE":
			p.StutterDial = steady(-10, hz(425, 400))
		}
	}
	return ps
}()
