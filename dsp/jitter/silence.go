package jitter

import "tipring/dsp/g711"

// Law is the G.711 companding law of the frames, which the buffer needs to
// judge which frames are silent and to write silence.
type Law uint8

// G.711 laws.
const (
	Ulaw Law = iota
	Alaw
)

func (l Law) String() string {
	switch l {
	case Ulaw:
		return "ulaw"
	case Alaw:
		return "alaw"
	}
	return "unknown"
}

// silenceCode is each law's code for a zero sample.
var silenceCode = [2]byte{Ulaw: 0xff, Alaw: 0xd5}

// quietLevel is the mean magnitude, on the 16-bit linear scale, below
// which a frame counts as silent: −45 dBm0. A 0 dBm0 sine peaks at 22 656
// (G.711's largest code, 8159 on the 14-bit µ-law scale, is +3.17 dBm0),
// so its mean magnitude is 14 424, and 45 dB below that is 81. Line noise
// in a pause sits near −60 dBm0; speech rarely dips under −40 for 20 ms.
const quietLevel = 81

// magnitude holds |sample| of every code of each law.
var magnitude [2][256]uint16

func init() {
	for c := range 256 {
		magnitude[Ulaw][c] = abs16(g711.DecodeUlawSample(byte(c)))
		magnitude[Alaw][c] = abs16(g711.DecodeAlawSample(byte(c)))
	}
}

func abs16(x int16) uint16 {
	if x < 0 {
		return uint16(-int32(x))
	}
	return uint16(x)
}

// silent reports whether a frame's mean magnitude is below quietLevel.
func (l Law) silent(frame *[FrameSize]byte) bool {
	m := &magnitude[l]
	sum := 0
	for _, c := range frame {
		sum += int(m[c])
	}
	return sum < quietLevel*FrameSize
}
