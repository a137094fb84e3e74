// Package sdpoa negotiates the gateway's one audio stream with SDP offers
// and answers (RFC 3264). github.com/pion/sdp/v3 parses and prints the SDP;
// this package decides what goes in it.
//
// A [Session] holds our side of one call: the local RTP address, the codecs
// we accept, the o= line and the last result. The SIP layer feeds it every
// SDP body of the dialog and sends what it returns:
//
//	INVITE with SDP       Answer(offer), the answer goes in the 200 (or 183)
//	INVITE without SDP    Offer() goes in the 200, AcceptAnswer(ACK body)
//	our INVITE            Offer() goes in it, AcceptAnswer(18x or 200 body)
//	re-INVITE, UPDATE     the same, either way round
//	our offer refused     CancelOffer() (RFC 3264 §8: the old session stands)
//
// Each completed exchange yields a [Result]: where to send RTP, with which
// codec and payload types, in which directions. The media layer consumes it.
//
// # Formats
//
// PCMU and PCMA at 20 ms, telephone-event (RFC 4733) for the DTMF events 0-15
// under whatever payload type the peer gives it, and comfort noise (RFC 3389).
// Our offers list Config.Codecs in order, then telephone-event and CN: as
// 101 and 13 at first, later under the numbers the peer used.
// An answer honours the offer's order: the first codec of the offer that we
// accept wins, whatever our own preference. It carries exactly that codec,
// plus telephone-event and CN if they were offered, under the offer's
// payload numbers.
//
// # Streams
//
// Only one audio stream is used: the first acceptable one. Every other m=
// line (video, fax, a second audio stream, audio over RTP/SAVP that our
// SRTP policy cannot key) is answered with port 0, keeping the offer's
// order and count. If nothing at all can be accepted the answer is
// [ErrNoCommonCodec] (RFC 3264 §6: the session is rejected; SIP 488). An
// offer whose every stream already has port 0 is answered in kind, with no
// audio in the Result.
//
// # SRTP
//
// Config.Encryption is the call's SRTP policy, keyed in the SDP with
// a=crypto (SDES, RFC 4568) for the suites AES_CM_128_HMAC_SHA1_80 and
// AES_CM_128_HMAC_SHA1_32. Our offers under each policy:
//
//	EncryptionRejected  RTP/AVP, no keys
//	EncryptionOptional  RTP/AVP, a=crypto:1 (_80) and :2 (_32), a=encryption:optional
//	EncryptionRequired  RTP/SAVP, the same a=crypto lines, a=encryption:required
//
// Optional keys RTP/AVP, as Microsoft's peers do ([MS-SDPEXT]) and SBCs
// take: a peer without SRTP ignores the keys and answers in the clear,
// where it would refuse RTP/SAVP. The keys are random, one per suite,
// drawn when the Session is made; re-offers repeat them.
//
// An offer is keyed with its first a=crypto line of a known suite, a
// 30-byte key, a lifetime of at most 2^48 and an MKI of at most 4 bytes;
// other lines are passed over. The answer keeps the offer's transport and
// carries one a=crypto line: that line's tag and suite with our key, and
// an MKI of 1 and the same length if the peer used one. An offer that
// must be SRTP (RTP/SAVP or a=encryption:required) and cannot be keyed,
// or any offer without usable keys under EncryptionRequired, has its
// stream refused; an offer with keys is answered in the clear under
// EncryptionRejected when it allows it. An offer stating a=encryption
// hears our policy back in the same attribute; a=encryption:rejected
// means the peer will not encrypt, whatever keys it lists.
//
// The Result's SRTP holds the keys both ways. Our key stays the same over
// re-offers that keep the peer's; when the peer's changes (RFC 4568
// §7.1.4), so does ours, so that no key ever starts a second SRTP context.
//
// # Direction and hold
//
// The direction attribute is read at media level, else session level, else
// sendrecv. An answer mirrors the offer (sendonly is answered recvonly and so
// on) limited by our own wish, [Session.SetDirection]: to put the peer on
// hold, set SendOnly (or Inactive) and make a new offer; set SendRecv and
// offer again to resume. A peer's hold arrives as a=sendonly, a=inactive or,
// from RFC 2543 equipment, c=0.0.0.0, which means "do not send to me"
// (RFC 3264 §8.4).
//
// # The o= line
//
// One random session id for the life of the Session. The version goes up by
// one for every SDP we produce that differs from the previous one, offer or
// answer; an identical one keeps it (RFC 3264 §8).
package sdpoa
