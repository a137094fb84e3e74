package telephony

import (
	"tipring/dsp/dtmf"
	"tipring/dsp/echo"
	"tipring/dsp/g711"
	"tipring/dsp/plc"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/rtpstream"
)

// media is a line's audio in the frame loop: the line's samples go to the
// call's RTP stream, the stream's to the line, with the line's own tones and
// DTMF mixed in. The line's echo of what it is sent is cancelled on the way
// out, and packets lost on the way in are concealed. It never allocates
// but when a tone starts.
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

	voice   Voice
	echo    *echo.Canceller // nil: off
	played  hal.Frame       // what went to the line last: the echo's source
	clean   hal.Frame       // the line's frame with the echo taken out
	conceal plc.Concealer
	missing int64 // frames due from RTP that did not come

	// untilAudio: the local tone (ringback) gives way to the call's audio
	// once some arrives, for early media that is only a promise.
	untilAudio bool
	// netTone is a tone the call hears instead of the line: ringback
	// while an FXS phone rings for a caller who takes early media.
	netTone *tone.Generator
}

// quality reports the concealed frames and the echo canceller's ERLE.
func (m *media) quality() quality {
	q := quality{concealed: m.missing}
	if m.echo != nil {
		q.erle = m.echo.ERLE()
	}
	return q
}

// newMedia returns a line's media with voice processing v, which New has
// checked.
func newMedia(tones *tone.Plan, v Voice) media {
	g, err := dtmf.NewGenerator(dtmf.DefaultGenOpts)
	if err != nil {
		panic(err) // the default options are valid
	}
	m := media{keypad: dtmf.NewDetector(dtmf.ATT), keys: g, tones: tones, voice: v}
	if v.EchoTail != 0 {
		if m.echo, err = echo.New(echo.Config{Tail: v.EchoTail}); err != nil {
			panic(err) // New checked the tail
		}
	}
	return m
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

func (m *media) stopTone() { m.tone, m.howl, m.untilAudio = nil, false, false }

// ringbackUntilAudio plays ringback to the line until the call's audio
// comes: a 183 with SDP promises early media that many servers never
// send, and the caller should not hear silence meanwhile.
func (m *media) ringbackUntilAudio() {
	m.setTone(tone.Ringback)
	m.untilAudio = true
}

// howler is the receiver off-hook tone (Telcordia GR-506): four tones
// pulsed 10 times a second, loud enough to be heard with the handset down.
var howler = tone.Tone{Level: -10, Segments: []tone.Segment{
	{Ms: 100, Freqs: []float64{1400, 2060, 2450, 2600}},
	{Ms: 100},
}}

// attach makes the line carry c's audio.
func (m *media) attach(c *sipua.Call) {
	if m.call != c && m.echo != nil {
		m.echo.Reset() // a new far end, and on FXO a new PSTN path
	}
	if m.call != c {
		m.conceal = plc.Concealer{}
	}
	m.call, m.stream = c, c.Stream()
	m.relay, m.netTone = 0, nil
	m.stream.Flush() // what came while the line did not listen is stale
	if min, max := m.voice.JitterMin, m.voice.JitterMax; min != 0 || max != 0 {
		m.stream.SetPlayout(min, max) // New checked the limits
	}
}

// toNet sends tone k to call c in place of the line's audio: ringback
// while the phone rings, for a caller that takes early media.
func (m *media) toNet(c *sipua.Call, k tone.Kind) {
	if m.call != c {
		m.attach(c)
	}
	if m.netTone == nil {
		m.netTone = tone.NewGenerator(m.tones.Tone(k))
	}
	m.netTone.Generate(m.sum[:])
	m.encode(&m.sum)
	m.stream.Send(&m.out)
}

// detach stops carrying a call's audio.
func (m *media) detach() {
	if m.relay != 0 && m.stream != nil {
		m.stream.StopDigit()
	}
	m.call, m.stream, m.relay, m.netTone = nil, nil, 0, nil
}

// fromLine takes one frame the line sent: in a call its echo is
// cancelled, then it feeds the DTMF detector and goes to the stream. Digits
// detected are left in heard, and in a call relayed as RFC 4733 events when
// the peer takes them. It returns the frame without its echo.
func (m *media) fromLine(rx *hal.Frame) *hal.Frame {
	if m.echo != nil && m.stream != nil {
		m.echo.Process(m.clean[:], rx[:], m.played[:]) // cannot fail: whole blocks
		rx = &m.clean
	}
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
		return rx
	}
	clean := rx
	if m.mixIn != nil {
		m.sum = *rx
		addFrame(&m.sum, m.mixIn)
		rx = &m.sum
	}
	m.encode(rx)
	m.stream.Send(&m.out)
	return clean
}

// encode codes a frame for the call into m.out.
func (m *media) encode(f *hal.Frame) {
	if m.call.Media().Codec.Name == "PCMA" {
		g711.EncodeAlaw(m.out[:], f[:])
	} else {
		g711.EncodeUlaw(m.out[:], f[:])
	}
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
			if m.untilAudio {
				m.stopTone()
			}
			m.conceal.Good(tx[:]) // cannot fail: whole blocks
		case rtpstream.Missing:
			if m.call.Media().Recv {
				m.missing++
			}
			if !m.voice.NoPLC {
				m.conceal.Lost(tx[:])
			}
		default:
			m.conceal.Good(tx[:]) // silence, through the concealer's delay line
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

// sentToLine keeps the frame that went to the line, all of it, as what
// the line's echo is made from.
func (m *media) sentToLine(tx *hal.Frame) {
	if m.echo != nil {
		m.played = *tx
	}
}

func addFrame(dst, src *hal.Frame) {
	for i, s := range src {
		dst[i] = int16(max(-32768, min(32767, int32(dst[i])+int32(s))))
	}
}
