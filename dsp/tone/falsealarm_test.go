package tone

import (
	"math"
	"math/rand/v2"
	"testing"

	"tipring/internal/testtool"
)

func itoa(n int) string {
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// scale returns x with its mean level set to dBm0.
func scale(x []int16, dBm0 float64) []int16 {
	var ms float64
	for _, v := range x {
		ms += float64(v) * float64(v)
	}
	ms /= float64(len(x))
	g := math.Sqrt(zeroDBm0 * math.Pow(10, dBm0/10) / ms)
	y := make([]int16, len(x))
	for i, v := range x {
		y[i] = int16(max(-32768, min(32767, math.Round(float64(v)*g))))
	}
	return y
}

// noAlarms fails t if any country's Detector reports a tone in x.
func noAlarms(t *testing.T, name string, x []int16) {
	t.Helper()
	for _, cc := range Countries() {
		p, _ := Lookup(cc)
		d := NewDetector(p)
		var evs []Event
		for i := 0; i < len(x); i += 160 {
			evs = append(evs, d.Process(x[i:min(i+160, len(x))])...)
		}
		evs = append(evs, d.Flush()...)
		for _, e := range evs {
			t.Errorf("%s: %s detector reported %v at %d–%d ms", name, cc, e.Tone, e.Start/8, e.End/8)
		}
	}
}

func TestNoTonesInSpeech(t *testing.T) {
	const text = "Hello, thank you for calling. Please hold the line while we connect you. " +
		"One, two, three, four, five. The number you have dialled is not available; " +
		"please try again later. Mmmm, ooh, aah, eeee, hmmm. Goodbye."
	for _, v := range []struct {
		voice string
		speed int
	}{
		{"en-us", 160}, {"en-us+f3", 160}, {"en-us+f4", 120}, {"en-us+m3", 220},
		{"de", 150}, {"fr", 150}, {"es", 150}, {"it", 150}, {"ja", 150}, {"sv", 150},
		{"nl", 150}, {"en-us+f2", 80},
	} {
		x, err := testtool.Speak(t, text, "-v", v.voice, "-s", itoa(v.speed))
		if err != nil {
			t.Fatal(err)
		}
		for _, lvl := range []float64{-10, -20, -30} {
			noAlarms(t, v.voice+"@"+itoa(-int(lvl)), scale(x, lvl))
		}
	}
}

// note returns ms of a note at f Hz with the given harmonic amplitudes
// (1 for the fundamental first) and a piano-like decay when decay > 0.
func note(f float64, ms int, harmonics []float64, decay float64) []int16 {
	n := ms * 8
	x := make([]int16, n)
	for i := range x {
		tm := float64(i) / 8000
		env := math.Min(1, tm/0.01) * math.Min(1, float64(n-i)/80) // 10 ms attack, release
		if decay > 0 {
			env *= math.Exp(-tm / decay)
		}
		var v float64
		for h, a := range harmonics {
			v += a * math.Sin(2*math.Pi*f*float64(h+1)*tm)
		}
		x[i] = int16(8000 * env * v)
	}
	return x
}

func mix(parts ...[]int16) []int16 {
	n := 0
	for _, p := range parts {
		n = max(n, len(p))
	}
	y := make([]int16, n)
	for _, p := range parts {
		for i, v := range p {
			y[i] = int16(max(-32768, min(32767, int(y[i])+int(v))))
		}
	}
	return y
}

func TestNoTonesInMusic(t *testing.T) {
	pitch := func(semitone int) float64 { return 440 * math.Pow(2, float64(semitone)/12) }
	organ := []float64{1, 0.5, 0.3, 0.2}
	pure := []float64{1}
	var chords, melody, sustained, sparse []int16
	// A chord progression: I–vi–IV–V in A, each chord 600 ms.
	for _, root := range []int{0, -3, -7, -5, 0, -3, -7, -5} {
		chords = append(chords, mix(
			note(pitch(root-12), 600, organ, 0),
			note(pitch(root-8), 600, organ, 0),
			note(pitch(root-5), 600, organ, 0))...)
	}
	// A melody of pure and piano notes through the tone band, notes changing
	// every 150–450 ms.
	r := rand.New(rand.NewPCG(7, 7))
	for range 60 {
		ms := 150 + 100*r.IntN(4)
		h := pure
		if r.IntN(2) == 0 {
			h = organ
		}
		melody = append(melody, note(pitch(r.IntN(15)-8), ms, h, 0.4)...)
	}
	// Sustained pure notes exactly at tone frequencies, with cadences no
	// plan uses.
	for _, c := range []struct {
		f       float64
		on, off int
	}{{425, 700, 300}, {440, 1000, 1000}, {400, 300, 900}, {350, 1200, 600}} {
		for range 4 {
			sustained = append(sustained, note(c.f, c.on, pure, 0)...)
			sustained = append(sustained, make([]int16, c.off*8)...)
		}
	}
	// Notes at a tone frequency with vibrato, under a changing bass.
	for i := range 10 {
		n := note(425, 800, pure, 0)
		for j := range n {
			n[j] = int16(8000 * math.Sin(2*math.Pi*425*float64(j)/8000+3*math.Sin(2*math.Pi*5*float64(j)/8000)))
		}
		sparse = append(sparse, mix(n, note(pitch(-24+i), 800, organ, 0.3))...)
	}
	for name, x := range map[string][]int16{"chords": chords, "melody": melody, "sustained": sustained, "vibrato": sparse} {
		for _, lvl := range []float64{-10, -25} {
			noAlarms(t, name+"@"+itoa(-int(lvl)), scale(x, lvl))
		}
	}
}
