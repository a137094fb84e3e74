package locate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// What a zero Resolver uses.
const (
	// DefaultTimeout bounds the wait for one DNS server's answer.
	DefaultTimeout = 2 * time.Second
	// DefaultFailFor is how long a target reported to MarkFailed stays last.
	DefaultFailFor = 30 * time.Second
)

// Resolver looks up SIP servers. The zero value is ready to use; its
// exported fields must not change once it is in use. It is safe for
// concurrent use, and meant to be shared: it holds the DNS cache and the
// failed targets.
type Resolver struct {
	// Server is the DNS server to ask, as "host:port". Empty means the
	// nameservers of /etc/resolv.conf (see the package documentation).
	Server string

	// Timeout bounds the wait for one server's answer to one query; zero
	// means DefaultTimeout. The context given to Lookup bounds the whole.
	Timeout time.Duration

	// Transports are those the gateway can send on, in its order of
	// preference; nil means UDP, TCP and TLS.
	Transports []Transport

	// FailFor is how long MarkFailed puts a target last; zero means
	// DefaultFailFor.
	FailFor time.Duration

	// PreferIPv6 puts each host's AAAA addresses before its A addresses.
	PreferIPv6 bool

	mu     sync.Mutex
	cache  map[question]answer
	failed map[endpoint]time.Time // until when

	// Tests set these; nil means time.Now and math/rand/v2's own source.
	now func() time.Time
	rnd *rand.Rand // guarded by mu
}

// endpoint is a target less its name: what a failure is recorded against,
// and what makes two targets the same.
type endpoint struct {
	transport Transport
	addr      netip.AddrPort
}

// Lookup returns the targets of u in the order to try them, targets that
// failed lately last. It returns an error wrapping ErrInvalid for a URI it
// cannot look up, one wrapping ErrNotFound when DNS has no server for it,
// and otherwise the DNS failures that left it without a target.
func (r *Resolver) Lookup(ctx context.Context, u URI) ([]Target, error) {
	var secure bool
	switch strings.ToLower(u.Scheme) {
	case "sip":
	case "sips":
		secure = true
	default:
		return nil, fmt.Errorf("%w: scheme %q is neither sip nor sips", ErrInvalid, u.Scheme)
	}
	host, ip, err := parseHost(u.Host)
	if err != nil {
		return nil, err
	}
	tp, err := r.uriTransport(u.Transport, secure)
	if err != nil {
		return nil, err
	}
	explicit := tp != ""
	if !explicit {
		if tp, err = r.defaultTransport(secure); err != nil {
			return nil, err
		}
	}

	// RFC 3263 §4.2.
	port := u.Port
	if ip.IsValid() {
		if port == 0 {
			port = tp.defaultPort()
		}
		return []Target{{Transport: tp, Addr: netip.AddrPortFrom(ip, port)}}, nil
	}
	l := &lookup{r: r, ctx: ctx}
	var ts []Target
	if port != 0 {
		ts, err = l.addresses(host, port, tp)
	} else {
		ts, err = l.resolve(host, secure, tp, explicit)
	}
	if err != nil {
		return nil, fmt.Errorf("locate: %w", err)
	}
	if len(ts) == 0 {
		switch n := len(l.errs); n {
		case 0:
			return nil, fmt.Errorf("%w for %s", ErrNotFound, u.Host)
		case 1:
			return nil, fmt.Errorf("locate: %s: %w", u.Host, l.errs[0])
		default:
			return nil, fmt.Errorf("locate: %s: %w (and %d more failed queries)", u.Host, l.errs[0], n-1)
		}
	}
	return r.demote(dedupe(ts)), nil
}

// MarkFailed reports that t did not work: it timed out, refused the
// connection, or answered 503. For the next FailFor, Lookup puts it after
// the targets that have not failed.
func (r *Resolver) MarkFailed(t Target) {
	now := r.clock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed == nil {
		r.failed = make(map[endpoint]time.Time)
	}
	for e, until := range r.failed {
		if !now.Before(until) {
			delete(r.failed, e)
		}
	}
	failFor := r.FailFor
	if failFor <= 0 {
		failFor = DefaultFailFor
	}
	r.failed[endpoint{t.Transport, t.Addr}] = now.Add(failFor)
}

