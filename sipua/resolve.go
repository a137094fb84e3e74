package sipua

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
)

// Sending a request to a server located by RFC 3263: targets gives the
// transports and addresses to try in turn; for each, hop gives the client
// and the local address, connect opens the connection where TLS needs
// one, and address points the request there. On a timeout, a transport
// error or a 503 the caller reports the target to the resolver's
// MarkFailed and tries the next (RFC 3263 §4.3).

// newResolver is the resolver of a UA that listens on ls: on the system's
// DNS, preferring transports in the order they are listened on.
func newResolver(ls []Listen) *locate.Resolver {
	var tps []locate.Transport
	for _, l := range ls {
		if t := locate.Transport(l.Transport); !slices.Contains(tps, t) {
			tps = append(tps, t)
		}
	}
	return &locate.Resolver{Transports: tps}
}

// targets resolves uri into the transports and addresses to try, in order.
func (u *UA) targets(ctx context.Context, uri sip.Uri) ([]locate.Target, error) {
	lu, err := locateURI(uri)
	if err != nil {
		return nil, err
	}
	ts, err := u.resolver.Lookup(ctx, lu)
	if err != nil {
		return nil, err
	}
	var out []locate.Target
	var skipped []string
	for _, t := range ts {
		if u.listens(string(t.Transport)) {
			out = append(out, t)
		} else if tp := strings.ToUpper(string(t.Transport)); !slices.Contains(skipped, tp) {
			skipped = append(skipped, tp)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is served over %s only, which the gateway does not listen on", uri.Host, strings.Join(skipped, ", "))
	}
	return out, nil
}

// locateURI is what the resolver needs of uri.
func locateURI(uri sip.Uri) (locate.URI, error) {
	if uri.Port < 0 || uri.Port > 65535 {
		return locate.URI{}, fmt.Errorf("port %d out of range", uri.Port)
	}
	tp, _ := uri.UriParams.Get("transport")
	return locate.URI{Scheme: uri.Scheme, Host: uri.Host, Port: uint16(uri.Port), Transport: tp}, nil
}

// listens says whether the UA has a listener for transport.
func (u *UA) listens(transport string) bool {
	return slices.ContainsFunc(u.cfg.Listen, func(l Listen) bool { return l.Transport == transport })
}

// hop returns the client that sends to t and the local address t sees the
// UA at, for Via and Contact: the listening address of t's transport, or
// when that is a wildcard, the local address of the route to t.
func (u *UA) hop(t locate.Target) (*sipgo.Client, netip.AddrPort, error) {
	client, bound, err := u.client(string(t.Transport))
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	local, err := contactAddr(bound, string(t.Transport), sip.Uri{Host: t.Addr.Addr().String(), Port: int(t.Addr.Port())})
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	return client, local, nil
}

// address points req at t whatever its Request-URI and Route say, and
// puts on top a Via of t's transport and local.
func address(req *sip.Request, t locate.Target, local netip.AddrPort) {
	req.SetDestination(t.Addr.String())
	req.SetTransport(strings.ToUpper(string(t.Transport)))
	req.PrependHeader(via(string(t.Transport), local))
}

// sameTarget says whether a and b are one transport address, whatever
// names they were found under.
func sameTarget(a, b locate.Target) bool {
	return a.Transport == b.Transport && a.Addr == b.Addr
}

// uriDomain is the host of uri as a certificate names it: without the
// brackets of an IPv6 reference.
func uriDomain(uri sip.Uri) string {
	return strings.TrimSuffix(strings.TrimPrefix(uri.Host, "["), "]")
}
