package sipua

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
)

// RegState is where an account's registration stands.
type RegState string

// Registration states.
const (
	RegIdle        RegState = "unregistered"
	RegRegistering RegState = "registering"
	RegRegistered  RegState = "registered"
	RegFailed      RegState = "failed" // retrying after a back-off
)

// RegistrationStatus is what a registration reports.
type RegistrationStatus struct {
	Account   string
	Registrar string
	// Server is where the REGISTERs go: the server registered with, or
	// tried last, as transport:address:port ("udp:192.0.2.1:5060").
	Server string
	State  RegState
	// Contact is the address the registrar has for the gateway.
	Contact string
	// Expires is when the binding lapses unless refreshed; zero unless
	// registered.
	Expires time.Time
	// Retry is when the next attempt is due after a failure.
	Retry time.Time
	// LastError describes the last failure, kept after recovering.
	LastError string
	Failures  int
}

// Back-off after failed registrations: from backoffBase doubling to
// backoffMax, each wait drawn from its upper half so gateways restarted
// together do not stay in step.
const (
	backoffBase = 2 * time.Second
	backoffMax  = 5 * time.Minute
	// rejectedWait is the least wait after the registrar turned down the
	// credentials or the account (401, 407 or 403).
	rejectedWait = 30 * time.Second
	// unregisterTimeout bounds the Expires: 0 REGISTER sent on shutdown,
	// within the daemon's 2 s to stop.
	unregisterTimeout = 1500 * time.Millisecond
	// keepAliveTimeout bounds the wait for an answer to a keep-alive
	// OPTIONS: well short of a transaction timeout, since the question is
	// only whether the registrar is there.
	keepAliveTimeout = 8 * time.Second
)

// registration keeps one account registered.
type registration struct {
	ua        *UA
	acct      *Account
	registrar sip.Uri
	route     *sip.Uri // the outbound proxy, if any
	// secure is set by a sips registrar or outbound proxy: the Contact
	// and the address of record are sips URIs then (RFC 3261 §8.1.1.8,
	// RFC 5630 §5.1.1.1).
	secure  bool
	callID  string
	fromTag string
	cseq    uint32
	// server is the target of the next hop the REGISTERs go to; bound
	// says the last one registered there, so the refreshes stay with it.
	server locate.Target
	bound  bool
	// contact is the address registered; it starts as the local address
	// toward server and follows what the registrar saw (rport).
	contact netip.AddrPort

	mu       sync.Mutex
	st       RegistrationStatus
	serverAt netip.AddrPort // the address of Server, for trusting its requests
}

func newRegistration(u *UA, a *Account) *registration {
	r := &registration{ua: u, acct: a, callID: sip.GenerateTagN(24), fromTag: sip.GenerateTagN(12)}
	sip.ParseUri(a.Registrar, &r.registrar) // checked by Account.check
	if a.OutboundProxy != "" {
		r.route = new(sip.Uri)
		sip.ParseUri(a.OutboundProxy, r.route)
		r.route.UriParams = r.route.UriParams.Clone()
		if r.route.UriParams == nil {
			r.route.UriParams = sip.NewParams()
		}
		r.route.UriParams.Add("lr", "")
	}
	r.secure = r.registrar.IsEncrypted() || r.route != nil && r.route.IsEncrypted()
	r.st = RegistrationStatus{Account: a.Name, Registrar: a.Registrar, State: RegIdle}
	return r
}

// serverAddr is the address of the server registered with, if any.
func (r *registration) serverAddr() netip.AddrPort {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.State != RegRegistered {
		return netip.AddrPort{}
	}
	return r.serverAt
}

func (r *registration) status() RegistrationStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

func (r *registration) update(f func(*RegistrationStatus)) {
	r.mu.Lock()
	f(&r.st)
	r.mu.Unlock()
}

