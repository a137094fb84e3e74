package callerid

import "fmt"

// Standard is the physical layer of a caller ID signal.
type Standard int

const (
	Bell202     Standard = iota + 1 // Bell 202 FSK, Telcordia GR-30-CORE
	V23                             // V.23 FSK, ETSI EN 300 659
	DTMF                            // DTMF, ETSI: A number C
	DTMFDenmark                     // DTMF, Danish: A number #
	DTMFIndia                       // DTMF, Indian: D number C after a line reversal
	DTMFBrazil                      // DTMF, Brazilian: A number C after the first ring
)

var standardNames = [...]string{
	Bell202:     "bell202",
	V23:         "v23",
	DTMF:        "dtmf",
	DTMFDenmark: "dtmf-dk",
	DTMFIndia:   "dtmf-in",
	DTMFBrazil:  "dtmf-br",
}

func (s Standard) String() string {
	if s > 0 && int(s) < len(standardNames) {
		return standardNames[s]
	}
	return fmt.Sprintf("Standard(%d)", int(s))
}

// ParseStandard returns the Standard named by s ("bell202", "v23", "dtmf",
// "dtmf-dk", "dtmf-in", "dtmf-br").
func ParseStandard(s string) (Standard, error) {
	for i, n := range standardNames {
		if n != "" && n == s {
			return Standard(i), nil
		}
	}
	return 0, fmt.Errorf("callerid: unknown standard %q", s)
}

func (s Standard) isFSK() bool { return s == Bell202 || s == V23 }

func (s Standard) isDTMF() bool { return s >= DTMF && s <= DTMFBrazil }

// Encode returns the audio of m at DefaultLevel, sent on hook: for FSK,
// channel seizure, marks and the message; for DTMF, the digit string.
func (s Standard) Encode(m Message) ([]int16, error) {
	return Generator{Standard: s}.Encode(m)
}
