package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestDTMFGenThenDetect(t *testing.T) {
	tests := []struct {
		args    []string
		profile string
		want    string
	}{
		{[]string{"159#"}, "att", "0 100 1\n200 300 5\n400 500 9\n600 700 #\n"},
		{[]string{"0a", "--on", "60", "--off", "40", "--level", "-20", "--twist", "-3"}, "ntt", "0 60 0\n100 160 A\n"},
	}
	for _, tt := range tests {
		wav := filepath.Join(t.TempDir(), "d.wav")
		var stdout, stderr bytes.Buffer
		if err := runDTMFGen(append(tt.args, "-o", wav), &stdout, &stderr); err != nil {
			t.Fatalf("dtmf-gen %v: %v %s", tt.args, err, stderr.String())
		}
		if err := runDTMFDetect([]string{"--profile", tt.profile, wav}, &stdout, &stderr); err != nil {
			t.Fatalf("dtmf-detect: %v %s", err, stderr.String())
		}
		if got := stdout.String(); !sameLines(got, tt.want) {
			t.Errorf("dtmf-gen %v then dtmf-detect:\n%s\nwant (±2 ms)\n%s", tt.args, got, tt.want)
		}
	}
}

// sameLines compares "START_MS END_MS DIGIT" lines, times within 2 ms.
func sameLines(got, want string) bool {
	g, w := strings.Fields(got), strings.Fields(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if i%3 == 2 {
			if g[i] != w[i] {
				return false
			}
			continue
		}
		a, errA := strconv.Atoi(g[i])
		b, errB := strconv.Atoi(w[i])
		if errA != nil || errB != nil || a-b > 2 || b-a > 2 {
			return false
		}
	}
	return true
}

func TestDTMFCommandErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		run  func([]string, *bytes.Buffer, *bytes.Buffer) error
		args []string
		want string
	}{
		{func(a []string, o, e *bytes.Buffer) error { return runDTMFGen(a, o, e) }, []string{"12x", "-o", filepath.Join(dir, "x.wav")}, "not a DTMF digit"},
		{func(a []string, o, e *bytes.Buffer) error { return runDTMFGen(a, o, e) }, []string{"12", "-o", filepath.Join(dir, "x.wav"), "--on", "0"}, "want a tone"},
		{func(a []string, o, e *bytes.Buffer) error { return runDTMFDetect(a, o, e) }, []string{"--profile", "xyz", "f.wav"}, "want att or ntt"},
		{func(a []string, o, e *bytes.Buffer) error { return runDTMFDetect(a, o, e) }, []string{filepath.Join(dir, "missing.wav")}, "no such file"},
	}
	for _, tt := range tests {
		var o, e bytes.Buffer
		err := tt.run(tt.args, &o, &e)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
}
