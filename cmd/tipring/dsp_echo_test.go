package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

func TestEcho(t *testing.T) {
	dir := t.TempDir()
	farPath, nearPath := filepath.Join(dir, "far.wav"), filepath.Join(dir, "near.wav")
	// Four seconds of low-passed noise in 300 ms bursts, ending mid-block,
	// and its echo: 5 ms of bulk delay and a short decaying response,
	// 10 dB down.
	const n = 4*8000 + 50
	r := rand.New(rand.NewPCG(1, 2))
	far := make([]int16, n)
	var lp float64
	for i := range far {
		lp = 0.6*lp + r.NormFloat64()
		if i%4000 < 2400 {
			far[i] = int16(1500 * lp)
		}
	}
	h := []float64{0.05, 0.2, -0.12, 0.08, -0.05, 0.03, -0.02}
	near := make([]int16, n)
	for i := range near {
		var e float64
		for k, c := range h {
			if j := i - 40 - k; j >= 0 {
				e += c * float64(far[j])
			}
		}
		near[i] = int16(e)
	}
	if err := writeWAV(farPath, far); err != nil {
		t.Fatal(err)
	}
	if err := writeWAV(nearPath, near); err != nil {
		t.Fatal(err)
	}

	outPath := filepath.Join(dir, "out.wav")
	var stdout, stderr bytes.Buffer
	if err := runEcho([]string{"--far", farPath, "--near", nearPath, "-o", outPath, "--tail", "32ms", "--no-nlp"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 41 {
		t.Errorf("%d lines printed, want one every 100 ms: 41", len(lines))
	}
	var at, erle float64
	if _, err := fmt.Sscanf(lines[len(lines)-1], "%fs ERLE %f dB", &at, &erle); err != nil || at != 4.1 || erle < 20 {
		t.Errorf("last line %q: want an ERLE of 20 dB or more", lines[len(lines)-1])
	}

	out, err := readWAV(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != n {
		t.Fatalf("%d samples out, want %d", len(out), n)
	}
	// The last two seconds: the echo 20 dB down or more.
	var pin, pout float64
	for i := n / 2; i < n; i++ {
		pin += float64(near[i]) * float64(near[i])
		pout += float64(out[i]) * float64(out[i])
	}
	if pout*100 > pin {
		t.Errorf("echo power in %.3g, out %.3g: want 20 dB less", pin, pout)
	}
}

func TestEchoErrors(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "w.wav")
	if err := writeWAV(w, make([]int16, 800)); err != nil {
		t.Fatal(err)
	}
	o := filepath.Join(dir, "o.wav")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--near", w, "-o", o}, "--far FAR.wav and --near NEAR.wav are required"},
		{[]string{"--far", w, "--near", w}, "-o FILE.wav is required"},
		{[]string{"--far", w, "--near", w, "-o", o, "--tail", "200ms"}, "tail 200ms out of range"},
		{[]string{"--far", filepath.Join(dir, "missing.wav"), "--near", w, "-o", o}, "missing.wav"},
		{[]string{"--far", w, "--near", w, "-o", o, "extra"}, errReported.Error()},
	} {
		var out, errb bytes.Buffer
		err := runEcho(tc.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v; want one containing %q", tc.args, err, tc.want)
		}
	}
}
