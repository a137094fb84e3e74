package sipua

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// registrar is a scripted SIP registrar on loopback. Each REGISTER it
// receives is recorded and answered by reply.
type registrar struct {
	t         *testing.T
	transport string
	addr      netip.AddrPort
	reply     func(r *registrar, req *sip.Request) *sip.Response
	got       chan *sip.Request
}

// newRegistrar starts a registrar on UDP. setup, if given, installs more
// handlers before the registrar serves.
func newRegistrar(t *testing.T, reply func(r *registrar, req *sip.Request) *sip.Response, setup ...func(*sipgo.Server)) *registrar {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	addr := c.LocalAddr().(*net.UDPAddr).AddrPort()
	return startRegistrar(t, "udp", addr, func(srv *sipgo.Server) error { return srv.ServeUDP(c) }, reply, setup...)
}

// newTCPRegistrar starts a registrar on TCP.
func newTCPRegistrar(t *testing.T, reply func(r *registrar, req *sip.Request) *sip.Response) *registrar {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	return startRegistrar(t, "tcp", addr, func(srv *sipgo.Server) error { return srv.ServeTCP(ln) }, reply)
}

// startRegistrar runs a registrar that serve has serve at addr, on
// transport.
func startRegistrar(t *testing.T, transport string, addr netip.AddrPort, serve func(*sipgo.Server) error,
	reply func(r *registrar, req *sip.Request) *sip.Response, setup ...func(*sipgo.Server)) *registrar {
	t.Helper()
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	r := &registrar{t: t, transport: transport, addr: addr, reply: reply, got: make(chan *sip.Request, 100)}
	srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		r.got <- req.Clone()
		if err := tx.Respond(r.reply(r, req)); err != nil {
			t.Logf("registrar: respond: %v", err)
		}
	})
	for _, f := range setup {
		f(srv)
	}
	go serve(srv)
	t.Cleanup(func() { ua.Close() })
	return r
}

// uri is the registrar's URI, with a transport parameter unless on UDP.
func (r *registrar) uri() string {
	if r.transport == "udp" {
		return "sip:" + r.addr.String()
	}
	return "sip:" + r.addr.String() + ";transport=" + r.transport
}

// next returns the next REGISTER received.
func (r *registrar) next() *sip.Request {
	r.t.Helper()
	select {
	case req := <-r.got:
		return req
	case <-time.After(10 * time.Second):
		r.t.Fatal("no REGISTER arrived")
		return nil
	}
}

// digestAuth is the registrar side of digest authentication, written from
// RFC 2617/8760 independently of the client's library.
type digestAuth struct {
	realm, user, pass string
	algorithms        []string // challenges offered, in order
	proxy             bool     // 407 instead of 401
	mu                sync.Mutex
	nonces            int
}

func (d *digestAuth) challenge(req *sip.Request) *sip.Response {
	d.mu.Lock()
	d.nonces++
	nonce := fmt.Sprintf("nonce%d", d.nonces)
	d.mu.Unlock()
	code, name, hdr := 401, "Unauthorized", "WWW-Authenticate"
	if d.proxy {
		code, name, hdr = 407, "Proxy Authentication Required", "Proxy-Authenticate"
	}
	res := sip.NewResponseFromRequest(req, code, name, nil)
	for _, alg := range d.algorithms {
		res.AppendHeader(sip.NewHeader(hdr, fmt.Sprintf(`Digest realm=%q, nonce=%q, algorithm=%s, qop="auth"`, d.realm, nonce, alg)))
	}
	return res
}

