package main

import (
	"bytes"
	"flag"
	"slices"
	"testing"
)

func TestParseArgsInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		o    string
	}{
		{[]string{"123", "-o", "x.wav"}, []string{"123"}, "x.wav"},
		{[]string{"-o", "x.wav", "123"}, []string{"123"}, "x.wav"},
		{[]string{"a", "-o", "x", "b"}, []string{"a", "b"}, "x"},
		{[]string{"-o", "x", "--", "-5"}, []string{"-5"}, "x"},
		{nil, nil, ""},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		o := fs.String("o", "", "")
		pos, err := parseArgs(fs, tc.args, 0, -1)
		if err != nil || !slices.Equal(pos, tc.pos) || *o != tc.o {
			t.Errorf("%q: pos %q o %q err %v; want %q %q", tc.args, pos, *o, err, tc.pos, tc.o)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if got := errb.String(); got != "tipring: unknown command \"tipring frobnicate\"; see \"tipring -h\"\n" {
		t.Fatalf("stderr %q", got)
	}
}
