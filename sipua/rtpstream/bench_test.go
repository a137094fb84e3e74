package rtpstream

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// sink opens a UDP socket on loopback that drains whatever arrives.
func sink(b *testing.B) netip.AddrPort {
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	go func() {
		var buf [1500]byte
		for {
			if _, err := c.Read(buf[:]); err != nil {
				return
			}
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

func BenchmarkSend(b *testing.B) {
	for _, bm := range []struct {
		name    string
		digit   bool // a key held for the whole run
		drained bool // the benchmark takes each packet off the queue
	}{
		{"audio", false, false},
		{"audio/drained", false, true},
		{"digit/drained", true, true},
	} {
		b.Run(bm.name, func(b *testing.B) {
			s, err := Open(testPorts, Options{Local: loopback})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.SetRemote(Remote{Addr: sink(b), PayloadType: 0, EventPayloadType: 101}); err != nil {
				b.Fatal(err)
			}
			if bm.digit {
				s.StartDigit('5')
			}
			frame := frameOf(0x55)
			b.ReportAllocs()
			for b.Loop() {
				s.Send(frame)
				if bm.drained {
					select {
					case <-s.out:
					default:
					}
				}
			}
			b.StopTimer()
			// Undrained, the loop runs far faster than one frame in 20 ms
			// and most packets find the queue full: that is the drop path.
			b.ReportMetric(float64(s.Stats().SendOverflow)/float64(b.N), "dropped/op")
		})
	}
}

// BenchmarkReceivePacket measures the receiver goroutine's work on one
// audio packet: parse, latch, statistics, jitter buffer; and the frame
// loop's Receive of a frame, 20 ms apart on the packets' clock.
func BenchmarkReceivePacket(b *testing.B) {
	s, err := Open(testPorts, Options{Local: loopback})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	from := netip.AddrPortFrom(loopback, 9)
	if err := s.SetRemote(Remote{Addr: from, PayloadType: 0}); err != nil {
		b.Fatal(err)
	}
	h := rtp.Header{Version: 2, PayloadType: 0, SSRC: 7}
	pkt, err := (&rtp.Packet{Header: h, Payload: frameOf(0x55)[:]}).Marshal()
	if err != nil {
		b.Fatal(err)
	}
	var out [FrameSize]byte
	var seq uint16
	var ts uint32
	now := time.Now()
	played, n := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		seq++
		ts += FrameSize
		now = now.Add(20 * time.Millisecond)
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], ts)
		s.receive(pkt, from, now)
		if s.Receive(&out) == Audio {
			played++
		}
		n++
	}
	// The buffer's delay holds back the first frames only.
	if played < n-5 {
		b.Fatalf("%d of %d frames played", played, n)
	}
}
