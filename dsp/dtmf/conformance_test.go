package dtmf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// A piece of test signal: for ms milliseconds, tones at the given
// frequencies and dBm0 levels (none for silence).
type piece struct {
	ms     float64
	freqs  []float64
	levels []float64
	digit  byte // the digit the piece is, for checking; 0 if none
}

// signal is a test signal being built, with the digits it holds.
type signal struct {
	x    []float64
	want []detected
}

func (s *signal) add(p piece) {
	n := int(math.Round(p.ms * SampleRate / 1000))
	at := len(s.x)
	s.x = append(s.x, make([]float64, n)...)
	for j, f := range p.freqs {
		a := peak(p.levels[j])
		for i := range n {
			s.x[at+i] += a * math.Sin(2*math.Pi*f*float64(i)/SampleRate)
		}
	}
	if p.digit != 0 {
		s.want = append(s.want, detected{p.digit, int64(at), int64(at + n)})
	}
}

// under adds tones at the given frequencies and level under the whole signal.
func (s *signal) under(freqs []float64, level float64) {
	a := peak(level)
	for i := range s.x {
		for _, f := range freqs {
			s.x[i] += a * math.Sin(2*math.Pi*f*float64(i)/SampleRate)
		}
	}
}

// noise adds white Gaussian noise at the given level in dBm0.
func (s *signal) noise(level float64, rng *rand.Rand) {
	sigma := peak(level) / math.Sqrt2 // RMS of a sine at that level
	for i := range s.x {
		s.x[i] += sigma * rng.NormFloat64()
	}
}

func (s *signal) pcm() []int16 {
	out := make([]int16, len(s.x))
	for i, v := range s.x {
		out[i] = saturate(v)
	}
	return out
}

// dual returns the piece of digit d with each tone's frequency scaled by
// 1+lowOff and 1+highOff, the low tone at level and the high one at
// level+twist.
func dual(d byte, ms, lowOff, highOff, level, twist float64, wantIt bool) piece {
	lo, hi, _ := Frequencies(d)
	p := piece{ms: ms, freqs: []float64{lo * (1 + lowOff), hi * (1 + highOff)}, levels: []float64{level, level + twist}}
	if wantIt {
		p.digit = d
	}
	return p
}

const allDigits = "0123456789*#ABCD"

// A conformance case builds a signal for each digit; the detector must find
// exactly the digits the signal says it holds, each within 10 ms.
type confCase struct {
	row   string // the Q.24 row
	test  string
	build func(d byte, s *signal, rng *rand.Rand)
}

func silence(ms float64) piece { return piece{ms: ms} }

