package sdpoa

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/pion/sdp/v3"
)

// Config is our side of a call's media.
type Config struct {
	// Local is where we receive RTP: it goes in the c= and o= lines and the
	// audio m= line. It must be a unicast address with a port.
	Local netip.AddrPort

	// Codecs are the audio codecs we accept, PCMU and PCMA, most preferred
	// first: the order of our offers. Nil means PCMU, PCMA.
	Codecs []Codec

	// Encryption is the SRTP policy: what our offers carry and which
	// offers and answers we take. The zero value is EncryptionRejected.
	Encryption Encryption
}

// Session is our side of one call's offer/answer negotiation. It is not
// safe for concurrent use; the call's dialog owns it.
type Session struct {
	local  netip.AddrPort
	codecs []Codec
	wish   Direction // set by SetDirection
	policy Encryption

	// Our master key for each suite, AES_CM_128_HMAC_SHA1_80 first, with
	// no MKI. It lasts the session and goes in every offer, so that a
	// re-offer keeps the keys in use; an answer draws a new one when the
	// peer's keys change.
	own [2]MasterKey

	id, version uint64
	sent        []byte // the last SDP we produced, to tell whether the next one differs

	// The m= lines of the last exchange. RFC 3264 §8: a new offer keeps
	// them all, in order, so the audio stream stays where it was.
	lines []sdp.MediaName
	audio int // index of the audio stream in lines, -1 if it was rejected

	// Payload types of our next offer for telephone-event and CN: ours at
	// first, then the last ones negotiated, since a number may not change
	// meaning within a session (RFC 3264 §8.3.2).
	eventPT, cnPT int

	offer   *offer // our last offer while it is the latest one, nil if none
	pending bool   // offer is out and not answered yet

	result     Result
	negotiated bool
}

// offer is what AcceptAnswer needs of an offer we made.
type offer struct {
	lines  []sdp.MediaName
	audio  int
	wish   Direction
	crypto []crypto // the a=crypto lines offered
}

// NewSession starts the negotiation for one call.
func NewSession(c Config) (*Session, error) {
	addr := c.Local.Addr().Unmap()
	if !addr.IsValid() || addr.IsUnspecified() || addr.IsMulticast() || c.Local.Port() == 0 {
		return nil, fmt.Errorf("sdpoa: local RTP address %v is not a unicast address and port", c.Local)
	}
	codecs := c.Codecs
	if codecs == nil {
		codecs = []Codec{PCMU, PCMA}
	}
	if len(codecs) == 0 {
		return nil, errors.New("sdpoa: no codecs")
	}
	if c.Encryption > EncryptionRequired {
		return nil, fmt.Errorf("sdpoa: unknown encryption policy %v", c.Encryption)
	}
	for i, k := range codecs {
		if k != PCMU && k != PCMA {
			return nil, fmt.Errorf("sdpoa: codec %s/%d (payload type %d) is not supported", k.Name, k.ClockRate, k.PayloadType)
		}
		if slices.Contains(codecs[:i], k) {
			return nil, fmt.Errorf("sdpoa: codec %s listed twice", k.Name)
		}
	}
	// RFC 4566 §5.2 wants a session id unique enough; some peers read it
	// as a signed 64-bit number, so the top bit stays clear.
	var b [8]byte
	rand.Read(b[:])
	return &Session{
		local:   netip.AddrPortFrom(addr, c.Local.Port()),
		codecs:  slices.Clone(codecs),
		policy:  c.Encryption,
		own:     [2]MasterKey{newMasterKey(), newMasterKey()},
		id:      binary.BigEndian.Uint64(b[:]) >> 1,
		version: 1,
		audio:   -1,
		eventPT: eventPT,
		cnPT:    cnPT,
	}, nil
}

// SetDirection sets the direction we want for the audio stream from our
// point of view: SendRecv (the default), SendOnly or Inactive to put the
// peer on hold, RecvOnly if we have nothing to send. It applies from the
// next Offer or Answer; to change it now, make an Offer.
func (s *Session) SetDirection(d Direction) { s.wish = d }

