package sdpoa

import "errors"

var (
	// ErrMalformed wraps every problem with the peer's SDP itself: text that
	// does not parse, a missing or unusable c= line, an answer that does not
	// match our offer. The SIP layer answers 400 or 488.
	ErrMalformed = errors.New("sdpoa: malformed SDP")

	// ErrNoCommonCodec means the peer's SDP is fine but offers nothing we can
	// use: no codec in common, SRTP we cannot key or our policy refuses,
	// only video or fax. The SIP layer answers 488 Not Acceptable Here.
	ErrNoCommonCodec = errors.New("sdpoa: no codec in common")

	// ErrOfferPending is returned by Offer and Answer while our own offer
	// still awaits its answer (RFC 3264 §4). For an incoming offer that is
	// glare: the SIP layer answers 491 Request Pending.
	ErrOfferPending = errors.New("sdpoa: our offer awaits its answer")

	// ErrNoOffer is returned by AcceptAnswer when we have no offer that the
	// SDP could answer.
	ErrNoOffer = errors.New("sdpoa: no offer of ours to answer")
)
