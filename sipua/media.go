package sipua

import (
	"net/netip"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/srtp/v3"

	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
)

// media is a call's media: its RTP stream and the negotiation of its
// session description.
type media struct {
	stream *rtpstream.Stream
	sess   *sdpoa.Session
}

// newMedia opens an RTP stream for a call whose media is to be at addr,
// keyed as SRTP policy p has it.
func (u *UA) newMedia(addr netip.Addr, p sdpoa.Encryption) (*media, error) {
	s, err := rtpstream.Open(u.ports, rtpstream.Options{Local: addr}) // watchMedia starts the clock
	if err != nil {
		return nil, err
	}
	sess, err := sdpoa.NewSession(sdpoa.Config{Local: s.LocalAddr(), Encryption: p})
	if err != nil {
		s.Close()
		return nil, err
	}
	return &media{stream: s, sess: sess}, nil
}

// incomingSRTP is the SRTP policy for a call whose INVITE came from
// source: that of the account whose server it is, the one registered with
// or the registrar, proxy or outbound proxy written as an address. From
// anywhere else, a direct call, it is the strictest of all the accounts':
// a peer no account vouches for gets the most care any of them asks.
func (u *UA) incomingSRTP(source string) sdpoa.Encryption {
	src, err := netip.ParseAddrPort(source)
	if err == nil {
		for _, r := range u.regs {
			if srv := r.serverAddr(); srv.IsValid() && srv.Addr().Unmap() == src.Addr().Unmap() {
				return r.acct.SRTP
			}
		}
	}
	strictest := sdpoa.EncryptionRejected
	for _, a := range u.cfg.Accounts {
		for _, server := range []string{a.Registrar, a.Proxy, a.OutboundProxy} {
			var uri sip.Uri
			if server == "" || sip.ParseUri(server, &uri) != nil {
				continue
			}
			if ip, perr := netip.ParseAddr(uri.Host); perr == nil && err == nil && ip.Unmap() == src.Addr().Unmap() {
				return a.SRTP
			}
		}
		strictest = max(strictest, a.SRTP)
	}
	return strictest
}

// srtpProfiles are the SRTP protection profiles of the SDES suites.
var srtpProfiles = map[sdpoa.Suite]srtp.ProtectionProfile{
	sdpoa.AES_CM_128_HMAC_SHA1_80: srtp.ProtectionProfileAes128CmHmacSha1_80,
	sdpoa.AES_CM_128_HMAC_SHA1_32: srtp.ProtectionProfileAes128CmHmacSha1_32,
}

func masterKey(k sdpoa.MasterKey) rtpstream.MasterKey {
	return rtpstream.MasterKey{Key: k.Key[:], Salt: k.Salt[:], MKI: k.MKIBytes()}
}

// apply points the stream at what the last offer/answer settled.
func (m *media) apply(r sdpoa.Result) error {
	rem := rtpstream.Remote{Addr: r.Remote, PayloadType: r.Codec.PayloadType}
	if r.TelephoneEvent >= 0 {
		rem.EventPayloadType = uint8(r.TelephoneEvent)
	}
	if k := r.SRTP; k.Suite != 0 {
		rem.SRTP = &rtpstream.SRTP{Profile: srtpProfiles[k.Suite], Local: masterKey(k.Local), Remote: masterKey(k.Remote)}
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
