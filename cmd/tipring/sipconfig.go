package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"

	"tipring/config"
	"tipring/sipua"
	"tipring/sipua/sdpoa"
)

// sipConfig turns the configuration's SIP settings into the user agent's.
// The configuration has been validated, so addresses parse; the files it
// names are read here, and their errors name the key.
func sipConfig(cfg *config.Config, log *slog.Logger) (sipua.Config, error) {
	low, high, err := config.ParsePortRange(cfg.SIP.RTPPorts)
	if err != nil {
		return sipua.Config{}, fmt.Errorf("sip.rtp_ports %q: %v", cfg.SIP.RTPPorts, err)
	}
	tc, err := tlsConfig(&cfg.SIP)
	if err != nil {
		return sipua.Config{}, err
	}
	if !cfg.SIP.TLSVerify {
		log.Warn("sip.tls_verify is off: TLS servers' certificates are not checked, so anyone in the path can pose as the registrar or proxy")
	}
	c := sipua.Config{
		UserAgent:  "tipring/" + version,
		TLS:        tc,
		RTPPorts:   [2]int{low, high},
		RTPTimeout: time.Duration(cfg.SIP.RTPTimeout) * time.Second,
		KeepAlive:  time.Duration(cfg.SIP.KeepAlive) * time.Second,
		Log:        log.With("component", "sip"),

		LocationProfile: cfg.SIP.LocationProfile,
		TrunkingPeer:    cfg.TrunkingPeer(),
		MediaBypass:     cfg.SIP.MediaBypass,
	}
	if c.TrunkingPeer == "" {
		// Said once here rather than on every call that goes without it.
		log.Info("ms-trunking-peer is left out of calls: device.name is not a host name, and sip.trunking_peer is not set", "device.name", cfg.Device.Name)
	}
	for _, l := range cfg.SIP.Listen {
		transport, hostport, err := config.SplitListen(l)
		if err != nil {
			return c, fmt.Errorf("sip.listen %q: %v", l, err)
		}
		ap, err := netip.ParseAddrPort(hostport)
		if err != nil {
			return c, fmt.Errorf("sip.listen %q: %v", l, err)
		}
		c.Listen = append(c.Listen, sipua.Listen{Transport: transport, Addr: ap})
	}
	for _, p := range cfg.SIP.TrustedPeers {
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return c, fmt.Errorf("sip.trusted_peers %q: %v", p, err)
			}
			c.TrustedPeers = append(c.TrustedPeers, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			return c, fmt.Errorf("sip.trusted_peers %q: %v", p, err)
		}
		c.TrustedPeers = append(c.TrustedPeers, pfx.Masked())
	}
	if cfg.Routing.LocalCalls {
		// The lines call each other at the gateway's own address.
		c.TrustedPeers = append(c.TrustedPeers, netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"))
	}
	for _, a := range cfg.Accounts {
		c.Accounts = append(c.Accounts, sipua.Account{
			Name: a.Name, Registrar: a.Registrar, Proxy: a.Proxy, OutboundProxy: a.OutboundProxy,
			User: a.User, Domain: a.SIPDomain(),
			Credentials: sipua.Credentials{Username: a.AuthUsername(), Password: string(a.Password)},
			Expires:     time.Duration(a.Expires) * time.Second,
			MWI:         a.MWI, Mailbox: a.Mailbox,
			PSTN: a.PSTN, PhoneContext: a.PhoneContext, HoldInactive: a.HoldInactive,
			RegisterGateway: a.RegisterGateway, SRTP: srtpPolicies[a.SRTPPolicy()],
		})
	}
	return c, nil
}

// srtpPolicies maps the values of an account's srtp key, which validation
// has checked.
var srtpPolicies = map[string]sdpoa.Encryption{
	"rejected": sdpoa.EncryptionRejected,
	"optional": sdpoa.EncryptionOptional,
	"required": sdpoa.EncryptionRequired,
}

// tlsConfig loads the certificate, its key and the CA bundle the sip section
// names. Validation has made sure the certificate and key come together.
func tlsConfig(s *config.SIP) (*tls.Config, error) {
	c := &tls.Config{InsecureSkipVerify: !s.TLSVerify}
	if s.TLSCert != "" {
		certPEM, err := os.ReadFile(s.TLSCert)
		if err != nil {
			return nil, fmt.Errorf("sip.tls_cert: %w", err)
		}
		keyPEM, err := os.ReadFile(s.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("sip.tls_key: %w", err)
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("sip.tls_cert %s and sip.tls_key %s: %w", s.TLSCert, s.TLSKey, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	if s.TLSCA != "" {
		pem, err := os.ReadFile(s.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("sip.tls_ca: %w", err)
		}
		// Only the bundle's CAs are trusted, not the system's as well: a
		// private CA names the one server to trust.
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("sip.tls_ca: %s holds no PEM certificate", s.TLSCA)
		}
	}
	return c, nil
}
