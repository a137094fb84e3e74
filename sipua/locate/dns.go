package locate

import (
	"context"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

const (
	// ednsSize is the UDP answer size offered to servers: the size that
	// avoids IP fragmentation on every path (DNS Flag Day 2020).
	ednsSize = 1232
	// maxCNAMEs bounds the CNAME chain followed within one answer.
	maxCNAMEs = 8
	// cacheSweep is the cache size at which expired answers are dropped.
	cacheSweep = 256
)

// resolvConf is the system's resolver configuration; tests point it
// elsewhere.
var resolvConf = "/etc/resolv.conf"

// localServers are asked when resolv.conf names no nameserver: the local
// machine's, as resolv.conf(5) says.
var localServers = []string{"127.0.0.1:53", "[::1]:53"}

// fatalError is a failed query after which the lookup stops: the context
// ended, or no server answered at all, so that the next query would wait
// as long for nothing.
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }
func (e fatalError) Unwrap() error { return e.err }

// question is what the cache is keyed by.
type question struct {
	name  string // fully qualified, lower case
	qtype uint16
}

// answer is a cached answer: the records, none for a name or type that
// does not exist.
type answer struct {
	rrs     []dns.RR
	expires time.Time
}

// query returns name's records of type qtype, from the cache while their
// TTL lasts.
func (r *Resolver) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	q := question{name, qtype}
	now := r.clock()
	r.mu.Lock()
	a, ok := r.cache[q]
	r.mu.Unlock()
	if ok && now.Before(a.expires) {
		return a.rrs, nil
	}
	m, err := r.exchange(ctx, name, qtype)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", dns.TypeToString[qtype], name, err)
	}
	rrs, ttl := records(m, name, qtype)
	if ttl > 0 {
		r.mu.Lock()
		if r.cache == nil {
			r.cache = make(map[question]answer)
		}
		if len(r.cache) >= cacheSweep {
			for q, a := range r.cache {
				if !now.Before(a.expires) {
					delete(r.cache, q)
				}
			}
		}
		r.cache[q] = answer{rrs, now.Add(ttl)}
		r.mu.Unlock()
	}
	return rrs, nil
}

// exchange asks the servers in turn until one answers with records or
// with "no such name".
func (r *Resolver) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.SetEdns0(ednsSize, false)
	c := dns.Client{Timeout: r.Timeout}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	var err error // the last server's failure
	answered := false
	for _, server := range r.servers() {
		c.Net = "udp"
		var m *dns.Msg
		m, _, err = c.ExchangeContext(ctx, q, server)
		if err == nil && m.Truncated {
			c.Net = "tcp"
			m, _, err = c.ExchangeContext(ctx, q, server)
		}
		if err != nil {
			if ended(ctx) != nil {
				break
			}
			continue
		}
		if m.Rcode == dns.RcodeSuccess || m.Rcode == dns.RcodeNameError {
			return m, nil
		}
		answered = true
		err = fmt.Errorf("%s answered %s", server, dns.RcodeToString[m.Rcode])
	}
	if cause := ended(ctx); cause != nil {
		return nil, fatalError{fmt.Errorf("%w: %w", cause, err)}
	}
	if !answered {
		return nil, fatalError{fmt.Errorf("no DNS server answered: %w", err)}
	}
	return nil, err
}

// ended returns why ctx has ended, if it has. Its deadline may have
// passed before its timer fired: the query's read deadline, set from it,
// can fire first.
func ended(ctx context.Context) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// servers returns the DNS servers to ask, as "host:port".
func (r *Resolver) servers() []string {
	if r.Server != "" {
		return []string{r.Server}
	}
	conf, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil || len(conf.Servers) == 0 {
		return localServers
	}
	s := make([]string, len(conf.Servers))
	for i, host := range conf.Servers {
		s[i] = net.JoinHostPort(host, conf.Port)
	}
	return s
}

// records picks the answer to the question of name and qtype out of m,
// following CNAMEs, and says how long it may be cached: as long as the
// shortest TTL of the records it took, or for an answer without records as
// the SOA in the authority section says (RFC 2308 §5); not at all without
// one.
func records(m *dns.Msg, name string, qtype uint16) ([]dns.RR, time.Duration) {
	ttl := uint32(math.MaxUint32)
	owner := name
	for range maxCNAMEs {
		var rrs []dns.RR
		next := ""
		for _, rr := range m.Answer {
			h := rr.Header()
			if h.Class != dns.ClassINET || !strings.EqualFold(h.Name, owner) {
				continue
			}
			if h.Rrtype == qtype {
				rrs = append(rrs, rr)
				ttl = min(ttl, h.Ttl)
			} else if c, ok := rr.(*dns.CNAME); ok && next == "" {
				next = c.Target
				ttl = min(ttl, h.Ttl)
			}
		}
		if len(rrs) > 0 {
			return rrs, seconds(ttl)
		}
		if next == "" {
			break
		}
		owner = next
	}
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return nil, seconds(min(ttl, soa.Hdr.Ttl, soa.Minttl))
		}
	}
	return nil, 0
}

// seconds converts a TTL, taking one with the top bit set as 0
// (RFC 2181 §8).
func seconds(ttl uint32) time.Duration {
	if ttl > math.MaxInt32 {
		return 0
	}
	return time.Duration(ttl) * time.Second
}
