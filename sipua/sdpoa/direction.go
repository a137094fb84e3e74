package sdpoa

import (
	"strconv"

	"github.com/pion/sdp/v3"
)

// Direction is which way a media stream flows, seen from the side that
// writes it in its SDP (RFC 3264 §5.1).
type Direction uint8

const (
	SendRecv Direction = iota // both ways: the default
	SendOnly                  // we send, the peer does not; how we put the peer on hold
	RecvOnly                  // the peer sends, we do not
	Inactive                  // neither
)

var directionNames = [...]string{"sendrecv", "sendonly", "recvonly", "inactive"}

// String returns the SDP attribute name, "sendrecv" and so on.
func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

func (d Direction) sends() bool    { return d == SendRecv || d == SendOnly }
func (d Direction) receives() bool { return d == SendRecv || d == RecvOnly }

func directionOf(send, recv bool) Direction {
	switch {
	case send && recv:
		return SendRecv
	case send:
		return SendOnly
	case recv:
		return RecvOnly
	}
	return Inactive
}

// peerDirection reads the direction the peer gives stream md: its own
// attribute, else the session's, else sendrecv (RFC 4566 §6).
func peerDirection(sd *sdp.SessionDescription, md *sdp.MediaDescription) Direction {
	if d, ok := findDirection(md.Attributes); ok {
		return d
	}
	if d, ok := findDirection(sd.Attributes); ok {
		return d
	}
	return SendRecv
}

func findDirection(attrs []sdp.Attribute) (Direction, bool) {
	for _, a := range attrs {
		for d, name := range directionNames {
			if a.Key == name {
				return Direction(d), true
			}
		}
	}
	return SendRecv, false
}
