package callerid

import (
	"fmt"
	"math"
)

// A Generator turns messages into audio for one Standard.
type Generator struct {
	Standard Standard
	Level    float64 // dBm0 of the FSK signal or of each DTMF tone; 0 means DefaultLevel
	// OffHook sends FSK the way it goes to a phone in a call (Type II, call
	// waiting): no channel seizure and a shorter mark (GR-30, EN 300 659-2).
	OffHook bool
}

// FSK framing, in bits (GR-30-CORE; EN 300 659-1 6.1.3 and -2).
const (
	baud          = 1200
	seizureBits   = 300 // alternating 0 and 1
	markBits      = 180 // continuous mark before the message, on hook
	offHookMarks  = 80  // continuous mark before the message, off hook
	trailMarkBits = 5   // marks after the checksum so receivers see the last stop bit
	bitsPerByte   = 10  // 8N1: start, 8 data bits LSB first, stop
)

func (g Generator) amplitude() float64 {
	if g.Level == 0 {
		return Amplitude(DefaultLevel)
	}
	return Amplitude(g.Level)
}

// Encode returns the audio of m. For FSK standards that is channel seizure
// (on hook only), marks, the message and a few marks; for DTMF standards the
// digit string. Alerting signals and pauses around it are in Plan.
func (g Generator) Encode(m Message) ([]int16, error) {
	switch {
	case g.Standard.isFSK():
		if m.Format == SDMF && g.Standard != Bell202 {
			return nil, fmt.Errorf("%w: SDMF is Bell 202 only", ErrFormat)
		}
		frame, err := m.Frame()
		if err != nil {
			return nil, err
		}
		return g.fsk(frame), nil
	case g.Standard.isDTMF():
		return g.dtmf(m)
	}
	return nil, fmt.Errorf("callerid: unknown standard %v", g.Standard)
}

// fsk modulates the framed message.
func (g Generator) fsk(frame []byte) []int16 {
	bits := make([]byte, 0, seizureBits+markBits+bitsPerByte*len(frame)+trailMarkBits)
	marks := offHookMarks
	if !g.OffHook {
		marks = markBits
		for i := 0; i < seizureBits; i++ {
			bits = append(bits, byte(i&1))
		}
	}
	for i := 0; i < marks; i++ {
		bits = append(bits, 1)
	}
	for _, c := range frame {
		bits = append(bits, 0)
		for i := 0; i < 8; i++ {
			bits = append(bits, c>>i&1)
		}
		bits = append(bits, 1)
	}
	for i := 0; i < trailMarkBits; i++ {
		bits = append(bits, 1)
	}
	mark, space := g.Standard.tones()
	return modulate(bits, mark, space, g.amplitude())
}

// tones returns the mark and space frequencies of an FSK standard.
func (s Standard) tones() (mark, space float64) {
	if s == V23 {
		return 1300, 2100 // ITU-T V.23 mode 2, EN 300 659-1 6.1.2
	}
	return 1200, 2200 // Bell 202, GR-30-CORE
}

// modulate returns phase-continuous FSK of bits (1 is mark) at 1200 baud.
// Bit k covers samples [k*20/3, (k+1)*20/3), so bit timing does not drift.
func modulate(bits []byte, mark, space, amp float64) []int16 {
	n := (len(bits)*SampleRate + baud - 1) / baud
	out := make([]int16, n)
	var phase float64
	for i := range out {
		f := space
		if bits[i*baud/SampleRate] == 1 {
			f = mark
		}
		out[i] = int16(math.Round(amp * math.Sin(phase)))
		phase += 2 * math.Pi * f / SampleRate
		if phase > 2*math.Pi {
			phase -= 2 * math.Pi
		}
	}
	return out
}

// dualTone returns ms milliseconds of two summed sines, each of amplitude amp.
func dualTone(f1, f2, amp float64, ms int) []int16 {
	out := make([]int16, ms*SampleRate/1000)
	for i := range out {
		t := float64(i) / SampleRate
		out[i] = int16(math.Round(amp * (math.Sin(2*math.Pi*f1*t) + math.Sin(2*math.Pi*f2*t))))
	}
	return out
}
