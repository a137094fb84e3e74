package main

import (
	"fmt"
	"io"
	"time"

	"tipring/dsp/dtmf"
)

// runDTMFDetect prints the DTMF digits in a WAV file, one line each:
// START_MS END_MS DIGIT.
func runDTMFDetect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp dtmf-detect", "dsp dtmf-detect [--profile att|ntt] FILE.wav", stderr)
	profile := fs.String("profile", "att", "ITU-T Q.24 receiver limits: att (North America) or ntt (Japan)")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var p dtmf.Profile
	switch *profile {
	case "att":
		p = dtmf.ATT
	case "ntt":
		p = dtmf.NTT
	default:
		return fmt.Errorf("--profile %q: want att or ntt", *profile)
	}
	samples, err := readWAV(pos[0])
	if err != nil {
		return err
	}
	d := dtmf.NewDetector(p)
	// A second of silence after the file ends a digit still sounding.
	samples = append(samples, make([]int16, wavRate)...)
	const frame = 160
	for len(samples) > 0 {
		n := min(frame, len(samples))
		d.Process(samples[:n])
		samples = samples[n:]
		for {
			e, ok := d.Next()
			if !ok {
				break
			}
			if e.Kind == dtmf.DigitEnd {
				fmt.Fprintf(stdout, "%d %d %c\n", ms(e.Start), ms(e.End), e.Digit)
			}
		}
	}
	return nil
}

// runDTMFGen writes DTMF digits to a WAV file.
func runDTMFGen(args []string, stdout, stderr io.Writer) error {
	def := dtmf.DefaultGenOpts
	fs := newFlags("dsp dtmf-gen", "dsp dtmf-gen DIGITS -o FILE.wav [--on MS] [--off MS] [--level DBM0] [--twist DB]", stderr)
	out := fs.String("o", "", "WAV file to write (8 kHz 16-bit mono)")
	on := fs.Int("on", int(def.On/time.Millisecond), "tone duration of each digit, ms")
	off := fs.Int("off", int(def.Off/time.Millisecond), "silence after each digit, ms")
	level := fs.Float64("level", def.Level, "level of the low-group tone, dBm0")
	twist := fs.Float64("twist", def.Twist, "high-group level minus low-group level, dB")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errReported
	}
	pcm, err := dtmf.Render(pos[0], dtmf.GenOpts{
		Level: *level,
		Twist: *twist,
		On:    time.Duration(*on) * time.Millisecond,
		Off:   time.Duration(*off) * time.Millisecond,
	})
	if err != nil {
		return err
	}
	return writeWAV(*out, pcm)
}

// ms converts a sample index to the nearest millisecond.
func ms(sample int64) int64 { return (sample*1000 + wavRate/2) / wavRate }
