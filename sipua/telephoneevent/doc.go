// Package telephoneevent encodes and decodes the RTP payload of RFC 4733
// named telephone events, which carries DTMF digits out of band as
// "telephone-event" packets beside the audio.
//
// An [Event] is the payload's four fields: the event code, the end bit, the
// volume and the duration. [Event.MarshalTo] and [Event.Unmarshal] work on
// buffers the caller owns and never allocate, so they can run once per 20 ms
// frame. [Code] and [Digit] map keypad characters to the event codes of
// RFC 4733 section 3.2 and back.
package telephoneevent
