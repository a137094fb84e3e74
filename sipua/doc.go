// Package sipua is the gateway's SIP user agent: it listens for SIP,
// registers the configured accounts and keeps them registered, answers
// OPTIONS, and turns away out-of-dialog requests from peers it does not
// trust. It is built on github.com/emiago/sipgo, adding what sipgo leaves
// to its users: registration refresh at the granted expiry, back-off after
// failures, and a choice among digest challenges.
//
// The packages below it do one part each: sdpoa negotiates the session
// description, rtpstream carries a call's audio and DTMF, telephoneevent
// is the RFC 4733 payload and q850 maps call-clearing causes.
package sipua
