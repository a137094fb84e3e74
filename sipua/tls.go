package sipua

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
)

// hasCertificate says whether c can serve a tls listener.
func hasCertificate(c *tls.Config) bool {
	return c != nil && (len(c.Certificates) > 0 || c.GetCertificate != nil)
}

// connect makes sure a TLS connection to t is open before a request is
// sent there, one whose server proved to serve domain, the host of the URI
// that t was located from (RFC 5922 §7.3). sipgo would dial on its own and
// check the certificate against the address it dials, which is rarely in
// a certificate; so the UA dials, and hands sipgo the connection. Other
// transports need nothing.
func (u *UA) connect(ctx context.Context, t locate.Target, domain string) error {
	if t.Transport != locate.TLS {
		return nil
	}
	if c, _ := u.ua.TransportLayer().GetConnection("tls", t.Addr.String()); c != nil {
		defer c.TryClose() // GetConnection counted us as a user
		return u.verifyOpen(c, domain)
	}
	// As long as a transaction waits for an answer (RFC 3261 §17.1.2.2).
	u.mu.Lock()
	d := u.tlsDialer
	u.mu.Unlock()
	if d == nil {
		return errors.New("not listening on TLS")
	}
	ctx, cancel := context.WithTimeout(ctx, sip.Timer_F)
	defer cancel()
	return d.dial(ctx, t.Addr, u.dialConfig(domain))
}

// dialConfig is the client configuration of a connection to domain's
// server: Config.TLS's, whose Certificates answer a server that asks for a
// client certificate, with the server checked for domain.
func (u *UA) dialConfig(domain string) *tls.Config {
	c := new(tls.Config)
	if u.cfg.TLS != nil {
		c = u.cfg.TLS.Clone()
	}
	// Server Name Indication (RFC 5922 §7.8); Go sends none for an address.
	c.ServerName = domain
	if c.InsecureSkipVerify {
		return c
	}
	roots := c.RootCAs
	// The check below replaces Go's, which knows nothing of sip URIs.
	c.InsecureSkipVerify = true
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyServer(cs.PeerCertificates, roots, domain, time.Now())
	}
	return c
}

// verifyOpen checks that c, an open connection sipgo has, reached a
// server that proved to serve domain: it may have been opened for another
// domain at the same address.
func (u *UA) verifyOpen(c sip.Connection, domain string) error {
	if u.cfg.TLS != nil && u.cfg.TLS.InsecureSkipVerify {
		return nil
	}
	tc, ok := c.(*sip.TCPConnection)
	if !ok {
		return errors.New("tls: connection of unknown kind")
	}
	conn, ok := tc.Conn.(*tls.Conn)
	if !ok {
		return errors.New("tls: connection is not TLS")
	}
	var roots *x509.CertPool
	if u.cfg.TLS != nil {
		roots = u.cfg.TLS.RootCAs
	}
	return verifyServer(conn.ConnectionState().PeerCertificates, roots, domain, time.Now())
}

// verifyServer checks the certificate chain a server presented: it leads
// to one of roots (nil: the system's) and names domain. A domain name is
// looked for as RFC 5922 §7.1 says: among the sip URIs of the
// subjectAltName, or when there are none, its DNS names. Unlike RFC 5922
// §7.2, a wildcard DNS name matches one label, as Go matches host names:
// trunk providers serve wildcard certificates. An IP address is looked
// for among the IP addresses.
func verifyServer(certs []*x509.Certificate, roots *x509.CertPool, domain string, now time.Time) error {
	if len(certs) == 0 {
		return errors.New("tls: server sent no certificate")
	}
	opts := x509.VerifyOptions{Roots: roots, CurrentTime: now, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	leaf := certs[0]
	if _, err := leaf.Verify(opts); err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	if _, err := netip.ParseAddr(domain); err != nil {
		if ids := sipDomains(leaf); len(ids) > 0 {
			for _, id := range ids {
				if strings.EqualFold(strings.TrimSuffix(id, "."), strings.TrimSuffix(domain, ".")) {
					return nil
				}
			}
			return fmt.Errorf("tls: certificate is for %s, not %s", strings.Join(ids, ", "), domain)
		}
	}
	if err := leaf.VerifyHostname(domain); err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	return nil
}

// sipDomains lists the SIP domains a certificate names by sip URIs in its
// subjectAltName: those without a user part (RFC 5922 §7.1), less any
// parameters or port, which take no part in the comparison (§7.2).
func sipDomains(c *x509.Certificate) []string {
	var ids []string
	for _, u := range c.URIs {
		if !strings.EqualFold(u.Scheme, "sip") || u.Opaque == "" || strings.Contains(u.Opaque, "@") {
			continue
		}
		host, _, _ := strings.Cut(u.Opaque, ";")
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		ids = append(ids, host)
	}
	return ids
}

// A tlsDialer gives sipgo the connections the UA opens as a listener gives
// it accepted ones: sipgo serves it like a tls listener, keeps each
// connection in its pool, reads from it and sends on it.
type tlsDialer struct {
	addr    net.Addr // the UA's tls listening address, which sipgo notes
	handoff chan handoff
	closed  chan struct{}
	once    sync.Once
	// pooled belongs to the connection Accept returned last; it is closed
	// once sipgo asks for the next, having pooled that one by then.
	pooled chan struct{}
}

type handoff struct {
	conn   net.Conn
	pooled chan struct{}
}

func newTLSDialer(addr net.Addr) *tlsDialer {
	return &tlsDialer{addr: addr, handoff: make(chan handoff), closed: make(chan struct{})}
}

// dial opens a connection to addr and returns once sipgo has it.
func (d *tlsDialer) dial(ctx context.Context, addr netip.AddrPort, conf *tls.Config) error {
	c, err := (&tls.Dialer{Config: conf}).DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return err
	}
	h := handoff{conn: c, pooled: make(chan struct{})}
	select {
	case d.handoff <- h:
	case <-ctx.Done():
		c.Close()
		return ctx.Err()
	case <-d.closed:
		c.Close()
		return net.ErrClosed
	}
	select {
	case <-h.pooled:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-d.closed:
		return net.ErrClosed
	}
}

// Accept returns the next connection dialled. sipgo calls it from one
// goroutine, pooling each connection before it asks for the next.
func (d *tlsDialer) Accept() (net.Conn, error) {
	if d.pooled != nil {
		close(d.pooled)
		d.pooled = nil
	}
	select {
	case h := <-d.handoff:
		d.pooled = h.pooled
		return h.conn, nil
	case <-d.closed:
		return nil, net.ErrClosed
	}
}

// Close stops Accept; the connections are sipgo's to close.
func (d *tlsDialer) Close() error {
	d.once.Do(func() { close(d.closed) })
	return nil
}

func (d *tlsDialer) Addr() net.Addr { return d.addr }
