// Package testtool lets tests use outside programs (espeak-ng, minimodem,
// kamailio...) without hiding their absence: a test that needs a missing tool
// is skipped on a developer's machine and fails under CI, where .ci/run
// installs every tool the tests name.
package testtool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of the named program, skipping the test when it is
// not installed, or failing it when the CI environment variable is set.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; .ci/run must install it", name)
	}
	t.Skipf("%s is not installed (make deps installs it)", name)
	return ""
}

// Speak returns text spoken by espeak-ng, given args such as "-v", "en"
// or "-s", "160", as 8 kHz 16-bit samples made by sox: speech for tests of
// what must work on it, or must not mistake it for something else. It
// skips or fails t as Need does when either program is missing.
func Speak(t testing.TB, text string, args ...string) ([]int16, error) {
	espeak, sox := Need(t, "espeak-ng"), Need(t, "sox")
	gen := exec.Command(espeak, append(append([]string(nil), args...), "--stdout", text)...)
	conv := exec.Command(sox, "-D", "-t", "wav", "-", "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", "-L", "-")
	var err error
	if conv.Stdin, err = gen.StdoutPipe(); err != nil {
		return nil, err
	}
	// Each process gets its own stderr buffer: they write at the same time.
	var out, genErr, convErr bytes.Buffer
	conv.Stdout, conv.Stderr, gen.Stderr = &out, &convErr, &genErr
	if err := conv.Start(); err != nil {
		return nil, fmt.Errorf("sox: %w", err)
	}
	if err := gen.Run(); err != nil {
		conv.Wait()
		return nil, fmt.Errorf("espeak-ng %v: %w: %s", args, err, genErr.Bytes())
	}
	if err := conv.Wait(); err != nil {
		return nil, fmt.Errorf("sox: %w: %s", err, convErr.Bytes())
	}
	raw := out.Bytes()
	pcm := make([]int16, len(raw)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return pcm, nil
}
