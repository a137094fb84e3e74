package rtpstream

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// testPorts serves the streams and peers of all tests.
var testPorts = func() *PortRange {
	r, err := NewPortRange(42000, 43999)
	if err != nil {
		panic(err)
	}
	return r
}()

// deadline bounds every wait for the network; it is generous so that a
// loaded machine does not fail a test.
const deadline = 5 * time.Second

func openStream(t *testing.T, opts Options) *Stream {
	t.Helper()
	opts.Local = loopback
	s, err := Open(testPorts, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func setRemote(t *testing.T, s *Stream, r Remote) {
	t.Helper()
	if err := s.SetRemote(r); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, or fails the test after deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitAudio waits until the jitter buffer has taken frames frames in
// all, then runs the frame loop until one plays, into f. Ticking only once
// the packet is in keeps the playout clock from running ahead of a peer
// that sends far faster than one frame in 20 ms.
func waitAudio(t *testing.T, s *Stream, f *[FrameSize]byte, frames uint64) {
	t.Helper()
	waitFor(t, "audio in the jitter buffer", func() bool { return s.Stats().Playout.Received >= frames })
	for range 100 {
		if s.Receive(f) == Audio {
			return
		}
	}
	t.Fatalf("no frame played; jitter buffer %+v", s.Stats().Playout)
}

// flush waits until the writer goroutine has taken every queued packet,
// so a test may send more frames than the queue holds.
func flush(t *testing.T, s *Stream) {
	t.Helper()
	waitFor(t, "the send queue to drain", func() bool { return len(s.out) == 0 })
}

func waitDigit(t *testing.T, s *Stream) DigitEvent {
	t.Helper()
	var ev DigitEvent
	waitFor(t, "a digit event", func() bool {
		var ok bool
		ev, ok = s.Digit()
		return ok
	})
	return ev
}

// A peer is a remote RTP endpoint whose packets the test builds by hand.
type peer struct {
	t         *testing.T
	rtp, rtcp *net.UDPConn
	ssrc      uint32
	seq       uint16
	ts        uint32
}

func newPeer(t *testing.T, ssrc uint32) *peer {
	t.Helper()
	port, rtpConn, rtcpConn, err := bind(testPorts, loopback)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rtpConn.Close()
		rtcpConn.Close()
		testPorts.Release(port)
	})
	return &peer{t: t, rtp: rtpConn, rtcp: rtcpConn, ssrc: ssrc, seq: 100, ts: 5000}
}

func (p *peer) addr() netip.AddrPort {
	return p.rtp.LocalAddr().(*net.UDPAddr).AddrPort()
}

// send sends one packet as it is.
func (p *peer) send(to netip.AddrPort, h rtp.Header, payload []byte) {
	p.t.Helper()
	h.Version = 2
	b, err := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.rtp.WriteToUDPAddrPort(b, to); err != nil {
		p.t.Fatal(err)
	}
}

// next sends a packet of payload type pt with the peer's next sequence
// number and timestamp.
func (p *peer) next(to netip.AddrPort, pt uint8, payload []byte) {
	p.t.Helper()
	p.send(to, rtp.Header{PayloadType: pt, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: p.ssrc}, payload)
	p.seq++
	p.ts += FrameSize
}

func (p *peer) read() *rtp.Packet {
	p.t.Helper()
	var buf [1500]byte
	p.rtp.SetReadDeadline(time.Now().Add(deadline))
	n, err := p.rtp.Read(buf[:])
	if err != nil {
		p.t.Fatalf("peer waiting for RTP: %v", err)
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
		p.t.Fatal(err)
	}
	return &pkt
}

// readRTCP returns the next compound RTCP packet, or nil when none comes
// within wait.
func (p *peer) readRTCP(wait time.Duration) []rtcp.Packet {
	p.t.Helper()
	var buf [1500]byte
	p.rtcp.SetReadDeadline(time.Now().Add(wait))
	n, err := p.rtcp.Read(buf[:])
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil
	}
	if err != nil {
		p.t.Fatal(err)
	}
	pkts, err := rtcp.Unmarshal(buf[:n])
	if err != nil {
		p.t.Fatalf("RTCP from the stream does not parse: %v", err)
	}
	return pkts
}

func frameOf(b byte) *[FrameSize]byte {
	var f [FrameSize]byte
	for i := range f {
		f[i] = b
	}
	return &f
}
