package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tipring/dsp/g711"
)

func TestG711RoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	x := make([]int16, 1000)
	for i := range x {
		x[i] = int16(i*131 - 65000)
	}
	if err := writeWAV(in, x); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		law    string
		enc    func(int16) byte
		decode func(byte) int16
	}{
		{"ulaw", g711.EncodeUlawSample, g711.DecodeUlawSample},
		{"alaw", g711.EncodeAlawSample, g711.DecodeAlawSample},
	} {
		raw, back := filepath.Join(dir, tc.law+".raw"), filepath.Join(dir, tc.law+".wav")
		var out, errb bytes.Buffer
		if err := runG711([]string{"encode", "--law", tc.law, in, raw}, &out, &errb); err != nil {
			t.Fatalf("encode: %v", err)
		}
		b, err := os.ReadFile(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != len(x) || b[0] != tc.enc(x[0]) || b[999] != tc.enc(x[999]) {
			t.Fatalf("%s: %d bytes, first %#02x", tc.law, len(b), b[0])
		}
		if err := runG711([]string{"decode", raw, back, "--law", tc.law}, &out, &errb); err != nil {
			t.Fatalf("decode: %v", err)
		}
		y, err := readWAV(back)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int16, len(x))
		for i, v := range x {
			want[i] = tc.decode(tc.enc(v))
		}
		if !slices.Equal(y, want) {
			t.Errorf("%s: decoded samples differ", tc.law)
		}
	}
}

func TestG711Errors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"encode", "--law", "glaw", "a", "b"}, "laws: ulaw alaw"},
		{[]string{"squash", "a", "b"}, "want encode or decode"},
		{[]string{"encode", filepath.Join(t.TempDir(), "missing.wav"), "b"}, "no such file"},
	} {
		var out, errb bytes.Buffer
		if err := runG711(tc.args, &out, &errb); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v; want one containing %q", tc.args, err, tc.want)
		}
	}
	var out, errb bytes.Buffer
	if err := runG711([]string{"encode"}, &out, &errb); err != errReported {
		t.Errorf("missing arguments: %v", err)
	}
}
