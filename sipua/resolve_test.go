package sipua

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/miekg/dns"

	"tipring/sipua/locate"
)

// serveZone answers DNS queries on loopback UDP from records given as
// lines of a zone file, until the test ends, and returns its address. A
// name without records of the type asked gets an empty answer, or "no
// such name" when it has none at all.
func serveZone(t testing.TB, records ...string) string {
	t.Helper()
	type question struct {
		name  string
		qtype uint16
	}
	rrs := map[question][]dns.RR{}
	owners := map[string]bool{}
	for _, line := range records {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		h := rr.Header()
		q := question{strings.ToLower(h.Name), h.Rrtype}
		rrs[q] = append(rrs[q], rr)
		owners[q.name] = true
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		name := strings.ToLower(q.Name)
		m.Answer = rrs[question{name, q.Qtype}]
		if !owners[name] {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: handler}
	started, failed := make(chan struct{}), make(chan error, 1)
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { failed <- srv.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-failed:
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// srv is an SRV record of name for a server at port on loopback, reached
// under host, with the A record of host.
func srv(name string, priority int, host string, port uint16) []string {
	return []string{
		fmt.Sprintf("%s 60 IN SRV %d 0 %d %s", name, priority, port, host),
		host + " 60 IN A 127.0.0.1",
	}
}

func unavailable(r *registrar, req *sip.Request) *sip.Response {
	return sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Service Unavailable", nil)
}

func TestRegisterFailover(t *testing.T) {
	// A loopback port nothing listens on: connections are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()

	okReply := func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 60) }
	for _, tc := range []struct {
		name      string
		transport string
		// first is the failing server; nil for the closed port.
		first func(t *testing.T) *registrar
	}{
		{"503 over UDP", "udp", func(t *testing.T) *registrar { return newRegistrar(t, unavailable) }},
		{"503 over TCP", "tcp", func(t *testing.T) *registrar { return newTCPRegistrar(t, unavailable) }},
		{"refused over TCP", "tcp", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			firstAddr := closed
			var first *registrar
			if tc.first != nil {
				first = tc.first(t)
				firstAddr = first.addr
			}
			second := newRegistrar(t, okReply)
			if tc.transport == "tcp" {
				second = newTCPRegistrar(t, okReply)
			}
			service := "_sip._" + tc.transport + ".example.test."
			zone := append(srv(service, 10, "a.example.test.", firstAddr.Port()), srv(service, 20, "b.example.test.", second.addr.Port())...)
			resolver := &locate.Resolver{Server: serveZone(t, zone...)}
			u, _ := startUA(t, Config{
				Listen:   []Listen{{Transport: tc.transport, Addr: netip.MustParseAddrPort("127.0.0.1:0")}},
				Resolver: resolver,
				Accounts: []Account{{Name: "main", Registrar: "sip:example.test", User: "1001"}},
			})
			if first != nil {
				first.next()
			}
			second.next()
			s := waitState(t, u, RegRegistered)
			want := tc.transport + ":" + second.addr.String()
			if s.Server != want || s.Failures != 0 {
				t.Errorf("registered with %s after %d failures, want %s after none", s.Server, s.Failures, want)
			}
			ts, err := resolver.Lookup(context.Background(), locate.URI{Scheme: "sip", Host: "example.test"})
			if err != nil {
				t.Fatal(err)
			}
			if got := ts[len(ts)-1]; got.Addr.Port() != firstAddr.Port() {
				t.Errorf("lookup after the failure gives %v, want the failed server last", ts)
			}
		})
	}
}

// When every server fails, one back-off follows the round.
func TestRegisterAllServersFail(t *testing.T) {
	a, b := newRegistrar(t, unavailable), newRegistrar(t, unavailable)
	zone := append(srv("_sip._udp.example.test.", 10, "a.example.test.", a.addr.Port()),
		srv("_sip._udp.example.test.", 20, "b.example.test.", b.addr.Port())...)
	u, _ := startUA(t, Config{
		Resolver: &locate.Resolver{Server: serveZone(t, zone...)},
		Accounts: []Account{{Name: "main", Registrar: "sip:example.test", User: "1001"}},
	})
	a.next()
	b.next()
	s := waitState(t, u, RegFailed)
	if s.Failures != 1 || s.LastError != "503 Service Unavailable" || s.Server != "udp:"+b.addr.String() {
		t.Errorf("status %+v, want one failure, the last server's 503", s)
	}
	if d := time.Until(s.Retry); d < backoffBase/2-time.Second || d > backoffBase {
		t.Errorf("retry in %v, want within the first back-off", d)
	}
	if n, m := len(a.got), len(b.got); n != 0 || m != 0 {
		t.Errorf("%d and %d more REGISTERs before the back-off, want none", n, m)
	}
}

