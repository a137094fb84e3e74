package tone

import (
	"slices"
	"strings"
)

// Kind names one of the tones of a Plan.
type Kind int

// The tones every Plan has.
const (
	Dial        Kind = iota // the line is ready for dialling
	Ringback                // the called party is being rung
	Busy                    // the called party is busy
	Congestion              // the network cannot complete the call (reorder, fast busy)
	CallWaiting             // another call is waiting, heard during a call
	StutterDial             // dial tone that starts with short bursts: messages are waiting
	SIT                     // special information tone, ahead of an announcement
	numKinds
)

var kindNames = [numKinds]string{"dial", "ringback", "busy", "congestion", "callwaiting", "stutter", "sit"}

func (k Kind) String() string {
	if k < 0 || k >= numKinds {
		return "unknown"
	}
	return kindNames[k]
}

// Kinds returns every Kind, in declaration order.
func Kinds() []Kind {
	ks := make([]Kind, numKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// ParseKind returns the Kind whose String is name.
func ParseKind(name string) (Kind, bool) {
	i := slices.Index(kindNames[:], strings.ToLower(name))
	return Kind(i), i >= 0
}

// A Segment is one step of a tone's cadence.
type Segment struct {
	Ms    int       // duration; 0 means the segment lasts for ever
	Freqs []float64 // Hz; the sines are summed, each at the tone's level. None: silence
	AM    float64   // Hz; when set, the sum is amplitude-modulated at this rate (depth AMDepth)
	Gain  float64   // dB added to the tone's level for this segment only
}

// AMDepth is the modulation depth of segments with AM set.
const AMDepth = 0.5

// A Tone is a cadence: its segments play in order, then repeat from
// Segments[Loop] (0 for an ordinary cadence, later for tones that start
// with a preamble such as stutter dial tone).
type Tone struct {
	Level    float64 // dBm0 of each frequency component
	Segments []Segment
	Loop     int
}

// Plan is one country's call-progress tones and the ringing cadence its
// phones expect.
type Plan struct {
	Country string // ISO 3166-1 alpha-2 code, or "ITU" for the E.180 recommendation
	Name    string

	Dial, Ringback, Busy, Congestion, CallWaiting, StutterDial, SIT Tone

	// Ring is the ringing voltage cadence an FXS port applies: on and off
	// durations in ms, alternating and repeating, starting with on.
	Ring []int
}

// Tone returns the plan's tone of kind k, or nil for an unknown kind.
func (p *Plan) Tone(k Kind) *Tone {
	switch k {
	case Dial:
		return &p.Dial
	case Ringback:
		return &p.Ringback
	case Busy:
		return &p.Busy
	case Congestion:
		return &p.Congestion
	case CallWaiting:
		return &p.CallWaiting
	case StutterDial:
		return &p.StutterDial
	case SIT:
		return &p.SIT
	}
	return nil
}

// Lookup returns the plan of a country by its ISO 3166-1 alpha-2 code (any
// case; "UK" is accepted for GB), or the ITU default for "ITU".
func Lookup(country string) (*Plan, bool) {
	c := strings.ToUpper(country)
	if c == "UK" {
		c = "GB"
	}
	for i := range plans {
		if plans[i].Country == c {
			return &plans[i], true
		}
	}
	return nil, false
}

// Countries returns the codes Lookup knows, sorted, "ITU" included.
func Countries() []string {
	cs := make([]string, len(plans))
	for i, p := range plans {
		cs[i] = p.Country
	}
	slices.Sort(cs)
	return cs
}
