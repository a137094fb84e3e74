package callerid

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tipring/internal/testtool"
)

// Every generated FSK signal is checked by decoders that share no code with
// this package: minimodem for Bell 202 (it prints the async bytes) and
// multimon-ng's CLIPFSK demodulator for V.23 (it prints the ETSI fields).

// writeTestWAV writes s as an 8 kHz 16-bit mono WAV file.
func writeTestWAV(t *testing.T, path string, s []int16) {
	t.Helper()
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(36+2*len(s)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(SampleRate), uint32(2 * SampleRate), uint16(2), uint16(16)} {
		binary.Write(&b, le, v) // fmt chunk: PCM, mono, 16-bit
	}
	b.WriteString("data")
	binary.Write(&b, le, uint32(2*len(s)))
	binary.Write(&b, le, s)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// resample converts 8 kHz samples to rate Hz with a Hann-windowed sinc
// interpolator, for tools that only take their own rate.
func resample(s []int16, rate int) []int16 {
	const half = 16 // taps on each side
	out := make([]int16, len(s)*rate/SampleRate)
	for j := range out {
		p := float64(j) * SampleRate / float64(rate)
		k0 := int(math.Floor(p))
		var v float64
		for k := k0 - half + 1; k <= k0+half; k++ {
			if k < 0 || k >= len(s) {
				continue
			}
			x := p - float64(k)
			w := 0.5 + 0.5*math.Cos(math.Pi*x/half)
			sinc := 1.0
			if x != 0 {
				sinc = math.Sin(math.Pi*x) / (math.Pi * x)
			}
			v += float64(s[k]) * sinc * w
		}
		out[j] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

// padded adds 100 ms of silence on both sides, which the tools need to
// settle and to flush.
func padded(s []int16) []int16 {
	out := make([]int16, len(s)+1600)
	copy(out[800:], s)
	return out
}

func TestBell202ByMinimodem(t *testing.T) {
	minimodem := testtool.Need(t, "minimodem")
	for _, m := range testMessages {
		for _, offHook := range []bool{false, true} {
			s, err := Generator{Standard: Bell202, OffHook: offHook}.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			frame, _ := m.Frame()
			path := filepath.Join(t.TempDir(), "cid.wav")
			writeTestWAV(t, path, padded(s))
			out, err := exec.Command(minimodem, "--rx", "--quiet", "--mark", "1200", "--space", "2200", "--file", path, "1200").Output()
			if err != nil {
				t.Fatalf("minimodem: %v", err)
			}
			if !bytes.Contains(out, frame) {
				t.Errorf("%+v offHook=%v: minimodem read % x, want it to contain % x", m, offHook, out, frame)
			}
		}
	}
}

func TestV23ByMultimon(t *testing.T) {
	multimon := testtool.Need(t, "multimon-ng")
	for _, m := range testMessages {
		if m.Format == SDMF {
			continue
		}
		want := multimonCLIP(m)
		for _, offHook := range []bool{false, true} {
			s, err := Generator{Standard: V23, OffHook: offHook}.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			out := runMultimon(t, multimon, "CLIPFSK", s)
			if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("%+v offHook=%v: multimon-ng printed %q, want %q", m, offHook, got, want)
			}
		}
	}
}

// multimonCLIP returns the line multimon-ng prints for a V.23 message.
func multimonCLIP(m Message) string {
	if m.VMWI == VMWIOn {
		return "CLIPFSK: MWI VI=. Activation (indicator on)"
	}
	if m.VMWI == VMWIOff {
		return "CLIPFSK: MWI VI=. Deactivation (indicator off)"
	}
	reason := map[Reason]string{ReasonPrivate: "P Private (CLIR involved)", ReasonOutOfArea: "O Unavailable"}
	s := "CLIPFSK: CS"
	if !m.Time.IsZero() {
		s += " DATE=" + m.Time.String()
	}
	if m.Number != "" {
		s += " CID=" + m.Number
	}
	if m.NumberReason != ReasonNone {
		s += " RACLI=" + reason[m.NumberReason]
	}
	if m.Name != "" {
		s += " CNT=" + m.Name
	}
	if m.NameReason != ReasonNone {
		s += " RACNT=" + reason[m.NameReason]
	}
	return s
}

func TestDTMFByMultimon(t *testing.T) {
	multimon := testtool.Need(t, "multimon-ng")
	for _, tt := range []struct {
		std Standard
		m   Message
	}{
		{DTMF, Message{Number: "0123456789"}},
		{DTMF, Message{NumberReason: ReasonPrivate}},
		{DTMFDenmark, Message{Number: "33123456"}},
		{DTMFDenmark, Message{NumberReason: ReasonOutOfArea}},
		{DTMFIndia, Message{Number: "9812345678"}},
		{DTMFBrazil, Message{Number: "1134567890"}},
	} {
		digits, err := tt.std.Digits(tt.m)
		if err != nil {
			t.Fatal(err)
		}
		s, err := tt.std.Encode(tt.m)
		if err != nil {
			t.Fatal(err)
		}
		out := runMultimon(t, multimon, "DTMF", s)
		got := strings.ReplaceAll(strings.ReplaceAll(string(out), "DTMF: ", ""), "\n", "")
		if got != digits {
			t.Errorf("%v %+v: multimon-ng heard %q, want %q", tt.std, tt.m, got, digits)
		}
	}
}

// runMultimon decodes 8 kHz samples with multimon-ng's demodulator demod,
// which wants 22050 Hz raw input, and returns what it prints.
func runMultimon(t *testing.T, multimon, demod string, s []int16) []byte {
	t.Helper()
	cmd := exec.Command(multimon, "-q", "-t", "raw", "-a", demod, "-")
	var in bytes.Buffer
	binary.Write(&in, binary.LittleEndian, resample(padded(s), 22050))
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("multimon-ng -a %s: %v", demod, err)
	}
	return out
}
