package rtpstream

import (
	"fmt"
	"time"

	"tipring/dsp/jitter"
)

// SetPlayout sets the jitter buffer's delay limits, for a line whose
// network wants others than the stream was opened with. New limits start
// an empty buffer; the same limits change nothing.
func (s *Stream) SetPlayout(min, max time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jitterCfg.Min == min && s.jitterCfg.Max == max {
		return nil
	}
	c := s.jitterCfg
	c.Min, c.Max = min, max
	b, err := jitter.New(c)
	if err != nil {
		return fmt.Errorf("rtpstream: %w", err)
	}
	s.playout, s.jitterCfg = b, c
	return nil
}

// Flush drops the received audio still waiting to be played, for a frame
// loop that starts reading a stream it left unread, such as the call of a
// phone that rang while early media came in: what queued meanwhile is
// stale, and would only delay what follows.
func (s *Stream) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.playout.Flush()
	s.reframe.n = 0
}
