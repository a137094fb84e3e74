package sipua

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// A dialog is the peer-to-peer relationship a call lives in (RFC 3261
// §12): the identifiers that put requests into it, the sequence numbers
// that order them, and the route they take. sipgo's dialog sessions never
// update the remote target or route set after the INVITE and tie the local
// sequence to the peer's, so the gateway keeps its own.
type dialog struct {
	client    *sipgo.Client
	transport string         // of our requests unless the target names one
	laddr     netip.AddrPort // the listening address of transport: Via and Contact
	callID    string
	local     sip.Uri // our URI, From of our requests
	localName string
	localTag  string
	remote    sip.Uri // the peer's, To of our requests
	remName   string
	cred      *Credentials // answers challenges to in-dialog requests
	userAgent string

	mu        sync.Mutex
	remoteTag string
	localSeq  uint32
	remoteSeq uint32 // 0 until the peer's first request
	target    sip.Uri
	routes    []sip.Uri // the route set, in the order our requests take it
	// peerGateway is true when the peer's Contact says isGateway.
	peerGateway bool
}

// id is the dialog's identifier as sipgo computes it for requests we
// receive: Call-ID, our tag, the peer's tag.
func (d *dialog) id() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return sip.DialogIDMake(d.callID, d.localTag, d.remoteTag)
}

// contact is our Contact header for the dialog, which says we are a
// gateway ([MS-OCPSTN] §3.1).
func (d *dialog) contact() *sip.ContactHeader {
	user, _ := splitPhoneContext(d.local.User)
	c := &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user,
		Host: d.laddr.Addr().String(), Port: int(d.laddr.Port())}, Params: sip.NewParams()}
	c.Params.Add(isGatewayParam, "")
	if d.transport != "udp" {
		c.Address.UriParams = sip.NewParams()
		c.Address.UriParams.Add("transport", d.transport)
	}
	return c
}

// refreshTarget takes the Contact of a target-refresh request or response
// (RFC 3261 §12.2.1.2) as the new remote target.
func (d *dialog) refreshTarget(m interface{ GetHeader(string) sip.Header }) {
	h := contactOf(m)
	if h == nil {
		return
	}
	d.mu.Lock()
	d.target = h.Address
	d.peerGateway = hasParam(h.Params, isGatewayParam)
	d.mu.Unlock()
}

func contactOf(m interface{ GetHeader(string) sip.Header }) *sip.ContactHeader {
	h := m.GetHeader("Contact")
	if h == nil {
		return nil
	}
	c, ok := h.(*sip.ContactHeader)
	if !ok || c.Address.Host == "" {
		return nil
	}
	return c
}

// errStaleCSeq is the verdict on an in-dialog request whose CSeq is not
// above the last one: a retransmission the transaction layer missed, or a
// request out of order (RFC 3261 §12.2.2 answers 500).
var errStaleCSeq = errors.New("CSeq lower than the dialog's")

// admit checks the sequence number of a request from the peer and records
// it.
func (d *dialog) admit(req *sip.Request) error {
	seq := req.CSeq().SeqNo
	d.mu.Lock()
	defer d.mu.Unlock()
	if req.IsAck() || req.IsCancel() {
		return nil
	}
	if d.remoteSeq != 0 && seq <= d.remoteSeq {
		return errStaleCSeq
	}
	d.remoteSeq = seq
	return nil
}

// request builds an in-dialog request (RFC 3261 §12.2.1.1). Target-refresh
// and subscription requests carry our Contact.
func (d *dialog) request(method sip.RequestMethod) *sip.Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.localSeq++
	return d.build(method, d.localSeq)
}

// build makes a request with CSeq seq; d.mu is held.
func (d *dialog) build(method sip.RequestMethod, seq uint32) *sip.Request {
	req := sip.NewRequest(method, *d.target.Clone())
	transport := d.transport
	next := d.target
	if len(d.routes) > 0 {
		next = d.routes[0]
	}
	if t, ok := next.UriParams.Get("transport"); ok && t != "" {
		transport = strings.ToLower(t)
	}
	req.AppendHeader(via(transport, d.laddr))
	for _, r := range d.routes {
		req.AppendHeader(&sip.RouteHeader{Address: *r.Clone()})
	}
	from := &sip.FromHeader{DisplayName: d.localName, Address: *d.local.Clone(), Params: sip.NewParams()}
	from.Params.Add("tag", d.localTag)
	to := &sip.ToHeader{DisplayName: d.remName, Address: *d.remote.Clone(), Params: sip.NewParams()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	callID := sip.CallIDHeader(d.callID)
	maxFwd := sip.MaxForwardsHeader(70)
	for _, h := range []sip.Header{from, to, &callID, &sip.CSeqHeader{SeqNo: seq, MethodName: method}, &maxFwd} {
		req.AppendHeader(h)
	}
	switch method {
	case sip.INVITE, sip.UPDATE, sip.REFER, sip.SUBSCRIBE, sip.NOTIFY:
		req.AppendHeader(d.contact())
	}
	if d.userAgent != "" {
		req.AppendHeader(sip.NewHeader("User-Agent", d.userAgent))
	}
	req.SetTransport(strings.ToUpper(transport))
	if len(d.routes) > 0 {
		req.SetDestination(d.routes[0].HostPort())
	}
	return req
}

// ack builds the ACK for a 2xx to the INVITE with CSeq seq (RFC 3261
// §13.2.2.4): a request of its own, with the INVITE's sequence number and
// credentials.
func (d *dialog) ack(invite *sip.Request, body []byte) *sip.Request {
	d.mu.Lock()
	req := d.build(sip.ACK, invite.CSeq().SeqNo)
	d.mu.Unlock()
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for _, h := range invite.GetHeaders(name) {
			req.AppendHeader(sip.HeaderClone(h))
		}
	}
	if body != nil {
		req.SetBody(body)
		req.AppendHeader(contentTypeSDP())
	}
	return req
}

// errTimeout is a request that got no final response.
var errTimeout = errors.New("no response")

// do sends a non-INVITE in-dialog request and returns its final response,
// answering a digest challenge once.
func (d *dialog) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	res, err := transact(ctx, d.client, req)
	if err != nil || (res.StatusCode != 401 && res.StatusCode != 407) || d.cred == nil {
		return res, err
	}
	if _, err := authorize(req, res, *d.cred); err != nil {
		return res, nil
	}
	d.mu.Lock()
	d.localSeq++
	req.CSeq().SeqNo = d.localSeq
	d.mu.Unlock()
	req.RemoveHeader("Via")
	req.PrependHeader(via(strings.ToLower(req.Transport()), d.laddr))
	return transact(ctx, d.client, req)
}

// transact sends req, whose headers sipgo completes where missing, and
// waits for its final response.
func transact(ctx context.Context, c *sipgo.Client, req *sip.Request) (*sip.Response, error) {
	tx, err := c.TransactionRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil && !errors.Is(err, sip.ErrTransactionTerminated) {
				return nil, fmt.Errorf("%s: %w", req.Method, err)
			}
			return nil, fmt.Errorf("%s: %w", req.Method, errTimeout)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// glareWait is how long to wait before sending again a re-INVITE or UPDATE
// that crossed the peer's and got 491 (RFC 3261 §14.1): the side that
// chose the Call-ID waits longer, so the two do not collide again.
func glareWait(owner bool) (ms int) {
	if owner {
		return 2100 + rand.IntN(1900)
	}
	return rand.IntN(2000)
}
