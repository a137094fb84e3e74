package rtpstream

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"tipring/sipua/telephoneevent"
)

func TestTwoStreams(t *testing.T) {
	a := openStream(t, Options{})
	b := openStream(t, Options{})
	setRemote(t, a, Remote{Addr: b.LocalAddr(), PayloadType: 0, EventPayloadType: 101})
	setRemote(t, b, Remote{Addr: a.LocalAddr(), PayloadType: 0, EventPayloadType: 101})

	// Audio both ways, a frame at a time.
	for i := range 20 {
		a.Send(frameOf(byte(i)))
		b.Send(frameOf(byte(100 + i)))
		var got [FrameSize]byte
		waitAudio(t, b, &got, uint64(i+1))
		if got != *frameOf(byte(i)) {
			t.Fatalf("frame %d arrived as % x...", i, got[:4])
		}
		waitAudio(t, a, &got, uint64(i+1))
		if got != *frameOf(byte(100 + i)) {
			t.Fatalf("frame %d arrived back as % x...", i, got[:4])
		}
	}

	// A digit held for five frames, then audio again.
	if err := a.StartDigit('7'); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		a.Send(frameOf(0xff))
		flush(t, a)
	}
	a.StopDigit()
	for range 4 {
		a.Send(frameOf(0xee))
		flush(t, a)
	}
	if ev := waitDigit(t, b); ev != (DigitEvent{Digit: '7'}) {
		t.Errorf("first digit event %+v, want the start of 7", ev)
	}
	if ev, want := waitDigit(t, b), (DigitEvent{Digit: '7', End: true, Duration: 100 * time.Millisecond}); ev != want {
		t.Errorf("second digit event %+v, want %+v", ev, want)
	}
	var got [FrameSize]byte
	waitAudio(t, b, &got, 21) // the end packets of the digit take three frames
	if got != *frameOf(0xee) {
		t.Errorf("the frame after the digit is % x..., want ee", got[:4])
	}
	if ev, ok := b.Digit(); ok {
		t.Errorf("an extra digit event %+v", ev)
	}

	const sent = 20 + 5 + 3 + 1 // audio, digit updates, end packets, audio
	waitFor(t, "every packet counted", func() bool {
		return a.Stats().PacketsSent == sent && b.Stats().PacketsReceived == sent
	})
	as, bs := a.Stats(), b.Stats()
	if as.PacketsSent != sent || as.BytesSent != 21*FrameSize+8*telephoneevent.Size {
		t.Errorf("a sent %d packets, %d bytes", as.PacketsSent, as.BytesSent)
	}
	if bs.BytesReceived != as.BytesSent || bs.Lost != 0 || bs.Late != 0 || bs.Duplicates != 0 || bs.ReceiveOverflow != 0 {
		t.Errorf("b's stats %+v", bs)
	}
	if bs.Latched != a.LocalAddr() || as.Latched != b.LocalAddr() {
		t.Errorf("a latched to %v, b to %v; want each other", as.Latched, bs.Latched)
	}
}