// check returns the algorithm of a correct answer in req, or "".
func (d *digestAuth) check(req *sip.Request) string {
	hdr := "Authorization"
	if d.proxy {
		hdr = "Proxy-Authorization"
	}
	h := req.GetHeader(hdr)
	if h == nil {
		return ""
	}
	c, err := digest.ParseCredentials(h.Value())
	if err != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		return ""
	}
	var hf func() hash.Hash
	switch c.Algorithm {
	case "MD5", "":
		hf = md5.New
	case "SHA-256":
		hf = sha256.New
	default:
		return ""
	}
	H := func(s string) string { x := hf(); x.Write([]byte(s)); return hex.EncodeToString(x.Sum(nil)) }
	ha1 := H(d.user + ":" + d.realm + ":" + d.pass)
	ha2 := H(req.Method.String() + ":" + c.URI)
	nc := fmt.Sprintf("%08x", c.Nc)
	want := H(ha1 + ":" + c.Nonce + ":" + nc + ":" + c.Cnonce + ":" + c.QOP + ":" + ha2)
	if c.Username != d.user || c.Realm != d.realm || c.Response != want || c.QOP != "auth" {
		return ""
	}
	return strings.ToUpper(c.Algorithm)
}

// ok answers req with a 200 granting expires seconds to its Contact.
func ok(req *sip.Request, expires int) *sip.Response {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	if c := req.Contact(); c != nil && expires > 0 {
		cc := c.Clone()
		cc.Params = sip.NewParams()
		cc.Params.Add("expires", strconv.Itoa(expires))
		res.AppendHeader(cc)
	}
	return res
}

