package dtmf

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// toneLevel returns the level in dBm0 of the component of x at freq, by
// correlating x with a sine and a cosine over a whole number of samples.
func toneLevel(x []int16, freq float64) float64 {
	var re, im float64
	for n, v := range x {
		s, c := math.Sincos(2 * math.Pi * freq * float64(n) / SampleRate)
		re += float64(v) * c
		im += float64(v) * s
	}
	amp := 2 * math.Hypot(re, im) / float64(len(x))
	return MaxDBm0 + 20*math.Log10(amp/32768)
}

func TestGeneratorLevelsAndCadence(t *testing.T) {
	tests := []struct {
		digit        byte
		level, twist float64
	}{
		{'1', -8, 2},
		{'5', -10, 0},
		{'9', -20, -4},
		{'#', 0, 0},
		{'D', -3, 3},
		{'a', -25, 8},
	}
	for _, tt := range tests {
		o := GenOpts{Level: tt.level, Twist: tt.twist, On: 50 * time.Millisecond, Off: 30 * time.Millisecond}
		pcm, err := Render(string(tt.digit), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(pcm) != 400+240 {
			t.Errorf("%c: %d samples, want 640", tt.digit, len(pcm))
		}
		if slices.ContainsFunc(pcm[400:], func(v int16) bool { return v != 0 }) {
			t.Errorf("%c: pause is not silent", tt.digit)
		}
		if pcm[0] != 0 || pcm[1] == 0 || pcm[399] == 0 {
			t.Errorf("%c: tone does not fill its 400 samples", tt.digit)
		}
		lo, hi, _ := Frequencies(tt.digit)
		// Two tones both at 0 dBm0 exceed full scale; clipping takes a little.
		// The other tone leaks a little into a 50 ms correlation.
		tol := 0.2
		if tt.level+math.Max(tt.twist, 0) > MaxDBm0-6.03 {
			tol = 1.5
		}
		if got := toneLevel(pcm[:400], lo); math.Abs(got-tt.level) > tol {
			t.Errorf("%c: low tone %.2f dBm0, want %.2f", tt.digit, got, tt.level)
		}
		if got := toneLevel(pcm[:400], hi); math.Abs(got-(tt.level+tt.twist)) > tol {
			t.Errorf("%c: high tone %.2f dBm0, want %.2f", tt.digit, got, tt.level+tt.twist)
		}
	}
}

func TestGeneratorBlockSizeDoesNotMatter(t *testing.T) {
	want, err := Render("0123456789*#ABCD", DefaultGenOpts)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	g, _ := NewGenerator(DefaultGenOpts)
	if err := g.Queue("0123456789*#abcd"); err != nil {
		t.Fatal(err)
	}
	var got []int16
	buf := make([]int16, 500)
	for g.Busy() {
		b := buf[:rng.IntN(len(buf))]
		n := g.Read(b)
		got = append(got, b[:n]...)
		if n < len(b) && g.Busy() {
			t.Fatalf("Read returned %d of %d while busy", n, len(b))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatal("output depends on how it is read")
	}
	if n := g.Read(buf); n != 0 || slices.ContainsFunc(buf, func(v int16) bool { return v != 0 }) {
		t.Errorf("idle generator: Read = %d, want 0 and silence", n)
	}
}

func TestGeneratorErrors(t *testing.T) {
	g, err := NewGenerator(DefaultGenOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Queue("12E"); !errors.Is(err, ErrDigit) {
		t.Errorf("Queue(12E) = %v, want ErrDigit", err)
	}
	if g.Busy() {
		t.Error("a refused Queue left digits behind")
	}
	if err := g.Queue(string(make([]byte, queueCap+1))); !errors.Is(err, ErrDigit) {
		t.Errorf("Queue(NULs) = %v, want ErrDigit", err)
	}
	long := string(slices.Repeat([]byte{'5'}, queueCap))
	if err := g.Queue(long); err != nil {
		t.Fatal(err)
	}
	if err := g.Queue("1"); !errors.Is(err, ErrQueueFull) {
		t.Errorf("Queue on a full queue = %v, want ErrQueueFull", err)
	}
	for _, o := range []GenOpts{{On: 0, Off: time.Millisecond}, {On: time.Millisecond, Off: -time.Millisecond}} {
		if _, err := NewGenerator(o); err == nil {
			t.Errorf("NewGenerator(%+v) succeeded", o)
		}
	}
}

func BenchmarkGenerateFrame(b *testing.B) {
	g, _ := NewGenerator(DefaultGenOpts)
	var frame [160]int16
	b.ReportAllocs()
	for b.Loop() {
		if !g.Busy() {
			g.Queue("123")
		}
		g.Read(frame[:])
	}
}
