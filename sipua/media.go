package sipua

import (
	"net/netip"

	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
)

// media is a call's media: its RTP port and the negotiation of its session
// description.
type media struct {
	ports *rtpstream.PortRange
	port  int
	sess  *sdpoa.Session
}

// newMedia takes an RTP port for a call whose media is to be at addr.
func (u *UA) newMedia(addr netip.Addr) (*media, error) {
	port, err := u.ports.Allocate()
	if err != nil {
		return nil, err
	}
	sess, err := sdpoa.NewSession(sdpoa.Config{Local: netip.AddrPortFrom(addr, uint16(port))})
	if err != nil {
		u.ports.Release(port)
		return nil, err
	}
	return &media{ports: u.ports, port: port, sess: sess}, nil
}

func (m *media) close() { m.ports.Release(m.port) }
