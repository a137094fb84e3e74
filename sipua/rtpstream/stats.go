package rtpstream

import (
	"net/netip"
	"time"

	"tipring/dsp/jitter"
)

// Stats counts a stream's traffic since Open. Lost and Jitter are about
// the remote's current SSRC, and start again when it changes.
type Stats struct {
	PacketsSent uint64 // RTP packets written
	BytesSent   uint64 // their payload bytes

	PacketsReceived uint64 // RTP packets accepted from the remote: audio, comfort noise, events
	BytesReceived   uint64 // their payload bytes
	// Lost is the RFC 3550 cumulative number of packets lost: those
	// expected from the sequence numbers, less those received.
	Lost int64
	// Jitter is the RFC 3550 interarrival jitter of the remote's packets.
	Jitter       time.Duration
	Late         uint64 // packets older than one received before; late audio is dropped
	Duplicates   uint64 // packets received twice; dropped
	ComfortNoise uint64 // comfort noise packets, also counted in PacketsReceived
	Stray        uint64 // packets from an address other than the latched one; dropped
	Invalid      uint64 // datagrams that are not RTP of a negotiated payload type; dropped
	// SRTPFailed counts SRTP and SRTCP packets that did not authenticate,
	// were replays or were not SRTP at all; dropped.
	SRTPFailed      uint64
	SendOverflow    uint64 // packets dropped because the network fell behind Send
	ReceiveOverflow uint64 // digits dropped because the engine fell behind
	SendErrors      uint64 // RTP and RTCP packets the socket refused

	// Playout is the jitter buffer's account of the received audio: its
	// delay, and the frames it played, concealed and discarded.
	Playout jitter.Counters

	// Latched is the address the remote's RTP comes from, where ours goes;
	// zero until the first packet arrives.
	Latched netip.AddrPort

	// RTT is the round-trip time, from the last RTCP report block that
	// allowed measuring it; 0 until one did.
	RTT time.Duration
	// What the remote last reported about our packets.
	RemoteLost         int64
	RemoteFractionLost float64 // lost since its previous report, 0 to 1
	RemoteJitter       time.Duration
}

// Stats returns the stream's counters.
func (s *Stream) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.SendOverflow = s.sendOverflow.Load()
	st.Latched = s.latched
	st.Playout = s.playout.Counters()
	st.Lost = s.src.seq.lost()
	st.Jitter = time.Duration(s.src.seq.jitter * float64(time.Second) / clockRate)
	return st
}
