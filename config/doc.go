// Package config is the typed configuration of the tipring gateway: one
// human-edited TOML file, its built-in defaults, its validation and its
// atomic saving.
//
// # File format
//
// Sections and keys are snake_case:
//
//	[device]            name, country (tone/ring/caller-ID profile), timezone
//	[sip]               listen ("udp:0.0.0.0:5060"; port 0 = any free port), tls_cert,
//	                    tls_key, tls_ca, tls_verify (true), trusted_peers, keepalive (30 s),
//	                    rtp_ports ("10000-20000"), rtp_timeout (60 s; 0 = never),
//	                    location_profile, trunking_peer, media_bypass
//	[[accounts]]        name, registrar, proxy, outbound_proxy, user, auth_user,
//	                    password, domain, expires, mwi, mailbox, pstn, phone_context,
//	                    hold_inactive, register_gateway (true), srtp
//	[[lines]]           id (board port, from 1), kind (fxs, fxo, bri), number,
//	                    account, name, caller_id, send_anonymous, dial_plan, hotline, hotline_delay,
//	                    first_digit_timeout (16), inter_digit_timeout (10), critical_timeout (4)
//	                    (seconds; 0 = the default),
//	                    reversal, howler, call_waiting (true), transfer (true), conference (true),
//	                    mwi (true) (fxs); answer (immediate), disconnect
//	                    (loop, polarity, tone), silence_timeout, dialing (dtmf or pulse; dtmf) (fxo);
//	                    echo_canceller (true), echo_tail (64 ms), plc (true),
//	                    jitter_min (40 ms), jitter_max (300 ms)
//	[routing]           country_code, national_prefix, international_prefix, local_calls (true)
//	[[routing.rewrite]] match (prefix), strip, prefix, direction (out or in; out)
//	[[routing.inbound]] match (digit map), lines (line ids, first free wins)
//	[web]               listen ("" disables the web UI)
//	[control]           socket (see [Control.SocketPath])
//	[console]           device, baud
//	[board]             name
//
// "tipring config default" prints the whole default file.
//
// # SIP security and media
//
// tls_cert and tls_key (PEM files) serve the tls listeners and are the
// client certificate when a TLS server asks for one. tls_ca is a PEM bundle
// of the CAs that sign the servers' certificates; without it the system's
// roots verify them. tls_verify = false skips that verification, which lets
// anyone in the path pose as the server: the daemon warns about it.
//
// Each call takes an even UDP port from rtp_ports for RTP and the odd one
// above it for RTCP (RFC 3550 section 11), so the range must hold a pair for
// each line. An answered call that receives no RTP for rtp_timeout seconds is
// hung up.
//
// # Voice processing
//
// Each line cancels the echo of its own hybrid (the far party's voice
// coming back from the phone or the PSTN line) in what it sends, over
// echo_tail milliseconds of echo path (16 to 128), unless echo_canceller =
// false. plc = true conceals packets that do not come in time (G.711
// Appendix I); false plays silence instead. The calls' jitter buffer
// delays the fastest packets by jitter_min milliseconds at least (and
// starts there), jitter_max at most (20 to 1000), following the jitter it
// measures between them.
//
// # The gateway role
//
// For a Microsoft Mediation Server ([MS-OCPSTN]) an account sets
// phone_context = true (numbers that are not E.164 go as
// sip:DIGITS;phone-context=PROFILE@domain;user=phone, PROFILE being
// sip.location_profile, else "dialstring") and hold_inactive = true (hold
// with a=inactive, the one form a Mediation Server takes); pstn = true
// marks an account whose calls go to the PSTN. register_gateway = false
// leaves isGateway out of the Contact of REGISTERs (the gateway's other
// requests and responses carry it anyway). sip.trunking_peer is the host in the ms-trunking-peer
// header, by default device.name when that is a host name (see
// [Config.TrunkingPeer]); sip.media_bypass = true offers ms-bypass.
//
// srtp is the account's SRTP policy (SDES, RFC 4568): "rejected" (plain
// RTP), "optional" (keys offered, plain RTP taken) or "required". SDES
// sends the keys in the SDP, so the default is "optional" when the
// account's calls are signalled over TLS (the first server their INVITEs
// go to, outbound_proxy, else proxy, else registrar, is a sips: URI or has
// ;transport=tls) and "rejected" otherwise, and "required" without TLS is
// an error (see [Account.SRTPPolicy]).
//
// # Message waiting
//
// An account with mwi = true subscribes to its mailbox's message-waiting
// state (RFC 3842): mailbox, a SIP URI such as "sip:*97@pbx.example.com",
// else the account's own address. Unsolicited message-summary NOTIFYs from
// the account's servers or trusted_peers, as Asterisk sends, count too,
// whatever mwi says. An fxs line with mwi = true (the default) then gives
// stutter dial tone while messages wait, and sets the phone's lamp by FSK
// caller ID (not DTMF, nor caller_id = "off") while it is on hook.
//
// send_anonymous = true withholds the caller's identity on a line's calls,
// the phone's on an fxs line and every PSTN caller's on an fxo line, as
// a PSTN caller who withholds theirs is: From is sip:anonymous@DOMAIN;user=phone
// ([MS-OCPSTN] §3.5), with Privacy: id and the identity in
// P-Preferred-Identity for the trusted network alone (RFC 3323, 3325).
//
// # Numbers
//
// routing.country_code (by default that of device.country) makes national
// numbers E.164 ones. national_prefix is the trunk prefix dialled before a
// national number and international_prefix the one dialled before a country
// code; by default both are those of the country code ("1" and "011" in
// NANP, "0" and "00" in most of Europe, "0" and "0011" in Australia, "0" and
// "010" in Japan). Each [[routing.rewrite]] rule takes strip characters off
// the front of the numbers that begin with match and puts prefix there; the
// first rule that fits a number of its direction applies. Outgoing ("out")
// rules see what a phone dialled, as in match = "9", strip = 1 for an outside
// line; incoming ("in") rules see the called number as the site dials it,
// E.164 numbers already made national ("+442079460000" is "02079460000").
//
// # Defaults
//
// [Load] decodes the file onto [Default]: a key missing from the file keeps
// its default. An array in the file replaces the default array entirely; in
// particular, [[lines]] in the file replace all the default lines. Each
// [[accounts]] and [[lines]] element starts from its own defaults
// (expires = 3600, register_gateway = true, caller_id = "auto", call_waiting = true,
// mwi = true, answer = "immediate", disconnect = ["loop", "polarity", "tone"],
// echo_canceller = true, echo_tail = 64, plc = true, jitter_min = 40,
// jitter_max = 300, direction = "out"). Keys whose default is derived from
// another key (auth_user, domain, srtp, sip.trunking_peer,
// routing.country_code, routing.national_prefix,
// routing.international_prefix, control.socket) stay empty in the Config;
// methods resolve them.
//
// # Errors
//
// [Load] and [Config.Validate] report every problem at once as [Errors], one
// [Error] per problem, each naming its key path in the file with 0-based
// array indices ("lines[2].number": the third [[lines]] element), in file
// order. Unknown keys and values of the wrong type are errors too. A syntax
// error stops parsing and is reported alone with its line and column.
//
// # Secrets
//
// Passwords have type [Secret]: they print as "[redacted]" through fmt, log/slog
// and encoding/json, but are saved verbatim, so the file is written with
// mode 0600.
package config
