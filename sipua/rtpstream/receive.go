package rtpstream

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"tipring/dsp/jitter"
	"tipring/sipua/telephoneevent"
)

// FrameKind says what Receive found.
type FrameKind uint8

const (
	// Missing means the frame due has not arrived (lost, or later than the
	// jitter buffer waits): the engine conceals the gap.
	Missing FrameKind = iota
	// Audio means the frame holds 20 ms coded with the negotiated codec.
	Audio
	// Silence means no audio is due: the remote sends comfort noise (RFC
	// 3389), has paused, or has not started. The engine plays silence or
	// noise; the frame holds no audio.
	Silence
)

// minSequential is how many packets in sequence a new source at a new
// address must send before the latch moves to it (RFC 3550 A.1 asks as
// much of a new source).
const minSequential = 2

// source is what the receiver keeps about the remote's synchronization
// source.
type source struct {
	known    bool
	ssrc     uint32
	seq      reception
	heard    bool      // a packet arrived since the last report
	lastSR   uint32    // middle 32 bits of the NTP time of its last SR
	lastSRAt time.Time // when that SR arrived
	digits   digitReceiver
}

// candidate is a new source at an address other than the latched one.
type candidate struct {
	addr netip.AddrPort
	ssrc uint32
	seq  uint16 // its last sequence number
	n    int    // how many packets it sent in sequence
}

// reframer cuts audio payloads that are not whole 20 ms frames (10 or
// 30 ms packets, say) into FrameSize frames for the jitter buffer, which
// knows them by a sequence number of their own.
type reframer struct {
	frame   [FrameSize]byte
	n       int    // bytes in frame
	ts      uint32 // timestamp of frame's first sample
	seq     uint16 // sequence number of the last frame put
	nextSeq uint16 // sequence number of the packet that continues frame
}

// Receive takes the frame due at this tick of the playout clock from the
// jitter buffer: call it once every 20 ms. It waits at most for the
// receiver goroutine to file a packet, never for the network.
func (s *Stream) Receive(frame *[FrameSize]byte) FrameKind {
	s.mu.Lock()
	r := s.playout.Get(frame)
	s.mu.Unlock()
	switch {
	case r == jitter.Audio:
		return Audio
	case r == jitter.Missing && !s.silent.Load():
		return Missing
	}
	return Silence
}

// Digit returns the next DTMF digit event received; ok is false when there
// is none. It never blocks.
func (s *Stream) Digit() (ev DigitEvent, ok bool) {
	select {
	case ev = <-s.digits:
		return ev, true
	default:
		return ev, false
	}
}

func (s *Stream) readRTPLoop() {
	defer s.readers.Done()
	var buf [1500]byte
	for {
		n, from, err := s.rtp.ReadFromUDPAddrPort(buf[:])
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err == nil {
			s.receive(buf[:n], from, time.Now())
		}
	}
}

// receive handles one datagram that arrived on the RTP port.
func (s *Stream) receive(b []byte, from netip.AddrPort, now time.Time) {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.srtp.unprotectRTP(b)
	if err != nil {
		s.stats.SRTPFailed++
		return
	}
	p := &s.rxPacket
	if err := p.Unmarshal(b); err != nil || p.Version != 2 {
		s.stats.Invalid++
		return
	}
	r := &s.remote
	audio := p.PayloadType == r.PayloadType
	event := r.EventPayloadType != 0 && p.PayloadType == r.EventPayloadType
	noise := p.PayloadType == comfortNoiseType
	if !r.Addr.IsValid() || !audio && !event && !noise || event && len(p.Payload) < telephoneevent.Size {
		s.stats.Invalid++
		return
	}
	if !s.admit(from, p) {
		s.stats.Stray++
		return
	}
	src := &s.src
	verdict := src.seq.update(p.SequenceNumber)
	switch verdict {
	case seqDuplicate:
		s.stats.Duplicates++
		return
	case seqJump:
		s.stats.Invalid++
		return
	case seqLate:
		s.stats.Late++
	}
	s.stats.PacketsReceived++
	s.stats.BytesReceived += uint64(len(p.Payload))
	src.heard = true
	s.lastActive = now
	if !event {
		// An event's timestamp is when it began, not when it was sent:
		// it says nothing about jitter.
		src.seq.arrived(uint32(now.Sub(s.epoch)/(time.Second/clockRate)), p.Timestamp)
	}
	if noise {
		s.stats.ComfortNoise++
	}
	if !s.receiving {
		return
	}
	switch {
	case event:
		s.receiveEvent(p, now)
	case noise:
		if verdict != seqLate {
			s.reframe.n = 0
			s.silent.Store(true)
		}
	default:
		if verdict != seqLate {
			s.silent.Store(false)
		}
		s.receiveAudio(p, verdict == seqLate, now.Sub(s.epoch))
	}
}

