package main

import (
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"tipring/config"
	"tipring/sipua"
)

// sipConfig turns the configuration's SIP settings into the user agent's.
// The configuration has been validated, so addresses parse.
func sipConfig(cfg *config.Config, log *slog.Logger) (sipua.Config, error) {
	c := sipua.Config{
		UserAgent: "tipring/" + version,
		KeepAlive: time.Duration(cfg.SIP.KeepAlive) * time.Second,
		Log:       log.With("component", "sip"),
	}
	for _, l := range cfg.SIP.Listen {
		transport, hostport, err := config.SplitListen(l)
		if err != nil {
			return c, fmt.Errorf("sip.listen %q: %v", l, err)
		}
		if transport == "tls" {
			// Until TLS is in, say so rather than pretend to listen.
			log.Warn("SIP over TLS is not supported yet; not listening", "listen", l)
			continue
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
	for _, a := range cfg.Accounts {
		c.Accounts = append(c.Accounts, sipua.Account{
			Name: a.Name, Registrar: a.Registrar, Proxy: a.Proxy, OutboundProxy: a.OutboundProxy,
			User: a.User, Domain: a.SIPDomain(),
			Credentials: sipua.Credentials{Username: a.AuthUsername(), Password: string(a.Password)},
			Expires:     time.Duration(a.Expires) * time.Second,
		})
	}
	return c, nil
}