// regError is a failed registration attempt.
type regError struct {
	status     int           // the final response, 0 for a transport failure
	retryAfter time.Duration // from a Retry-After header
	// unreachable says the server did not answer: a timeout or a
	// transport error.
	unreachable bool
	msg         string
}

func (e *regError) Error() string { return e.msg }

// rejected says the registrar turned the account or its credentials down.
func (e *regError) rejected() bool {
	return e.status == sip.StatusUnauthorized || e.status == sip.StatusProxyAuthRequired || e.status == sip.StatusForbidden
}

// failover says whether the next server is to be tried at once (RFC 3263
// §4.3): this one did not answer, or answered 503.
func (e *regError) failover() bool {
	return e.unreachable || e.status == sip.StatusServiceUnavailable
}

// run registers the account, refreshes the binding before it lapses, and
// retries with back-off after failures, until ctx is done; then it removes
// the binding.
func (r *registration) run(ctx context.Context) {
	log := r.ua.log.With("account", r.acct.Name)
	expires := r.acct.Expires
	failures := 0
	var bound time.Time // until when the registrar holds a binding of ours
	for {
		r.update(func(s *RegistrationStatus) { s.State = RegRegistering })
		granted, err := r.register(ctx, expires)
		if ctx.Err() != nil {
			break
		}
		var wait time.Duration
		if err == nil {
			failures = 0
			wait = refreshAfter(granted)
			now := time.Now()
			bound = now.Add(granted)
			r.update(func(s *RegistrationStatus) {
				s.State, s.Expires, s.Retry, s.Failures = RegRegistered, now.Add(granted), time.Time{}, 0
				c := r.contactURI()
				s.Contact = c.String()
			})
			log.Info("registered", "registrar", r.acct.Registrar, "server", r.server, "expires", granted, "refresh_in", wait.Round(time.Second))
		} else {
			failures++
			wait = backoff(failures, rand.Float64())
			var re *regError
			if errors.As(err, &re) && re.retryAfter > wait {
				wait = re.retryAfter
			}
			if errors.As(err, &re) && re.rejected() && wait < rejectedWait {
				// Wrong credentials stay wrong: retrying fast would only
				// get the gateway's address blocked (fail2ban and the like).
				wait = rejectedWait
			}
			retry := time.Now().Add(wait)
			r.update(func(s *RegistrationStatus) {
				s.State, s.Expires, s.Retry, s.Failures = RegFailed, time.Time{}, retry, failures
				s.LastError = err.Error()
			})
			log.Warn("registration failed", "registrar", r.acct.Registrar, "err", err, "retry_in", wait.Round(time.Second))
		}
		if !r.wait(ctx, wait, err == nil) {
			break
		}
	}
	if !time.Now().Before(bound) {
		return
	}
	uctx, cancel := context.WithTimeout(context.Background(), unregisterTimeout)
	defer cancel()
	if _, err := r.register(uctx, 0); err != nil {
		log.Warn("unregister failed", "err", err)
	} else {
		log.Info("unregistered", "registrar", r.acct.Registrar)
	}
	r.update(func(s *RegistrationStatus) { s.State, s.Expires = RegIdle, time.Time{} })
}

// wait waits d, or until ctx is done (then it returns false). While
// registered it keeps the path to the registrar alive and checks it, and
// cuts the wait short when the registrar has gone: an unanswered OPTIONS
// over UDP, a TCP or TLS connection that no longer takes the CRLF ping.
func (r *registration) wait(ctx context.Context, d time.Duration, registered bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	var tick <-chan time.Time
	if registered && r.ua.cfg.KeepAlive > 0 {
		k := time.NewTicker(r.ua.cfg.KeepAlive)
		defer k.Stop()
		tick = k.C
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		case <-tick:
			if err := r.keepAlive(ctx); err != nil {
				if ctx.Err() != nil {
					return false
				}
				r.ua.log.Warn("registrar unreachable; registering again", "account", r.acct.Name, "err", err)
				return true
			}
		}
	}
}

