package rtpstream

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// FuzzReceive feeds datagrams to both receive paths of one stream, from two
// addresses, and checks that every RTP datagram is accounted for once.
func FuzzReceive(f *testing.F) {
	seed := func(h rtp.Header, payload []byte) {
		h.Version = 2
		b, err := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	seed(rtp.Header{PayloadType: 0, SequenceNumber: 1, Timestamp: 160, SSRC: 7}, frameOf(1)[:])
	seed(rtp.Header{PayloadType: 0, SequenceNumber: 2, Timestamp: 320, SSRC: 7}, make([]byte, 80))
	seed(rtp.Header{PayloadType: 101, Marker: true, SequenceNumber: 3, Timestamp: 480, SSRC: 7}, []byte{1, 10, 0, 160})
	seed(rtp.Header{PayloadType: 101, SequenceNumber: 4, Timestamp: 480, SSRC: 7}, []byte{1, 0x8a, 1, 64})
	seed(rtp.Header{PayloadType: 13, SequenceNumber: 5, Timestamp: 640, SSRC: 7}, []byte{40})
	seed(rtp.Header{PayloadType: 0, SequenceNumber: 6, Timestamp: 800, SSRC: 7, CSRC: []uint32{1, 2}}, frameOf(2)[:])
	seed(rtp.Header{Padding: true, PaddingSize: 4, PayloadType: 0, SequenceNumber: 7, Timestamp: 960, SSRC: 7}, frameOf(3)[:])
	var ext rtp.Header
	ext.SetExtension(1, []byte{0xaa, 0xbb})
	ext.PayloadType, ext.SequenceNumber, ext.SSRC = 0, 8, 7
	seed(ext, frameOf(4)[:])
	sr, err := rtcp.Marshal([]rtcp.Packet{
		&rtcp.SenderReport{SSRC: 7, NTPTime: 1 << 40, Reports: []rtcp.ReceptionReport{{SSRC: 9, LastSenderReport: 5}}},
		rtcp.NewCNAMESourceDescription(7, "peer"),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sr, false)
	f.Add([]byte{0x80, 0x00, 0x00}, true)
	f.Add([]byte{0x40, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 7}, false)
	f.Add([]byte{0xbf, 0xff}, true)

	s, err := Open(testPorts, Options{Local: loopback})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	peerA := s.LocalAddr() // never sent to: the addresses are only labels
	peerB := netip.AddrPortFrom(loopback, 9)
	if err := s.SetRemote(Remote{Addr: peerA, PayloadType: 0, EventPayloadType: 101}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, other bool) {
		from := peerA
		if other {
			from = peerB
		}
		accounted := func(st Stats) uint64 { return st.PacketsReceived + st.Duplicates + st.Invalid + st.Stray }
		before := accounted(s.Stats())
		now := time.Now()
		s.receive(data, from, now)
		s.receiveRTCP(data, from, now)
		if got := accounted(s.Stats()) - before; got != 1 {
			t.Errorf("datagram counted %d times", got)
		}
		var frame [FrameSize]byte
		for s.Receive(&frame) == Audio {
		}
		for {
			if _, ok := s.Digit(); !ok {
				break
			}
		}
	})
}
