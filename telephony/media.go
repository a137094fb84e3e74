package telephony

import (
	"tipring/dsp/dtmf"
	"tipring/dsp/g711"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/rtpstream"
)

// media is a line's audio in the frame loop: the line's samples go to the
// call's RTP stream, the stream's to the line, with the line's own tones and
// DTMF mixed in. It never allocates.
type media struct {
	call   *sipua.Call // whose audio the line carries; nil: none
	stream *rtpstream.Stream
	out    [rtpstream.FrameSize]byte
	in     [rtpstream.FrameSize]byte
	mix    hal.Frame

	// Digits the line sends: the phone's keypad, or the PSTN's in-band DTMF.
	keypad *dtmf.Detector
	heard  [8]dtmf.Event // the keypad's events of the last frame
	nheard int
	relay  byte // the digit being sent as RFC 4733 events; 0 if none
	// Digits toward the line: RFC 4733 or INFO received, or FXO dialling.
	keys *dtmf.Generator

	tones *tone.Plan
	tone  *tone.Generator // the local tone the line hears; nil: none
	kind  tone.Kind
	howl  bool // tone is the howler, not one of the plan's

	play []int16 // samples to play to the line before anything else

	// In a conference, mixIn (the other party's audio) goes to the stream
	// with the line's, and net keeps the stream's audio of the frame.
	mixIn *hal.Frame
	sum   hal.Frame
	net   hal.Frame

	missing int64 // frames due from RTP that did not come
}

// concealed counts the frames due from RTP that did not come.
func (m *media) concealed() int64 { return m.missing }

func newMedia(tones *tone.Plan) media {
	g, err := dtmf.NewGenerator(dtmf.DefaultGenOpts)
	if err != nil {
		panic(err) // the default options are valid
	}
	return media{keypad: dtmf.NewDetector(dtmf.ATT), keys: g, tones: tones}
}

// setTone starts tone k of the plan, unless it is already playing.
func (m *media) setTone(k tone.Kind) {
	if m.tone != nil && m.kind == k && !m.howl {
		return
	}
	m.tone, m.kind, m.howl = tone.NewGenerator(m.tones.Tone(k)), k, false
}

// setHowler starts the off-hook warning tone.
func (m *media) setHowler() {
	if !m.howl {
		m.tone, m.howl = tone.NewGenerator(&howler), true
	}
}

func (m *media) stopTone() { m.tone, m.howl = nil, false }

// howler is the receiver off-hook tone (Telcordia GR-506): four tones
// pulsed 10 times a second, loud enough to be heard with the handset down.
var howler = tone.Tone{Level: -10, Segments: []tone.Segment{
	{Ms: 100, Freqs: []float64{1400, 2060, 2450, 2600}},
	{Ms: 100},
}}

// attach makes the line carry c's audio.
func (m *media) attach(c *sipua.Call) {
	m.call, m.stream = c, c.Stream()
	m.relay = 0
}

// detach stops carrying a call's audio.
func (m *media) detach() {
	if m.relay != 0 && m.stream != nil {
		m.stream.StopDigit()
	}
	m.call, m.stream, m.relay = nil, nil, 0
}

// fromLine takes one frame the line sent: it feeds the DTMF detector and,
// in a call, goes to the stream. Digits detected are left in heard, and in
// a call relayed as RFC 4733 events when the peer takes them.
func (m *media) fromLine(rx *hal.Frame) {
	m.keypad.Process(rx[:])
	m.nheard = 0
	for {
		ev, ok := m.keypad.Next()
		if !ok {
			break
		}
		if m.nheard < len(m.heard) {
			m.heard[m.nheard] = ev
			m.nheard++
		}
		if m.stream != nil && m.call.Media().TelephoneEvent >= 0 {
			if ev.Kind == dtmf.DigitStart && m.stream.StartDigit(ev.Digit) == nil {
				m.relay = ev.Digit
			} else if ev.Kind == dtmf.DigitEnd && m.relay == ev.Digit {
				m.stream.StopDigit()
				m.relay = 0
			}
		}
	}
	if m.stream == nil {
		return
	}
	if m.mixIn != nil {
		m.sum = *rx
		addFrame(&m.sum, m.mixIn)
		rx = &m.sum
	}
	if m.call.Media().Codec.Name == "PCMA" {
		g711.EncodeAlaw(m.out[:], rx[:])
	} else {
		g711.EncodeUlaw(m.out[:], rx[:])
	}
	m.stream.Send(&m.out)
}

// toLine fills the frame that goes to the line: the call's audio, digits it
// received played as DTMF, and the local tone.
func (m *media) toLine(tx *hal.Frame) {
	*tx = hal.Frame{}
	if m.stream != nil {
		switch m.stream.Receive(&m.in) {
		case rtpstream.Audio:
			if m.call.Media().Codec.Name == "PCMA" {
				g711.DecodeAlaw(tx[:], m.in[:])
			} else {
				g711.DecodeUlaw(tx[:], m.in[:])
			}
		case rtpstream.Missing:
			if m.call.Media().Recv {
				m.missing++
			}
		}
		if m.mixIn != nil {
			m.net = *tx
		}
		for {
			ev, ok := m.call.Digit()
			if !ok {
				break
			}
			if !ev.End {
				m.keys.Queue(string(ev.Digit))
			}
		}
	}
	if m.keys.Busy() {
		m.keys.Read(m.mix[:])
		addFrame(tx, &m.mix)
	}
	if m.tone != nil {
		m.tone.Generate(m.mix[:])
		addFrame(tx, &m.mix)
	}
	if len(m.play) > 0 {
		n := copy(m.mix[:], m.play)
		clear(m.mix[n:])
		m.play = m.play[n:]
		addFrame(tx, &m.mix)
	}
}

func addFrame(dst, src *hal.Frame) {
	for i, s := range src {
		dst[i] = int16(max(-32768, min(32767, int32(dst[i])+int32(s))))
	}
}
