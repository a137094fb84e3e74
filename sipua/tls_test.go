package sipua

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
)

// testCA is a certificate authority made up for a test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

var serial atomic.Int64

func newTestCA(t testing.TB, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// names are what a certificate is for: DNS names, IP addresses, and URIs
// (those with a scheme).
func (ca *testCA) issue(t testing.TB, cn string, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if u, err := url.Parse(n); err == nil && u.Scheme != "" {
			tmpl.URIs = append(tmpl.URIs, u)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// tlsRegistrar is a registrar on TLS with conf, which counts the CRLF
// keep-alive pings (RFC 5626 §4.4.1) it reads.
type tlsRegistrar struct {
	*registrar
	pings chan struct{}
}

func newTLSRegistrar(t *testing.T, conf *tls.Config, reply func(r *registrar, req *sip.Request) *sip.Response, setup ...func(*sipgo.Server)) *tlsRegistrar {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	pings := make(chan struct{}, 100)
	tl := pingListener{tls.NewListener(ln, conf), pings}
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	r := startRegistrar(t, "tls", addr, func(srv *sipgo.Server) error { return srv.ServeTLS(tl) }, reply, setup...)
	return &tlsRegistrar{r, pings}
}

type pingListener struct {
	net.Listener
	pings chan<- struct{}
}

func (l pingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return pingConn{c, l.pings}, nil
}

type pingConn struct {
	net.Conn
	pings chan<- struct{}
}

func (c pingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if string(b[:n]) == "\r\n\r\n" {
		select {
		case c.pings <- struct{}{}:
		default:
		}
	}
	return n, err
}

// tlsListen is a UA's tls listener on loopback.
var tlsListen = []Listen{{Transport: "tls", Addr: netip.MustParseAddrPort("127.0.0.1:0")}}

func TestRegisterTLS(t *testing.T) {
	ca := newTestCA(t, "tipring test CA")
	rogue := newTestCA(t, "someone else's CA")
	gateway := ca.issue(t, "gateway.test", "gateway.test", "127.0.0.1")
	dns := serveZone(t,
		"registrar.test. 60 IN A 127.0.0.1",
		"other.test. 60 IN A 127.0.0.1",
	)
	for _, tc := range []struct {
		name string
		cert tls.Certificate // the registrar's
		// uri is the registrar URI given the registrar's port.
		uri      func(port uint16) string
		insecure bool
		// want is the Contact's scheme and transport parameter; "" for
		// a failure, which errWant describes.
		wantScheme, wantParam string
		errWant               string
		sni                   string // the server name the registrar is to see
	}{
		{
			name: "sip transport=tls", cert: ca.issue(t, "registrar", "127.0.0.1"),
			uri:        func(p uint16) string { return "sip:127.0.0.1:" + strconv.Itoa(int(p)) + ";transport=tls" },
			wantScheme: "sip", wantParam: "tls",
		},
		{
			name: "sips", cert: ca.issue(t, "registrar", "127.0.0.1"),
			uri:        func(p uint16) string { return "sips:127.0.0.1:" + strconv.Itoa(int(p)) },
			wantScheme: "sips",
		},
		{
			name: "domain name", cert: ca.issue(t, "registrar", "registrar.test"),
			uri:        func(p uint16) string { return "sips:registrar.test:" + strconv.Itoa(int(p)) },
			wantScheme: "sips", sni: "registrar.test",
		},
		{
			name: "sip URI identity", cert: ca.issue(t, "registrar", "sip:registrar.test"),
			uri:        func(p uint16) string { return "sips:registrar.test:" + strconv.Itoa(int(p)) },
			wantScheme: "sips", sni: "registrar.test",
		},
		{
			name: "certificate of another domain", cert: ca.issue(t, "registrar", "registrar.test"),
			uri:     func(p uint16) string { return "sips:other.test:" + strconv.Itoa(int(p)) },
			errWant: "valid for registrar.test, not other.test",
		},
		{
			name: "unknown authority", cert: rogue.issue(t, "registrar", "127.0.0.1"),
			uri:     func(p uint16) string { return "sips:127.0.0.1:" + strconv.Itoa(int(p)) },
			errWant: "certificate signed by unknown authority",
		},
		{
			name: "unknown authority, not verified", cert: rogue.issue(t, "registrar", "127.0.0.1"), insecure: true,
			uri:        func(p uint16) string { return "sips:127.0.0.1:" + strconv.Itoa(int(p)) },
			wantScheme: "sips",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sni := make(chan string, 10)
			conf := &tls.Config{Certificates: []tls.Certificate{tc.cert}, VerifyConnection: func(cs tls.ConnectionState) error {
				sni <- cs.ServerName
				return nil
			}}
			reg := newTLSRegistrar(t, conf, func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 60) })
			uri := tc.uri(reg.addr.Port())
			u, _ := startUA(t, Config{
				Listen:   tlsListen,
				TLS:      &tls.Config{Certificates: []tls.Certificate{gateway}, RootCAs: ca.pool, InsecureSkipVerify: tc.insecure},
				Resolver: &locate.Resolver{Server: dns},
				Accounts: []Account{{Name: "main", Registrar: uri, User: "1001", Domain: "example.net"}},
			})
			if tc.wantScheme == "" {
				s := waitState(t, u, RegFailed)
				t.Log(s.LastError)
				if !strings.Contains(s.LastError, tc.errWant) {
					t.Errorf("LastError %q, want it to say %q", s.LastError, tc.errWant)
				}
				if n := len(reg.got); n != 0 {
					t.Errorf("registrar got %d REGISTERs over a connection the UA should have refused", n)
				}
				return
			}
			req := reg.next()
			s := waitState(t, u, RegRegistered)
			if want := "tls:" + reg.addr.String(); s.Server != want {
				t.Errorf("Server %q, want %q", s.Server, want)
			}
			if v := req.Via(); v.Transport != "TLS" {
				t.Errorf("Via transport %s, want TLS", v.Transport)
			}
			c := req.Contact().Address
			param, _ := c.UriParams.Get("transport")
			if c.Scheme != tc.wantScheme || param != tc.wantParam {
				t.Errorf("Contact %s, want scheme %s and transport=%q", c.String(), tc.wantScheme, tc.wantParam)
			}
			if addr, _ := u.Addr("tls"); c.Port != int(addr.Port()) {
				t.Errorf("Contact %s, want the tls listener's port %d", c.String(), addr.Port())
			}
			if from := req.From().Address; from.Scheme != tc.wantScheme {
				t.Errorf("From %s, want a %s URI like the Contact (RFC 5630 §5.1.1.1)", from.String(), tc.wantScheme)
			}
			if got := <-sni; got != tc.sni {
				t.Errorf("server name indication %q, want %q", got, tc.sni)
			}
		})
	}
}

