package plc

import (
	"errors"
	"math"
	"testing"
)

func TestFrameLen(t *testing.T) {
	for _, tc := range []struct {
		n  int
		ok bool
	}{
		{0, false}, {1, false}, {79, false}, {80, true}, {100, false},
		{159, false}, {160, true}, {161, false}, {240, true}, {320, true},
	} {
		var c Concealer
		frame := make([]int16, tc.n)
		for name, f := range map[string]func([]int16) error{"Good": c.Good, "Lost": c.Lost} {
			err := f(frame)
			if tc.ok && err != nil {
				t.Errorf("%s(%d samples) = %v, want nil", name, tc.n, err)
			}
			if !tc.ok && !errors.Is(err, ErrFrameLen) {
				t.Errorf("%s(%d samples) = %v, want ErrFrameLen", name, tc.n, err)
			}
		}
	}
}

// Without loss the output is the input, Delay samples late, whatever the
// frame length.
func TestDelay(t *testing.T) {
	x := voiced(1)
	for _, n := range []int{80, 160, 240} {
		var c Concealer
		y := make([]int16, 0, len(x))
		for at := 0; at+n <= len(x); at += n {
			frame := append([]int16(nil), x[at:at+n]...)
			if err := c.Good(frame); err != nil {
				t.Fatal(err)
			}
			y = append(y, frame...)
		}
		for i := range Delay {
			if y[i] != 0 {
				t.Fatalf("%d-sample frames: y[%d] = %d, want the silence before the stream", n, i, y[i])
			}
		}
		for i := Delay; i < len(y); i++ {
			if y[i] != x[i-Delay] {
				t.Fatalf("%d-sample frames: y[%d] = %d, want x[%d] = %d", n, i, y[i], i-Delay, x[i-Delay])
			}
		}
	}
}

// periodic returns n samples of a steady vowel with the given period.
func periodic(period, n int) []int16 {
	x := make([]int16, n)
	for i := range x {
		ph := 2 * math.Pi * float64(i%period) / float64(period)
		x[i] = int16(8000*math.Sin(ph) + 3000*math.Sin(3*ph+1) + 1500*math.Sin(7*ph+2))
	}
	return x
}

// On a strictly periodic signal every multiple of the period matches
// perfectly, and the coarse search sees only even lags, so an odd period
// may be found as its double; repeating either is right.
func TestFindPitch(t *testing.T) {
	for _, period := range []int{20, 30, 40, 41, 57, 64, 80, 99, 100, 119, 120} {
		x := periodic(period, histLen)
		var h [histLen]float32
		for i, v := range x {
			h[i] = float32(v)
		}
		if got := findPitch(&h); got%period != 0 {
			t.Errorf("period %d: findPitch = %d, not a multiple", period, got)
		}
	}
}

// On the synthetic talker, whose pitch glides, the lag found is the period
// of the last 20 ms: within a sample or two of the pitch at its middle,
// or of twice that.
func TestFindPitchVoiced(t *testing.T) {
	x := voiced(1)
	misses, tries := 0, 0
	for end := histLen; end <= len(x); end += 37 {
		var h [histLen]float32
		for i, v := range x[end-histLen : end] {
			h[i] = float32(v)
		}
		// The envelope is near silent in the pause and its edges.
		if frac := math.Mod(float64(end-corrLen/2)/1600, 1); frac < 0.15 || frac > 0.65 {
			continue
		}
		vw, _ := voicedAt(float64(end-corrLen/2) / 8000)
		want := 8000 / vw.f0
		got := float64(findPitch(&h))
		tries++
		if math.Abs(got-want) > 2 && math.Abs(got-2*want) > 2 {
			misses++
			t.Logf("at %d: findPitch = %.0f, pitch period %.1f", end, got, want)
		}
	}
	if misses > tries/20 {
		t.Errorf("%d of %d pitch estimates wrong", misses, tries)
	}
}

// On a steady periodic signal, the concealed stream is the signal itself,
// at full level for 10 ms and then fading by 20 % each 10 ms, silent from
// 60 ms, and the signal again once frames arrive.
func TestSteadyVowel(t *testing.T) {
	const period = 73
	x := periodic(period, 8000)
	lost := func(p int) bool { return p >= 20 && p < 24 } // 80 ms
	var c Concealer
	y := make([]int16, len(x))
	for p := 0; p*160 < len(x); p++ {
		frame := y[p*160 : (p+1)*160]
		var err error
		if lost(p) {
			err = c.Lost(frame)
		} else {
			copy(frame, x[p*160:])
			err = c.Good(frame)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	const start = 20 * 160 // first lost sample
	for i := Delay; i < len(y); i++ {
		n := i - Delay - start // samples since the loss started
		gain := 1.0
		switch {
		case n >= 4*160: // the first frame after the loss fades in over 10 ms
			gain = min(1, float64(n-4*160+1)/81)
		case n >= 6*BlockLen:
			gain = 0
		case n >= BlockLen:
			gain = 1 - 0.2*float64(n-BlockLen)/BlockLen
		}
		want := gain * float64(x[i-Delay])
		if math.Abs(float64(y[i])-want) > 2+0.01*math.Abs(float64(x[i-Delay])) {
			t.Fatalf("sample %d (%d since the loss): got %d, want %.0f", i, n, y[i], want)
		}
	}
}
