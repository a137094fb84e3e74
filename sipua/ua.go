package sipua

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
	"tipring/sipua/rtpstream"
)

// sipgo v1.7.2 refuses to send a UDP message of more than 1300 bytes
// (RFC 3261 §18.1.1 would have it go over TCP instead, which sipgo does
// not do, and which many trunks and proxies do not listen on). An INVITE
// with SRTP keys, retried with its credentials, is larger than that. The
// gateway sends it over UDP in fragments, as phones and PBXs do (Asterisk
// does not switch to TCP by default either): up to the largest IPv4 UDP
// payload, which sipgo reads (TransportBufferReadSize).
func init() { sip.UDPMTUSize = 65507 + 200 }

// Config is what a UA runs with.
type Config struct {
	// UserAgent names the gateway in User-Agent and Server headers.
	UserAgent string
	// Listen lists the transports and addresses to listen on. Requests
	// go out only on the transports listened on.
	Listen []Listen
	// TLS configures the tls transport: Certificates serve the tls
	// listeners and double as the client certificate; RootCAs (nil: the
	// system's) verifies servers unless InsecureSkipVerify is set. A
	// server must prove to serve the host of the URI it was found from
	// (RFC 5922).
	TLS *tls.Config
	// Resolver finds the servers of the registrars and proxies (RFC
	// 3263). Nil means one on the system's DNS that, where DNS offers a
	// choice of transports, prefers them in the order of Listen (§4.1).
	Resolver *locate.Resolver
	// Accounts are registered (when they have a registrar) and place calls.
	Accounts []Account
	// TrustedPeers may send out-of-dialog requests besides the accounts'
	// registrars and proxies.
	TrustedPeers []netip.Prefix
	// RTPPorts is the range of UDP ports for calls' media; the default is
	// 10000 to 20000.
	RTPPorts [2]int
	// RTPTimeout ends an answered call that has received no RTP for that
	// long; 0 never does.
	RTPTimeout time.Duration
	// Incoming is handed each incoming call, on a goroutine of its own. It
	// must Answer or Reject the call. Without it, calls get 480.
	Incoming func(*Call)
	// KeepAlive is how often a registered account checks its registrar
	// is there (OPTIONS on UDP, CRLF on TCP); 0 turns it off.
	KeepAlive time.Duration
	// MessageWaiting is handed each mailbox state an account's
	// message-waiting subscription, or an unsolicited NOTIFY from a
	// trusted peer, reports (RFC 3842), with the account's name. It runs
	// on the goroutine serving the NOTIFY, so it must not block.
	MessageWaiting func(account string, s MessageSummary)
	// LocationProfile is the gateway's location profile: the
	// phone-context of numbers that are not E.164, in the Request-URIs of
	// PhoneContext accounts and in the P-Asserted-Identity of answers
	// ([MS-OCPSTN] §3.2). Empty means "dialstring".
	LocationProfile string
	// TrunkingPeer is the host named in the ms-trunking-peer header of
	// the INVITEs and 200s the gateway sends (§2.2.7); empty leaves the
	// header out.
	TrunkingPeer string
	// MediaBypass advertises ms-bypass (§3.5): media may flow straight
	// between the gateway and a client rather than through the Mediation
	// Server.
	MediaBypass bool
	Log         *slog.Logger
}

// Listen is one transport address to listen on.
type Listen struct {
	Transport string // "udp", "tcp" or "tls"
	Addr      netip.AddrPort
}

func (l Listen) String() string { return l.Transport + ":" + l.Addr.String() }

// A UA is the gateway's SIP user agent.
type UA struct {
	cfg   Config
	log   *slog.Logger
	ua    *sipgo.UserAgent
	srv   *sipgo.Server
	regs  []*registration
	subs  []*subscription // message-waiting subscriptions
	ports *rtpstream.PortRange
	// resolver locates servers; it remembers those that failed lately.
	resolver *locate.Resolver

	mu        sync.Mutex
	calls     map[string]*Call          // by dialog id
	live      map[*Call]struct{}        // every call not ended, dialing ones too
	bound     map[string]netip.AddrPort // transport → the address listened on
	clients   map[string]*sipgo.Client  // transport → client sending from it
	closers   []func() error
	tlsDialer *tlsDialer    // opens the TLS connections; nil without a tls listener
	forbidden atomic.Uint64 // out-of-dialog requests turned away
}

