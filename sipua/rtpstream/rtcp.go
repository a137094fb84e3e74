package rtpstream

import (
	"errors"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtcp"
)

// ntpEpochOffset is the number of seconds from 1900, the NTP epoch, to
// 1970, the Unix one.
const ntpEpochOffset = 2208988800

// ntpTime returns t as a 64-bit NTP timestamp: seconds since 1900 in the
// high half, the fraction in the low.
func ntpTime(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// ntpShort returns the middle 32 bits of t's NTP timestamp, the form of
// LSR in reception reports: seconds and fraction in units of 1/65536 s.
func ntpShort(t time.Time) uint32 { return uint32(ntpTime(t) >> 16) }

// shortDuration converts a duration in units of 1/65536 s to a Duration.
func shortDuration(u uint32) time.Duration {
	return time.Duration(u) * time.Second >> 16
}

// rtcpDelay returns the time to the next report: the interval randomised
// over half to one and a half times itself (RFC 3550 6.3.1), and for the
// first report half of that (6.2), so a new participant reports soon.
func (s *Stream) rtcpDelay(first bool) time.Duration {
	t := float64(s.opts.RTCPInterval) * (0.5 + mrand.Float64())
	if first {
		t /= 2
	}
	return time.Duration(t)
}

// sendReport sends a compound RTCP packet: SR or RR, SDES with our CNAME
// (RFC 3550 6.1), and a BYE when the stream is closing.
func (s *Stream) sendReport(bye bool) {
	s.mu.Lock()
	dst := s.rtcpDestination()
	if !dst.IsValid() {
		s.mu.Unlock()
		return
	}
	pkts := []rtcp.Packet{s.report(time.Now()), rtcp.NewCNAMESourceDescription(s.ssrc, s.opts.CNAME)}
	s.mu.Unlock()
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
	b, err := rtcp.Marshal(pkts)
	if err == nil {
		s.mu.Lock()
		b, err = s.srtp.protectRTCP(b)
		s.mu.Unlock()
	}
	if err == nil {
		_, err = s.rtcp.WriteToUDPAddrPort(b, dst)
	}
	if err != nil {
		s.mu.Lock()
		s.stats.SendErrors++
		s.mu.Unlock()
	}
}

// rtcpDestination is where the remote's RTCP comes from, else the port
// above its SDP address; s.mu is held.
func (s *Stream) rtcpDestination() netip.AddrPort {
	if s.rtcpLatched.IsValid() {
		return s.rtcpLatched
	}
	a := s.remote.Addr
	if !a.IsValid() || a.Addr().IsUnspecified() || a.Port() == 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a.Addr(), a.Port()+1)
}

// report builds an SR when we sent RTP since the report before last, an
// RR otherwise (RFC 3550 6.4), with a block for the remote source when it
// sent since the last report. s.mu is held.
func (s *Stream) report(now time.Time) rtcp.Packet {
	var blocks []rtcp.ReceptionReport
	if src := &s.src; src.known && src.heard {
		src.heard = false
		var dlsr uint32
		if src.lastSR != 0 {
			dlsr = uint32(now.Sub(src.lastSRAt) * 65536 / time.Second)
		}
		blocks = append(blocks, rtcp.ReceptionReport{
			SSRC:               src.ssrc,
			FractionLost:       src.seq.report(),
			TotalLost:          uint32(min(max(src.seq.lost(), 0), 0x7fffff)),
			LastSequenceNumber: src.seq.extendedMax(),
			Jitter:             uint32(src.seq.jitter),
			LastSenderReport:   src.lastSR,
			Delay:              dlsr,
		})
	}
	sent := &s.sent
	sender := sent.packets != sent.atReport[1]
	sent.atReport = [2]uint32{sent.packets, sent.atReport[0]}
	if !sender {
		return &rtcp.ReceiverReport{SSRC: s.ssrc, Reports: blocks}
	}
	// The RTP time of now, on the frame clock of the last packet sent.
	elapsed := now.Sub(sent.lastAt) / (time.Second / clockRate)
	return &rtcp.SenderReport{
		SSRC:        s.ssrc,
		NTPTime:     ntpTime(now),
		RTPTime:     sent.lastFrame + uint32(elapsed),
		PacketCount: sent.packets,
		OctetCount:  sent.octets,
		Reports:     blocks,
	}
}

func (s *Stream) readRTCPLoop() {
	defer s.readers.Done()
	var buf [1500]byte
	for {
		n, from, err := s.rtcp.ReadFromUDPAddrPort(buf[:])
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err == nil {
			s.receiveRTCP(buf[:n], from, time.Now())
		}
	}
}

// receiveRTCP takes in the SRs and RRs the remote source sends; RTCP from
// anyone else, or that does not parse, is ignored.
func (s *Stream) receiveRTCP(b []byte, from netip.AddrPort, now time.Time) {
	s.mu.Lock()
	b, err := s.srtp.unprotectRTCP(b)
	if err != nil {
		s.stats.SRTPFailed++
	}
	s.mu.Unlock()
	if err != nil {
		return
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src := &s.src
	if !src.known {
		return
	}
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			if p.SSRC != src.ssrc {
				continue
			}
			src.lastSR, src.lastSRAt = uint32(p.NTPTime>>16), now
			s.readBlocks(p.Reports, now)
		case *rtcp.ReceiverReport:
			if p.SSRC != src.ssrc {
				continue
			}
			s.readBlocks(p.Reports, now)
		default:
			continue
		}
		s.rtcpLatched = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	}
}

// readBlocks takes what the remote reports about our stream. s.mu is held.
func (s *Stream) readBlocks(blocks []rtcp.ReceptionReport, now time.Time) {
	for _, b := range blocks {
		if b.SSRC != s.ssrc {
			continue
		}
		s.stats.RemoteLost = int64(int32(b.TotalLost<<8) >> 8) // 24-bit signed
		s.stats.RemoteFractionLost = float64(b.FractionLost) / 256
		s.stats.RemoteJitter = time.Duration(b.Jitter) * time.Second / clockRate
		if b.LastSenderReport != 0 {
			// RFC 3550 6.4.1: round trip = arrival - LSR - DLSR.
			if rtt := int32(ntpShort(now) - b.LastSenderReport - b.Delay); rtt >= 0 {
				s.stats.RTT = shortDuration(uint32(rtt))
			}
		}
	}
}
