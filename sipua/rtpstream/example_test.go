package rtpstream_test

import (
	"log"
	"net/netip"

	"tipring/sipua/rtpstream"
)

// The life of a call's media: a stream opened when the SDP offer is made,
// given the answer, fed and drained by the frame loop, closed at hang-up.
func Example() {
	ports, err := rtpstream.NewPortRange(16384, 32767) // one for the whole gateway
	if err != nil {
		log.Fatal(err)
	}
	s, err := rtpstream.Open(ports, rtpstream.Options{Local: netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	// s.LocalAddr() goes into our SDP; the answer comes back:
	err = s.SetRemote(rtpstream.Remote{
		Addr:             netip.MustParseAddrPort("127.0.0.1:40000"),
		PayloadType:      0, // PCMU
		EventPayloadType: 101,
	})
	if err != nil {
		log.Fatal(err)
	}

	// Every 20 ms, in the frame loop:
	var out, in [rtpstream.FrameSize]byte
	s.Send(&out) // out: G.711 coded from the line
	switch s.Receive(&in) {
	case rtpstream.Audio: // decode in to the line
	case rtpstream.Silence: // play comfort noise
	case rtpstream.Missing: // conceal the gap
	}
	for ev, ok := s.Digit(); ok; ev, ok = s.Digit() {
		_ = ev // play or stop the digit's tones on the line
	}

	// When the line's DTMF detector reports a key down, and later up:
	s.StartDigit('5')
	s.StopDigit()

	// Elsewhere, the call watches for dead media.
	select {
	case <-s.Timeout():
		// hang up
	default:
	}
}
