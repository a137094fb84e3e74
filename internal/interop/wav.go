package interop

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// SampleRate is the rate of every audio file here: 8 kHz, what G.711 carries.
const SampleRate = 8000

// WriteWAV writes samples as an 8 kHz 16-bit mono PCM WAV file.
func WriteWAV(path string, samples []int16) error {
	le := binary.LittleEndian
	b := make([]byte, 0, 44+2*len(samples))
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(36+2*len(samples)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)           // fmt chunk size
	b = le.AppendUint16(b, 1)            // PCM
	b = le.AppendUint16(b, 1)            // mono
	b = le.AppendUint32(b, SampleRate)   // frames per second
	b = le.AppendUint32(b, 2*SampleRate) // bytes per second
	b = le.AppendUint16(b, 2)            // bytes per frame
	b = le.AppendUint16(b, 16)           // bits per sample
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(2*len(samples)))
	for _, s := range samples {
		b = le.AppendUint16(b, uint16(s))
	}
	return os.WriteFile(path, b, 0o644)
}

// ReadWAV returns the samples of an 8 kHz 16-bit mono PCM WAV file. A data
// chunk whose size is zero or runs past the end of the file, as in a
// recording still being written, is read to the end of the file.
func ReadWAV(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := parseWAV(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func parseWAV(b []byte) ([]int16, error) {
	le := binary.LittleEndian
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not a RIFF WAVE file")
	}
	b = b[12:]
	haveFmt := false
	for len(b) >= 8 {
		id, size := string(b[:4]), le.Uint32(b[4:8])
		b = b[8:]
		if id == "data" {
			if !haveFmt {
				return nil, errors.New("data chunk before fmt chunk")
			}
			n := len(b) &^ 1
			if size != 0 && uint64(size) <= uint64(n) {
				n = int(size)
			}
			s := make([]int16, n/2)
			for i := range s {
				s[i] = int16(le.Uint16(b[2*i:]))
			}
			return s, nil
		}
		if uint64(size) > uint64(len(b)) {
			return nil, fmt.Errorf("%q chunk of %d bytes runs past the end of the file", id, size)
		}
		if id == "fmt " {
			if err := checkFormat(b[:size]); err != nil {
				return nil, err
			}
			haveFmt = true
		}
		b = b[min(len(b), int(size+size&1)):] // chunks are padded to even sizes
	}
	return nil, errors.New("no data chunk")
}

// checkFormat accepts the fmt chunk of 8 kHz 16-bit mono integer PCM, with
// format tag 1 or WAVE_FORMAT_EXTENSIBLE (whose 16-bit samples are integers).
func checkFormat(f []byte) error {
	if len(f) < 16 {
		return fmt.Errorf("fmt chunk of %d bytes, want 16 or more", len(f))
	}
	le := binary.LittleEndian
	tag, ch, rate, bits := le.Uint16(f), le.Uint16(f[2:]), le.Uint32(f[4:]), le.Uint16(f[14:])
	if (tag != 1 && tag != 0xFFFE) || ch != 1 || rate != SampleRate || bits != 16 {
		return fmt.Errorf("format tag %#x, %d channels, %d Hz, %d bits; want PCM, mono, 8000 Hz, 16 bits", tag, ch, rate, bits)
	}
	return nil
}
