// Package q850 translates call failures between SIP and the telephone side
// of the gateway, and reads and writes the SIP Reason header that carries
// them.
//
// The telephone side (analog lines, ISDN BRI) speaks in ITU-T Q.850 cause
// values; SIP speaks in response status codes. [Cause.Status] gives the SIP
// final response for a call the telephone side failed (RFC 3398 §7.2.4.1),
// and [FromStatus] the cause with which to release the telephone side of a
// call that SIP failed (RFC 3398 §8.2.6.1). The SIP ↔ PSTN table of the
// project's seed document agrees with the second mapping row for row.
//
// A [Reason] is one value of a Reason header (RFC 3326), such as
//
//	Q.850;cause=16;text="Normal call clearing"
//
// [ParseReasons] reads a received header value; [Reason.String] writes one.
// [StatusText] gives the reason phrase of a SIP status code, which sipgo
// leaves to its callers.
//
// The API uses plain ints and strings: callers put them into SIP messages.
package q850
