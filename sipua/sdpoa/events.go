package sdpoa

import (
	"strconv"
	"strings"
)

// eventSet is a set of RFC 4733 event codes, 0 to 255.
type eventSet [4]uint64

// dtmfEvents are the events we send and understand: the sixteen DTMF
// digits 0-9, *, #, A-D (RFC 4733 §3.2).
var dtmfEvents = func() (s eventSet) {
	for e := range 16 {
		s.add(e)
	}
	return s
}()

func (s *eventSet) add(e int)      { s[e>>6] |= 1 << (e & 63) }
func (s *eventSet) has(e int) bool { return s[e>>6]&(1<<(e&63)) != 0 }
func (s eventSet) empty() bool     { return s == eventSet{} }
func (s eventSet) and(t eventSet) eventSet {
	for i := range s {
		s[i] &= t[i]
	}
	return s
}

// parseEvents reads the events parameter of telephone-event's fmtp: a
// comma-separated list of codes and ranges such as "0-15,66,70"
// (RFC 4733 §7.1.1).
func parseEvents(list string) (eventSet, bool) {
	var s eventSet
	for item := range strings.SplitSeq(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(item), "-")
		first, err := strconv.ParseUint(lo, 10, 8)
		if err != nil {
			return s, false
		}
		last := first
		if isRange {
			if last, err = strconv.ParseUint(hi, 10, 8); err != nil || last < first {
				return s, false
			}
		}
		for e := first; e <= last; e++ {
			s.add(int(e))
		}
	}
	return s, true
}

// String writes s as an events list, ranges collapsed: "0-11,16".
func (s eventSet) String() string {
	var b []byte
	for e := 0; e < 256; e++ {
		if !s.has(e) {
			continue
		}
		first := e
		for e+1 < 256 && s.has(e+1) {
			e++
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(first), 10)
		if e > first {
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(e), 10)
		}
	}
	return string(b)
}
