package tone

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Frames of any size join into the same stream as one long call.
func TestGeneratorFramesJoin(t *testing.T) {
	for _, cc := range []string{"US", "GB", "JP", "AU"} {
		p, _ := Lookup(cc)
		for _, k := range Kinds() {
			want := render(p.Tone(k), 7000)
			got := make([]int16, len(want))
			g := NewGenerator(p.Tone(k))
			r := rand.New(rand.NewPCG(1, uint64(k)))
			for i := 0; i < len(got); {
				n := min(len(got)-i, []int{1, 7, 160, 161, 240, 1000}[r.IntN(6)])
				g.Generate(got[i : i+n])
				i += n
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %v: framed output differs from one call", cc, k)
			}
		}
	}
}

func TestGeneratorLevel(t *testing.T) {
	for _, tc := range []struct {
		freqs []float64
		level float64
	}{
		{hz(425), -10}, {hz(350, 440), -13}, {hz(1000), 0}, {hz(480, 620), -24},
	} {
		tn := steady(tc.level, tc.freqs)
		x := render(&tn, 1000)
		var ms float64
		for _, v := range x {
			ms += float64(v) * float64(v)
		}
		ms /= float64(len(x))
		want := tc.level + 10*math.Log10(float64(len(tc.freqs)))
		if got := Level(ms); math.Abs(got-want) > 0.05 {
			t.Errorf("%v at %v dBm0: measured %.2f dBm0; want %.2f", tc.freqs, tc.level, got, want)
		}
	}
	// The convention itself: a full-scale sine is +3.17 dBm0.
	if got := Level(32768 * 32768 / 2); math.Abs(got-3.17) > 1e-9 {
		t.Errorf("full-scale sine is %v dBm0", got)
	}
}

// Cadence steps fall on exact samples, bursts start at a zero crossing, and
// no sample-to-sample step exceeds what the tone's own slope allows.
func TestGeneratorCadence(t *testing.T) {
	p, _ := Lookup("US")
	x := render(&p.Busy, 2000)
	for i, v := range x {
		inBurst := (i/4000)%2 == 0
		if !inBurst && v != 0 {
			t.Fatalf("sample %d = %d in a gap", i, v)
		}
	}
	if x[0] != 0 || x[8000] != 0 {
		t.Errorf("bursts start at %d, %d; want 0", x[0], x[8000])
	}
	if x[3999] == 0 && x[3998] == 0 {
		t.Error("burst ends early")
	}
	a := Amplitude(p.Busy.Level)
	maxStep := a * 2 * math.Pi * (480 + 620) / 8000 * 1.01
	for i := 1; i < 4000; i++ {
		if d := math.Abs(float64(x[i]) - float64(x[i-1])); d > maxStep+1 {
			t.Fatalf("step of %v at sample %d; the tone allows %v", d, i, maxStep)
		}
	}
}

// Stutter dial tone plays its bursts once, then stays on.
func TestGeneratorLoop(t *testing.T) {
	p, _ := Lookup("US")
	x := render(&p.StutterDial, 5000)
	if x[8000+400] != 0 {
		t.Error("no gap in the stutter")
	}
	for i := 2 * 8000; i < len(x)-1; i++ {
		if x[i] == 0 && x[i+1] == 0 {
			t.Fatalf("silence at %d ms after the stutter", i/8)
		}
	}
}

func BenchmarkGenerator(b *testing.B) {
	p, _ := Lookup("US")
	g := NewGenerator(&p.Ringback)
	frame := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		g.Generate(frame)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
}
