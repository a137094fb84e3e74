package rtpstream

import (
	"errors"
	"fmt"
	"sync"
)

// ErrNoPorts is returned when every port pair of a PortRange is in use.
var ErrNoPorts = errors.New("rtpstream: no free RTP port in range")

// A PortRange hands out UDP port pairs for RTP sessions from a configured
// range: an even port for RTP and the odd port above it for RTCP (RFC 3550
// section 11). One PortRange is shared by all calls; it is safe for
// concurrent use.
//
// Ports are handed out round robin, so a port just released is seldom the
// next one handed out, and stray packets of a finished call seldom reach
// the next.
type PortRange struct {
	first int // the lowest even port

	mu    sync.Mutex
	inUse []bool // indexed by (port-first)/2
	next  int    // index to try first
}

// NewPortRange returns the port pairs whose both ports lie in first..last.
func NewPortRange(first, last int) (*PortRange, error) {
	if first < 1 || last > 65535 || first > last {
		return nil, fmt.Errorf("rtpstream: port range %d-%d is not within 1-65535", first, last)
	}
	first += first % 2
	pairs := (last - first + 1) / 2
	if pairs < 1 {
		return nil, fmt.Errorf("rtpstream: port range %d-%d holds no even/odd port pair", first, last)
	}
	return &PortRange{first: first, inUse: make([]bool, pairs)}, nil
}

// Len returns how many port pairs the range holds.
func (r *PortRange) Len() int { return len(r.inUse) }

// Allocate returns a free even port, its RTCP port being one above, and
// marks the pair in use until Release. It returns ErrNoPorts when every
// pair is in use.
func (r *PortRange) Allocate() (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range r.inUse {
		i := r.next
		r.next = (r.next + 1) % len(r.inUse)
		if !r.inUse[i] {
			r.inUse[i] = true
			return r.first + 2*i, nil
		}
	}
	return 0, ErrNoPorts
}

// Release returns a port that Allocate gave out. Releasing a port that is
// not in use, or not of this range, does nothing.
func (r *PortRange) Release(port int) {
	if port < r.first || port%2 != 0 || (port-r.first)/2 >= len(r.inUse) {
		return
	}
	i := (port - r.first) / 2
	r.mu.Lock()
	r.inUse[i] = false
	r.mu.Unlock()
}