// keepAlive sends the registrar a CRLF ping (RFC 5626 §4.4.1) on TCP and
// TLS, an OPTIONS on UDP, which also refreshes NAT bindings on the way.
func (r *registration) keepAlive(ctx context.Context) error {
	t := r.server
	client, _, err := r.ua.client(string(t.Transport))
	if err != nil {
		return err
	}
	if t.Transport != locate.UDP {
		c, err := r.ua.ua.TransportLayer().GetConnection(string(t.Transport), t.Addr.String())
		if err != nil || c == nil {
			return fmt.Errorf("connection to %s is gone", t)
		}
		defer c.TryClose() // GetConnection counted us as a user
		w, ok := c.(io.Writer)
		if !ok {
			return nil
		}
		_, err = w.Write([]byte("\r\n\r\n"))
		return err
	}
	req := sip.NewRequest(sip.OPTIONS, *r.registrar.Clone())
	aor := r.aor()
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(12))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: *r.registrar.Clone(), Params: sip.NewParams()})
	if r.route != nil {
		req.AppendHeader(&sip.RouteHeader{Address: *r.route.Clone()})
	}
	address(req, t, r.contact)
	ctx, cancel := context.WithTimeout(ctx, min(keepAliveTimeout, r.ua.cfg.KeepAlive))
	defer cancel()
	// Any answer at all, even 404 or 405, shows the registrar is there.
	if _, err := client.Do(ctx, req); err != nil {
		return fmt.Errorf("no answer to OPTIONS: %w", err)
	}
	return nil
}

// refreshAfter is how long after a registration for granted to refresh it:
// ahead of the expiry by half the lifetime, but never more than a minute.
func refreshAfter(granted time.Duration) time.Duration {
	return granted - min(granted/2, time.Minute)
}

// backoff is the wait before attempt failures+1, with u uniform in [0, 1).
func backoff(failures int, u float64) time.Duration {
	d := backoffMax
	if failures < 20 {
		d = min(backoffBase<<(failures-1), backoffMax)
	}
	return d/2 + time.Duration(u*float64(d/2))
}

// register registers with the servers of the next hop in turn until one
// takes the REGISTER asking for expires (0 removes the binding), and
// returns the lifetime granted. A server that does not answer or answers
// 503 is reported to the resolver and the next one tried at once (RFC
// 3263 §4.3); the error is the last server's.
func (r *registration) register(ctx context.Context, expires time.Duration) (time.Duration, error) {
	next := r.nextHop()
	ts, err := r.ua.targets(ctx, next)
	if err != nil {
		return 0, &regError{msg: err.Error()}
	}
	if r.bound {
		// The binding is with r.server: refresh or remove it there.
		if i := slices.IndexFunc(ts, func(t locate.Target) bool { return sameTarget(t, r.server) }); i > 0 {
			ts = slices.Insert(slices.Delete(ts, i, i+1), 0, r.server)
		}
	}
	for i, t := range ts {
		var granted time.Duration
		granted, err = r.registerAt(ctx, t, uriDomain(next), expires)
		r.bound = err == nil
		var re *regError
		if err == nil || ctx.Err() != nil || !errors.As(err, &re) || !re.failover() {
			return granted, err
		}
		r.ua.resolver.MarkFailed(t)
		if i+1 < len(ts) {
			r.ua.log.Warn("registrar failed; trying the next", "account", r.acct.Name, "server", t, "err", err, "next", ts[i+1])
		}
	}
	return 0, err
}

