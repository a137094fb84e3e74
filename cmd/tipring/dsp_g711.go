package main

import (
	"fmt"
	"io"
	"os"

	"tipring/dsp/g711"
)

// runG711 converts between a WAV file and raw G.711 bytes.
func runG711(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp g711", "dsp g711 encode|decode [--law ulaw|alaw] IN OUT", stderr)
	law := fs.String("law", "ulaw", "companding law: ulaw or alaw")
	pos, err := parseArgs(fs, args, 3, 3)
	if err != nil {
		return err
	}
	if *law != "ulaw" && *law != "alaw" {
		return fmt.Errorf("unknown law %q; laws: ulaw alaw", *law)
	}
	op, in, out := pos[0], pos[1], pos[2]
	switch op {
	case "encode":
		x, err := readWAV(in)
		if err != nil {
			return err
		}
		b := make([]byte, len(x))
		if *law == "ulaw" {
			g711.EncodeUlaw(b, x)
		} else {
			g711.EncodeAlaw(b, x)
		}
		return os.WriteFile(out, b, 0o644)
	case "decode":
		b, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		x := make([]int16, len(b))
		if *law == "ulaw" {
			g711.DecodeUlaw(x, b)
		} else {
			g711.DecodeAlaw(x, b)
		}
		return writeWAV(out, x)
	}
	return fmt.Errorf("unknown operation %q; want encode or decode", op)
}
