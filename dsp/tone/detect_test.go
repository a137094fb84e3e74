package tone

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// detectAll runs a fresh Detector over x in chunks of the given sizes,
// cycling through them.
func detectAll(p *Plan, x []int16, chunks []int) []Event {
	d := NewDetector(p)
	var evs []Event
	for i, c := 0, 0; i < len(x); c++ {
		n := min(chunks[c%len(chunks)], len(x)-i)
		evs = append(evs, d.Process(x[i:i+n])...)
		i += n
	}
	return append(evs, d.Flush()...)
}

func TestDetectorChunkingDoesNotMatter(t *testing.T) {
	p, _ := Lookup("GB")
	x := append(render(&p.Congestion, 4000), render(&p.Ringback, 7000)...)
	x = append(x, render(&p.Dial, 3000)...)
	want := detectAll(p, x, []int{160})
	if len(want) != 6 {
		t.Fatalf("events %v; want congestion, ringback and dial, begun and ended", want)
	}
	for _, chunks := range [][]int{{1}, {80}, {161, 7}, {4000}, {len(x)}} {
		if got := detectAll(p, x, chunks); !slices.Equal(got, want) {
			t.Errorf("chunks %v: %v; want %v", chunks, got, want)
		}
	}
}

// Consecutive tones are told apart: busy turning into congestion and back.
func TestDetectorSequence(t *testing.T) {
	p, _ := Lookup("DE")
	var x []int16
	x = append(x, render(&p.Busy, 2880)...)
	x = append(x, render(&p.Congestion, 2880)...)
	x = append(x, make([]int16, 8000)...)
	x = append(x, render(&p.Ringback, 10000)...)
	var kinds []Kind
	for _, e := range detectAll(p, x, []int{160}) {
		if e.End == 0 {
			kinds = append(kinds, e.Tone)
		}
	}
	if want := []Kind{Busy, Congestion, Ringback}; !slices.Equal(kinds, want) {
		t.Errorf("recognised %v; want %v", kinds, want)
	}
}

func FuzzDetector(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, uint8(160))
	f.Fuzz(func(t *testing.T, raw []byte, chunk uint8) {
		x := make([]int16, len(raw)/2)
		for i := range x {
			x[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
		}
		// Long enough to hold a whole cadence: the raw bytes repeat.
		y := make([]int16, 0, 16000)
		for len(x) > 0 && len(y) < 16000 {
			y = append(y, x...)
		}
		p, _ := Lookup("US")
		for _, e := range detectAll(p, y, []int{int(chunk) + 1}) {
			if e.Start < 0 || (e.End != 0 && e.End <= e.Start) || e.End > int64(len(y)) {
				t.Fatalf("malformed event %+v", e)
			}
		}
	})
}

func BenchmarkDetector(b *testing.B) {
	for _, cc := range []string{"US", "DE"} {
		b.Run(cc, func(b *testing.B) {
			p, _ := Lookup(cc)
			x := append(render(&p.Busy, 3000), render(&p.Ringback, 6000)...)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range x {
				x[i] += int16(r.IntN(200) - 100)
			}
			d := NewDetector(p)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				d.Process(x[i : i+160])
				if i += 160; i+160 > len(x) {
					i = 0
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
		})
	}
}