func TestSendPackets(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 8, EventPayloadType: 101})

	// Frames 0-1 audio; key 9 down for frames 2-6; up before frame 7;
	// frames 7-9 the end packets; 10-11 audio. The peer reads each frame's
	// packet before the next frame, as a loop paced by the line would.
	var pkts []*rtp.Packet
	for i := range 12 {
		switch i {
		case 2:
			if err := s.StartDigit('9'); err != nil {
				t.Fatal(err)
			}
		case 7:
			s.StopDigit()
		}
		s.Send(frameOf(byte(i)))
		pkts = append(pkts, p.read())
	}
	t0, seq0 := pkts[0].Timestamp, pkts[0].SequenceNumber
	check := func(i int, pt uint8, marker bool, ts uint32) []byte {
		t.Helper()
		pkt := pkts[i]
		if pkt.PayloadType != pt || pkt.Marker != marker || pkt.Timestamp != ts ||
			pkt.SequenceNumber != seq0+uint16(i) || pkt.SSRC != s.ssrc {
			t.Fatalf("packet %d: pt %d marker %v ts %d seq %d ssrc %x; want pt %d marker %v ts %d seq %d ssrc %x",
				i, pkt.PayloadType, pkt.Marker, pkt.Timestamp, pkt.SequenceNumber, pkt.SSRC,
				pt, marker, ts, seq0+uint16(i), s.ssrc)
		}
		return pkt.Payload
	}
	checkEvent := func(i int, marker bool, end bool, duration uint16) {
		t.Helper()
		var ev telephoneevent.Event
		if err := ev.Unmarshal(check(i, 101, marker, t0+2*FrameSize)); err != nil {
			t.Fatal(err)
		}
		if want := (telephoneevent.Event{Code: 9, End: end, Volume: digitVolume, Duration: duration}); ev != want {
			t.Fatalf("packet %d: event %+v, want %+v", i, ev, want)
		}
	}
	if got := check(0, 8, true, t0); got[0] != 0 || len(got) != FrameSize {
		t.Fatalf("frame 0 payload % x... (%d bytes)", got[:4], len(got))
	}
	check(1, 8, false, t0+FrameSize)
	for i := 2; i <= 6; i++ {
		checkEvent(i, i == 2, false, uint16((i-1)*FrameSize))
	}
	for i := 7; i <= 9; i++ {
		checkEvent(i, false, true, 5*FrameSize)
	}
	if got := check(10, 8, true, t0+10*FrameSize); got[0] != 10 {
		t.Fatalf("frame 10 payload % x...", got[:4])
	}
	check(11, 8, false, t0+11*FrameSize)
}

func TestHold(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 1)
	r := Remote{Addr: p.addr(), PayloadType: 0, EventPayloadType: 101}
	setRemote(t, s, r)
	s.Send(frameOf(1))
	before := p.read()

	// On hold nothing is sent, and a digit cannot start, but time goes on.
	for _, dir := range []Direction{RecvOnly, Inactive} {
		r.Direction = dir
		setRemote(t, s, r)
		if err := s.StartDigit('1'); err != nil {
			t.Fatal(err) // telephone-event is still negotiated
		}
		s.Send(frameOf(2))
		s.StopDigit()
		s.Send(frameOf(3))
	}
	// c=0.0.0.0 is hold too.
	setRemote(t, s, Remote{Addr: netip.MustParseAddrPort("0.0.0.0:4000"), PayloadType: 0, Direction: SendRecv})
	s.Send(frameOf(4))

	r.Direction = SendRecv
	setRemote(t, s, r)
	s.Send(frameOf(5))
	after := p.read()
	if after.SequenceNumber != before.SequenceNumber+1 {
		t.Errorf("sequence number went from %d to %d over the hold: something was sent", before.SequenceNumber, after.SequenceNumber)
	}
	if after.Timestamp != before.Timestamp+6*FrameSize || !after.Marker || after.PayloadType != 0 || after.Payload[0] != 5 {
		t.Errorf("after the hold: ts +%d marker %v pt %d payload %x; want ts +%d, marker, pt 0, payload 05",
			after.Timestamp-before.Timestamp, after.Marker, after.PayloadType, after.Payload[0], 6*FrameSize)
	}
}

func TestCodecChange(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
	p.next(s.LocalAddr(), 0, frameOf(1)[:])
	var f [FrameSize]byte
	waitAudio(t, s, &f, 1)

	// A re-INVITE moves to PCMA: PCMU packets are no longer accepted.
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 8})
	p.next(s.LocalAddr(), 0, frameOf(2)[:])
	p.next(s.LocalAddr(), 8, frameOf(3)[:])
	waitAudio(t, s, &f, 1) // a new codec, a new jitter buffer
	if f[0] != 3 {
		t.Errorf("received frame %x, want the PCMA one", f[0])
	}
	if st := s.Stats(); st.Invalid != 1 {
		t.Errorf("Invalid = %d, want 1 (the PCMU packet)", st.Invalid)
	}
	s.Send(frameOf(4))
	if pkt := p.read(); pkt.PayloadType != 8 {
		t.Errorf("sent payload type %d, want 8", pkt.PayloadType)
	}
}

