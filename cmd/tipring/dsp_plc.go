package main

import (
	"fmt"
	"io"
	"math/rand/v2"

	"tipring/dsp/plc"
)

// runPLC drops 20 ms frames of a WAV file, as a lossy network would, and
// writes what the receiver plays: the gaps concealed, or left silent to
// hear the difference.
func runPLC(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp plc", "dsp plc [--loss PCT] [--burst N] [--seed S] [--fill plc|silence] IN.wav -o OUT.wav", stderr)
	loss := fs.Float64("loss", 10, "percentage of frames lost")
	burst := fs.Int("burst", 1, "frames lost in a row each time")
	seed := fs.Uint64("seed", 1, "seed of the random losses")
	fill := fs.String("fill", "plc", "what fills a gap: plc or silence")
	out := fs.String("o", "", "WAV file to write")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	switch {
	case *out == "":
		return fmt.Errorf("dsp plc: -o FILE.wav is required")
	case *loss < 0 || *loss > 100:
		return fmt.Errorf("--loss %v: want 0 to 100", *loss)
	case *burst < 1 || *burst > 50:
		return fmt.Errorf("--burst %d: want 1 to 50", *burst)
	case *fill != "plc" && *fill != "silence":
		return fmt.Errorf("--fill %q: want plc or silence", *fill)
	}
	x, err := readWAV(pos[0])
	if err != nil {
		return err
	}
	const frame = 160
	n := len(x)
	// Whole frames, and one of silence more to flush the concealer's delay.
	frames := (n+frame-1)/frame + 1
	x = append(x, make([]int16, frames*frame-n)...)
	r := rand.New(rand.NewPCG(*seed, 0))
	// A burst starts on a frame with the probability that loses loss% of
	// frames, overlaps aside.
	start := *loss / 100 / float64(*burst)
	var c plc.Concealer
	y := make([]int16, len(x))
	lost, left := 0, 0
	for i := range frames {
		f := y[i*frame : (i+1)*frame]
		if left == 0 && r.Float64() < start {
			left = *burst
		}
		if left > 0 && i < frames-1 {
			left--
			lost++
			if *fill == "plc" {
				err = c.Lost(f)
			}
		} else {
			copy(f, x[i*frame:])
			if *fill == "plc" {
				err = c.Good(f)
			}
		}
		if err != nil {
			return err
		}
	}
	if *fill == "plc" {
		y = y[plc.Delay:] // aligned with the input
	}
	fmt.Fprintf(stdout, "lost %d of %d frames\n", lost, frames-1)
	return writeWAV(*out, y[:n])
}
