// Package rtpstream carries the audio of one call over RTP (RFC 3550): 20 ms
// G.711 frames and RFC 4733 DTMF events out and in, RTCP reports both ways.
// It is the media transport between the telephony engine's frame loop and
// the network, on github.com/pion/rtp and github.com/pion/rtcp.
//
// # Ports
//
// A [PortRange], shared by all calls, hands out an even UDP port for RTP and
// the odd one above it for RTCP. [Open] binds a pair and starts the stream;
// [Stream.Close] sends an RTCP BYE and gives the pair back.
//
// # The frame loop
//
// The engine calls [Stream.Send] and [Stream.Receive] once per 20 ms frame,
// [Stream.StartDigit] and [Stream.StopDigit] when its DTMF detector reports a
// key going down and up, and [Stream.Digit] to collect the digits received.
// None of them blocks or allocates: packets pass between the loop and the
// stream's goroutines through bounded queues, and when a queue is full the
// packet is dropped and counted in [Stats]. The RTP timestamp advances by
// 160 per frame whether or not anything is sent, so the line's PCM clock,
// not a timer, paces the stream.
//
// # Signalling
//
// The call gives the stream what SDP negotiated with [Stream.SetRemote]:
// the remote address, the codec's and telephone-event's payload types, and
// the direction. It calls SetRemote again for each re-INVITE; hold is a
// direction that does not send, or does not receive, or neither.
//
// # Latching
//
// The stream sends to the SDP address until RTP of a negotiated type
// arrives, then to the address that packet came from (symmetric RTP, for
// remotes behind NAT). Packets from other addresses are dropped and counted,
// except that a new SSRC sending in sequence from a new address takes the
// latch over. A new address from SetRemote undoes the latch.
//
// # DTMF
//
// A digit is sent as RFC 4733 events in place of the audio: a start packet
// with the marker bit, an update every frame with the duration grown by 160,
// and the end packet three times. Events longer than the 16-bit duration
// field allows (8 s) go on in segments, as RFC 4733 section 2.5.1.3 has it.
// Received events are reported once each as a digit start and a digit end;
// an event whose end packets are all lost ends 250 ms after its last packet.
//
// # SRTP
//
// With keys in Remote.SRTP the stream sends and takes SRTP and SRTCP only
// (RFC 3711, AES_CM_128_HMAC_SHA1_80 or _32, with or without an MKI, on
// github.com/pion/srtp). The frame loop does not see it: the writer
// goroutine protects each packet into a buffer of its own and the readers
// check and decrypt into theirs, so no packet allocates. Packets that do
// not authenticate, and replays, are dropped and counted. Each direction's
// context lasts as long as its key: new keys at a re-INVITE start new
// contexts, the same keys keep theirs.
//
// # RTCP and timeouts
//
// Every 5 s or so (randomised as RFC 3550 asks) the stream sends a sender
// report if it sent RTP recently, else a receiver report, with loss and
// jitter of the remote's packets. The remote's reports give the round-trip
// time. [Stream.Timeout] tells the call when no RTP has arrived for the
// configured time, so it can hang up.
package rtpstream
