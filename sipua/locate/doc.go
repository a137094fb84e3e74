// Package locate finds the servers behind a SIP URI by the DNS procedures
// of RFC 3263, so that a gateway configured with sip:pbx.example.com reaches
// one of the domain's servers and fails over to the next.
//
// [Resolver.Lookup] turns the host, port, scheme and transport parameter of
// a URI into an ordered list of [Target]s, each a transport and an address:
//
//   - a numeric IP address is the one target, at the port of the URI or the
//     transport's default (5060, or 5061 for TLS);
//   - a domain with an explicit port has its A and AAAA records looked up;
//   - a domain with an explicit transport has the SRV records of that
//     transport looked up (_sip._udp, _sip._tcp, or _sips._tcp for TLS);
//   - otherwise the domain's NAPTR records (services SIP+D2U, SIP+D2T and
//     SIPS+D2T) name the SRV records to look up, in order and preference;
//     without NAPTR records, the SRV records of each transport the gateway
//     supports are looked up in the gateway's order of preference;
//   - without SRV records, the domain's A and AAAA records are used with
//     the transport chosen so far: UDP for sip, TLS for sips.
//
// A sips URI is only ever reached over TLS. SRV records are ordered by
// priority and, within a priority, at random in proportion to their weights
// (RFC 2782), afresh for each lookup so that load spreads as the domain
// asks. An SRV target of "." says the service is not offered. Each host's A
// addresses come before its AAAA addresses unless [Resolver.PreferIPv6] is
// set.
//
// The caller sends to the first target and, on a timeout, a transport error
// or a 503 response, to the next (RFC 3263 §4.3). It reports the target
// that failed with [Resolver.MarkFailed], so that lookups during the next
// FailFor (30 s by default) put it last and the next request goes to a
// server that works.
//
// # DNS
//
// Queries go to [Resolver.Server] if set, otherwise to the nameservers in
// /etc/resolv.conf, in turn; when that file names none, to the local
// machine (127.0.0.1 and ::1, port 53), as resolv.conf(5) says. The file is
// read for every query that the cache cannot answer, so a nameserver
// learnt from a new DHCP lease takes effect. Go's own resolver is not used:
// it cannot look up NAPTR records, and one path for all record types keeps
// the answers and their TTLs in one cache. Names are taken as fully
// qualified; the search list of resolv.conf does not apply.
//
// Queries use UDP and repeat over TCP when the answer is truncated. Answers,
// including "no such name" and "no such record" (RFC 2308), are cached for
// their TTL, so failing over does not query again for every request.
//
// # Not done
//
// No DNSSEC validation; records from an answer's additional section are not
// used; SCTP and WebSocket transports (SIP+D2S, SIP+D2W) are skipped.
package locate
