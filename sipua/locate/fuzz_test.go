package locate

import (
	"context"
	"encoding/binary"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// FuzzLookup answers every query of a lookup with the same bytes, as a
// broken or hostile DNS server might. The lookup must not panic, and what
// it returns must be usable: targets or an error, never both or neither.
func FuzzLookup(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	var mu sync.Mutex
	var reply []byte
	addr := serve(f, dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		mu.Lock()
		b := slices.Clone(reply)
		mu.Unlock()
		if len(b) >= 2 {
			binary.BigEndian.PutUint16(b, req.Id)
		}
		w.Write(b)
	}))
	f.Fuzz(func(t *testing.T, b []byte) {
		mu.Lock()
		reply = b
		mu.Unlock()
		for _, uri := range []URI{
			{Scheme: "sip", Host: "example.com"},
			{Scheme: "sips", Host: "example.com"},
			{Scheme: "sip", Host: "example.com", Port: 5060},
		} {
			r := &Resolver{Server: addr, Timeout: 5 * time.Second}
			ts, err := r.Lookup(context.Background(), uri)
			if (err == nil) == (len(ts) == 0) {
				t.Fatalf("%+v: targets %v and error %v", uri, ts, err)
			}
			seen := make(map[endpoint]bool)
			for _, tg := range ts {
				if !tg.Addr.IsValid() || tg.Addr.Port() == 0 || tg.Addr.Addr().IsUnspecified() {
					t.Errorf("%+v: target %v has no address to send to", uri, tg)
				}
				if tg.Transport != UDP && tg.Transport != TCP && tg.Transport != TLS ||
					uri.Scheme == "sips" && tg.Transport != TLS {
					t.Errorf("%+v: target %v", uri, tg)
				}
				if e := (endpoint{tg.Transport, tg.Addr}); seen[e] {
					t.Errorf("%+v: target %v twice", uri, tg)
				} else {
					seen[e] = true
				}
			}
		}
	})
}

// fuzzSeeds are answers that each hold a whole chain of records, so the
// one reply serves every query of a lookup, and some that go wrong.
func fuzzSeeds(f *testing.F) [][]byte {
	msg := func(rcode int, truncated bool, answer []string, ns ...string) []byte {
		m := new(dns.Msg)
		m.SetQuestion("example.com.", dns.TypeNAPTR)
		m.Response, m.Rcode, m.Truncated = true, rcode, truncated
		for _, s := range answer {
			m.Answer = append(m.Answer, mustRR(f, s))
		}
		for _, s := range ns {
			m.Ns = append(m.Ns, mustRR(f, s))
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	chain := []string{
		`example.com. 300 IN NAPTR 10 10 "s" "SIPS+D2T" "" _sips._tcp.example.com.`,
		`example.com. 300 IN NAPTR 20 10 "s" "SIP+D2U" "" _sip._udp.example.com.`,
		`_sips._tcp.example.com. 300 IN SRV 0 1 5061 s1.example.com.`,
		`_sip._udp.example.com. 300 IN SRV 0 1 5060 s1.example.com.`,
		`_sip._udp.example.com. 300 IN SRV 0 2 5060 alias.example.com.`,
		`alias.example.com. 300 IN CNAME s1.example.com.`,
		`s1.example.com. 300 IN A 192.0.2.1`,
		`s1.example.com. 300 IN AAAA 2001:db8::1`,
		`example.com. 300 IN A 192.0.2.100`,
	}
	return [][]byte{
		msg(dns.RcodeSuccess, false, chain),
		msg(dns.RcodeSuccess, true, chain),
		msg(dns.RcodeSuccess, false, []string{
			`_sip._udp.example.com. 300 IN SRV 0 0 0 .`,
			`_sips._tcp.example.com. 300 IN SRV 0 0 5061 .`,
			`example.com. 300 IN A 0.0.0.0`,
		}),
		msg(dns.RcodeSuccess, false, []string{
			`example.com. 300 IN CNAME a.example.com.`,
			`a.example.com. 300 IN CNAME example.com.`,
		}),
		msg(dns.RcodeNameError, false, nil, testSOA),
		msg(dns.RcodeServerFailure, false, nil),
		{},
		{0, 0, 0x81, 0x80, 0, 1},
	}
}

func mustRR(f *testing.F, s string) dns.RR {
	rr, err := dns.NewRR(s)
	if err != nil {
		f.Fatal(err)
	}
	return rr
}
