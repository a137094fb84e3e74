package main

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestPLC(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	// Two seconds of a 125 Hz buzz with harmonics, ending mid-frame.
	x := make([]int16, 16050)
	for i := range x {
		ph := 2 * math.Pi * 125 * float64(i) / 8000
		x[i] = int16(6000*math.Sin(ph) + 2000*math.Sin(3*ph))
	}
	if err := writeWAV(in, x); err != nil {
		t.Fatal(err)
	}
	// The same frames are lost both times; on a steady tone the concealer
	// leaves far less error than silence does (it fades only in gaps
	// longer than 10 ms).
	errs := map[string]float64{}
	for _, fill := range []string{"plc", "silence"} {
		out := filepath.Join(dir, fill+".wav")
		var stdout, stderr bytes.Buffer
		if err := runPLC([]string{"--loss", "20", "--fill", fill, in, "-o", out}, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v %s", fill, err, stderr.String())
		}
		if !strings.HasPrefix(stdout.String(), "lost ") || strings.HasPrefix(stdout.String(), "lost 0 ") {
			t.Errorf("%s: printed %q", fill, stdout.String())
		}
		y, err := readWAV(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(y) != len(x) {
			t.Fatalf("%s: %d samples out, want %d", fill, len(y), len(x))
		}
		for i := range x {
			d := float64(y[i]) - float64(x[i])
			errs[fill] += d * d
		}
	}
	if errs["silence"] == 0 || errs["plc"] > errs["silence"]/4 {
		t.Errorf("error energy: plc %.3g, silence %.3g; want plc 6 dB or more below", errs["plc"], errs["silence"])
	}
}

func TestPLCErrors(t *testing.T) {
	o := filepath.Join(t.TempDir(), "x.wav")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"in.wav"}, "-o FILE.wav is required"},
		{[]string{"--loss", "101", "in.wav", "-o", o}, "--loss"},
		{[]string{"--burst", "0", "in.wav", "-o", o}, "--burst"},
		{[]string{"--fill", "noise", "in.wav", "-o", o}, "--fill"},
		{[]string{"missing.wav", "-o", o}, "missing.wav"},
	} {
		var out, errb bytes.Buffer
		err := runPLC(tc.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v; want one containing %q", tc.args, err, tc.want)
		}
	}
}
