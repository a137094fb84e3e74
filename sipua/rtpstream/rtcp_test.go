package rtpstream

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

func TestNTPTime(t *testing.T) {
	tm := time.Date(2024, 2, 29, 12, 0, 0, 500_000_000, time.UTC)
	got := ntpTime(tm)
	if secs, want := got>>32, uint64(tm.Unix())+2208988800; secs != want {
		t.Errorf("NTP seconds %d, want %d", secs, want)
	}
	if frac := uint32(got); frac != 1<<31 {
		t.Errorf("NTP fraction %#x, want 0x80000000 (half a second)", frac)
	}
	if got, want := ntpShort(tm.Add(1500*time.Millisecond))-ntpShort(tm), uint32(3<<15); got != want {
		t.Errorf("1.5 s in short NTP = %d, want %d", got, want)
	}
	if d := shortDuration(3 << 15); d != 1500*time.Millisecond {
		t.Errorf("shortDuration(1.5 s) = %v", d)
	}
}

// reportFrom returns the first SR or RR of a compound packet, and checks
// that it names src and carries a CNAME.
func reportFrom(t *testing.T, pkts []rtcp.Packet, src uint32) rtcp.Packet {
	t.Helper()
	if len(pkts) < 2 {
		t.Fatalf("compound packet of %d packets", len(pkts))
	}
	sdes, ok := pkts[1].(*rtcp.SourceDescription)
	if !ok || len(sdes.Chunks) != 1 || sdes.Chunks[0].Source != src || len(sdes.Chunks[0].Items) != 1 ||
		sdes.Chunks[0].Items[0].Type != rtcp.SDESCNAME || sdes.Chunks[0].Items[0].Text == "" {
		t.Fatalf("second packet %v, want an SDES with the CNAME of %x", pkts[1], src)
	}
	switch r := pkts[0].(type) {
	case *rtcp.SenderReport:
		if r.SSRC != src {
			t.Fatalf("SR from %x, want %x", r.SSRC, src)
		}
	case *rtcp.ReceiverReport:
		if r.SSRC != src {
			t.Fatalf("RR from %x, want %x", r.SSRC, src)
		}
	default:
		t.Fatalf("first packet %T, want SR or RR", r)
	}
	return pkts[0]
}

func TestReceiverReport(t *testing.T) {
	// A long interval: the test asks for the report itself.
	s := openStream(t, Options{RTCPInterval: time.Hour})
	p := newPeer(t, 0xfeed)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0, Direction: RecvOnly})

	// Sequence numbers 0-19 without 3, 7 and 11, sent at once: each packet
	// arrives about 160 timestamp units early against the one before, two
	// frames' worth after a loss.
	var sent []uint32
	for seq := range uint16(20) {
		if seq == 3 || seq == 7 || seq == 11 {
			continue
		}
		ts := 9000 + uint32(seq)*FrameSize
		p.send(s.LocalAddr(), rtp.Header{PayloadType: 0, SequenceNumber: seq, Timestamp: ts, SSRC: p.ssrc}, frameOf(0)[:])
		sent = append(sent, ts)
	}
	waitFor(t, "17 packets", func() bool { return s.Stats().PacketsReceived == 17 })
	var want float64
	for i := 1; i < len(sent); i++ {
		want += (float64(sent[i]-sent[i-1]) - want) / 16
	}

	s.sendReport(false)
	rr, ok := reportFrom(t, p.readRTCP(deadline), s.ssrc).(*rtcp.ReceiverReport)
	if !ok {
		t.Fatal("the stream sent no RTP, yet a sender report")
	}
	if len(rr.Reports) != 1 {
		t.Fatalf("%d report blocks, want 1", len(rr.Reports))
	}
	b := rr.Reports[0]
	if b.SSRC != p.ssrc || b.TotalLost != 3 || b.FractionLost != 3*256/20 || b.LastSequenceNumber != 19 ||
		b.LastSenderReport != 0 || b.Delay != 0 {
		t.Errorf("report block %+v; want SSRC %x, 3 lost, fraction %d, last seq 19, no LSR", b, p.ssrc, 3*256/20)
	}
	// Arrival times on a loaded machine spread by a few ms at most.
	if math.Abs(float64(b.Jitter)-want) > 16 {
		t.Errorf("jitter %d, want %.0f ± 16", b.Jitter, want)
	}
	if st := s.Stats(); math.Abs(st.Jitter.Seconds()*clockRate-float64(b.Jitter)) > 1 {
		t.Errorf("Stats jitter %v, report %d units", st.Jitter, b.Jitter)
	}

	// Nothing heard since: the next RR has no block.
	s.sendReport(false)
	if rr := reportFrom(t, p.readRTCP(deadline), s.ssrc).(*rtcp.ReceiverReport); len(rr.Reports) != 0 {
		t.Errorf("report blocks %+v with nothing received", rr.Reports)
	}
}

