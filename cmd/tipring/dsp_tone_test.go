package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestToneThenCPTDetect(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		country, tone string
		seconds       string
		want          string // ends at the end of the last burst
	}{
		{"US", "busy", "4", "0 3500 busy\n"},
		{"de", "congestion", "2.88", "0 2640 congestion\n"},
		{"GB", "ringback", "9", "0 7000 ringback\n"},
		{"FR", "dial", "3", "0 3000 dial\n"},
		{"US", "sit", "3", ""},
	} {
		wav := filepath.Join(dir, tc.country+tc.tone+".wav")
		var out, errb bytes.Buffer
		if err := runTone([]string{"--country", tc.country, "--tone", tc.tone, "--seconds", tc.seconds, "-o", wav}, &out, &errb); err != nil {
			t.Fatalf("tone %s %s: %v %s", tc.country, tc.tone, err, errb.String())
		}
		if err := runCPTDetect([]string{"--country", tc.country, wav}, &out, &errb); err != nil {
			t.Fatalf("cpt-detect: %v %s", err, errb.String())
		}
		if out.String() != tc.want {
			t.Errorf("%s %s: cpt-detect printed %q; want %q", tc.country, tc.tone, out.String(), tc.want)
		}
	}
}

func TestToneErrors(t *testing.T) {
	o := filepath.Join(t.TempDir(), "x.wav")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--country", "XX", "-o", o}, "countries: AT AU BE CA CH DE ES FR GB IT ITU JP NL NZ SE US"},
		{[]string{"--tone", "hum", "-o", o}, "tones: dial ringback busy congestion callwaiting stutter sit"},
		{[]string{"--seconds", "0", "-o", o}, "--seconds"},
		{nil, "-o FILE.wav is required"},
	} {
		var out, errb bytes.Buffer
		err := runTone(tc.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v; want one containing %q", tc.args, err, tc.want)
		}
	}
	var out, errb bytes.Buffer
	if err := runCPTDetect([]string{"--country", "XX", "f.wav"}, &out, &errb); err == nil || !strings.Contains(err.Error(), "countries:") {
		t.Errorf("cpt-detect unknown country: %v", err)
	}
	if err := runCPTDetect(nil, &out, &errb); err != errReported {
		t.Errorf("cpt-detect without a file: %v", err)
	}
}