// Offer returns an SDP offer: for the INVITE, for the 200 answering an
// INVITE without SDP, or for a re-INVITE or UPDATE, e.g. after
// SetDirection. It lists all our codecs. The offer stays outstanding until
// AcceptAnswer or CancelOffer.
func (s *Session) Offer() ([]byte, error) {
	if s.pending {
		return nil, ErrOfferPending
	}
	lines, audio := s.lines, s.audio
	if audio < 0 {
		// RFC 3264 §8.1: a rejected audio stream's slot may carry the new one.
		audio = slices.IndexFunc(lines, func(n sdp.MediaName) bool { return n.Media == "audio" })
	}
	if audio < 0 {
		audio = len(lines)
		lines = append(slices.Clip(lines), sdp.MediaName{Media: "audio"})
	}
	d := s.description()
	sec := s.offerSecurity()
	for i, name := range lines {
		if i == audio {
			d.MediaDescriptions = append(d.MediaDescriptions, s.audioMedia(s.codecs, s.eventPT, dtmfEvents, s.cnPT, s.wish, sec))
		} else {
			d.MediaDescriptions = append(d.MediaDescriptions, rejected(name))
		}
	}
	body, err := s.marshal(d)
	if err != nil {
		return nil, err
	}
	s.offer = &offer{lines: mediaNames(d), audio: audio, wish: s.wish, crypto: sec.crypto}
	s.pending = true
	return body, nil
}

// CancelOffer drops our outstanding offer: the request carrying it was
// refused (491, 488, ...) and, RFC 3264 §8, the session goes on as it was.
// The next SDP we produce still gets a new version.
func (s *Session) CancelOffer() {
	s.offer = nil
	s.pending = false
}

// AcceptAnswer takes the peer's answer to our offer. It may be called again
// with a later answer to the same offer, e.g. the 200 after a 183 with
// early media; the last one counts. If the peer rejected the audio stream
// (port 0), the Result has no audio.
//
// On error nothing changes: the offer is still outstanding.
func (s *Session) AcceptAnswer(answer []byte) (Result, error) {
	o := s.offer
	if o == nil {
		return Result{}, ErrNoOffer
	}
	sd, err := parse(answer)
	if err != nil {
		return Result{}, err
	}
	if n := len(sd.MediaDescriptions); n != len(o.lines) {
		return Result{}, fmt.Errorf("%w: answer has %d m= lines, our offer %d (RFC 3264 §6)", ErrMalformed, n, len(o.lines))
	}
	md := sd.MediaDescriptions[o.audio]
	if md.MediaName.Media != "audio" {
		return Result{}, fmt.Errorf("%w: answer has %s where we offered audio", ErrMalformed, md.MediaName.Media)
	}
	res, audio := noAudio, -1
	if md.MediaName.Port.Value != 0 {
		st, err := negotiate(sd, md, s.codecs, o.wish, s.local.Addr())
		if err != nil {
			return Result{}, err
		}
		if st.SRTP, err = acceptCrypto(sd, md, o.crypto, s.policy); err != nil {
			return Result{}, err
		}
		res, audio = st.Result, o.audio
	}
	s.pending = false
	s.lines, s.audio = o.lines, audio
	return s.settle(res), nil
}

// Answer answers the peer's offer, from an INVITE, re-INVITE or UPDATE, and
// returns the answer and its Result.
//
// It fails with ErrNoCommonCodec if none of the offered streams is of use
// (SIP 488), ErrMalformed if the offer cannot be read, ErrOfferPending if
// our own offer is outstanding (glare, SIP 491). On error nothing changes.
func (s *Session) Answer(offer []byte) ([]byte, Result, error) {
	if s.pending {
		return nil, Result{}, ErrOfferPending
	}
	sd, err := parse(offer)
	if err != nil {
		return nil, Result{}, err
	}
	d := s.description()
	res, audio := noAudio, -1
	wanted := false   // some stream is offered with a port
	var refusal error // why the first audio stream was of no use
	for i, md := range sd.MediaDescriptions {
		if md.MediaName.Port.Value != 0 {
			wanted = true
			if audio < 0 && md.MediaName.Media == "audio" {
				st, err := negotiate(sd, md, s.codecs, s.wish, s.local.Addr())
				var sec security
				if err == nil {
					sec, st.SRTP, err = s.answerSecurity(sd, md)
				}
				switch {
				case err == nil:
					res, audio = st.Result, i
					dir := directionOf(res.Send, res.Recv)
					d.MediaDescriptions = append(d.MediaDescriptions, s.audioMedia([]Codec{res.Codec}, res.TelephoneEvent, st.events, res.ComfortNoise, dir, sec))
					continue
				case !errors.Is(err, ErrNoCommonCodec):
					return nil, Result{}, err
				case refusal == nil:
					refusal = err
				}
			}
		}
		d.MediaDescriptions = append(d.MediaDescriptions, rejected(md.MediaName))
	}
	// RFC 3264 §6: with nothing in common at all, the session is rejected.
	if audio < 0 && wanted {
		if refusal == nil {
			refusal = fmt.Errorf("%w: no audio stream offered", ErrNoCommonCodec)
		}
		return nil, Result{}, refusal
	}
	body, err := s.marshal(d)
	if err != nil {
		return nil, Result{}, err
	}
	s.offer = nil
	s.lines, s.audio = mediaNames(d), audio
	if k := res.SRTP; k.Suite != 0 {
		s.own[k.Suite-1] = MasterKey{Key: k.Local.Key, Salt: k.Local.Salt}
	}
	return body, s.settle(res), nil
}

