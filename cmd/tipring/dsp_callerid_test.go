package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestCIDGenDetect(t *testing.T) {
	tests := []struct {
		gen  []string
		want string
	}{
		{[]string{"--standard", "bell202", "--number", "5551234567", "--name", "ALICE", "--time", "12241830"},
			"standard=bell202\nformat=mdmf\nnumber=5551234567\nname=ALICE\ntime=12241830\nreason=\nname_reason=\n"},
		{[]string{"--standard", "bell202", "--format", "sdmf", "--private", "--time", "01020304"},
			"standard=bell202\nformat=sdmf\nnumber=\nname=\ntime=01020304\nreason=private\nname_reason=\n"},
		{[]string{"--standard", "v23", "--out-of-area", "--time", "01020304", "--alert", "line-reversal-dtas"},
			"standard=v23\nformat=mdmf\nnumber=\nname=\ntime=01020304\nreason=out-of-area\nname_reason=out-of-area\n"},
		{[]string{"--standard", "v23", "--vmwi", "on"},
			"standard=v23\nformat=mdmf\nvmwi=on\n"},
		{[]string{"--standard", "dtmf", "--number", "0301234567"},
			"standard=dtmf\nnumber=0301234567\nname=\ntime=\nreason=\nname_reason=\n"},
		{[]string{"--standard", "dtmf-dk", "--private", "--alert", "line-reversal"},
			"standard=dtmf-dk\nnumber=\nname=\ntime=\nreason=private\nname_reason=\n"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "cid.wav")
		var out, errb bytes.Buffer
		if err := runCIDGen(append(tt.gen, "-o", path), &out, &errb); err != nil {
			t.Fatalf("cid-gen %q: %v %s", tt.gen, err, errb.String())
		}
		for _, args := range [][]string{{path}, {"--standard", tt.gen[1], path}} {
			out.Reset()
			if err := runCIDDetect(args, &out, &errb); err != nil {
				t.Fatalf("cid-detect %q: %v", args, err)
			}
			if out.String() != tt.want {
				t.Errorf("cid-gen %q, cid-detect %q:\n%s\nwant\n%s", tt.gen, args, out.String(), tt.want)
			}
		}
	}
}

func TestCIDGenRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"--number", "1"},
		{"--standard", "fsk", "--number", "1", "-o", "x.wav"},
		{"--standard", "v23", "--format", "sdmf", "--number", "1", "-o", "x.wav"},
		{"--number", "1", "--time", "13011200", "-o", "x.wav"},
		{"--standard", "dtmf", "--number", "1", "--time", "01011200", "-o", "x.wav"},
		{"--private", "--out-of-area", "-o", "x.wav"},
		{"--number", "1", "--alert", "smoke", "-o", "x.wav"},
	} {
		dir := t.TempDir()
		for i, a := range args {
			if a == "x.wav" {
				args[i] = filepath.Join(dir, a)
			}
		}
		var out, errb bytes.Buffer
		if err := runCIDGen(args, &out, &errb); err == nil {
			t.Errorf("cid-gen %q: no error", args)
		}
	}
}

func TestCIDDetectNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "quiet.wav")
	if err := writeWAV(path, make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := runCIDDetect([]string{path}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "no caller ID") {
		t.Errorf("got %v", err)
	}
}
