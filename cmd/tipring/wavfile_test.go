package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

func TestWAVRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.wav")
	in := []int16{0, 1, -1, 32767, -32768, 1234}
	if err := writeWAV(p, in); err != nil {
		t.Fatal(err)
	}
	out, err := readWAV(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d samples, wrote %d", len(out), len(in))
	}
	for i := range in {
		if out[i] != in[i] {
			t.Fatalf("sample %d: got %d, want %d", i, out[i], in[i])
		}
	}
}

func TestReadWAVRefusesOtherFormats(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cd.wav")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	e := wav.NewEncoder(f, 44100, 16, 2, 1)
	if err := e.Write(&audio.IntBuffer{Format: &audio.Format{NumChannels: 2, SampleRate: 44100}, Data: make([]int, 200), SourceBitDepth: 16}); err != nil {
		t.Fatal(err)
	}
	e.Close()
	f.Close()
	_, err = readWAV(p)
	if err == nil || !strings.Contains(err.Error(), "44100 Hz stereo 16-bit PCM; want 8000 Hz mono 16-bit PCM") {
		t.Fatalf("got %v", err)
	}

	junk := filepath.Join(t.TempDir(), "junk.wav")
	os.WriteFile(junk, []byte("hello, not a wav"), 0o644)
	if _, err := readWAV(junk); err == nil || !strings.Contains(err.Error(), "not a WAV file") {
		t.Fatalf("junk: got %v", err)
	}
}
