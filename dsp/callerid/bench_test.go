package callerid

import (
	"math/rand/v2"
	"testing"
)

// benchFrames returns a noisy caller ID transmission followed by noise, cut
// into 20 ms frames, for the receiver benchmarks.
func benchFrames(b *testing.B, std Standard) [][]int16 {
	s, err := std.Encode(Message{Time: Time{12, 24, 18, 30}, Number: "5551234567", Name: "ALICE SMITH"})
	if err != nil {
		b.Fatal(err)
	}
	x := addNoise(s, DefaultLevel, 15, 800, rand.New(rand.NewPCG(1, 2)))
	var frames [][]int16
	for len(x) >= 160 {
		frames = append(frames, x[:160])
		x = x[160:]
	}
	return frames
}

func BenchmarkReceiverFrame(b *testing.B) {
	for _, std := range []Standard{Bell202, V23} {
		b.Run(std.String(), func(b *testing.B) {
			frames := benchFrames(b, std)
			r := NewReceiver(std)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f := frames[i%len(frames)]
				for len(f) > 0 {
					n, _ := r.Process(f)
					f = f[n:]
				}
			}
		})
	}
}

func BenchmarkGenerator(b *testing.B) {
	m := Message{Time: Time{12, 24, 18, 30}, Number: "5551234567", Name: "ALICE SMITH"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Bell202.Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectorFrame(b *testing.B) {
	frames := benchFrames(b, V23)
	d := NewDetector()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := frames[i%len(frames)]
		for len(f) > 0 {
			n, _ := d.Process(f)
			f = f[n:]
		}
	}
}