// offerSecurity is what our offers say about SRTP under our policy.
// EncryptionOptional offers keys on RTP/AVP, the way Microsoft's peers and
// SRTP-capable SBCs do ([MS-SDPEXT]): a peer without SRTP ignores the
// a=crypto lines and answers in the clear, where RTP/SAVP would make it
// refuse the call. EncryptionRequired offers RTP/SAVP, which RFC 4568 asks.
func (s *Session) offerSecurity() security {
	if s.policy == EncryptionRejected {
		return security{}
	}
	return security{
		savp: s.policy == EncryptionRequired,
		crypto: []crypto{
			{tag: 1, suite: AES_CM_128_HMAC_SHA1_80, key: s.own[0]},
			{tag: 2, suite: AES_CM_128_HMAC_SHA1_32, key: s.own[1]},
		},
		encryption: s.policy.String(),
	}
}

// answerSecurity works out SRTP for our answer to the peer's audio stream
// md: what our m= line says and the keys. It fails with ErrNoCommonCodec if
// the stream must be refused.
func (s *Session) answerSecurity(sd *sdp.SessionDescription, md *sdp.MediaDescription) (security, SRTP, error) {
	// RFC 3264 §6: the answer keeps the offer's transport.
	sec := security{savp: isSAVP(md)}
	// [MS-SDPEXT]: a peer that states its policy learns ours.
	if encryption(sd, md) != "" {
		sec.encryption = s.policy.String()
	}
	c, ok, err := chooseCrypto(sd, md, s.policy)
	if err != nil || !ok {
		return sec, SRTP{}, err
	}
	k := SRTP{Suite: c.suite, Local: s.own[c.suite-1], Remote: c.key}
	// A peer that tags its packets with an MKI can read ours, and some
	// expect one: answer in kind.
	if c.key.MKILen > 0 {
		k.Local.MKI, k.Local.MKILen = 1, c.key.MKILen
	}
	// RFC 4568 §7.1.4: a re-offer may change the keys. If the peer's did,
	// or anything else about ours would, ours is new too: a peer with a
	// new key has a new SRTP context, and a key must never start a second
	// context, which would repeat its keystream.
	if prev := s.result.SRTP; prev.Suite != 0 && (prev.Suite != k.Suite || prev.Remote != k.Remote || prev.Local.MKILen != k.Local.MKILen) {
		fresh := newMasterKey()
		k.Local.Key, k.Local.Salt = fresh.Key, fresh.Salt
	}
	sec.crypto = []crypto{{tag: c.tag, suite: c.suite, key: k.Local}}
	return sec, k, nil
}

// settle makes res the session's current Result.
func (s *Session) settle(res Result) Result {
	res.RemoteChanged = s.negotiated && res.Remote != s.result.Remote
	// A peer's number that clashes with another of our formats would make
	// our next offer ambiguous; keep ours then.
	taken := func(pt int) bool {
		return slices.ContainsFunc(s.codecs, func(c Codec) bool { return int(c.PayloadType) == pt })
	}
	if pt := res.TelephoneEvent; pt >= 0 && pt != s.cnPT && !taken(pt) {
		s.eventPT = pt
	}
	if pt := res.ComfortNoise; pt >= 0 && pt != s.eventPT && !taken(pt) {
		s.cnPT = pt
	}
	s.result, s.negotiated = res, true
	return res
}
