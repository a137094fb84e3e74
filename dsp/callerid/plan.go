package callerid

import (
	"fmt"
	"time"
)

// A Plan is the sequence of line actions that delivers a caller ID message:
// polarity reversals and rings for the line driver, pauses, and audio that
// this package generates. The telephony layer executes it step by step.
type Plan []Step

// A Step is one action of a Plan.
type Step struct {
	Kind     StepKind
	Duration time.Duration // how long; for StepAudio the audio's length
	Audio    []int16       // for StepAudio
}

// StepKind says what a Step asks of the line.
type StepKind int

const (
	StepReverse   StepKind = iota + 1 // reverse the line's polarity (again, to restore it)
	StepRingPulse                     // ring for Duration: the ring-pulse alerting signal
	StepFirstRing                     // ring the first burst of the line's ringing cadence
	StepPause                         // keep the line quiet for Duration
	StepAudio                         // play Audio
	StepAwaitAck                      // listen up to Duration for the ACK digit (AckDetector); without it, abandon the plan
	StepRinging                       // ring on with the line's cadence
)

func (k StepKind) String() string {
	switch k {
	case StepReverse:
		return "reverse"
	case StepRingPulse:
		return "ring-pulse"
	case StepFirstRing:
		return "first-ring"
	case StepPause:
		return "pause"
	case StepAudio:
		return "audio"
	case StepAwaitAck:
		return "await-ack"
	case StepRinging:
		return "ringing"
	}
	return fmt.Sprintf("StepKind(%d)", int(k))
}

// Alerting is how the exchange tells the phone that caller ID is coming.
type Alerting int

const (
	// AfterFirstRing sends the data in the silence after the first ring
	// (GR-30-CORE; EN 300 659-1 data associated with ringing; Brazil).
	AfterFirstRing Alerting = iota + 1
	// LineReversalDTAS reverses the line, then sends the DT-AS tone and the
	// data before the first ring (EN 300 659-1, as in the UK).
	LineReversalDTAS
	// DTAS sends the DT-AS tone and the data before the first ring.
	DTAS
	// RPAS sends a short ring pulse, then the data before the first ring.
	RPAS
	// LineReversal reverses the line and sends the data before the first
	// ring, restoring the polarity after it (DTMF caller ID).
	LineReversal
	// CallWaiting sends the data to a phone in a call (Type II): a CAS tone,
	// the phone's ACK digit, then FSK without channel seizure.
	CallWaiting
)

// Alert signal frequencies: DT-AS (EN 300 659-1) and the CAS of GR-30 are
// the same dual tone.
const (
	alertLow  = 2130.0
	alertHigh = 2750.0
)

// Timings of the plans; ranges are the standards' limits, values the
// middle-of-the-road choice.
const (
	reversalToAlert = 100 * time.Millisecond // line reversal to DT-AS: at least 100 ms
	dtasLen         = 100 * time.Millisecond // on-hook DT-AS: 100 ms
	casLen          = 80 * time.Millisecond  // off-hook CAS / DT-AS: 80 ms
	alertToData     = 60 * time.Millisecond  // DT-AS end to FSK: 45 to 500 ms
	ringPulseLen    = 250 * time.Millisecond // RP-AS: 200 to 300 ms
	pulseToData     = 650 * time.Millisecond // RP-AS end to FSK: 500 to 800 ms
	ringToData      = 500 * time.Millisecond // first ring end to data: at least 500 ms
	reversalToDTMF  = 250 * time.Millisecond // line reversal to DTMF: at least 200 ms
	dataToRing      = 300 * time.Millisecond // data end to first ring: at least 200 ms (DTMF: 200 to 500 ms)
	ackWait         = 160 * time.Millisecond // CAS end to ACK end, GR-30 and EN 300 659-2
	ackToData       = 60 * time.Millisecond  // ACK to FSK: 50 to 500 ms
)

// Plan returns the steps that deliver m with alerting a. A message-waiting
// message ends without ringing, and with the polarity restored if it was
// reversed.
func (g Generator) Plan(a Alerting, m Message) (Plan, error) {
	if a == CallWaiting {
		if !g.Standard.isFSK() {
			return nil, fmt.Errorf("%w: call-waiting caller ID is FSK", ErrFormat)
		}
		g.OffHook = true
	}
	if g.Standard.isDTMF() && a != AfterFirstRing && a != LineReversal && a != RPAS {
		return nil, fmt.Errorf("%w: DTMF caller ID is not sent after a DT-AS tone", ErrFormat)
	}
	data, err := g.Encode(m)
	if err != nil {
		return nil, err
	}
	call := m.VMWI == VMWINone
	audio := Step{Kind: StepAudio, Duration: samplesDuration(len(data)), Audio: data}
	var p Plan
	switch a {
	case AfterFirstRing:
		if !call {
			return nil, fmt.Errorf("%w: a message-waiting message is not sent with ringing", ErrFormat)
		}
		return Plan{{Kind: StepFirstRing}, pause(ringToData), audio, {Kind: StepRinging}}, nil
	case LineReversalDTAS:
		p = Plan{{Kind: StepReverse}, pause(reversalToAlert), g.alert(dtasLen), pause(alertToData), audio}
	case DTAS:
		p = Plan{g.alert(dtasLen), pause(alertToData), audio}
	case RPAS:
		p = Plan{{Kind: StepRingPulse, Duration: ringPulseLen}, pause(pulseToData), audio}
	case LineReversal:
		p = Plan{{Kind: StepReverse}, pause(reversalToDTMF), audio, pause(dataToRing), {Kind: StepReverse}}
		if call {
			p = append(p, Step{Kind: StepRinging})
		}
		return p, nil
	case CallWaiting:
		return Plan{g.alert(casLen), {Kind: StepAwaitAck, Duration: ackWait}, pause(ackToData), audio}, nil
	default:
		return nil, fmt.Errorf("callerid: unknown alerting %d", a)
	}
	switch {
	case call:
		p = append(p, pause(dataToRing), Step{Kind: StepRinging})
	case a == LineReversalDTAS:
		p = append(p, Step{Kind: StepReverse})
	}
	return p, nil
}

// alert returns the DT-AS (or CAS) dual tone, each tone at g's level.
func (g Generator) alert(d time.Duration) Step {
	return Step{Kind: StepAudio, Duration: d, Audio: dualTone(alertLow, alertHigh, g.amplitude(), int(d/time.Millisecond))}
}

func pause(d time.Duration) Step { return Step{Kind: StepPause, Duration: d} }

func samplesDuration(n int) time.Duration {
	return time.Duration(n) * time.Second / SampleRate
}

// Audio returns the plan as one stream of audio, with silence for pauses,
// ring steps and the ACK wait (ringing the line is not audio, and
// StepFirstRing and StepRinging have no fixed length, so they count as
// nothing). It is for tools and tests; a line executes the steps.
func (p Plan) Audio() []int16 {
	var out []int16
	for _, s := range p {
		switch s.Kind {
		case StepAudio:
			out = append(out, s.Audio...)
		case StepPause, StepRingPulse, StepAwaitAck:
			out = append(out, make([]int16, int(s.Duration*SampleRate/time.Second))...)
		}
	}
	return out
}