func requestExpires(t *testing.T, req *sip.Request) int {
	t.Helper()
	h := req.GetHeader("Expires")
	if h == nil {
		t.Fatal("REGISTER without Expires")
	}
	n, err := strconv.Atoi(h.Value())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// startUA runs a UA with the given accounts on loopback UDP until the test
// ends, and returns it and a function that stops it and waits for Run.
func startUA(t *testing.T, cfg Config) (*UA, func()) {
	t.Helper()
	if cfg.Listen == nil {
		cfg.Listen = []Listen{{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")}}
	}
	cfg.UserAgent = "tipring/test"
	u, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	// Tests talk to the UA as soon as this returns: wait until it listens.
	for range 400 {
		if _, ok := u.Addr(cfg.Listen[0].Transport); ok {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	return u, stop
}

// waitState waits until the account's registration reaches state.
func waitState(t *testing.T, u *UA, state RegState) RegistrationStatus {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s := u.Status().Registrations[0]; s.State == state {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("registration never %s: %+v", state, u.Status().Registrations[0])
	return RegistrationStatus{}
}

func TestRegisterDigestRefreshUnregister(t *testing.T) {
	for _, tc := range []struct {
		name       string
		algorithms []string
		proxy      bool
		want       string
	}{
		{"md5", []string{"MD5"}, false, "MD5"},
		{"sha256", []string{"SHA-256"}, false, "SHA-256"},
		{"strongest of two", []string{"MD5", "SHA-256"}, false, "SHA-256"},
		{"proxy 407", []string{"MD5"}, true, "MD5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := &digestAuth{realm: "example.net", user: "1001", pass: "s3cret", algorithms: tc.algorithms, proxy: tc.proxy}
			var algs []string
			var mu sync.Mutex
			reg := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response {
				alg := auth.check(req)
				if alg == "" {
					return auth.challenge(req)
				}
				mu.Lock()
				algs = append(algs, alg)
				mu.Unlock()
				return ok(req, 2) // short, so the refresh comes quickly
			})
			u, stop := startUA(t, Config{Accounts: []Account{{
				Name: "main", Registrar: reg.uri(), User: "1001", Domain: "example.net",
				Credentials: Credentials{Password: "s3cret"}, Expires: time.Hour,
			}}})
			first := reg.next()
			if got := requestExpires(t, first); got != 3600 {
				t.Errorf("first REGISTER asks Expires %d, want 3600", got)
			}
			if to := first.To().Address; to.User != "1001" || to.Host != "example.net" {
				t.Errorf("To %s, want sip:1001@example.net", to.String())
			}
			authed := reg.next()
			if authed.CSeq().SeqNo != first.CSeq().SeqNo+1 || authed.CallID().Value() != first.CallID().Value() {
				t.Errorf("answer to challenge: CSeq %d after %d, Call-ID %s vs %s",
					authed.CSeq().SeqNo, first.CSeq().SeqNo, authed.CallID().Value(), first.CallID().Value())
			}
			s := waitState(t, u, RegRegistered)
			if d := time.Until(s.Expires); d > 2*time.Second || d < time.Second {
				t.Errorf("status expires in %v, want the granted 2s", d)
			}
			// The refresh is due 1 s after the 2 s grant: ahead of expiry.
			refresh := reg.next()
			if refresh.CallID().Value() != first.CallID().Value() || refresh.CSeq().SeqNo <= authed.CSeq().SeqNo {
				t.Errorf("refresh is not the same registration: Call-ID %s CSeq %d", refresh.CallID().Value(), refresh.CSeq().SeqNo)
			}
			stop()
			var last *sip.Request
			for len(reg.got) > 0 {
				last = <-reg.got
			}
			if last != nil {
				t.Log(last.String())
			}
			if last == nil || requestExpires(t, last) != 0 {
				t.Fatalf("no REGISTER with Expires: 0 on shutdown")
			}
			if s := u.Status().Registrations[0]; s.State != RegIdle {
				t.Errorf("after shutdown state %s, want %s", s.State, RegIdle)
			}
			mu.Lock()
			defer mu.Unlock()
			if algs[0] != tc.want {
				t.Errorf("answered with %s, want %s", algs[0], tc.want)
			}
		})
	}
}

func TestRegisterWrongPassword(t *testing.T) {
	auth := &digestAuth{realm: "example.net", user: "1001", pass: "right", algorithms: []string{"MD5"}}
	reg := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response {
		if auth.check(req) == "" {
			return auth.challenge(req)
		}
		return ok(req, 60)
	})
	u, _ := startUA(t, Config{Accounts: []Account{{
		Name: "main", Registrar: reg.uri(), User: "1001", Credentials: Credentials{Password: "wrong"},
	}}})
	s := waitState(t, u, RegFailed)
	if !strings.Contains(s.LastError, "credentials rejected") {
		t.Errorf("LastError %q, want it to say the credentials were rejected", s.LastError)
	}
	if d := time.Until(s.Retry); d < rejectedWait-time.Second || d > rejectedWait {
		t.Errorf("retry in %v, want %v: rejected credentials are not tried again at once", d, rejectedWait)
	}
	if n := len(reg.got); n != 2 {
		t.Errorf("%d REGISTERs for one attempt, want 2 (no loop on a rejected password)", n)
	}
}

func TestRegisterRetryAfterAndMinExpires(t *testing.T) {
	var mu sync.Mutex
	n := 0
	reg := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response {
		mu.Lock()
		defer mu.Unlock()
		n++
		switch {
		case n == 1:
			res := sip.NewResponseFromRequest(req, 503, "Service Unavailable", nil)
			res.AppendHeader(sip.NewHeader("Retry-After", "1"))
			return res
		case requestExpires(t, req) < 600:
			res := sip.NewResponseFromRequest(req, 423, "Interval Too Brief", nil)
			res.AppendHeader(sip.NewHeader("Min-Expires", "600"))
			return res
		}
		return ok(req, requestExpires(t, req))
	})
	u, _ := startUA(t, Config{Accounts: []Account{{
		Name: "main", Registrar: reg.uri(), User: "1001", Expires: 30 * time.Second,
	}}})
	s := waitState(t, u, RegFailed)
	if s.LastError != "503 Service Unavailable" {
		t.Errorf("LastError %q", s.LastError)
	}
	s = waitState(t, u, RegRegistered)
	if d := time.Until(s.Expires); d < 590*time.Second || d > 600*time.Second {
		t.Errorf("registered for %v, want the 600 s of Min-Expires", d)
	}
	reg.next()
	if got := requestExpires(t, reg.next()); got != 30 {
		t.Errorf("second REGISTER asks %d, want 30", got)
	}
	if got := requestExpires(t, reg.next()); got != 600 {
		t.Errorf("after 423 REGISTER asks %d, want 600", got)
	}
}

func TestRegisterOutboundProxy(t *testing.T) {
	proxy := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 60) })
	u, _ := startUA(t, Config{Accounts: []Account{{
		Name: "main", Registrar: "sip:registrar.example.net", OutboundProxy: proxy.uri(), User: "1001",
	}}})
	req := proxy.next()
	if req.Recipient.Host != "registrar.example.net" {
		t.Errorf("Request-URI %s, want the registrar", req.Recipient.String())
	}
	route := req.Route()
	if route == nil || route.Address.Port != int(proxy.addr.Port()) || !route.Address.UriParams.Has("lr") {
		t.Errorf("Route %v, want the proxy as a loose route", req.GetHeader("Route"))
	}
	waitState(t, u, RegRegistered)
}