// A registrar that asks for a client certificate gets the gateway's.
func TestRegisterTLSClientCertificate(t *testing.T) {
	ca := newTestCA(t, "tipring test CA")
	client := make(chan string, 10)
	reg := newTLSRegistrar(t, &tls.Config{
		Certificates: []tls.Certificate{ca.issue(t, "registrar", "127.0.0.1")},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.pool,
		VerifyConnection: func(cs tls.ConnectionState) error {
			client <- cs.PeerCertificates[0].Subject.CommonName
			return nil
		},
	}, func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 60) })
	u, _ := startUA(t, Config{
		Listen:   tlsListen,
		TLS:      &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "gateway.test", "127.0.0.1")}, RootCAs: ca.pool},
		Accounts: []Account{{Name: "main", Registrar: reg.uri(), User: "1001"}},
	})
	waitState(t, u, RegRegistered)
	if cn := <-client; cn != "gateway.test" {
		t.Errorf("registrar saw client certificate %q, want gateway.test", cn)
	}
}

// A registered UA pings its registrar with CRLF over the TLS connection.
func TestRegisterTLSKeepAlive(t *testing.T) {
	ca := newTestCA(t, "tipring test CA")
	reg := newTLSRegistrar(t, &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "registrar", "127.0.0.1")}},
		func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 3600) })
	u, _ := startUA(t, Config{
		Listen:    tlsListen,
		KeepAlive: 100 * time.Millisecond,
		TLS:       &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "gateway.test", "127.0.0.1")}, RootCAs: ca.pool},
		Accounts:  []Account{{Name: "main", Registrar: reg.uri(), User: "1001"}},
	})
	waitState(t, u, RegRegistered)
	for range 2 {
		select {
		case <-reg.pings:
		case <-time.After(10 * time.Second):
			t.Fatal("no CRLF keep-alive reached the registrar")
		}
	}
	if n := len(reg.got); n != 1 {
		t.Errorf("%d REGISTERs, want 1: the pings were answered", n)
	}
}

