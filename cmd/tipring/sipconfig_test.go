package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tipring/config"
	"tipring/sipua"
	"tipring/sipua/sdpoa"
)

// testPKI is a CA and a certificate it signed for "gw.test", as PEM files.
type testPKI struct {
	ca, cert, key string
	caCert        *x509.Certificate
	leaf          *x509.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tipring test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "gw.test"}, DNSNames: []string{"gw.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{
		ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "cert.pem"), key: filepath.Join(dir, "key.pem"),
		caCert: caCert, leaf: leaf,
	}
	writePEM(t, p.ca, "CERTIFICATE", caDER)
	writePEM(t, p.cert, "CERTIFICATE", leafDER)
	writePEM(t, p.key, "PRIVATE KEY", keyDER)
	return p
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSIPConfig(t *testing.T) {
	pki := newTestPKI(t)
	cfg := config.Default()
	cfg.SIP.Listen = []string{"udp:127.0.0.1:0", "tcp:[::1]:5070", "tls:0.0.0.0:5061"}
	cfg.SIP.TLSCert, cfg.SIP.TLSKey, cfg.SIP.TLSCA = pki.cert, pki.key, pki.ca
	cfg.SIP.TrustedPeers = []string{"192.0.2.7", "10.1.2.3/8"}
	cfg.SIP.RTPPorts = "16384-16483"
	cfg.SIP.RTPTimeout = 45
	cfg.SIP.KeepAlive = 20
	cfg.Accounts = []config.Account{{
		Name: "main", Registrar: "sip:pbx.example.com", User: "gw", AuthUser: "gw-auth",
		Password: "secret", Expires: 600, MWI: true, Mailbox: "sip:*97@pbx.example.com",
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c, err := sipConfig(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	wantListen := []sipua.Listen{
		{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")},
		{Transport: "tcp", Addr: netip.MustParseAddrPort("[::1]:5070")},
		{Transport: "tls", Addr: netip.MustParseAddrPort("0.0.0.0:5061")},
	}
	if !slices.Equal(c.Listen, wantListen) {
		t.Errorf("Listen %v, want %v", c.Listen, wantListen)
	}
	// Loopback, where the lines call each other (routing.local_calls).
	wantPeers := []netip.Prefix{netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	if !slices.Equal(c.TrustedPeers, wantPeers) {
		t.Errorf("TrustedPeers %v, want %v", c.TrustedPeers, wantPeers)
	}
	if c.RTPPorts != [2]int{16384, 16483} || c.RTPTimeout != 45*time.Second || c.KeepAlive != 20*time.Second {
		t.Errorf("RTPPorts %v, RTPTimeout %v, KeepAlive %v", c.RTPPorts, c.RTPTimeout, c.KeepAlive)
	}
	a := c.Accounts[0]
	if a.Domain != "pbx.example.com" || a.Username != "gw-auth" || a.Password != "secret" || a.Expires != 10*time.Minute ||
		!a.MWI || a.Mailbox != "sip:*97@pbx.example.com" {
		t.Errorf("account %+v", a)
	}

	// The certificate is the one configured, and the CA bundle verifies it.
	if c.TLS == nil || len(c.TLS.Certificates) != 1 || c.TLS.InsecureSkipVerify {
		t.Fatalf("TLS %+v", c.TLS)
	}
	if !bytes.Equal(c.TLS.Certificates[0].Certificate[0], pki.leaf.Raw) {
		t.Error("TLS certificate is not sip.tls_cert")
	}
	if _, err := pki.leaf.Verify(x509.VerifyOptions{Roots: c.TLS.RootCAs, DNSName: "gw.test"}); err != nil {
		t.Errorf("RootCAs do not verify a certificate of sip.tls_ca: %v", err)
	}
	if strings.Contains(logs.String(), "tls_verify") {
		t.Errorf("warned with verification on:\n%s", logs.String())
	}
	if _, err := sipua.New(c); err != nil {
		t.Errorf("sipua.New refuses it: %v", err)
	}
}

func TestSIPConfigTLSDefaults(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	c, err := sipConfig(config.Default(), log)
	if err != nil {
		t.Fatal(err)
	}
	// Verification on, against the system's roots; no client certificate.
	if c.TLS == nil || c.TLS.InsecureSkipVerify || c.TLS.RootCAs != nil || len(c.TLS.Certificates) != 0 {
		t.Fatalf("TLS %+v", c.TLS)
	}
	if c.RTPPorts != [2]int{10000, 20000} || c.RTPTimeout != time.Minute {
		t.Errorf("RTPPorts %v, RTPTimeout %v", c.RTPPorts, c.RTPTimeout)
	}
	if logs.Len() != 0 {
		t.Errorf("logged with the defaults:\n%s", logs.String())
	}

	cfg := config.Default()
	cfg.SIP.TLSVerify = false
	if c, err = sipConfig(cfg, log); err != nil {
		t.Fatal(err)
	}
	if !c.TLS.InsecureSkipVerify {
		t.Error("sip.tls_verify = false still verifies")
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "sip.tls_verify is off") {
		t.Errorf("no warning about tls_verify = false:\n%s", logs.String())
	}
}

func TestSIPConfigTLSFileErrors(t *testing.T) {
	pki := newTestPKI(t)
	other := newTestPKI(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("no certificate here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		cert, key, ca string
		want1, want2  string
	}{
		{"no cert file", missing, pki.key, "", "sip.tls_cert: open " + missing, ""},
		{"no key file", pki.cert, missing, "", "sip.tls_key: open " + missing, ""},
		{"key of another cert", pki.cert, other.key, "", "sip.tls_cert " + pki.cert + " and sip.tls_key " + other.key + ": ", "private key does not match"},
		{"key file is a cert", pki.cert, pki.cert, "", "sip.tls_cert " + pki.cert + " and sip.tls_key " + pki.cert + ": ", ""},
		{"no CA file", "", "", missing, "sip.tls_ca: open " + missing, ""},
		{"CA file without a cert", "", "", empty, "sip.tls_ca: " + empty + " holds no PEM certificate", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.SIP.TLSCert, cfg.SIP.TLSKey, cfg.SIP.TLSCA = tc.cert, tc.key, tc.ca
			_, err := sipConfig(cfg, slog.New(slog.DiscardHandler))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want1) || !strings.Contains(err.Error(), tc.want2) {
				t.Errorf("got %v, want %q...%q", err, tc.want1, tc.want2)
			}
		})
	}
}

func TestSIPConfigGatewayRole(t *testing.T) {
	cfg := config.Default()
	cfg.SIP.LocationProfile, cfg.SIP.TrunkingPeer, cfg.SIP.MediaBypass = "site-A", "gw1.example.com", true
	cfg.Accounts = []config.Account{
		{Name: "mediation", Proxy: "sips:mediation.example.com:5061", Expires: 3600,
			PSTN: true, PhoneContext: true, HoldInactive: true, SRTP: "required"},
		{Name: "pbx", Registrar: "sip:pbx.example.com", User: "gw", Expires: 3600, RegisterGateway: true},
		{Name: "tls", Registrar: "sip:pbx.example.com;transport=tls", User: "gw", Expires: 3600},
		{Name: "plain", Proxy: "sip:192.0.2.10", Expires: 3600, SRTP: "optional"},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := sipConfig(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if c.LocationProfile != "site-A" || c.TrunkingPeer != "gw1.example.com" || !c.MediaBypass {
		t.Errorf("location profile %q, trunking peer %q, media bypass %v", c.LocationProfile, c.TrunkingPeer, c.MediaBypass)
	}
	type role struct {
		pstn, phoneContext, holdInactive, registerGateway bool
		srtp                                              sdpoa.Encryption
	}
	want := []role{
		{true, true, true, false, sdpoa.EncryptionRequired},
		{false, false, false, true, sdpoa.EncryptionRejected},
		{false, false, false, false, sdpoa.EncryptionOptional}, // the default over TLS
		{false, false, false, false, sdpoa.EncryptionOptional},
	}
	for i, a := range c.Accounts {
		if got := (role{a.PSTN, a.PhoneContext, a.HoldInactive, a.RegisterGateway, a.SRTP}); got != want[i] {
			t.Errorf("account %s: %+v, want %+v", a.Name, got, want[i])
		}
	}
	if _, err := sipua.New(c); err != nil {
		t.Errorf("sipua.New refuses it: %v", err)
	}
}

func TestSIPConfigTrunkingPeer(t *testing.T) {
	for _, tc := range []struct {
		device, key, want string
		logged            bool
	}{
		{"tipring", "", "tipring", false},
		{"Attic GW", "", "", true},
		{"Attic GW", "gw1.example.com", "gw1.example.com", false},
	} {
		cfg := config.Default()
		cfg.Device.Name, cfg.SIP.TrunkingPeer = tc.device, tc.key
		var logs bytes.Buffer
		c, err := sipConfig(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if c.TrunkingPeer != tc.want {
			t.Errorf("device.name %q, sip.trunking_peer %q: TrunkingPeer %q, want %q", tc.device, tc.key, c.TrunkingPeer, tc.want)
		}
		if got := strings.Contains(logs.String(), "ms-trunking-peer is left out"); got != tc.logged {
			t.Errorf("device.name %q, sip.trunking_peer %q: logged %v, want %v:\n%s", tc.device, tc.key, got, tc.logged, logs.String())
		}
	}
}

// The README's configuration for a Mediation Server loads, and sipua takes
// what it makes, so the README cannot drift from the keys.
func TestSIPConfigREADMEMediationServer(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const heading = "\n## Using tipring with Microsoft Office Communications Server / Lync Mediation Server\n"
	_, section, ok := strings.Cut(string(readme), heading)
	if !ok {
		t.Fatalf("README.md has no heading %q", strings.TrimSpace(heading))
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "\n```toml\n")
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !closed {
		t.Fatal("the section has no ```toml block")
	}
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := os.WriteFile(path, []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the README's config:\n%v", err)
	}
	a := cfg.Accounts[0]
	if a.Registrar != "" || a.SRTPPolicy() != "required" || !a.HoldInactive || !a.PhoneContext {
		t.Errorf("account %+v: want no registrar, srtp required, hold_inactive and phone_context", a)
	}
	// The daemon reads the certificate files; the test's stand in.
	pki := newTestPKI(t)
	cfg.SIP.TLSCert, cfg.SIP.TLSKey, cfg.SIP.TLSCA = pki.cert, pki.key, pki.ca
	c, err := sipConfig(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if c.TrunkingPeer != "gw1.example.com" || c.LocationProfile == "" || c.Accounts[0].SRTP != sdpoa.EncryptionRequired {
		t.Errorf("trunking peer %q, location profile %q, SRTP %v", c.TrunkingPeer, c.LocationProfile, c.Accounts[0].SRTP)
	}
	if _, err := sipua.New(c); err != nil {
		t.Errorf("sipua.New refuses it: %v", err)
	}
}
