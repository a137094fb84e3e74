package locate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// testZone has a domain for each way RFC 3263 finds servers. SRV records
// of one service have distinct priorities, so their order is known.
var testZone = []string{
	// NAPTR, SRV, A and AAAA, as in RFC 3263 §4.1; NAPTR records out of
	// order and one for a service the gateway lacks.
	`example.com. 300 IN NAPTR 100 50 "s" "SIP+D2U" "" _sip._udp.example.com.`,
	`example.com. 300 IN NAPTR 50 50 "s" "SIPS+D2T" "" _sips._tcp.example.com.`,
	`example.com. 300 IN NAPTR 90 50 "s" "SIP+D2T" "" _sip._tcp.example.com.`,
	`example.com. 300 IN NAPTR 10 50 "s" "SIP+D2S" "" _sip._sctp.example.com.`,
	`_sips._tcp.example.com. 300 IN SRV 20 0 5061 s2.example.com.`,
	`_sips._tcp.example.com. 300 IN SRV 10 0 5061 s1.example.com.`,
	`_sip._tcp.example.com. 300 IN SRV 10 0 5060 s1.example.com.`,
	`_sip._udp.example.com. 300 IN SRV 10 0 5060 s1.example.com.`,
	`_sip._udp.example.com. 300 IN SRV 20 0 5062 s2.example.com.`,
	`s1.example.com. 60 IN A 192.0.2.1`,
	`s1.example.com. 60 IN AAAA 2001:db8::1`,
	`s2.example.com. 60 IN A 192.0.2.2`,
	`example.com. 300 IN A 192.0.2.100`,

	// SRV without NAPTR.
	`_sip._udp.srv.test. 300 IN SRV 0 0 5060 s1.example.com.`,
	`_sip._tcp.srv.test. 300 IN SRV 0 0 5070 s2.example.com.`,
	`_sips._tcp.srv.test. 300 IN SRV 0 0 5071 s2.example.com.`,

	// Addresses only.
	`a.test. 300 IN A 192.0.2.10`,
	`a.test. 300 IN A 192.0.2.11`,
	`a.test. 300 IN AAAA 2001:db8::10`,

	// SRV records saying "not here", beside an address not to be used.
	`_sip._udp.dot.test. 300 IN SRV 0 0 0 .`,
	`_sip._tcp.dot.test. 300 IN SRV 0 0 0 .`,
	`_sips._tcp.dot.test. 300 IN SRV 0 0 0 .`,
	`dot.test. 300 IN A 192.0.2.99`,

	// NAPTR of preferences within one order; the first SRV name is empty,
	// its transport the one for the addresses after all.
	`pref.test. 300 IN NAPTR 10 20 "S" "sip+d2u" "" _sip._udp.pref.test.`,
	`pref.test. 300 IN NAPTR 10 10 "S" "sip+d2t" "" _sip._tcp.pref.test.`,
	`pref.test. 300 IN A 192.0.2.30`,

	// NAPTR records of no use to the gateway: the SRV records decide.
	`sctp.test. 300 IN NAPTR 10 10 "s" "SIP+D2S" "" _sip._sctp.sctp.test.`,
	`sctp.test. 300 IN NAPTR 20 10 "u" "SIP+D2U" "!^.*$!sip:x@y!" .`,
	`_sip._udp.sctp.test. 300 IN SRV 0 0 5060 s2.example.com.`,

	// An alias.
	`alias.test. 300 IN CNAME s1.example.com.`,

	// SRV targets: one that fails, one twice, one fine.
	`_sip._udp.mixed.test. 300 IN SRV 10 0 5060 host.fail.test.`,
	`_sip._udp.mixed.test. 300 IN SRV 20 0 5060 s2.example.com.`,
	`_sip._udp.mixed.test. 300 IN SRV 30 0 5060 s2.example.com.`,
	`_sip._udp.mixed.test. 300 IN SRV 40 0 5060 alias.test.`,
}