// New returns a UA for cfg. It does not touch the network until Run.
func New(cfg Config) (*UA, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Listen) == 0 {
		return nil, errors.New("sipua: nothing to listen on")
	}
	for _, l := range cfg.Listen {
		switch l.Transport {
		case "udp", "tcp":
		case "tls":
			if !hasCertificate(cfg.TLS) {
				return nil, fmt.Errorf("sipua: listen %s: Config.TLS has no certificate to serve it with", l)
			}
		default:
			return nil, fmt.Errorf("sipua: listen %s: transport %q is not supported", l, l.Transport)
		}
	}
	u := &UA{
		cfg:      cfg,
		log:      cfg.Log,
		bound:    map[string]netip.AddrPort{},
		calls:    map[string]*Call{},
		live:     map[*Call]struct{}{},
		clients:  map[string]*sipgo.Client{},
		resolver: cfg.Resolver,
	}
	if u.resolver == nil {
		u.resolver = newResolver(cfg.Listen)
	}
	if cfg.RTPPorts == [2]int{} {
		cfg.RTPPorts = [2]int{10000, 20000}
	}
	ports, err := rtpstream.NewPortRange(cfg.RTPPorts[0], cfg.RTPPorts[1])
	if err != nil {
		return nil, fmt.Errorf("sipua: %w", err)
	}
	u.ports = ports
	for i := range cfg.Accounts {
		if err := cfg.Accounts[i].check(); err != nil {
			return nil, fmt.Errorf("sipua: account %q: %w", cfg.Accounts[i].Name, err)
		}
		if cfg.Accounts[i].Registrar != "" {
			u.regs = append(u.regs, newRegistration(u, &cfg.Accounts[i]))
		}
		if cfg.Accounts[i].MWI {
			u.subs = append(u.subs, newSubscription(u, &cfg.Accounts[i]))
		}
	}
	return u, nil
}

// Run listens, keeps the accounts registered and subscribed to their
// mailboxes, and serves requests until ctx is done; then it unregisters and
// unsubscribes the accounts and closes the listeners.
func (u *UA) Run(ctx context.Context) error {
	lib := slog.New(quieter{u.log.Handler()}).With("component", "sipgo")
	// sipgo opens TLS connections itself where the UA has not opened one,
	// as for requests within a dialog; it checks the server against the
	// host it dials.
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(u.cfg.UserAgent), sipgo.WithUserAgenTLSConfig(u.cfg.TLS),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(lib),
			// Responses no transaction waits for any more: late
			// retransmissions mostly, worth a line when debugging.
			sip.WithTransactionLayerUnhandledResponseHandler(func(r *sip.Response) {
				u.log.Debug("stray response", "status", r.StatusCode, "source", r.Source())
			})),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(lib)))
	if err != nil {
		return err
	}
	u.ua = ua
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(lib))
	if err != nil {
		return err
	}
	u.srv = srv
	u.handle(srv)
	serveErr := make(chan error, len(u.cfg.Listen)+1) // and the TLS dialer
	for _, l := range u.cfg.Listen {
		if err := u.listen(l, serveErr); err != nil {
			u.close()
			return err
		}
	}
	var wg sync.WaitGroup
	for _, r := range u.regs {
		wg.Go(func() { r.run(ctx) })
	}
	for _, s := range u.subs {
		wg.Go(func() { s.run(ctx) })
	}
	select {
	case <-ctx.Done():
		err = nil
	case err = <-serveErr:
	}
	u.endCalls()
	wg.Wait() // the registrations unregister on the way out
	u.close()
	return err
}

