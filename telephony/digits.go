package telephony

import (
	"time"

	"tipring/telephony/digitmap"
)

// DigitTimeouts are how long a line collecting a number waits for a key.
// A zero field takes its default.
type DigitTimeouts struct {
	First    time.Duration // dial tone without a digit, then reorder (16 s)
	Inter    time.Duration // after a digit, while the number is incomplete (10 s)
	Critical time.Duration // after a digit, when the number may be complete: a digit map's T (4 s)
}

// Defaults as AudioCodes and Cisco SPA boxes ship them.
const (
	defaultFirstDigit = 16 * time.Second
	defaultInterDigit = 10 * time.Second
	defaultCritical   = 4 * time.Second
)

func (t DigitTimeouts) first() time.Duration { return orDefault(t.First, defaultFirstDigit) }

// after is how long to wait for the key after digits: the critical timeout
// when stopping there would dial them, else the inter-digit one.
func (t DigitTimeouts) after(plan *digitmap.Map, digits string) time.Duration {
	if plan.Match(digits, true) == digitmap.Complete {
		return orDefault(t.Critical, defaultCritical)
	}
	return orDefault(t.Inter, defaultInterDigit)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
