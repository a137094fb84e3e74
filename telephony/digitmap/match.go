package digitmap

// Status is what the digits dialled so far mean under a map.
type Status int

const (
	// NoMatch: no pattern matches the digits, however many more are
	// dialled. The line plays reorder tone.
	NoMatch Status = iota
	// Partial: the digits start at least one pattern but complete none;
	// keep collecting, and ask again with timedOut when the inter-digit
	// timer expires.
	Partial
	// Ambiguous: a pattern matches the digits and a longer one might
	// still; dial when the short inter-digit timer expires unless another
	// digit comes first.
	Ambiguous
	// Complete: dial the digits now.
	Complete
)

func (s Status) String() string {
	switch s {
	case NoMatch:
		return "no match"
	case Partial:
		return "partial"
	case Ambiguous:
		return "ambiguous"
	case Complete:
		return "complete"
	}
	return "unknown status"
}

// Match reports what the digits dialled so far (keys 0-9 * # A-D, A-D in
// either case) mean under m. timedOut says that the inter-digit timer
// expired after the last digit: the caller has stopped dialling, so the
// answer is Complete if a pattern matches the digits, with or without its T,
// and NoMatch otherwise. Without timedOut, a pattern ending in T only ever
// makes the answer Partial.
//
// Match does not allocate.
func (m *Map) Match(digits string, timedOut bool) Status {
	var whole, longer bool           // of patterns without T
	var wholeTimer, longerTimer bool // of patterns ending in T, before the T
	for i := range m.alts {
		a := &m.alts[i]
		w, l := a.match(digits)
		if a.timer {
			wholeTimer, longerTimer = wholeTimer || w, longerTimer || l
		} else {
			whole, longer = whole || w, longer || l
		}
	}
	switch {
	case timedOut && (whole || wholeTimer):
		return Complete
	case timedOut:
		return NoMatch
	case whole && longer:
		return Ambiguous
	case whole:
		return Complete
	case longer || wholeTimer || longerTimer:
		return Partial
	}
	return NoMatch
}

// match reports whether digits match the whole of a (leaving out its T) and
// whether more digits could follow them in a match.
func (a *alternative) match(digits string) (whole, longer bool) {
	state := a.skipRepeats(1)
	for i := 0; i < len(digits) && state != 0; i++ {
		sym := symbol(digits[i])
		if sym < 0 {
			return false, false
		}
		// An element that repeats may take the key and stay where it is;
		// any other moves on to the next element.
		took := state & a.accepts[sym]
		state = a.skipRepeats(took&a.repeats | (took&^a.repeats)<<1)
	}
	return state&a.end != 0, state&^a.end != 0
}

// skipRepeats adds to state the elements reached by repeating an element
// zero times.
func (a *alternative) skipRepeats(state uint64) uint64 {
	for {
		next := state | (state&a.repeats)<<1
		if next == state {
			return state
		}
		state = next
	}
}