// registerAt sends one REGISTER asking for expires to t, a server of
// domain, answering challenges and a 423, and returns the lifetime granted.
func (r *registration) registerAt(ctx context.Context, t locate.Target, domain string, expires time.Duration) (time.Duration, error) {
	client, local, err := r.ua.hop(t)
	if err != nil {
		return 0, &regError{msg: err.Error()}
	}
	if !sameTarget(t, r.server) || !r.contact.IsValid() {
		r.server, r.contact = t, local
		r.update(func(s *RegistrationStatus) { s.Server, r.serverAt = t.String(), t.Addr })
	}
	var auth []sip.Header // answers to challenges, carried to the retries
	challenges, stale := 0, false
	for attempt := 0; attempt < 6; attempt++ {
		if err := r.ua.connect(ctx, t, domain); err != nil {
			return 0, &regError{unreachable: true, msg: fmt.Sprintf("cannot connect to %s: %v", t, err)}
		}
		req := r.request(expires, auth)
		address(req, t, r.contact)
		res, err := client.Do(ctx, req)
		if err != nil {
			return 0, &regError{unreachable: true, msg: fmt.Sprintf("no answer from %s: %v", t, err)}
		}
		switch {
		case res.IsSuccess():
			if moved, ok := r.learnContact(res); ok && expires > 0 {
				// The registrar saw another address (NAT): bind that one.
				r.ua.log.Info("registrar sees gateway at another address", "account", r.acct.Name, "contact", moved)
				r.contact = moved
				auth = req.GetHeaders("Authorization")
				continue
			}
			if expires == 0 {
				return 0, nil
			}
			return r.granted(res, expires)
		case res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired:
			if challenges > 0 && !stale {
				return 0, &regError{status: res.StatusCode, msg: fmt.Sprintf("%d %s: credentials rejected", res.StatusCode, res.Reason)}
			}
			challenges++
			if stale, err = authorize(req, res, r.acct.Credentials); err != nil {
				return 0, &regError{status: res.StatusCode, msg: fmt.Sprintf("%d %s: %v", res.StatusCode, res.Reason, err)}
			}
			auth = append(req.GetHeaders("Authorization"), req.GetHeaders("Proxy-Authorization")...)
		case res.StatusCode == 423: // Interval Too Brief
			min, ok := headerSeconds(res, "Min-Expires")
			if !ok || min <= expires {
				return 0, &regError{status: 423, msg: "423 Interval Too Brief without a usable Min-Expires"}
			}
			expires = min
		default:
			e := &regError{status: res.StatusCode, msg: fmt.Sprintf("%d %s", res.StatusCode, res.Reason)}
			if d, ok := headerSeconds(res, "Retry-After"); ok {
				e.retryAfter = d
			}
			return 0, e
		}
	}
	return 0, &regError{msg: "registrar keeps challenging"}
}

// nextHop is where the account's requests go first.
func (r *registration) nextHop() sip.Uri {
	if r.route != nil {
		return *r.route
	}
	return r.registrar
}

// request builds a REGISTER of the account's binding.
func (r *registration) request(expires time.Duration, auth []sip.Header) *sip.Request {
	req := sip.NewRequest(sip.REGISTER, *r.registrar.Clone())
	aor := r.aor()
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", r.fromTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	callID := sip.CallIDHeader(r.callID)
	req.AppendHeader(&callID)
	r.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: r.cseq, MethodName: sip.REGISTER})
	if r.route != nil {
		req.AppendHeader(&sip.RouteHeader{Address: *r.route.Clone()})
	}
	contact := &sip.ContactHeader{Address: r.contactURI()}
	if r.acct.RegisterGateway {
		// Some registrars keep the parameter in the binding and pass it
		// on with the calls to it ([MS-OCPSTN] §3.1).
		contact.Params = sip.NewParams()
		contact.Params.Add(isGatewayParam, "")
	}
	req.AppendHeader(contact)
	e := sip.ExpiresHeader(expires / time.Second)
	req.AppendHeader(&e)
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	if r.ua.cfg.UserAgent != "" {
		req.AppendHeader(sip.NewHeader("User-Agent", r.ua.cfg.UserAgent))
	}
	for _, h := range auth {
		req.AppendHeader(sip.NewHeader(h.Name(), h.Value()))
	}
	return req
}