func TestRefreshAndBackoff(t *testing.T) {
	for _, tc := range []struct{ granted, want time.Duration }{
		{3600 * time.Second, 3540 * time.Second},
		{120 * time.Second, 60 * time.Second},
		{60 * time.Second, 30 * time.Second},
		{2 * time.Second, time.Second},
	} {
		if got := refreshAfter(tc.granted); got != tc.want {
			t.Errorf("refreshAfter(%v) = %v, want %v", tc.granted, got, tc.want)
		}
	}
	prev := time.Duration(0)
	for f := 1; f < 40; f++ {
		lo, hi := backoff(f, 0), backoff(f, 0.999999)
		if lo < prev/2 || hi > backoffMax || lo > hi || lo < backoffBase/2 {
			t.Errorf("backoff(%d) spans %v..%v", f, lo, hi)
		}
		prev = lo
	}
	if backoff(30, 0) != backoffMax/2 {
		t.Errorf("backoff does not settle at the maximum")
	}
}

func TestKeepAliveNoticesLostRegistrar(t *testing.T) {
	// The registrar answers one OPTIONS, then falls silent.
	var mu sync.Mutex
	options := 0
	reg := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 3600) },
		func(srv *sipgo.Server) {
			srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
				mu.Lock()
				options++
				n := options
				mu.Unlock()
				if n == 1 {
					tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
				}
			})
		})
	startUA(t, Config{KeepAlive: 300 * time.Millisecond, Accounts: []Account{{
		Name: "main", Registrar: reg.uri(), User: "1001",
	}}})
	reg.next()
	// Long before the hour's refresh, the silence makes it register again.
	again := reg.next()
	if requestExpires(t, again) != 3600 {
		t.Errorf("re-registration asks Expires %d", requestExpires(t, again))
	}
	mu.Lock()
	defer mu.Unlock()
	if options < 2 {
		t.Errorf("%d OPTIONS sent, want the answered one and the unanswered one", options)
	}
}

// TestRegisterFromWildcardListener checks the Contact of a UA listening on
// 0.0.0.0: the local address toward the registrar, not 0.0.0.0.
func TestRegisterFromWildcardListener(t *testing.T) {
	reg := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 60) })
	u, _ := startUA(t, Config{
		Listen:   []Listen{{Transport: "udp", Addr: netip.MustParseAddrPort("0.0.0.0:0")}},
		Accounts: []Account{{Name: "main", Registrar: reg.uri(), User: "1001"}},
	})
	req := reg.next()
	if h := req.Contact().Address.Host; h != "127.0.0.1" {
		t.Errorf("Contact host %s, want 127.0.0.1", h)
	}
	if v := req.Via(); v.Host != "127.0.0.1" {
		t.Errorf("Via host %s, want 127.0.0.1", v.Host)
	}
	waitState(t, u, RegRegistered)
}
