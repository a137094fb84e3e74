package interop

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWAVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.wav")
	want := []int16{0, 1, -1, 32767, -32768, 1234}
	if err := WriteWAV(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadWAV(path)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("read back %v, %v; want %v", got, err, want)
	}
}

// wavBytes returns a WAV file of the given fmt chunk fields, with extra
// chunks before the data, and a data chunk declaring size bytes.
func wavBytes(tag, ch uint16, rate uint32, bits uint16, extra []byte, size uint32, data []byte) []byte {
	le := binary.LittleEndian
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt ")
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, tag)
	b = le.AppendUint16(b, ch)
	b = le.AppendUint32(b, rate)
	b = le.AppendUint32(b, rate*uint32(ch*bits/8))
	b = le.AppendUint16(b, ch*bits/8)
	b = le.AppendUint16(b, bits)
	b = append(b, extra...)
	b = append(b, "data"...)
	b = le.AppendUint32(b, size)
	return append(b, data...)
}

func TestParseWAV(t *testing.T) {
	data := []byte{1, 0, 2, 0, 3, 0}
	list := append([]byte("LIST\x03\x00\x00\x00abc"), 0) // odd size, padded
	for _, tc := range []struct {
		name string
		in   []byte
		want []int16
		err  string
	}{
		{"plain", wavBytes(1, 1, 8000, 16, nil, 6, data), []int16{1, 2, 3}, ""},
		{"extensible", wavBytes(0xFFFE, 1, 8000, 16, nil, 6, data), []int16{1, 2, 3}, ""},
		{"padded chunk first", wavBytes(1, 1, 8000, 16, list, 6, data), []int16{1, 2, 3}, ""},
		{"size shorter than file", wavBytes(1, 1, 8000, 16, nil, 4, data), []int16{1, 2}, ""},
		// libsndfile fills in the sizes when it closes the file.
		{"recording in progress", wavBytes(1, 1, 8000, 16, nil, 0, data), []int16{1, 2, 3}, ""},
		{"size past the end", wavBytes(1, 1, 8000, 16, nil, 100, append(data, 9)), []int16{1, 2, 3}, ""},
		{"stereo", wavBytes(1, 2, 8000, 16, nil, 6, data), nil, "2 channels"},
		{"16 kHz", wavBytes(1, 1, 16000, 16, nil, 6, data), nil, "16000 Hz"},
		{"float", wavBytes(3, 1, 8000, 32, nil, 6, data), nil, "format tag 0x3"},
		{"8-bit", wavBytes(1, 1, 8000, 8, nil, 6, data), nil, "8 bits"},
		{"not RIFF", []byte("RIFX\x00\x00\x00\x00WAVE"), nil, "not a RIFF WAVE"},
		{"short", []byte("RIFF"), nil, "not a RIFF WAVE"},
		{"no data", wavBytes(1, 1, 8000, 16, nil, 6, data)[:36], nil, "no data chunk"},
		{"data first", []byte("RIFF\x00\x00\x00\x00WAVEdata\x02\x00\x00\x00\x01\x00"), nil, "before fmt"},
		{"chunk past the end", []byte("RIFF\x00\x00\x00\x00WAVELIST\xff\x00\x00\x00"), nil, "past the end"},
		{"short fmt", []byte("RIFF\x00\x00\x00\x00WAVEfmt \x02\x00\x00\x00\x01\x00"), nil, "fmt chunk of 2 bytes"},
	} {
		got, err := parseWAV(tc.in)
		switch {
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.err)
		}
	}
}

func TestReadWAVNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stereo.wav")
	if err := os.WriteFile(path, wavBytes(1, 2, 8000, 16, nil, 4, []byte{1, 2, 3, 4}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadWAV(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("error %v, want one starting with the path", err)
	}
}
