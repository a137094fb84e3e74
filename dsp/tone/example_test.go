package tone_test

import (
	"fmt"

	"tipring/dsp/tone"
)

// A gateway plays German busy tone to a line and recognises it on the way
// back, 20 ms at a time.
func Example() {
	p, _ := tone.Lookup("DE")
	g := tone.NewGenerator(&p.Busy)
	d := tone.NewDetector(p)
	frame := make([]int16, 160)
	for range 150 { // 3 s
		g.Generate(frame)
		for _, e := range d.Process(frame) {
			fmt.Printf("%v recognised, started at %d ms\n", e.Tone, e.Start/8)
		}
	}
	for _, e := range d.Flush() {
		fmt.Printf("%v from %d to %d ms\n", e.Tone, e.Start/8, e.End/8)
	}
	// Output:
	// busy recognised, started at 0 ms
	// busy from 0 to 3000 ms
}
