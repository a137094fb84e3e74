package main

import (
	"fmt"
	"io"
	"strings"

	"tipring/dsp/tone"
)

// runTone writes a country's call-progress tone to a WAV file.
func runTone(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp tone", "dsp tone --country CC --tone NAME [--seconds S] -o FILE.wav", stderr)
	country := fs.String("country", "US", "country code (ISO 3166 alpha-2, or ITU)")
	name := fs.String("tone", "dial", "tone: "+kindList())
	seconds := fs.Float64("seconds", 10, "length in seconds")
	out := fs.String("o", "", "WAV file to write")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("dsp tone: -o FILE.wav is required")
	}
	p, err := lookupPlan(*country)
	if err != nil {
		return err
	}
	k, ok := tone.ParseKind(*name)
	if !ok {
		return fmt.Errorf("unknown tone %q; tones: %s", *name, kindList())
	}
	if *seconds <= 0 || *seconds > 3600 {
		return fmt.Errorf("--seconds %v: want more than 0 and at most 3600", *seconds)
	}
	x := make([]int16, int(*seconds*8000))
	tone.NewGenerator(p.Tone(k)).Generate(x)
	return writeWAV(*out, x)
}

// runCPTDetect prints the call-progress tones recognised in a WAV file, one
// "START_MS END_MS TONE" line each.
func runCPTDetect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp cpt-detect", "dsp cpt-detect --country CC FILE.wav", stderr)
	country := fs.String("country", "US", "country code (ISO 3166 alpha-2, or ITU) whose tones to look for")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	p, err := lookupPlan(*country)
	if err != nil {
		return err
	}
	x, err := readWAV(pos[0])
	if err != nil {
		return err
	}
	d := tone.NewDetector(p)
	print := func(evs []tone.Event) {
		for _, e := range evs {
			if e.End != 0 {
				fmt.Fprintf(stdout, "%d %d %s\n", e.Start/8, e.End/8, e.Tone)
			}
		}
	}
	// Frames as the line delivers them, 20 ms at a time.
	for i := 0; i < len(x); i += 160 {
		print(d.Process(x[i:min(i+160, len(x))]))
	}
	print(d.Flush())
	return nil
}

func lookupPlan(country string) (*tone.Plan, error) {
	p, ok := tone.Lookup(country)
	if !ok {
		return nil, fmt.Errorf("unknown country %q; countries: %s", country, strings.Join(tone.Countries(), " "))
	}
	return p, nil
}

func kindList() string {
	var names []string
	for _, k := range tone.Kinds() {
		names = append(names, k.String())
	}
	return strings.Join(names, " ")
}
