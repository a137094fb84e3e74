package sdpoa

import (
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Codec is an audio codec as SDP names it: RTP payload type, encoding name
// and clock rate.
type Codec struct {
	PayloadType uint8
	Name        string
	ClockRate   uint32
}

// The codecs the gateway speaks, under their static payload types
// (RFC 3551 §6). A peer may map them to other numbers; the Result then
// carries the peer's number.
var (
	PCMU = Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}
	PCMA = Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}
)

// Payload types for the formats that go along with the codecs in our first
// offer. Later offers keep the numbers the peer chose (RFC 3264 §8.3.2).
const (
	eventPT = 101 // telephone-event: dynamic, and 101 is what most peers use
	cnPT    = 13  // CN: static (RFC 3551 §6)
)

// format is one payload type of an m= line, as its a=rtpmap describes it.
type format struct {
	pt       uint8
	name     string
	rate     uint32
	channels string
}

// is reports whether f is the 8 kHz mono format named name. All our
// formats run at 8 kHz, and telephone-event and CN must run at the audio
// codec's rate, so other rates are of no use.
func (f format) is(name string) bool {
	return strings.EqualFold(f.name, name) && f.rate == 8000 && (f.channels == "" || f.channels == "1")
}

// lookupFormat describes the payload type written pt on md's m= line, from
// its a=rtpmap or, for a static type without one, from RFC 3551.
func lookupFormat(md *sdp.MediaDescription, pt string) (format, bool) {
	n, err := strconv.ParseUint(pt, 10, 7)
	if err != nil {
		return format{}, false
	}
	for _, a := range md.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]
		num, enc, _ := strings.Cut(strings.TrimSpace(a.Value), " ")
		if num != pt {
			continue
		}
		name, rest, _ := strings.Cut(strings.TrimSpace(enc), "/")
		rate, channels, _ := strings.Cut(rest, "/")
		r, err := strconv.ParseUint(rate, 10, 32)
		if err != nil {
			return format{}, false
		}
		return format{pt: uint8(n), name: name, rate: uint32(r), channels: channels}, true
	}
	switch n {
	case 0:
		return format{pt: 0, name: "PCMU", rate: 8000}, true
	case 8:
		return format{pt: 8, name: "PCMA", rate: 8000}, true
	case 13:
		return format{pt: 13, name: "CN", rate: 8000}, true
	}
	return format{}, false
}

// fmtp returns the format parameters md gives payload type pt.
func fmtp(md *sdp.MediaDescription, pt string) (string, bool) {
	for _, a := range md.Attributes {
		if a.Key != "fmtp" {
			continue
		}
		num, params, _ := strings.Cut(strings.TrimSpace(a.Value), " ")
		if num == pt {
			return strings.TrimSpace(params), true
		}
	}
	return "", false
}