// Refreshes go to the server that holds the binding, even when DNS would
// put another first.
func TestRegisterStaysWithServer(t *testing.T) {
	var mu sync.Mutex
	firstDown := true
	first := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response {
		mu.Lock()
		defer mu.Unlock()
		if firstDown {
			return unavailable(r, req)
		}
		return ok(req, 2)
	})
	second := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 2) })
	zone := append(srv("_sip._udp.example.test.", 10, "a.example.test.", first.addr.Port()),
		srv("_sip._udp.example.test.", 20, "b.example.test.", second.addr.Port())...)
	u, _ := startUA(t, Config{
		// Failures are forgotten at once: only stickiness keeps the
		// refresh away from the first server.
		Resolver: &locate.Resolver{Server: serveZone(t, zone...), FailFor: time.Nanosecond},
		Accounts: []Account{{Name: "main", Registrar: "sip:example.test", User: "1001"}},
	})
	first.next()
	second.next()
	waitState(t, u, RegRegistered)
	mu.Lock()
	firstDown = false
	mu.Unlock()
	refresh := second.next() // due 1 s after the 2 s grant
	if requestExpires(t, refresh) == 0 {
		t.Fatal("refresh removes the binding")
	}
	if n := len(first.got); n != 0 {
		t.Errorf("the first server got %d REGISTERs after the failover, want none", n)
	}
}

func TestTargets(t *testing.T) {
	u, err := New(Config{
		Listen: []Listen{
			{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")},
			{Transport: "tcp", Addr: netip.MustParseAddrPort("127.0.0.1:0")},
		},
		// It knows TLS, which the UA does not listen on.
		Resolver: &locate.Resolver{},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		uri     sip.Uri
		want    string // the targets, or the error
		invalid bool
	}{
		{uri: sip.Uri{Scheme: "sip", Host: "192.0.2.1"}, want: "[udp:192.0.2.1:5060]"},
		{uri: sip.Uri{Scheme: "sip", Host: "192.0.2.1", Port: 5070}, want: "[udp:192.0.2.1:5070]"},
		{uri: sip.Uri{Scheme: "sip", Host: "[2001:db8::1]", UriParams: sip.HeaderParams{{K: "transport", V: "TCP"}}}, want: "[tcp:[2001:db8::1]:5060]"},
		{uri: sip.Uri{Scheme: "sips", Host: "192.0.2.1"}, want: "192.0.2.1 is served over TLS only, which the gateway does not listen on"},
		{uri: sip.Uri{Scheme: "sip", Host: "192.0.2.1", Port: 70000}, want: "port 70000 out of range"},
		{uri: sip.Uri{Scheme: "sip", Host: "192.0.2.1", UriParams: sip.HeaderParams{{K: "transport", V: "sctp"}}}, invalid: true},
		{uri: sip.Uri{Scheme: "sip", Host: "bad_host"}, invalid: true},
	} {
		ts, err := u.targets(context.Background(), tc.uri)
		got := fmt.Sprint(ts)
		if err != nil {
			got = err.Error()
		}
		if tc.invalid {
			if !errors.Is(err, locate.ErrInvalid) {
				t.Errorf("%s: %s, want an invalid URI", tc.uri.String(), got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.uri.String(), got, tc.want)
		}
	}
}

func TestAddress(t *testing.T) {
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: "example.com"})
	address(req, locate.Target{Transport: locate.TLS, Addr: netip.MustParseAddrPort("192.0.2.1:5061")},
		netip.MustParseAddrPort("198.51.100.7:5061"))
	if req.Destination() != "192.0.2.1:5061" || req.Transport() != "TLS" {
		t.Errorf("request goes to %s over %s", req.Destination(), req.Transport())
	}
	if v := req.Via(); v.Transport != "TLS" || v.Host != "198.51.100.7" || v.Port != 5061 {
		t.Errorf("Via %s", v.Value())
	}
}

func TestAccountServerURIs(t *testing.T) {
	for _, tc := range []struct {
		uri     string
		errWant string // "" for valid
	}{
		{"sip:pbx.example.com", ""},
		{"sip:pbx.example.com;transport=TLS", ""},
		{"sips:pbx.example.com;transport=tcp", ""},
		{"sip:pbx.example.com;transport=sctp", `transport "sctp"`},
		{"sips:pbx.example.com;transport=udp", "not UDP"},
		{"sip:pbx.example.com:99999", "out of range"},
	} {
		a := Account{Name: "a", User: "1001", Registrar: tc.uri}
		err := a.check()
		switch {
		case tc.errWant == "" && err != nil:
			t.Errorf("%s: %v", tc.uri, err)
		case tc.errWant != "" && (err == nil || !strings.Contains(err.Error(), tc.errWant)):
			t.Errorf("%s: error %v, want one saying %q", tc.uri, err, tc.errWant)
		}
	}
}

// targets runs for every registration attempt; a numeric address needs no
// DNS.
func BenchmarkTargets(b *testing.B) {
	u, err := New(Config{Listen: []Listen{{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")}}})
	if err != nil {
		b.Fatal(err)
	}
	uri := sip.Uri{Scheme: "sip", Host: "192.0.2.1", Port: 5060}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.targets(ctx, uri); err != nil {
			b.Fatal(err)
		}
	}
}
