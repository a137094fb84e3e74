// Package mediation is a stand-in for a Microsoft Mediation Server, for
// tests only: it speaks SIP over TLS on loopback to a gateway in the
// gateway role of [MS-OCPSTN], calling it and taking its calls, with the
// offers, option tags and headers a Mediation Server uses (multipart
// offers with Content-IDs, ms-early-media, Ms-Call-Source, isGateway in
// its Contact). A Media is the audio of one of its calls, RTP or SRTP as
// the SDP exchange keys it, playing a signal and keeping what it hears. It
// checks nothing itself: tests read what it got.
//
// [MS-OCPSTN]: Session Initiation Protocol (SIP) for PSTN Calls Extensions.
package mediation