// listen opens l's socket, serves it and makes a client that sends from it.
func (u *UA) listen(l Listen, serveErr chan<- error) error {
	addr := l.Addr.String()
	// The address's family picks the socket's: "udp" on 0.0.0.0 would
	// listen on both families and report [::].
	family := "4"
	if l.Addr.Addr().Is6() && !l.Addr.Addr().Is4In6() {
		family = "6"
	}
	var (
		bound netip.AddrPort
		serve func() error
		close func() error
	)
	switch l.Transport {
	case "udp":
		c, err := net.ListenPacket("udp"+family, addr)
		if err != nil {
			return fmt.Errorf("sipua: listen %s: %w", l, err)
		}
		bound, close = c.LocalAddr().(*net.UDPAddr).AddrPort(), c.Close
		serve = func() error { return u.srv.ServeUDP(c) }
	case "tcp", "tls":
		ln, err := net.Listen("tcp"+family, addr)
		if err != nil {
			return fmt.Errorf("sipua: listen %s: %w", l, err)
		}
		bound, close = ln.Addr().(*net.TCPAddr).AddrPort(), ln.Close
		serve = func() error { return u.srv.ServeTCP(ln) }
		if l.Transport == "tls" {
			tl := tls.NewListener(ln, u.cfg.TLS)
			serve = func() error { return u.srv.ServeTLS(tl) }
			u.serveTLSDialer(ln.Addr(), serveErr)
		}
	}
	bound = netip.AddrPortFrom(bound.Addr().Unmap(), bound.Port())
	// rport (RFC 3581) lets a registrar behind or before NAT answer
	// where the request really came from.
	opts := []sipgo.ClientOption{sipgo.WithClientLogger(u.log.With("component", "sipgo")), sipgo.WithClientNAT()}
	if l.Transport == "udp" {
		// Requests leave from the listening socket, so replies and the
		// registrar's later requests come back to the Contact's port.
		opts = append(opts, sipgo.WithClientConnectionAddr(bound.String()))
	}
	client, err := sipgo.NewClient(u.ua, opts...)
	if err != nil {
		close()
		return err
	}
	u.mu.Lock()
	u.bound[l.Transport] = bound
	u.clients[l.Transport] = client
	u.closers = append(u.closers, close)
	u.mu.Unlock()
	u.log.Info("listening for SIP", "transport", l.Transport, "addr", bound)
	go func() {
		if err := serve(); err != nil && !errors.Is(err, net.ErrClosed) {
			serveErr <- fmt.Errorf("sipua: serve %s: %w", l, err)
		}
	}()
	if l.Transport == "udp" {
		// sipgo registers the socket for sending as Serve starts; until
		// then a request from this address would try to bind it again.
		tp := u.ua.TransportLayer()
		for range 200 {
			if c, _ := tp.GetConnection("udp", bound.String()); c != nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// serveTLSDialer has sipgo serve the connections the UA opens over TLS,
// once for the UA; addr is the tls listening address.
func (u *UA) serveTLSDialer(addr net.Addr, serveErr chan<- error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.tlsDialer != nil {
		return
	}
	d := newTLSDialer(addr)
	u.tlsDialer = d
	u.closers = append(u.closers, d.Close)
	go func() {
		if err := u.srv.ServeTLS(d); err != nil && !errors.Is(err, net.ErrClosed) {
			serveErr <- fmt.Errorf("sipua: serve TLS connections: %w", err)
		}
	}()
}

// quieter passes on only warnings and errors: sipgo reports routine
// events, such as a retransmitted response, at Info.
type quieter struct{ slog.Handler }

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && q.Handler.Enabled(ctx, l)
}

func (q quieter) WithAttrs(a []slog.Attr) slog.Handler { return quieter{q.Handler.WithAttrs(a)} }
func (q quieter) WithGroup(n string) slog.Handler      { return quieter{q.Handler.WithGroup(n)} }

func (u *UA) close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range u.closers {
		c()
	}
	u.closers = nil
	if u.ua != nil {
		u.ua.Close()
	}
}

// client returns the client and listening address for transport, or an
// error when the UA does not listen on it.
func (u *UA) client(transport string) (*sipgo.Client, netip.AddrPort, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	c, ok := u.clients[transport]
	if !ok {
		return nil, netip.AddrPort{}, fmt.Errorf("not listening on %s", strings.ToUpper(transport))
	}
	return c, u.bound[transport], nil
}

// Addr returns the address the UA listens on for transport, once Run has
// started listening; ok is false before that or for other transports.
func (u *UA) Addr(transport string) (addr netip.AddrPort, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	addr, ok = u.bound[transport]
	return addr, ok
}

// Status reports each registering account's state.
func (u *UA) Status() Status {
	s := Status{Forbidden: u.forbidden.Load()}
	u.mu.Lock()
	for _, l := range u.cfg.Listen {
		if a, ok := u.bound[l.Transport]; ok {
			s.Listen = append(s.Listen, Listen{Transport: l.Transport, Addr: a})
		}
	}
	u.mu.Unlock()
	for _, r := range u.regs {
		s.Registrations = append(s.Registrations, r.status())
	}
	return s
}

// Status is what a UA reports of itself.
type Status struct {
	// Listen lists the addresses listened on.
	Listen        []Listen
	Registrations []RegistrationStatus
	// Forbidden counts out-of-dialog requests turned away with 403.
	Forbidden uint64
}

// via is a Via header for a new request sent over transport from addr,
// asking for rport (RFC 3581) so that replies find the way back through NAT.
func via(transport string, addr netip.AddrPort) *sip.ViaHeader {
	v := &sip.ViaHeader{
		ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: strings.ToUpper(transport),
		Host: addr.Addr().String(), Port: int(addr.Port()), Params: sip.NewParams(),
	}
	v.Params.Add("branch", sip.GenerateBranch())
	v.Params.Add("rport", "")
	return v
}