func TestStartDigitErrors(t *testing.T) {
	s := openStream(t, Options{})
	if err := s.StartDigit('1'); err != ErrNoTelephoneEvent {
		t.Errorf("before SetRemote: %v, want ErrNoTelephoneEvent", err)
	}
	setRemote(t, s, Remote{Addr: netip.MustParseAddrPort("127.0.0.1:4000"), PayloadType: 0})
	if err := s.StartDigit('1'); err != ErrNoTelephoneEvent {
		t.Errorf("without telephone-event: %v, want ErrNoTelephoneEvent", err)
	}
	setRemote(t, s, Remote{Addr: netip.MustParseAddrPort("127.0.0.1:4000"), PayloadType: 0, EventPayloadType: 101})
	if err := s.StartDigit('E'); err != ErrNotDigit {
		t.Errorf("StartDigit('E'): %v, want ErrNotDigit", err)
	}
}

func TestSetRemoteErrors(t *testing.T) {
	s := openStream(t, Options{})
	addr := netip.MustParseAddrPort("127.0.0.1:4000")
	for _, r := range []Remote{
		{},
		{Addr: netip.MustParseAddrPort("127.0.0.1:0")},
		{Addr: netip.MustParseAddrPort("[::1]:4000")},
		{Addr: addr, PayloadType: 128},
		{Addr: addr, EventPayloadType: 200},
		{Addr: addr, PayloadType: 13},
		{Addr: addr, EventPayloadType: 13},
		{Addr: addr, PayloadType: 8, EventPayloadType: 8},
		{Addr: addr, Direction: Inactive + 1},
	} {
		if err := s.SetRemote(r); err == nil {
			t.Errorf("SetRemote(%+v) succeeded", r)
		}
	}
	// An IPv4-mapped IPv6 address is an IPv4 one.
	if err := s.SetRemote(Remote{Addr: netip.MustParseAddrPort("[::ffff:127.0.0.1]:4000")}); err != nil {
		t.Error(err)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		ports *PortRange
		opts  Options
	}{
		{"no ports", nil, Options{Local: loopback}},
		{"no address", testPorts, Options{}},
		{"negative timeout", testPorts, Options{Local: loopback, InactivityTimeout: -1}},
		{"address not on the host", testPorts, Options{Local: netip.MustParseAddr("192.0.2.1")}},
	} {
		if s, err := Open(tt.ports, tt.opts); err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", tt.name)
		}
	}
}

func TestClose(t *testing.T) {
	ports, err := NewPortRange(44000, 44001)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ports, Options{Local: loopback})
	if err != nil {
		t.Fatal(err)
	}
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The BYE, in a compound packet with a report and the CNAME.
	pkts := p.readRTCP(deadline)
	if len(pkts) != 3 {
		t.Fatalf("closing sent %d RTCP packets: %v", len(pkts), pkts)
	}
	if bye, ok := pkts[2].(*rtcp.Goodbye); !ok || len(bye.Sources) != 1 || bye.Sources[0] != s.ssrc {
		t.Errorf("last packet %v, want a BYE from %x", pkts[2], s.ssrc)
	}
	// The frame loop's calls do nothing, and do not block.
	for range sendQueue + 1 {
		s.Send(frameOf(1))
	}
	if n := len(s.out); n != 0 {
		t.Errorf("Send after Close queued %d packets", n)
	}
	if k := s.Receive(frameOf(0)); k != Silence {
		t.Errorf("Receive after Close = %v, want Silence", k)
	}
	// The port is free again.
	s2, err := Open(ports, Options{Local: loopback})
	if err != nil {
		t.Fatalf("reopening on the released port: %v", err)
	}
	s2.Close()
}

func TestFrameLoopDoesNotAllocate(t *testing.T) {
	a := openStream(t, Options{})
	b := openStream(t, Options{})
	setRemote(t, a, Remote{Addr: b.LocalAddr(), PayloadType: 0, EventPayloadType: 101})
	setRemote(t, b, Remote{Addr: a.LocalAddr(), PayloadType: 0, EventPayloadType: 101})
	frame := frameOf(1)
	var in [FrameSize]byte
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		switch i % 20 {
		case 5:
			a.StartDigit('3')
		case 10:
			a.StopDigit()
		}
		i++
		a.Send(frame)
		b.Send(frame)
		a.Receive(&in)
		b.Receive(&in)
		b.Digit()
	})
	if allocs != 0 {
		t.Errorf("a frame's work allocates %v times", allocs)
	}
}
