package main

import (
	"fmt"
	"io"
	"time"

	"tipring/dsp/echo"
)

// runEcho cancels offline the echo of a far-end recording in a near-end
// one, as the gateway does on a line, and prints the canceller's ERLE every
// 100 ms.
func runEcho(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp echo", "dsp echo --far FAR.wav --near NEAR.wav -o OUT.wav [--tail 64ms] [--no-nlp]", stderr)
	farPath := fs.String("far", "", "WAV file of what was sent to the line (Rin)")
	nearPath := fs.String("near", "", "WAV file of what came back from it (Sin), sample for sample with --far")
	out := fs.String("o", "", "WAV file to write")
	tail := fs.Duration("tail", echo.DefaultTail, "longest echo path, bulk delay included")
	noNLP := fs.Bool("no-nlp", false, "leave the linear canceller's output alone: no residual echo suppression, no comfort noise")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	switch {
	case *farPath == "" || *nearPath == "":
		return fmt.Errorf("dsp echo: --far FAR.wav and --near NEAR.wav are required")
	case *out == "":
		return fmt.Errorf("dsp echo: -o FILE.wav is required")
	}
	c, err := echo.New(echo.Config{Tail: *tail, NoNLP: *noNLP})
	if err != nil {
		return err
	}
	far, err := readWAV(*farPath)
	if err != nil {
		return err
	}
	near, err := readWAV(*nearPath)
	if err != nil {
		return err
	}
	// The output is as long as the near end; far-end samples missing at
	// its end were silence, and whole blocks are padded with it.
	n := len(near)
	const tick = 800 // 100 ms
	padded := (n + tick - 1) / tick * tick
	near = append(near, make([]int16, padded-n)...)
	far = append(far[:min(len(far), padded)], make([]int16, padded-min(len(far), padded))...)
	y := make([]int16, padded)
	for i := 0; i < padded; i += tick {
		if err := c.Process(y[i:i+tick], near[i:i+tick], far[i:i+tick]); err != nil {
			return err
		}
		t := time.Duration(i+tick) * time.Second / 8000
		switch {
		case c.Disabled():
			fmt.Fprintf(stdout, "%5.1fs disabled (answer tone)\n", t.Seconds())
		case c.ERLE() == 0:
			fmt.Fprintf(stdout, "%5.1fs ERLE -\n", t.Seconds())
		default:
			fmt.Fprintf(stdout, "%5.1fs ERLE %.1f dB\n", t.Seconds(), c.ERLE())
		}
	}
	return writeWAV(*out, y[:n])
}
