// Package sipua is the gateway's SIP user agent. It listens for SIP over
// UDP, TCP and TLS, registers the configured accounts and keeps them
// registered, takes incoming calls and places outgoing ones, answers
// OPTIONS, and turns away out-of-dialog requests from peers it does not
// trust.
//
// It is built on github.com/emiago/sipgo's transport and transaction
// layers and keeps its own dialog state (dialog.go): sipgo's dialog
// sessions never update the remote target or route set, tie the local
// sequence numbers to the peer's, answer re-INVITEs without Contact, and
// may hand a 18x over after the 200 that followed it (sipgo issue #306).
// What sipua adds:
//
//   - registration: refresh before the granted expiry, back-off after
//     failures, the strongest of several digest challenges, keep-alives,
//     failover among the servers RFC 3263 finds;
//   - calls (Call): an incoming call goes to Config.Incoming, an outgoing
//     one comes from UA.Dial; 18x with early media, forked 2xx, 3xx,
//     CANCEL, digest challenges; re-INVITE and UPDATE both ways (hold,
//     resume, new address or codec), INFO DTMF, REFER and Replaces, with
//     Successor naming the call a line carries on with; transfers the
//     gateway asks for (Transfer, TransferTo), followed through the
//     REFER's NOTIFYs; a call to a sip: URI with no account;
//   - message waiting (RFC 3842): Account.MWI subscribes to the mailbox,
//     and Config.MessageWaiting gets its state, unsolicited NOTIFYs too;
//   - SIP ↔ Q.850 causes (RFC 3398) with Reason headers (RFC 3326).
//
// The packages below it do one part each: sdpoa negotiates the session
// description, rtpstream carries a call's audio and DTMF, telephoneevent
// is the RFC 4733 payload, q850 maps call-clearing causes and locate finds
// servers by RFC 3263.
package sipua
