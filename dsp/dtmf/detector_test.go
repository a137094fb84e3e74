package dtmf

import (
	"math/rand/v2"
	"testing"
	"time"
)

// detected is one digit as a test sees it: both events joined.
type detected struct {
	digit      byte
	start, end int64
}

// detect runs a fresh Detector over x in blocks of the sizes sizes returns,
// checks that every digit starts before it ends, and returns the digits.
func detect(t testing.TB, p Profile, x []int16, sizes func() int) []detected {
	t.Helper()
	d := NewDetector(p)
	var out []detected
	open := false
	drain := func() {
		for {
			e, ok := d.Next()
			if !ok {
				return
			}
			switch e.Kind {
			case DigitStart:
				if open {
					t.Fatalf("start of %c while a digit is in progress", e.Digit)
				}
				open = true
				out = append(out, detected{e.Digit, e.Start, -1})
			case DigitEnd:
				last := &out[len(out)-1]
				if !open || last.digit != e.Digit || last.start != e.Start {
					t.Fatalf("end of %c (start %d) does not match %+v", e.Digit, e.Start, *last)
				}
				open = false
				last.end = e.End
			}
		}
	}
	for len(x) > 0 {
		n := min(sizes(), len(x))
		d.Process(x[:n])
		x = x[n:]
		drain()
	}
	// Enough silence to end a digit still in progress.
	var tail [800]int16
	d.Process(tail[:])
	drain()
	return out
}

func frames() int { return 160 }

func randomSizes(seed uint64) func() int {
	rng := rand.New(rand.NewPCG(seed, 7))
	return func() int { return 1 + rng.IntN(400) }
}

func TestDetectorSanity(t *testing.T) {
	pcm, err := Render("0123456789*#ABCD", GenOpts{Level: -10, Twist: 0, On: 50 * time.Millisecond, Off: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range detect(t, ATT, pcm, frames) {
		t.Logf("%c %d %d", d.digit, d.start, d.end)
	}
}

func BenchmarkDetectFrame(b *testing.B) {
	pcm, _ := Render("1234567890", DefaultGenOpts)
	d := NewDetector(ATT)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Process(pcm[i : i+160])
		for {
			if _, ok := d.Next(); !ok {
				break
			}
		}
		i = (i + 160) % (len(pcm) - 160)
	}
}

// FuzzDetector checks that the detector takes any input without panicking
// and that where the input is cut does not change what it finds.
func FuzzDetector(f *testing.F) {
	pcm, _ := Render("1#", GenOpts{Level: -10, On: 45 * time.Millisecond, Off: 40 * time.Millisecond})
	seed := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		seed[2*i], seed[2*i+1] = byte(v), byte(uint16(v)>>8)
	}
	f.Add(seed, uint16(77))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		x := make([]int16, len(data)/2)
		for i := range x {
			x[i] = int16(uint16(data[2*i]) | uint16(data[2*i+1])<<8)
		}
		whole := detect(t, ATT, x, func() int { return len(x) + 1 })
		c := int(cut)%160 + 1
		split := detect(t, ATT, x, func() int { return c })
		if len(whole) != len(split) {
			t.Fatalf("whole %v, cut every %d %v", whole, c, split)
		}
		for i := range whole {
			if whole[i] != split[i] {
				t.Fatalf("whole %v, cut every %d %v", whole, c, split)
			}
		}
	})
}