// admit applies latching (RFC 7362) for symmetric RTP (RFC 4961): the
// first packet of a negotiated type latches its source address, and RTP is
// sent there from then on. Packets from elsewhere are dropped, unless a
// new SSRC sends minSequential packets in sequence from one place, which
// then wins the latch. s.mu is held.
func (s *Stream) admit(from netip.AddrPort, p *rtp.Packet) bool {
	switch {
	case !s.latched.IsValid():
		s.latch(from, p.SSRC)
		return true
	case from == s.latched:
		if p.SSRC != s.src.ssrc {
			s.newSource(p.SSRC)
		}
		return true
	case p.SSRC == s.src.ssrc:
		return false
	}
	c := &s.cand
	if c.addr == from && c.ssrc == p.SSRC && c.seq+1 == p.SequenceNumber {
		c.seq++
		c.n++
	} else {
		*c = candidate{addr: from, ssrc: p.SSRC, seq: p.SequenceNumber, n: 1}
	}
	if c.n < minSequential {
		return false
	}
	s.latch(from, p.SSRC)
	return true
}

// latch moves the latch to a source. s.mu is held.
func (s *Stream) latch(from netip.AddrPort, ssrc uint32) {
	if from != s.latched {
		s.rtcpLatched = netip.AddrPort{}
	}
	s.latched, s.cand = from, candidate{}
	if !s.src.known || ssrc != s.src.ssrc {
		s.newSource(ssrc)
	}
}

// newSource forgets the old source for a new one. s.mu is held.
func (s *Stream) newSource(ssrc uint32) {
	if s.src.digits.active() {
		s.pushDigit(s.src.digits.end())
	}
	s.src = source{known: true, ssrc: ssrc}
	s.reframe.n = 0
}

// receiveAudio puts the frames of an audio payload in the jitter buffer,
// which puts reordered packets back in order. s.mu is held.
func (s *Stream) receiveAudio(p *rtp.Packet, late bool, arrival time.Duration) {
	if len(p.Payload)%FrameSize == 0 {
		s.playout.Put(jitter.Packet{ // it counts what it refuses
			SSRC: p.SSRC, Sequence: p.SequenceNumber, Timestamp: p.Timestamp,
			Marker: p.Marker, Arrival: arrival, Payload: p.Payload,
		})
		return
	}
	if late {
		return // too late to join the frame it began
	}
	rf := &s.reframe
	if p.SequenceNumber != rf.nextSeq {
		rf.n = 0 // a gap: the partial frame has nothing to join
	}
	rf.nextSeq = p.SequenceNumber + 1
	payload, ts := p.Payload, p.Timestamp
	for len(payload) > 0 {
		if rf.n == 0 {
			rf.ts = ts
		}
		c := copy(rf.frame[rf.n:], payload)
		rf.n += c
		payload, ts = payload[c:], ts+uint32(c)
		if rf.n == FrameSize {
			rf.seq++
			s.playout.Put(jitter.Packet{
				SSRC: p.SSRC, Sequence: rf.seq, Timestamp: rf.ts,
				Marker: p.Marker && rf.ts == p.Timestamp, Arrival: arrival, Payload: rf.frame[:],
			})
			rf.n = 0
		}
	}
}

// receiveEvent passes a telephone-event packet to the digit receiver.
// s.mu is held.
func (s *Stream) receiveEvent(p *rtp.Packet, now time.Time) {
	var ev telephoneevent.Event
	ev.Unmarshal(p.Payload) // cannot fail: receive checked the length
	out, n := s.src.digits.packet(p.Timestamp, p.Marker, ev, now)
	for _, d := range out[:n] {
		s.pushDigit(d)
	}
	if s.src.digits.active() {
		s.armDigitTimer(digitEndTimeout)
	}
}

// pushDigit queues a digit event for Digit, or drops it when the queue is
// full. s.mu is held.
func (s *Stream) pushDigit(ev DigitEvent) {
	select {
	case s.digits <- ev:
	default:
		s.stats.ReceiveOverflow++
	}
}

// armDigitTimer makes sure checkDigit runs within d. s.mu is held.
func (s *Stream) armDigitTimer(d time.Duration) {
	if s.digitArmed || s.closing {
		return
	}
	if s.digitTimer == nil {
		s.digitTimer = time.AfterFunc(d, s.checkDigit)
	} else {
		s.digitTimer.Reset(d)
	}
	s.digitArmed = true
}

// checkDigit ends a received event whose end packets were all lost.
func (s *Stream) checkDigit() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.digitArmed = false
	if s.closing {
		return
	}
	ev, ended, wait := s.src.digits.expire(time.Now())
	if ended {
		s.pushDigit(ev)
	} else if wait > 0 {
		s.armDigitTimer(wait)
	}
}
