package locate

import (
	"cmp"
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// lookup is one Lookup of a domain name under way.
type lookup struct {
	r   *Resolver
	ctx context.Context
	// errs are the queries that failed while others could still succeed,
	// such as the address lookup of one SRV target. They become the error
	// when no target is found.
	errs []error
}

// service is an SRV name to look up and the transport its servers speak.
type service struct {
	name      string
	transport Transport
}

// srvPrefix is the SRV service and protocol labels of each transport
// (RFC 3263 §4.2: TLS is "_sips._tcp" for sip and sips URIs alike).
var srvPrefix = map[Transport]string{
	UDP: "_sip._udp.",
	TCP: "_sip._tcp.",
	TLS: "_sips._tcp.",
}

// resolve finds the targets of a domain without a port in the URI
// (RFC 3263 §4.1 and §4.2): by the SRV records of the explicit transport
// tp, or of the transports its NAPTR records name, or of every transport
// the gateway has; failing those, by its addresses with the transport
// chosen so far.
func (l *lookup) resolve(host string, secure bool, tp Transport, explicit bool) ([]Target, error) {
	var services []service
	if explicit {
		services = []service{{srvPrefix[tp] + host, tp}}
	} else {
		var err error
		if services, err = l.naptr(host, secure); err != nil {
			return nil, err
		}
		if len(services) > 0 {
			tp = services[0].transport
		} else {
			for _, t := range l.r.transports() {
				if p, ok := srvPrefix[t]; ok && (t == TLS || !secure) {
					services = append(services, service{p + host, t})
				}
			}
		}
	}
	var ts []Target
	found := false
	for _, s := range services {
		t, ok, err := l.srv(s)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t...)
		found = found || ok
	}
	if found {
		return ts, nil
	}
	return l.addresses(host, tp.defaultPort(), tp)
}

// naptr returns the SRV names that host's NAPTR records lead to, for the
// transports the gateway has, in the records' order and preference
// (RFC 3263 §4.1, RFC 3403 §4.1).
func (l *lookup) naptr(host string, secure bool) ([]service, error) {
	rrs, err := l.query(host, dns.TypeNAPTR)
	if err != nil {
		return nil, err
	}
	var ns []*dns.NAPTR
	for _, rr := range rrs {
		n, ok := rr.(*dns.NAPTR)
		// RFC 3263 uses only terminal records with the "s" flag, an empty
		// regexp and the SRV name as replacement.
		if !ok || !strings.EqualFold(n.Flags, "s") || n.Regexp != "" || n.Replacement == "." {
			continue
		}
		if t, ok := naptrTransport(n.Service, secure); ok && l.r.supports(t) {
			ns = append(ns, n)
		}
	}
	slices.SortStableFunc(ns, func(a, b *dns.NAPTR) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Preference, b.Preference))
	})
	var services []service
	for _, n := range ns {
		t, _ := naptrTransport(n.Service, secure)
		s := service{strings.ToLower(n.Replacement), t}
		if !slices.Contains(services, s) {
			services = append(services, s)
		}
	}
	return services, nil
}

// naptrTransport is the transport of a NAPTR service field that a URI,
// sips or not, may use (RFC 3263 §4.1: a sip URI may use SIPS services
// too, a sips URI only those).
func naptrTransport(service string, secure bool) (Transport, bool) {
	switch strings.ToUpper(service) {
	case "SIP+D2U":
		return UDP, !secure
	case "SIP+D2T":
		return TCP, !secure
	case "SIPS+D2T":
		return TLS, true
	}
	return "", false
}

// srv returns the targets of a service's SRV records, and whether it has
// any, in the order of RFC 2782.
func (l *lookup) srv(s service) ([]Target, bool, error) {
	rrs, err := l.query(s.name, dns.TypeSRV)
	if err != nil || len(rrs) == 0 {
		return nil, false, err
	}
	// A sole record with the target "." says the service is not offered
	// (RFC 2782); the records still count as found, so the domain's
	// addresses are not tried instead. Port 0 reaches nothing.
	srvs := make([]*dns.SRV, 0, len(rrs))
	for _, rr := range rrs {
		if v, ok := rr.(*dns.SRV); ok && v.Target != "." && v.Port != 0 {
			srvs = append(srvs, v)
		}
	}
	l.r.orderSRV(srvs)
	var ts []Target
	for _, v := range srvs {
		t, err := l.addresses(strings.ToLower(v.Target), v.Port, s.transport)
		if err != nil {
			return nil, true, err
		}
		ts = append(ts, t...)
	}
	return ts, true, nil
}

// addresses returns a target for each A and AAAA address of host.
func (l *lookup) addresses(host string, port uint16, tp Transport) ([]Target, error) {
	qtypes := [2]uint16{dns.TypeA, dns.TypeAAAA}
	if l.r.PreferIPv6 {
		qtypes[0], qtypes[1] = qtypes[1], qtypes[0]
	}
	name := strings.TrimSuffix(host, ".")
	var ts []Target
	for _, qt := range qtypes {
		rrs, err := l.query(host, qt)
		if err != nil {
			return nil, err
		}
		for _, rr := range rrs {
			var a netip.Addr
			switch v := rr.(type) {
			case *dns.A:
				a, _ = netip.AddrFromSlice(v.A.To4())
			case *dns.AAAA:
				a, _ = netip.AddrFromSlice(v.AAAA.To16())
			}
			// 0.0.0.0 and :: are how filtering resolvers say no; sent to,
			// they reach the gateway itself.
			if a.IsValid() && !a.IsUnspecified() {
				ts = append(ts, Target{Transport: tp, Addr: netip.AddrPortFrom(a, port), Host: name})
			}
		}
	}
	return ts, nil
}

// query returns name's records of type qtype. A failure that leaves other
// names worth asking is kept in l.errs and reads as no records; only a
// fatalError is returned.
func (l *lookup) query(name string, qtype uint16) ([]dns.RR, error) {
	rrs, err := l.r.query(l.ctx, name, qtype)
	if err == nil {
		return rrs, nil
	}
	if errors.As(err, new(fatalError)) {
		return nil, err
	}
	l.errs = append(l.errs, err)
	return nil, nil
}