func TestLookup(t *testing.T) {
	z := newZone(t, testZone...)
	z.fail = []string{"fail.test."}
	addr := serve(t, z)

	all := []Transport{UDP, TCP, TLS}
	tests := []struct {
		name       string
		uri        URI
		transports []Transport
		preferIPv6 bool
		want       []string
	}{
		{"naptr", URI{Scheme: "sip", Host: "example.com"}, all, false, []string{
			"tls:192.0.2.1:5061 s1.example.com",
			"tls:[2001:db8::1]:5061 s1.example.com",
			"tls:192.0.2.2:5061 s2.example.com",
			"tcp:192.0.2.1:5060 s1.example.com",
			"tcp:[2001:db8::1]:5060 s1.example.com",
			"udp:192.0.2.1:5060 s1.example.com",
			"udp:[2001:db8::1]:5060 s1.example.com",
			"udp:192.0.2.2:5062 s2.example.com",
		}},
		{"naptr without TLS", URI{Scheme: "sip", Host: "example.com"}, []Transport{UDP, TCP}, false, []string{
			"tcp:192.0.2.1:5060 s1.example.com",
			"tcp:[2001:db8::1]:5060 s1.example.com",
			"udp:192.0.2.1:5060 s1.example.com",
			"udp:[2001:db8::1]:5060 s1.example.com",
			"udp:192.0.2.2:5062 s2.example.com",
		}},
		{"naptr sips", URI{Scheme: "sips", Host: "example.com"}, all, false, []string{
			"tls:192.0.2.1:5061 s1.example.com",
			"tls:[2001:db8::1]:5061 s1.example.com",
			"tls:192.0.2.2:5061 s2.example.com",
		}},
		{"naptr IPv6 first", URI{Scheme: "sip", Host: "example.com"}, []Transport{UDP}, true, []string{
			"udp:[2001:db8::1]:5060 s1.example.com",
			"udp:192.0.2.1:5060 s1.example.com",
			"udp:192.0.2.2:5062 s2.example.com",
		}},
		{"naptr preference", URI{Scheme: "sip", Host: "pref.test"}, all, false, []string{
			"tcp:192.0.2.30:5060 pref.test",
		}},
		{"naptr unusable", URI{Scheme: "sip", Host: "sctp.test"}, all, false, []string{
			"udp:192.0.2.2:5060 s2.example.com",
		}},
		{"upper case", URI{Scheme: "SIP", Host: "EXAMPLE.com.", Transport: "TCP"}, all, false, []string{
			"tcp:192.0.2.1:5060 s1.example.com",
			"tcp:[2001:db8::1]:5060 s1.example.com",
		}},
		{"explicit port", URI{Scheme: "sip", Host: "example.com", Port: 5080}, all, false, []string{
			"udp:192.0.2.100:5080 example.com",
		}},
		{"explicit port and transport", URI{Scheme: "sip", Host: "example.com", Port: 5080, Transport: "tcp"}, all, false, []string{
			"tcp:192.0.2.100:5080 example.com",
		}},
		{"explicit port sips", URI{Scheme: "sips", Host: "example.com", Port: 5081}, all, false, []string{
			"tls:192.0.2.100:5081 example.com",
		}},
		{"explicit transport", URI{Scheme: "sip", Host: "example.com", Transport: "udp"}, all, false, []string{
			"udp:192.0.2.1:5060 s1.example.com",
			"udp:[2001:db8::1]:5060 s1.example.com",
			"udp:192.0.2.2:5062 s2.example.com",
		}},
		{"sip over TLS", URI{Scheme: "sip", Host: "example.com", Transport: "tls"}, all, false, []string{
			"tls:192.0.2.1:5061 s1.example.com",
			"tls:[2001:db8::1]:5061 s1.example.com",
			"tls:192.0.2.2:5061 s2.example.com",
		}},
		{"sips transport tcp", URI{Scheme: "sips", Host: "srv.test", Transport: "tcp"}, all, false, []string{
			"tls:192.0.2.2:5071 s2.example.com",
		}},
		{"explicit transport without SRV", URI{Scheme: "sip", Host: "a.test", Transport: "tcp"}, all, false, []string{
			"tcp:192.0.2.10:5060 a.test",
			"tcp:192.0.2.11:5060 a.test",
			"tcp:[2001:db8::10]:5060 a.test",
		}},
		{"srv", URI{Scheme: "sip", Host: "srv.test"}, all, false, []string{
			"udp:192.0.2.1:5060 s1.example.com",
			"udp:[2001:db8::1]:5060 s1.example.com",
			"tcp:192.0.2.2:5070 s2.example.com",
			"tls:192.0.2.2:5071 s2.example.com",
		}},
		{"srv in the gateway's order", URI{Scheme: "sip", Host: "srv.test"}, []Transport{TLS, TCP}, false, []string{
			"tls:192.0.2.2:5071 s2.example.com",
			"tcp:192.0.2.2:5070 s2.example.com",
		}},
		{"srv sips", URI{Scheme: "sips", Host: "srv.test"}, all, false, []string{
			"tls:192.0.2.2:5071 s2.example.com",
		}},
		{"addresses", URI{Scheme: "sip", Host: "a.test"}, all, false, []string{
			"udp:192.0.2.10:5060 a.test",
			"udp:192.0.2.11:5060 a.test",
			"udp:[2001:db8::10]:5060 a.test",
		}},
		{"addresses without UDP", URI{Scheme: "sip", Host: "a.test"}, []Transport{TLS, TCP}, false, []string{
			"tcp:192.0.2.10:5060 a.test",
			"tcp:192.0.2.11:5060 a.test",
			"tcp:[2001:db8::10]:5060 a.test",
		}},
		{"addresses sips", URI{Scheme: "sips", Host: "a.test"}, all, true, []string{
			"tls:[2001:db8::10]:5061 a.test",
			"tls:192.0.2.10:5061 a.test",
			"tls:192.0.2.11:5061 a.test",
		}},
		{"cname", URI{Scheme: "sip", Host: "alias.test", Port: 5060}, all, false, []string{
			"udp:192.0.2.1:5060 alias.test",
			"udp:[2001:db8::1]:5060 alias.test",
		}},
		{"failing target skipped, repeats dropped", URI{Scheme: "sip", Host: "mixed.test"}, all, false, []string{
			"udp:192.0.2.2:5060 s2.example.com",
			"udp:192.0.2.1:5060 alias.test",
			"udp:[2001:db8::1]:5060 alias.test",
		}},
		{"IPv4", URI{Scheme: "sip", Host: "192.0.2.7"}, all, false, []string{"udp:192.0.2.7:5060 "}},
		{"IPv4 TCP only", URI{Scheme: "sip", Host: "192.0.2.7"}, []Transport{TCP}, false, []string{"tcp:192.0.2.7:5060 "}},
		{"IPv4 port transport", URI{Scheme: "sip", Host: "192.0.2.7", Port: 5999, Transport: "tcp"}, all, false, []string{"tcp:192.0.2.7:5999 "}},
		{"IPv6 sips", URI{Scheme: "sips", Host: "[2001:db8::7]"}, all, false, []string{"tls:[2001:db8::7]:5061 "}},
		{"IPv6 bare", URI{Scheme: "sip", Host: "2001:db8::7", Port: 5070}, all, false, []string{"udp:[2001:db8::7]:5070 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := testResolver(addr)
			r.Transports, r.PreferIPv6 = tt.transports, tt.preferIPv6
			ts, err := r.Lookup(context.Background(), tt.uri)
			if err != nil {
				t.Fatal(err)
			}
			if got := targetStrings(ts); !slices.Equal(got, tt.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	z := newZone(t, testZone...)
	z.fail = []string{"fail.test."}
	addr := serve(t, z)

	tests := []struct {
		name       string
		uri        URI
		transports []Transport
		want       error // nil: neither ErrInvalid nor ErrNotFound
		text       string
	}{
		{"scheme", URI{Scheme: "tel", Host: "example.com"}, nil, ErrInvalid, "scheme"},
		{"no host", URI{Scheme: "sip"}, nil, ErrInvalid, "host"},
		{"bad host", URI{Scheme: "sip", Host: "exa_mple.com"}, nil, ErrInvalid, "host"},
		{"empty label", URI{Scheme: "sip", Host: "example..com"}, nil, ErrInvalid, "host"},
		{"hyphen", URI{Scheme: "sip", Host: "-example.com"}, nil, ErrInvalid, "host"},
		{"long label", URI{Scheme: "sip", Host: strings.Repeat("a", 64) + ".com"}, nil, ErrInvalid, "host"},
		{"IPv4 in brackets", URI{Scheme: "sip", Host: "[192.0.2.1]"}, nil, ErrInvalid, "IPv6"},
		{"unclosed bracket", URI{Scheme: "sip", Host: "[2001:db8::1"}, nil, ErrInvalid, "IPv6"},
		{"sctp", URI{Scheme: "sip", Host: "example.com", Transport: "sctp"}, nil, ErrInvalid, "sctp"},
		{"sips over UDP", URI{Scheme: "sips", Host: "example.com", Transport: "udp"}, nil, ErrInvalid, "UDP"},
		{"transport lacking", URI{Scheme: "sip", Host: "example.com", Transport: "tls"}, []Transport{UDP, TCP}, ErrInvalid, "no tls"},
		{"sips without TLS", URI{Scheme: "sips", Host: "192.0.2.1"}, []Transport{UDP, TCP}, ErrInvalid, "TLS"},
		{"no transports", URI{Scheme: "sip", Host: "192.0.2.1"}, []Transport{}, ErrInvalid, "none"},
		{"nxdomain", URI{Scheme: "sip", Host: "nowhere.test"}, nil, ErrNotFound, "nowhere.test"},
		{"nxdomain port", URI{Scheme: "sip", Host: "nowhere.test", Port: 5060}, nil, ErrNotFound, "nowhere.test"},
		{"not offered", URI{Scheme: "sip", Host: "dot.test"}, nil, ErrNotFound, "dot.test"},
		{"server failure", URI{Scheme: "sip", Host: "fail.test"}, nil, nil, "SERVFAIL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := testResolver(addr)
			r.Transports = tt.transports
			ts, err := r.Lookup(context.Background(), tt.uri)
			if err == nil {
				t.Fatalf("no error; targets %v", ts)
			}
			if ts != nil {
				t.Errorf("targets %v beside the error", ts)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %q", err, tt.want)
			}
			if tt.want == nil && (errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotFound)) {
				t.Errorf("error %q says nothing is there", err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
		})
	}
}

// An explicit port means the domain's addresses, with no NAPTR or SRV
// query (RFC 3263 §4.2); an explicit transport means no NAPTR query.
func TestLookupAsksOnlyWhatItNeeds(t *testing.T) {
	z := newZone(t, testZone...)
	r, _ := testResolver(serve(t, z))
	ctx := context.Background()
	if _, err := r.Lookup(ctx, URI{Scheme: "sip", Host: "example.com", Port: 5060}); err != nil {
		t.Fatal(err)
	}
	if n := z.total(); n != 2 {
		t.Errorf("%d queries for an explicit port, want A and AAAA only: %v", n, z.asked)
	}
	if _, err := r.Lookup(ctx, URI{Scheme: "sip", Host: "example.com", Transport: "tcp"}); err != nil {
		t.Fatal(err)
	}
	if n := z.count("example.com.", dns.TypeNAPTR); n != 0 {
		t.Errorf("%d NAPTR queries for an explicit transport", n)
	}
	if n := z.count("_sip._udp.example.com.", dns.TypeSRV); n != 0 {
		t.Errorf("%d queries of the UDP service for transport=tcp", n)
	}
}

func targetStrings(ts []Target) []string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String() + " " + t.Host
	}
	return s
}