// demote moves the targets that failed lately to the end, the one whose
// failure is oldest first, keeping the order of the rest.
func (r *Resolver) demote(ts []Target) []Target {
	type failedTarget struct {
		Target
		until time.Time
	}
	now := r.clock()
	ok := ts[:0] // written behind the reading
	var failed []failedTarget
	r.mu.Lock()
	for _, t := range ts {
		if until, found := r.failed[endpoint{t.Transport, t.Addr}]; found && now.Before(until) {
			failed = append(failed, failedTarget{t, until})
		} else {
			ok = append(ok, t)
		}
	}
	r.mu.Unlock()
	if len(failed) == 0 {
		return ts
	}
	slices.SortStableFunc(failed, func(a, b failedTarget) int { return a.until.Compare(b.until) })
	for _, f := range failed {
		ok = append(ok, f.Target)
	}
	return ok
}

// dedupe drops the targets that repeat an earlier one's transport and
// address, as when two SRV records name the same host.
func dedupe(ts []Target) []Target {
	seen := make(map[endpoint]bool, len(ts))
	out := ts[:0]
	for _, t := range ts {
		e := endpoint{t.Transport, t.Addr}
		if !seen[e] {
			seen[e] = true
			out = append(out, t)
		}
	}
	return out
}

func (r *Resolver) transports() []Transport {
	if r.Transports == nil {
		return []Transport{UDP, TCP, TLS}
	}
	return r.Transports
}

func (r *Resolver) supports(t Transport) bool {
	return slices.Contains(r.transports(), t)
}

// uriTransport is the transport a URI's transport parameter asks for, ""
// for none.
func (r *Resolver) uriTransport(param string, secure bool) (Transport, error) {
	var t Transport
	switch p := strings.ToLower(param); {
	case p == "":
		return "", nil
	case p == "udp" && secure:
		return "", fmt.Errorf("%w: sips over UDP", ErrInvalid)
	case p == "udp":
		t = UDP
	case p == "tcp" && secure:
		t = TLS // RFC 3261 §26.2.2: sips with transport=tcp is TLS over TCP
	case p == "tcp":
		t = TCP
	case p == "tls":
		t = TLS
	default:
		return "", fmt.Errorf("%w: transport %q is not one of udp, tcp, tls", ErrInvalid, param)
	}
	if !r.supports(t) {
		return "", fmt.Errorf("%w: the gateway has no %s transport", ErrInvalid, t)
	}
	return t, nil
}

// defaultTransport is the transport of RFC 3263 §4.1 when neither the URI
// nor DNS chooses one: TLS for sips; UDP for sip, or TCP for a gateway
// without UDP, as the RFC allows.
func (r *Resolver) defaultTransport(secure bool) (Transport, error) {
	if secure {
		if r.supports(TLS) {
			return TLS, nil
		}
		return "", fmt.Errorf("%w: sips needs TLS, which the gateway does not have", ErrInvalid)
	}
	for _, t := range []Transport{UDP, TCP, TLS} {
		if r.supports(t) {
			return t, nil
		}
	}
	return "", fmt.Errorf("%w: the gateway has none of udp, tcp, tls", ErrInvalid)
}

// parseHost returns a URI's host as a fully qualified lower-case domain
// name, or as an IP address.
func parseHost(h string) (string, netip.Addr, error) {
	if v6, ok := strings.CutPrefix(h, "["); ok {
		a, err := netip.ParseAddr(strings.TrimSuffix(v6, "]"))
		if err != nil || !a.Is6() || !strings.HasSuffix(v6, "]") {
			return "", netip.Addr{}, fmt.Errorf("%w: host %q is not an IPv6 reference", ErrInvalid, h)
		}
		return "", a, nil
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return "", a, nil
	}
	if !isHostname(h) {
		return "", netip.Addr{}, fmt.Errorf("%w: host %q is not a domain name", ErrInvalid, h)
	}
	return dns.Fqdn(strings.ToLower(h)), netip.Addr{}, nil
}

// isHostname says whether s is a hostname of RFC 3261 §25.1: labels of
// letters, digits and inner hyphens, with an optional final dot, in at
// most 253 characters.
func isHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func (r *Resolver) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// intN returns a uniform random number in [0, n).
func (r *Resolver) intN(n int) int {
	if r.rnd == nil {
		return rand.IntN(n)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rnd.IntN(n)
}
