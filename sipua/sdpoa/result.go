package sdpoa

import (
	"net/netip"
	"time"
)

// Result is the outcome of one offer/answer exchange, for the media layer.
// Payload types are the peer's: the numbers to put in the RTP we send. When
// we answer, they are the offer's, so both directions use the same ones.
//
// If the audio stream was rejected, by either side, Remote is the zero
// AddrPort (!Remote.IsValid()) and Send and Recv are false.
type Result struct {
	Remote netip.AddrPort // where to send RTP and, at port+1, RTCP
	Codec  Codec          // the one audio codec

	TelephoneEvent int // RFC 4733 payload type for DTMF, or -1 if none
	ComfortNoise   int // RFC 3389 payload type, or -1 if none

	Send bool // we may send: the peer receives and we are not holding it
	Recv bool // expect media: the peer sends and we are not on hold ourselves

	PTime    time.Duration // the peer's a=ptime, 0 if it gave none
	MaxPTime time.Duration // the peer's a=maxptime, 0 if it gave none

	// SRTP holds the keys if the stream is SRTP; its Suite is zero for
	// plain RTP.
	SRTP SRTP

	// RemoteChanged reports that Remote differs from the previous Result of
	// this Session: a re-offer or re-answer moved the peer's media.
	RemoteChanged bool
}

// noAudio is the Result of an exchange in which the audio stream was rejected.
var noAudio = Result{TelephoneEvent: -1, ComfortNoise: -1}