func q24Cases(p Profile) []confCase {
	nominal := -10.0
	plain := func(lowOff, highOff, level, twist, ms float64, want bool) func(byte, *signal, *rand.Rand) {
		return func(d byte, s *signal, _ *rand.Rand) {
			s.add(silence(100))
			s.add(dual(d, ms, lowOff, highOff, level, twist, want))
			s.add(silence(100))
		}
	}
	cases := []confCase{
		{"frequency", "both +1.5% operate", plain(0.015, 0.015, nominal, 0, 60, true)},
		{"frequency", "both -1.5% operate", plain(-0.015, -0.015, nominal, 0, 60, true)},
		{"frequency", "low +3.5% never", plain(0.035, 0, nominal, 0, 200, false)},
		{"frequency", "low -3.5% never", plain(-0.035, 0, nominal, 0, 200, false)},
		{"frequency", "high +3.5% never", plain(0, 0.035, nominal, 0, 200, false)},
		{"frequency", "high -3.5% never", plain(0, -0.035, nominal, 0, 200, false)},
		{"twist", fmt.Sprintf("high %.0f dB below operates", p.NormalTwist), plain(0, 0, nominal, -p.NormalTwist, 60, true)},
		{"twist", fmt.Sprintf("high %.0f dB above operates", p.ReverseTwist), plain(0, 0, nominal-p.ReverseTwist, p.ReverseTwist, 60, true)},
		{"level", "0 dBm0 per tone (clipped) operates", plain(0, 0, 0, 0, 60, true)},
		{"level", "-25 dBm0 per tone operates", plain(0, 0, -25, 0, 60, true)},
		{"level", "-55 dBm0 per tone never", plain(0, 0, -55, 0, 200, false)},
		{"duration", "40 ms operates", plain(0, 0, nominal, 0, 40, true)},
		{"duration", "40 ms at +1.5%, -25 dBm0 operates", plain(0.015, 0.015, -25, 0, 40, true)},
		{"duration", "23 ms never", plain(0, 0, nominal, 0, 23, false)},
		{"duration", "23 ms at 0 dBm0 never", plain(0, 0, 0, 0, 23, false)},
		{"pause", "40 ms pause splits a repeated digit", func(d byte, s *signal, _ *rand.Rand) {
			s.add(silence(100))
			s.add(dual(d, 50, 0, 0, nominal, 0, true))
			s.add(silence(40))
			s.add(dual(d, 50, 0, 0, nominal, 0, true))
			s.add(silence(100))
		}},
		{"pause", "40 ms pause splits the next digit", func(d byte, s *signal, _ *rand.Rand) {
			next := allDigits[(strings.IndexByte(allDigits, d)+5)%16]
			s.add(silence(100))
			s.add(dual(d, 40, 0, 0, nominal, 0, true))
			s.add(silence(40))
			s.add(dual(next, 40, 0, 0, nominal, 0, true))
			s.add(silence(100))
		}},
		{"interruption", "10 ms break is bridged", func(d byte, s *signal, _ *rand.Rand) {
			s.add(silence(100))
			at := len(s.x)
			s.add(dual(d, 50, 0, 0, nominal, 0, false))
			s.add(silence(10))
			s.add(dual(d, 50, 0, 0, nominal, 0, false))
			s.want = append(s.want, detected{d, int64(at), int64(len(s.x))})
			s.add(silence(100))
		}},
		{"noise", "S/N 10 dB per tone, -25 dBm0 operates", func(d byte, s *signal, rng *rand.Rand) {
			plain(0, 0, -25, 0, 60, true)(d, s, rng)
			s.noise(-35, rng)
		}},
		{"noise", "S/N 10 dB per tone, +1.5%, twist operates", func(d byte, s *signal, rng *rand.Rand) {
			plain(0.015, 0.015, -10, -p.NormalTwist/2, 60, true)(d, s, rng)
			s.noise(-10-p.NormalTwist/2-10, rng)
		}},
		{"dial tone", "350+440 Hz at -13 dBm0 under -10 dBm0 digits", func(d byte, s *signal, rng *rand.Rand) {
			plain(0, 0, nominal, 0, 60, true)(d, s, rng)
			s.under([]float64{350, 440}, -13)
		}},
		{"dial tone", "350+440 Hz at the digits' -25 dBm0", func(d byte, s *signal, rng *rand.Rand) {
			plain(0, 0, -25, 0, 60, true)(d, s, rng)
			s.under([]float64{350, 440}, -25)
		}},
	}
	return cases
}

// runCase returns how many of the case's signals the detector got right,
// out of how many, and the first failure.
func runCase(t *testing.T, p Profile, c confCase, randomPhase bool, seed uint64) (ok, n int, fail string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, d := range []byte(allDigits) {
		var s signal
		sizes := frames
		if randomPhase {
			s.add(silence(float64(rng.IntN(160)) / 8))
			sizes = randomSizes(rng.Uint64())
		}
		c.build(d, &s, rng)
		got := detect(t, p, s.pcm(), sizes)
		n++
		if msg := compare(got, s.want); msg != "" {
			if fail == "" {
				fail = fmt.Sprintf("digit %c: %s", d, msg)
			}
			continue
		}
		ok++
	}
	return ok, n, fail
}

// compare checks got against want, timing within 10 ms.
func compare(got, want []detected) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %v, want %v", got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.digit != w.digit || abs64(g.start-w.start) > 80 || abs64(g.end-w.end) > 80 {
			return fmt.Sprintf("got %c %d-%d, want %c %d-%d", g.digit, g.start, g.end, w.digit, w.start, w.end)
		}
	}
	return ""
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// TestConformance sweeps the ITU-T Q.24 receiver limits for each profile,
// frame-aligned and at random block phase and sizes, and prints a table.
func TestConformance(t *testing.T) {
	for _, p := range []Profile{ATT, NTT} {
		var tab strings.Builder
		fmt.Fprintf(&tab, "Q.24 %s profile\n%-13s %-46s %9s %9s\n", p.Name, "row", "test", "aligned", "random")
		for _, c := range q24Cases(p) {
			okA, nA, failA := runCase(t, p, c, false, 1)
			okR, nR := 0, 0
			failR := ""
			for seed := uint64(10); seed < 13; seed++ {
				o, n, f := runCase(t, p, c, true, seed)
				okR, nR = okR+o, nR+n
				if failR == "" {
					failR = f
				}
			}
			fmt.Fprintf(&tab, "%-13s %-46s %4d/%-4d %4d/%-4d\n", c.row, c.test, okA, nA, okR, nR)
			if failA != "" {
				t.Errorf("%s %s %s, aligned: %s", p.Name, c.row, c.test, failA)
			}
			if failR != "" {
				t.Errorf("%s %s %s, random phase: %s", p.Name, c.row, c.test, failR)
			}
		}
		t.Log("\n" + tab.String())
	}
}
