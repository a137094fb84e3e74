package sdpoa

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

var (
	ourAddr  = netip.MustParseAddrPort("192.0.2.10:4000")
	peerAddr = netip.MustParseAddrPort("198.51.100.7:30000")
)

func newSession(t testing.TB, local netip.AddrPort, codecs ...Codec) *Session {
	t.Helper()
	s, err := NewSession(Config{Local: local, Codecs: codecs})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sdpText joins lines into an SDP body, CRLF after each.
func sdpText(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// peerOffer is an SDP from the peer at peerAddr with one m= line and its
// attributes, the way most offers look.
func peerOffer(mline string, attrs ...string) []byte {
	lines := []string{
		"v=0",
		"o=peer 1000 1000 IN IP4 198.51.100.7",
		"s=call",
		"c=IN IP4 198.51.100.7",
		"t=0 0",
		mline,
	}
	for _, a := range attrs {
		lines = append(lines, "a="+a)
	}
	return sdpText(lines...)
}

// pionParse reads SDP we produced with pion's parser alone: what we send
// must be plain SDP to any parser.
func pionParse(t testing.TB, body []byte) *sdp.SessionDescription {
	t.Helper()
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(body)); err != nil {
		t.Fatalf("pion cannot parse our SDP: %v\n%s", err, body)
	}
	return &sd
}

// mediaLines summarises sd's m= lines as "audio 4000 RTP/AVP 0 101".
func mediaLines(sd *sdp.SessionDescription) []string {
	var lines []string
	for _, md := range sd.MediaDescriptions {
		n := md.MediaName
		lines = append(lines, fmt.Sprintf("%s %d %s %s", n.Media, n.Port.Value, strings.Join(n.Protos, "/"), strings.Join(n.Formats, " ")))
	}
	return lines
}

// attributes lists md's attributes as "key:value" or "key".
func attributes(md *sdp.MediaDescription) []string {
	var attrs []string
	for _, a := range md.Attributes {
		attrs = append(attrs, a.String())
	}
	return attrs
}

// audioMedia returns sd's audio stream with a port, failing if there is not
// exactly one.
func activeAudio(t testing.TB, sd *sdp.SessionDescription) *sdp.MediaDescription {
	t.Helper()
	var found *sdp.MediaDescription
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Media == "audio" && md.MediaName.Port.Value != 0 {
			if found != nil {
				t.Fatalf("more than one active audio stream: %q", mediaLines(sd))
			}
			found = md
		}
	}
	if found == nil {
		t.Fatalf("no active audio stream: %q", mediaLines(sd))
	}
	return found
}