// An OPTIONS over TLS from a trusted peer is answered on its connection.
func TestOptionsOverTLS(t *testing.T) {
	ca := newTestCA(t, "tipring test CA")
	u, _ := startUA(t, Config{
		Listen:       tlsListen,
		TLS:          &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "gateway.test", "127.0.0.1")}},
		TrustedPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	addr, _ := u.Addr("tls")
	peer, err := sipgo.NewUA(sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: ca.pool}))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	c, err := sipgo.NewClient(peer, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	target := sip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: int(addr.Port()), UriParams: sip.NewParams()}
	target.UriParams.Add("transport", "tls")
	req := sip.NewRequest(sip.OPTIONS, target)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != sip.StatusOK || res.GetHeader("Allow") == nil {
		t.Fatalf("OPTIONS over TLS got %d %s, want 200 with Allow", res.StatusCode, res.Reason)
	}
}

func TestNewTLSListenerNeedsCertificate(t *testing.T) {
	ca := newTestCA(t, "tipring test CA")
	for _, tc := range []struct {
		name string
		conf *tls.Config
		ok   bool
	}{
		{"no TLS config", nil, false},
		{"CAs only", &tls.Config{RootCAs: ca.pool}, false},
		{"certificate", &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "gw", "gw.test")}}, true},
		{"certificate callback", &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, nil }}, true},
	} {
		_, err := New(Config{Listen: tlsListen, TLS: tc.conf})
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "certificate")) {
			t.Errorf("%s: error %v, want one saying there is no certificate", tc.name, err)
		}
	}
}

func TestVerifyServer(t *testing.T) {
	ca := newTestCA(t, "tipring test CA")
	rogue := newTestCA(t, "someone else's CA")
	now := time.Now()
	for _, tc := range []struct {
		name    string
		cert    tls.Certificate
		domain  string
		errWant string // "" for success
	}{
		{"DNS name", ca.issue(t, "x", "pbx.example.com"), "pbx.example.com", ""},
		{"DNS name, any case", ca.issue(t, "x", "PBX.example.com"), "pbx.EXAMPLE.com", ""},
		{"other DNS name", ca.issue(t, "x", "pbx.example.com"), "example.com", "not example.com"},
		{"wildcard", ca.issue(t, "x", "*.example.com"), "pbx.example.com", ""},
		{"wildcard one label only", ca.issue(t, "x", "*.example.com"), "a.pbx.example.com", "not a.pbx.example.com"},
		{"sip URI", ca.issue(t, "x", "sip:example.com"), "example.com", ""},
		{"sip URI with parameters", ca.issue(t, "x", "sip:example.com:5061;transport=tls"), "example.com", ""},
		{"sip URI of a user", ca.issue(t, "x", "sip:alice@example.com"), "example.com", "example.com"},
		{"sip URI beats DNS name", ca.issue(t, "x", "sip:example.net", "example.com"), "example.com", "for example.net, not example.com"},
		{"other URI scheme", ca.issue(t, "x", "https://example.com/", "example.com"), "example.com", ""},
		{"IP address", ca.issue(t, "x", "192.0.2.1"), "192.0.2.1", ""},
		{"other IP address", ca.issue(t, "x", "192.0.2.1"), "192.0.2.2", "192.0.2.2"},
		{"common name only", ca.issue(t, "example.com"), "example.com", "Common Name"},
		{"unknown authority", rogue.issue(t, "x", "example.com"), "example.com", "certificate signed by unknown authority"},
	} {
		err := verifyServer([]*x509.Certificate{tc.cert.Leaf}, ca.pool, tc.domain, now)
		switch {
		case tc.errWant == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.errWant != "" && (err == nil || !strings.Contains(err.Error(), tc.errWant)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.errWant)
		}
	}
	if err := verifyServer(nil, ca.pool, "example.com", now); err == nil {
		t.Error("no certificate passed")
	}
	expired := ca.issue(t, "x", "example.com")
	if err := verifyServer([]*x509.Certificate{expired.Leaf}, ca.pool, "example.com", now.Add(2*time.Hour)); err == nil ||
		!strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v", err)
	}
}

// verifyServer runs for every request on an open TLS connection.
func BenchmarkVerifyServer(b *testing.B) {
	ca := newTestCA(b, "tipring test CA")
	leaf := ca.issue(b, "x", "sip:example.com", "pbx.example.com").Leaf
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyServer([]*x509.Certificate{leaf}, ca.pool, "example.com", now); err != nil {
			b.Fatal(err)
		}
	}
}
