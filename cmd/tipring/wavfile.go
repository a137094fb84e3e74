package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// tipring's audio files are what the lines carry: 8 kHz, 16-bit, mono PCM.
const (
	wavRate  = 8000
	wavBits  = 16
	wavChans = 1
)

// readWAV returns the samples of an 8 kHz 16-bit mono PCM WAV file. Any other
// format is refused with one line naming what was found.
func readWAV(path string) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := wav.NewDecoder(f)
	d.ReadInfo()
	if d.Err() != nil || !d.IsValidFile() {
		return nil, fmt.Errorf("%s: not a WAV file; want 8000 Hz mono 16-bit PCM", path)
	}
	if !isPCM(d) || d.SampleRate != wavRate || d.NumChans != wavChans || d.BitDepth != wavBits {
		return nil, fmt.Errorf("%s: %s; want 8000 Hz mono 16-bit PCM", path, describeWAV(d))
	}
	buf, err := d.FullPCMBuffer()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	s := make([]int16, len(buf.Data))
	for i, v := range buf.Data {
		s[i] = int16(v)
	}
	return s, nil
}

func describeWAV(d *wav.Decoder) string {
	ch := fmt.Sprintf("%d channels", d.NumChans)
	switch d.NumChans {
	case 1:
		ch = "mono"
	case 2:
		ch = "stereo"
	}
	var enc string
	switch d.WavAudioFormat {
	case 1:
		enc = fmt.Sprintf("%d-bit PCM", d.BitDepth)
	case 3:
		enc = fmt.Sprintf("%d-bit float", d.BitDepth)
	case 0xFFFE:
		enc = fmt.Sprintf("%d-bit", d.BitDepth)
	default:
		enc = fmt.Sprintf("format tag %d (not PCM)", d.WavAudioFormat)
	}
	return fmt.Sprintf("%d Hz %s %s", d.SampleRate, ch, enc)
}

// isPCM reports integer PCM: format tag 1, or WAVE_FORMAT_EXTENSIBLE (as sox
// writes for some files) with 16-bit samples, which are never float.
func isPCM(d *wav.Decoder) bool {
	return d.WavAudioFormat == 1 || d.WavAudioFormat == 0xFFFE && d.BitDepth == 16
}

// writeWAV writes samples as an 8 kHz 16-bit mono PCM WAV file.
func writeWAV(path string, samples []int16) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	e := wav.NewEncoder(f, wavRate, wavBits, wavChans, 1)
	data := make([]int, len(samples))
	for i, v := range samples {
		data[i] = int(v)
	}
	buf := &audio.IntBuffer{
		Format:         &audio.Format{NumChannels: wavChans, SampleRate: wavRate},
		Data:           data,
		SourceBitDepth: wavBits,
	}
	if err := e.Write(buf); err != nil {
		return err
	}
	return e.Close()
}
