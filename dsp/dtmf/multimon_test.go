package dtmf

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"strings"
	"testing"

	"tipring/internal/testtool"
)

// TestGeneratorMultimon has multimon-ng, an independent decoder, read the
// sixteen digits from the Generator. multimon-ng wants 22050 Hz raw
// samples, so sox resamples.
func TestGeneratorMultimon(t *testing.T) {
	mm := testtool.Need(t, "multimon-ng")
	sox := testtool.Need(t, "sox")
	pcm, err := Render(allDigits, DefaultGenOpts)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	binary.Write(&raw, binary.LittleEndian, pcm)
	sx := exec.Command(sox, "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", "-",
		"-t", "raw", "-r", "22050", "-e", "signed", "-b", "16", "-c", "1", "-")
	sx.Stdin = &raw
	resampled, err := sx.Output()
	if err != nil {
		t.Fatalf("sox: %v", err)
	}
	m := exec.Command(mm, "-q", "-t", "raw", "-a", "DTMF", "-")
	m.Stdin = bytes.NewReader(resampled)
	out, err := m.Output()
	if err != nil {
		t.Fatalf("multimon-ng: %v", err)
	}
	var got strings.Builder
	for _, line := range strings.Split(string(out), "\n") {
		if d, ok := strings.CutPrefix(line, "DTMF: "); ok {
			got.WriteString(strings.TrimSpace(d))
		}
	}
	if got.String() != allDigits {
		t.Errorf("multimon-ng decoded %q, want %q", got.String(), allDigits)
	}
}
