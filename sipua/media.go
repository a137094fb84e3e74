package sipua

import (
	"net/netip"

	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
)

// media is a call's media: its RTP stream and the negotiation of its
// session description.
type media struct {
	stream *rtpstream.Stream
	sess   *sdpoa.Session
}

// newMedia opens an RTP stream for a call whose media is to be at addr.
func (u *UA) newMedia(addr netip.Addr) (*media, error) {
	s, err := rtpstream.Open(u.ports, rtpstream.Options{Local: addr}) // watchMedia starts the clock
	if err != nil {
		return nil, err
	}
	sess, err := sdpoa.NewSession(sdpoa.Config{Local: s.LocalAddr()})
	if err != nil {
		s.Close()
		return nil, err
	}
	return &media{stream: s, sess: sess}, nil
}

// apply points the stream at what the last offer/answer settled.
func (m *media) apply(r sdpoa.Result) error {
	rem := rtpstream.Remote{Addr: r.Remote, PayloadType: r.Codec.PayloadType}
	if r.TelephoneEvent >= 0 {
		rem.EventPayloadType = uint8(r.TelephoneEvent)
	}
	switch {
	case r.Send && r.Recv:
		rem.Direction = rtpstream.SendRecv
	case r.Send:
		rem.Direction = rtpstream.SendOnly
	case r.Recv:
		rem.Direction = rtpstream.RecvOnly
	default:
		rem.Direction = rtpstream.Inactive
	}
	return m.stream.SetRemote(rem)
}

func (m *media) close() { m.stream.Close() }
