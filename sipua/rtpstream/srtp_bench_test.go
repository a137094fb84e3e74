package rtpstream

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// BenchmarkSendSRTP measures the writer goroutine's work on one packet
// of the frame loop's: SRTP protection and the write to the socket,
// against plain RTP. (Send itself does not change with SRTP; BenchmarkSend
// measures it.)
func BenchmarkSendSRTP(b *testing.B) {
	for _, bm := range []struct {
		name string
		keys *SRTP
	}{
		{"plain", nil},
		{"80", &SRTP{Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Local: testKey(1), Remote: testKey(2)}},
		{"32", &SRTP{Profile: srtp.ProtectionProfileAes128CmHmacSha1_32, Local: testKey(1), Remote: testKey(2)}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			// No report falls due during the run: the writer goroutine
			// stays idle while the benchmark writes in its place.
			s, err := Open(testPorts, Options{Local: loopback, RTCPInterval: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.SetRemote(Remote{Addr: sink(b), PayloadType: 0, SRTP: bm.keys}); err != nil {
				b.Fatal(err)
			}
			h := rtp.Header{Version: 2, PayloadType: 0, SSRC: s.ssrc}
			var d datagram
			b.ReportAllocs()
			for b.Loop() {
				h.SequenceNumber++
				h.Timestamp += FrameSize
				n, _ := h.MarshalTo(d.b[:])
				d.n = n + copy(d.b[n:], frameOf(0x55)[:])
				s.write(&d)
			}
			b.StopTimer()
			if st := s.Stats(); st.SendErrors != 0 {
				b.Fatalf("%d send errors", st.SendErrors)
			}
		})
	}
}

// BenchmarkReceiveSRTP is BenchmarkReceivePacket for SRTP: the receiver
// goroutine's check and decryption of one packet and its work on it, and
// the frame loop's Receive.
func BenchmarkReceiveSRTP(b *testing.B) {
	s, err := Open(testPorts, Options{Local: loopback})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	from := netip.AddrPortFrom(loopback, 9)
	profile := srtp.ProtectionProfileAes128CmHmacSha1_80
	if err := s.SetRemote(Remote{Addr: from, PayloadType: 0, SRTP: &SRTP{Profile: profile, Local: testKey(1), Remote: testKey(2)}}); err != nil {
		b.Fatal(err)
	}
	sender, err := srtp.CreateContext(testKey(2).Key, testKey(2).Salt, profile)
	if err != nil {
		b.Fatal(err)
	}
	// The peer's packets, made in batches with the timer stopped: SRTP
	// forbids sending a sequence number twice, so none can be reused.
	const batch = 1024
	var pkts [batch][]byte
	var seq uint16
	var ts uint32
	fill := func() {
		for i := range pkts {
			seq++
			ts += FrameSize
			p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: ts, SSRC: 7}, Payload: frameOf(0x55)[:]}
			plain, err := p.Marshal()
			if err != nil {
				b.Fatal(err)
			}
			if pkts[i], err = sender.EncryptRTP(pkts[i][:0], plain, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	var out [FrameSize]byte
	now := time.Now()
	played, n := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if n%batch == 0 {
			b.StopTimer()
			fill()
			b.StartTimer()
		}
		now = now.Add(20 * time.Millisecond)
		s.receive(pkts[n%batch], from, now)
		if s.Receive(&out) == Audio {
			played++
		}
		n++
	}
	if failed := s.Stats().SRTPFailed; failed != 0 || played < n-5 {
		b.Fatalf("%d of %d frames played, %d failed SRTP", played, n, failed)
	}
}