// contactURI is the URI registered for the account.
func (r *registration) contactURI() sip.Uri {
	u := sip.Uri{Scheme: "sip", User: r.acct.User, Host: r.contact.Addr().String(), Port: int(r.contact.Port())}
	switch {
	case r.secure:
		u.Scheme = "sips" // reached over TLS, without a transport parameter
	case r.server.Transport != locate.UDP:
		// Also transport=tls, which RFC 3261 §26.2.2 deprecates and
		// RFC 5630 §5.1.1 forbids: without it, many registrars send
		// requests for a sip Contact over UDP.
		u.UriParams = sip.NewParams()
		u.UriParams.Add("transport", string(r.server.Transport))
	}
	return u
}

// aor is the address of record registered.
func (r *registration) aor() sip.Uri {
	a := r.acct.aor()
	if r.secure {
		a.Scheme = "sips"
	}
	return a
}

// granted reads the lifetime the registrar gave our binding: the expires
// parameter of our Contact, else the Expires header, else what we asked.
func (r *registration) granted(res *sip.Response, asked time.Duration) (time.Duration, error) {
	want := r.contactURI()
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.User != want.User || c.Address.Port != want.Port ||
			!sameHost(c.Address.Host, want.Host) {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return 0, &regError{status: res.StatusCode, msg: fmt.Sprintf("registrar granted expires=%q", v)}
			}
			return time.Duration(n) * time.Second, nil
		}
	}
	if d, ok := headerSeconds(res, "Expires"); ok && d > 0 {
		return d, nil
	}
	return asked, nil
}

// learnContact reports the address the registrar saw the request come
// from (Via received and rport), when it differs from the Contact's.
func (r *registration) learnContact(res *sip.Response) (netip.AddrPort, bool) {
	via := res.Via()
	if via == nil || r.server.Transport != locate.UDP {
		return netip.AddrPort{}, false
	}
	host, okh := via.Params.Get("received")
	port, okp := via.Params.Get("rport")
	if !okh || !okp {
		return netip.AddrPort{}, false
	}
	a, err := netip.ParseAddr(host)
	p, perr := strconv.ParseUint(port, 10, 16)
	if err != nil || perr != nil || p == 0 {
		return netip.AddrPort{}, false
	}
	seen := netip.AddrPortFrom(a.Unmap(), uint16(p))
	return seen, seen != r.contact
}

func sameHost(a, b string) bool {
	x, err1 := netip.ParseAddr(strings.Trim(a, "[]"))
	y, err2 := netip.ParseAddr(strings.Trim(b, "[]"))
	if err1 != nil || err2 != nil {
		return strings.EqualFold(a, b)
	}
	return x.Unmap() == y.Unmap()
}

// headerSeconds reads a header whose value starts with a number of seconds.
func headerSeconds(res *sip.Response, name string) (time.Duration, bool) {
	h := res.GetHeader(name)
	if h == nil {
		return 0, false
	}
	v, _, _ := strings.Cut(strings.TrimSpace(h.Value()), ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// contactAddr is the address to put in a Contact for requests to next:
// the listening address, or when that is a wildcard, the local address
// the system would send from toward next, with the listening port.
func contactAddr(bound netip.AddrPort, transport string, next sip.Uri) (netip.AddrPort, error) {
	if !bound.Addr().IsUnspecified() {
		return bound, nil
	}
	port := next.Port
	if port == 0 {
		port = 5060
	}
	// Connecting a UDP socket sends nothing; it only picks the route.
	c, err := net.Dial("udp", net.JoinHostPort(strings.Trim(next.Host, "[]"), strconv.Itoa(port)))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("no route to %s: %w", next.Host, err)
	}
	defer c.Close()
	local := c.LocalAddr().(*net.UDPAddr).AddrPort()
	return netip.AddrPortFrom(local.Addr().Unmap(), bound.Port()), nil
}