func TestSenderReportAndRoundTrip(t *testing.T) {
	s := openStream(t, Options{RTCPInterval: time.Hour})
	p := newPeer(t, 0xbeef)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 8})
	// The peer must be the stream's known source before its RTCP counts.
	p.next(s.LocalAddr(), 8, frameOf(0)[:])
	waitFor(t, "a packet", func() bool { return s.Stats().PacketsReceived == 1 })

	var last *rtp.Packet
	for range 10 {
		s.Send(frameOf(1))
		last = p.read()
	}
	// The writer counts a packet once the socket took it, a moment after
	// the peer may have it.
	waitFor(t, "ten packets counted", func() bool { return s.Stats().PacketsSent == 10 })
	before := time.Now()
	s.sendReport(false)
	sr, ok := reportFrom(t, p.readRTCP(deadline), s.ssrc).(*rtcp.SenderReport)
	if !ok {
		t.Fatal("the stream sent RTP, yet a receiver report")
	}
	if sr.PacketCount != 10 || sr.OctetCount != 10*FrameSize {
		t.Errorf("SR counts %d packets, %d octets; want 10, %d", sr.PacketCount, sr.OctetCount, 10*FrameSize)
	}
	if ntp := time.Unix(int64(sr.NTPTime>>32)-ntpEpochOffset, 0); ntp.Before(before.Add(-2*time.Second)) || ntp.After(time.Now().Add(time.Second)) {
		t.Errorf("SR NTP time %v, now is %v", ntp, before)
	}
	// The RTP time is the last frame's, moved on by the time since it went.
	if d := sr.RTPTime - last.Timestamp; d > uint32(deadline/(time.Second/clockRate)) {
		t.Errorf("SR RTP time %d is %d after the last packet's", sr.RTPTime, int32(d))
	}
	if len(sr.Reports) != 1 || sr.Reports[0].SSRC != p.ssrc {
		t.Errorf("SR blocks %+v, want one about %x", sr.Reports, p.ssrc)
	}

	// The peer answers as if 50 ms passed on its side between our SR and
	// its RR, and reports loss and jitter of our packets.
	const held = 50 * time.Millisecond
	lsr := uint32(sr.NTPTime >> 16)
	reply, err := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: p.ssrc, Reports: []rtcp.ReceptionReport{{
		SSRC:             s.ssrc,
		FractionLost:     64,
		TotalLost:        5,
		Jitter:           80,
		LastSenderReport: lsr - uint32(held*65536/time.Second),
		Delay:            0,
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	rtcpAddr := netip.AddrPortFrom(s.LocalAddr().Addr(), s.LocalAddr().Port()+1)
	if _, err := p.rtcp.WriteToUDPAddrPort(reply, rtcpAddr); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the round-trip time", func() bool { return s.Stats().RTT != 0 })
	st := s.Stats()
	// The RTT is at least the 50 ms claimed, plus our SR's and the RR's
	// time on the way.
	if limit := held + time.Since(before) + time.Millisecond; st.RTT < held || st.RTT > limit {
		t.Errorf("RTT %v, want %v to %v", st.RTT, held, limit)
	}
	if st.RemoteLost != 5 || st.RemoteFractionLost != 0.25 || st.RemoteJitter != 10*time.Millisecond {
		t.Errorf("remote's view: lost %d, fraction %v, jitter %v; want 5, 0.25, 10ms",
			st.RemoteLost, st.RemoteFractionLost, st.RemoteJitter)
	}

	// The peer's RTCP now comes from another port (a NAT): our next
	// report goes there, and carries the LSR and DLSR of the peer's SR.
	nat := newPeer(t, 0)
	peerSR, err := rtcp.Marshal([]rtcp.Packet{&rtcp.SenderReport{SSRC: p.ssrc, NTPTime: 0x0123456789abcdef}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nat.rtcp.WriteToUDPAddrPort(peerSR, rtcpAddr); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the peer's SR", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.src.lastSR != 0
	})
	p.next(s.LocalAddr(), 8, frameOf(0)[:]) // so that a block is due
	waitFor(t, "a packet", func() bool { return s.Stats().PacketsReceived == 2 })
	s.sendReport(false)
	sr2 := reportFrom(t, nat.readRTCP(deadline), s.ssrc).(*rtcp.SenderReport)
	if len(sr2.Reports) != 1 || sr2.Reports[0].LastSenderReport != 0x456789ab || sr2.Reports[0].Delay > uint32(deadline*65536/time.Second) {
		t.Errorf("SR blocks %+v, want LSR 456789ab and a DLSR under %v", sr2.Reports, deadline)
	}
}

func TestPeriodicReports(t *testing.T) {
	const interval = 40 * time.Millisecond
	s := openStream(t, Options{RTCPInterval: interval})
	p := newPeer(t, 1)
	start := time.Now()
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0, Direction: Inactive})
	// Reports go on while the call is inactive (RFC 3264 5.1).
	for i := range 5 {
		pkts := p.readRTCP(deadline)
		if pkts == nil {
			t.Fatalf("report %d did not come", i)
		}
		if _, ok := reportFrom(t, pkts, s.ssrc).(*rtcp.ReceiverReport); !ok {
			t.Fatalf("report %d is not an RR", i)
		}
	}
	// Five reports take at least the first's quarter interval and four
	// half intervals: randomising never goes below half.
	if d := time.Since(start); d < interval/4+4*interval/2 {
		t.Errorf("five reports in %v, interval %v", d, interval)
	}
}
