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
// Only one RTP/AVP audio stream is used: the first acceptable one. Every
// other m= line (video, fax, a second audio stream, audio over RTP/SAVP,
// which needs SRTP we do not have) is answered with port 0, keeping the
// offer's order and count. If nothing at all can be accepted the answer is
// [ErrNoCommonCodec] (RFC 3264 §6: the session is rejected; SIP 488). An
// offer whose every stream already has port 0 is answered in kind, with no
// audio in the Result.
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
