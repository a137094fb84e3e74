package rtpstream

import (
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"tipring/sipua/telephoneevent"
)

// rtpHeaderSize is the size of the RTP headers we send: no CSRCs, no
// extension.
const rtpHeaderSize = 12

// A datagram is one RTP packet on its way from the frame loop to the
// writer goroutine. It travels by value, so the queue allocates nothing.
type datagram struct {
	n     int
	frame uint32 // RTP timestamp of the frame it was sent for
	b     [rtpHeaderSize + FrameSize]byte
}

// transmitter is the frame loop's sending state.
type transmitter struct {
	seq    uint16
	ts     uint32 // RTP timestamp of the next frame
	marker bool   // the next audio packet starts a talk spurt
	digits digitSender
}

// Send sends one 20 ms frame of audio coded with the negotiated payload
// type, or in its place the packets of the DTMF event in progress. It is
// called once a frame even when nothing is to be sent (on hold, before
// SetRemote), so that the RTP timestamp keeps time. It never blocks: when
// the network falls behind, the packet is dropped and counted.
func (s *Stream) Send(frame *[FrameSize]byte) {
	if s.closed.Load() {
		return
	}
	tx := &s.tx
	ts := tx.ts
	tx.ts += FrameSize
	cfg := s.send.Load()
	if cfg == nil || !cfg.send {
		tx.digits.reset()
		tx.marker = true
		return
	}
	if cfg.eventPayloadType == 0 {
		tx.digits.reset()
	}
	if pkts, n := tx.digits.tick(ts); n > 0 {
		// RFC 4733: no audio while an event is sent.
		for i := range n {
			var payload [telephoneevent.Size]byte
			pkts[i].event.MarshalTo(payload[:])
			s.queue(cfg.eventPayloadType, pkts[i].marker, pkts[i].ts, ts, payload[:])
		}
		tx.marker = true
		return
	}
	s.queue(cfg.payloadType, tx.marker, ts, ts, frame[:])
	tx.marker = false
}

// StartDigit starts sending digit (0-9 * # A-D) as RFC 4733 events from
// the next frame on; they go on until StopDigit. A digit started while
// another is sent ends that one first.
func (s *Stream) StartDigit(digit byte) error {
	code, ok := telephoneevent.Code(digit)
	if !ok {
		return ErrNotDigit
	}
	if cfg := s.send.Load(); cfg == nil || cfg.eventPayloadType == 0 {
		return ErrNoTelephoneEvent
	}
	s.tx.digits.press(code)
	return nil
}

// StopDigit ends the digit being sent: its end packet goes out with the
// next frame, and twice more with the two after.
func (s *Stream) StopDigit() { s.tx.digits.release() }

// queue hands one packet to the writer goroutine, or drops it when the
// queue is full. The sequence number is spent either way, so the remote
// sees the drop as loss.
func (s *Stream) queue(pt uint8, marker bool, ts, frame uint32, payload []byte) {
	h := rtp.Header{
		Version:        2,
		Marker:         marker,
		PayloadType:    pt,
		SequenceNumber: s.tx.seq,
		Timestamp:      ts,
		SSRC:           s.ssrc,
	}
	s.tx.seq++
	var d datagram
	n, _ := h.MarshalTo(d.b[:]) // cannot fail: d.b has room for the header and more
	d.n = n + copy(d.b[n:], payload)
	d.frame = frame
	select {
	case s.out <- d:
	default:
		s.sendOverflow.Add(1)
	}
}

// sendCounts is what the writer goroutine keeps for sender reports.
type sendCounts struct {
	packets, octets uint32 // RFC 3550 6.4.1 sender's packet and octet counts
	lastFrame       uint32 // RTP timestamp of the frame last sent for
	lastAt          time.Time
	atReport        [2]uint32 // packets at the last report and at the one before
}

// writeLoop writes queued packets and sends RTCP reports until Close,
// then a last report with a BYE.
func (s *Stream) writeLoop() {
	defer close(s.writerDone)
	timer := time.NewTimer(s.rtcpDelay(true))
	defer timer.Stop()
	for {
		select {
		case d := <-s.out:
			s.write(&d)
		case <-timer.C:
			s.sendReport(false)
			timer.Reset(s.rtcpDelay(false))
		case <-s.done:
			s.sendReport(true)
			return
		}
	}
}

// write sends one datagram to where RTP goes now.
func (s *Stream) write(d *datagram) {
	s.mu.Lock()
	dst := s.rtpDestination()
	var pkt []byte
	var err error
	if dst.IsValid() {
		pkt, err = s.srtp.protectRTP(d.b[:d.n])
	}
	s.mu.Unlock()
	if !dst.IsValid() {
		return
	}
	if err == nil {
		_, err = s.rtp.WriteToUDPAddrPort(pkt, dst)
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.stats.SendErrors++
		return
	}
	s.sent.packets++
	s.sent.octets += uint32(d.n - rtpHeaderSize)
	s.sent.lastFrame, s.sent.lastAt = d.frame, now
	s.stats.PacketsSent++
	s.stats.BytesSent += uint64(d.n - rtpHeaderSize)
}

// rtpDestination is the latched source address, else the SDP's; s.mu is
// held.
func (s *Stream) rtpDestination() netip.AddrPort {
	if s.latched.IsValid() {
		return s.latched
	}
	if !s.remote.Addr.IsValid() || s.remote.Addr.Addr().IsUnspecified() {
		return netip.AddrPort{}
	}
	return s.remote.Addr
}
