package sdpoa_test

import (
	"fmt"
	"log"
	"net/netip"
	"strings"

	"tipring/sipua/sdpoa"
)

func Example() {
	s, err := sdpoa.NewSession(sdpoa.Config{Local: netip.MustParseAddrPort("192.0.2.10:4000")})
	if err != nil {
		log.Fatal(err)
	}

	// An INVITE arrives with an offer; its answer goes in the 200.
	offer := "v=0\r\n" +
		"o=- 4711 4711 IN IP4 198.51.100.7\r\n" +
		"s=-\r\n" +
		"c=IN IP4 198.51.100.7\r\n" +
		"t=0 0\r\n" +
		"m=audio 30000 RTP/AVP 8 0 96\r\n" +
		"a=rtpmap:96 telephone-event/8000\r\n" +
		"a=fmtp:96 0-16\r\n"
	answer, res, err := s.Answer([]byte(offer))
	if err != nil {
		log.Fatal(err) // ErrNoCommonCodec: 488; ErrMalformed: 400
	}
	printMedia("answer", answer)
	fmt.Printf("send %s/%d to %v, DTMF as %d, send %v, receive %v\n",
		res.Codec.Name, res.Codec.PayloadType, res.Remote, res.TelephoneEvent, res.Send, res.Recv)

	// The phone's user presses hold: re-INVITE with a new offer.
	s.SetDirection(sdpoa.SendOnly)
	reoffer, err := s.Offer()
	if err != nil {
		log.Fatal(err)
	}
	printMedia("re-offer", reoffer)

	// Output:
	// answer: m=audio 4000 RTP/AVP 8 96 | a=sendrecv
	// send PCMA/8 to 198.51.100.7:30000, DTMF as 96, send true, receive true
	// re-offer: m=audio 4000 RTP/AVP 0 8 96 13 | a=sendonly
}

// printMedia prints the m= line and the direction of an SDP.
func printMedia(what string, body []byte) {
	var m, dir string
	for line := range strings.Lines(string(body)) {
		line = strings.TrimSpace(line)
		switch line {
		case "a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive":
			dir = line
		}
		if strings.HasPrefix(line, "m=") {
			m = line
		}
	}
	fmt.Printf("%s: %s | %s\n", what, m, dir)
}
