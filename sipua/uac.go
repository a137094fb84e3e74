package sipua

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
	"tipring/sipua/q850"
)

// maxRedirects bounds how many 3xx responses an outgoing call follows, so
// that two servers redirecting to each other cannot keep it dialing.
const maxRedirects = 5

// Dial places an outgoing call from the named account to number (a
// telephone number or any user part; a full sip: URI is taken as is), with
// from as the calling party. With no account, a call to a full URI goes
// straight there, from the callee's domain. It returns at once with the
// call dialing; State follows the call's progress and Done closes when it
// fails or ends.
func (u *UA) Dial(account, number string, from Party) (*Call, error) {
	var acct *Account
	for i := range u.cfg.Accounts {
		if u.cfg.Accounts[i].Name == account {
			acct = &u.cfg.Accounts[i]
		}
	}
	direct := account == "" && strings.HasPrefix(number, "sip:")
	if acct == nil && !direct {
		return nil, fmt.Errorf("sipua: no account %q", account)
	}
	var ruri sip.Uri
	if strings.HasPrefix(number, "sip:") {
		if err := sip.ParseUri(number, &ruri); err != nil {
			return nil, fmt.Errorf("sipua: dial %q: %w", number, err)
		}
	} else if number == "" || strings.ContainsAny(number, "@:;<> ") {
		return nil, fmt.Errorf("sipua: dial %q: not a number", number)
	} else {
		ruri = u.phoneURI(acct, number)
	}
	if acct == nil {
		acct = &Account{Domain: ruri.Host}
	}
	c, err := u.newOutgoing(acct, ruri, from)
	if err != nil {
		return nil, err
	}
	go c.dial(ruri)
	return c, nil
}

// newOutgoing sets up an outgoing call to ruri: the servers to send its
// INVITE to (RFC 3263), its media, and the dialog the INVITE will start.
func (u *UA) newOutgoing(acct *Account, ruri sip.Uri, from Party) (*Call, error) {
	next := ruri
	var routes []sip.Uri
	switch {
	case acct.OutboundProxy != "":
		var r sip.Uri
		sip.ParseUri(acct.OutboundProxy, &r) // checked by Account.check
		r.UriParams = r.UriParams.Clone()
		if r.UriParams == nil {
			r.UriParams = sip.NewParams()
		}
		r.UriParams.Add("lr", "")
		routes, next = []sip.Uri{r}, r
	case acct.Proxy != "":
		sip.ParseUri(acct.Proxy, &next)
	case acct.Registrar != "":
		sip.ParseUri(acct.Registrar, &next)
	}
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	hops, err := u.targets(ctx, next)
	if err != nil {
		return nil, fmt.Errorf("sipua: dial: %s: %w", next.Host, err)
	}
	client, local, err := u.hop(hops[0])
	if err != nil {
		return nil, fmt.Errorf("sipua: dial: %w", err)
	}
	m, err := u.newMedia(local.Addr(), acct.SRTP)
	if err != nil {
		return nil, fmt.Errorf("sipua: dial: %w", err)
	}
	c := newCall(u, m)
	called, _ := splitPhoneContext(ruri.User)
	c.From, c.To, c.state = from, Party{Number: called}, CallDialing
	c.offering = true // until the INVITE's offer is answered
	c.cancel = make(chan struct{})
	c.acct, c.hops, c.hopDomain = acct, hops, uriDomain(next)
	user, name := acct.User, from.Name
	if from.Number != "" {
		user = from.Number // a trunk carries many numbers
	}
	me := sip.Uri{Scheme: "sip", User: user, Host: acct.Domain}
	if from.Private {
		// [MS-OCPSTN] §3.5: anonymous at our domain as a phone URI;
		// anonymous.invalid must not be used.
		me.User, name = "anonymous", "Anonymous"
		me.UriParams = sip.NewParams()
		me.UriParams.Add("user", "phone")
	}
	remote := sip.Uri{Scheme: ruri.Scheme, User: ruri.User, Host: ruri.Host}
	if v, ok := ruri.UriParams.Get("user"); ok {
		remote.UriParams = sip.NewParams()
		remote.UriParams.Add("user", v) // a phone number stays one in To
	}
	c.dlg = &dialog{
		client: client, transport: string(hops[0].Transport), laddr: local, callID: sip.GenerateTagN(24),
		local: me, localName: nameEscaper.Replace(name),
		localTag: sip.GenerateTagN(16), remote: remote,
		localSeq: uint32(time.Now().UnixNano()) & 0x7fff, target: ruri, routes: routes,
		cred: &acct.Credentials, userAgent: u.cfg.UserAgent,
	}
	return c, nil
}

// nameEscaper escapes a display name for a quoted-string (RFC 3261 §25.1).
var nameEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// lookupTimeout bounds the DNS lookups of a Dial.
const lookupTimeout = 4 * time.Second

// newInvite builds the call's INVITE to ruri, with the next sequence
// number, for the server hop.
func (c *Call) newInvite(ruri sip.Uri, hop locate.Target, offer []byte) (*sip.Request, error) {
	client, local, err := c.ua.hop(hop)
	if err != nil {
		return nil, err
	}
	c.dlg.mu.Lock()
	c.dlg.client, c.dlg.laddr, c.dlg.transport = client, local, string(hop.Transport)
	c.dlg.target = ruri
	c.dlg.localSeq++
	req := c.dlg.build(sip.INVITE, c.dlg.localSeq)
	c.dlg.mu.Unlock()
	req.RemoveHeader("Via")
	address(req, hop, local)
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	c.inviteHeaders(req)
	req.AppendHeader(sip.NewHeader("Ms-Call-Source", callSource(c.acct)))
	c.ua.trunkingPeer(req)
	if c.From.Private {
		req.AppendHeader(sip.NewHeader("Privacy", "id"))
		aor := c.acct.aor()
		if c.From.Number != "" {
			aor.User = c.From.Number
		}
		req.AppendHeader(sip.NewHeader("P-Preferred-Identity", "<"+aor.String()+">"))
	} else if c.From.Number != "" && c.From.Number != c.acct.User {
		// A trunk gateway asserts the caller the line names, such as the
		// caller ID of a PSTN call (RFC 3325), as AudioCodes boxes do.
		aor := c.acct.aor()
		aor.User = c.From.Number
		pai := "<" + aor.String() + ">"
		if c.From.Name != "" {
			pai = `"` + nameEscaper.Replace(c.From.Name) + `" ` + pai
		}
		req.AppendHeader(sip.NewHeader("P-Asserted-Identity", pai))
	}
	for _, h := range c.extra {
		req.AppendHeader(h)
	}
	req.SetBody(offer)
	req.AppendHeader(contentTypeSDP())
	return req, nil
}

// dial sends the INVITE and follows it to the answer or the end: digest
// challenges, redirects, provisional responses with early media, the 2xx
// of each fork, and a CANCEL when the call is hung up meanwhile.
func (c *Call) dial(ruri sip.Uri) {
	u := c.ua
	offer, err := c.m.sess.Offer()
	if err != nil {
		u.log.Error("dial: no offer", "err", err)
		c.end(q850.TemporaryFailure)
		return
	}
	var auth []sip.Header
	challenges, redirects, hop := 0, 0, 0
	tried := []string{ruri.String()}
	for {
		t := c.hops[hop]
		req, err := c.newInvite(ruri, t, offer)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), sip.Timer_F)
			err = c.ua.connect(ctx, t, c.hopDomain)
			cancel()
		}
		var res *sip.Response
		if err == nil {
			for _, h := range auth {
				req.AppendHeader(sip.HeaderClone(h))
			}
			u.log.Info("calling", "to", ruri.String(), "from", c.dlg.local.User, "server", t, "call", c.dlg.callID)
			res, err = c.inviteOnce(req)
		}
		if res != nil {
			c.mu.Lock()
			c.status = res.StatusCode
			c.mu.Unlock()
		}
		// A server that does not answer, cannot be reached or is
		// overloaded gives way to the next (RFC 3263 §4.3).
		if (err != nil && !errors.Is(err, errCancelled)) || (res != nil && res.StatusCode == sip.StatusServiceUnavailable) {
			if hop+1 < len(c.hops) {
				u.resolver.MarkFailed(t)
				u.log.Warn("server failed; trying the next", "server", t, "err", err, "next", c.hops[hop+1])
				hop++
				continue
			}
		}
		if err != nil {
			// A server that never answered timed out (408); one that
			// cannot be reached is a 503 (RFC 3261 §8.1.3.1).
			cause := q850.RecoveryOnTimerExpiry
			if !errors.Is(err, sip.ErrTransactionTimeout) {
				cause, _ = q850.FromStatus(sip.StatusServiceUnavailable)
			}
			if errors.Is(err, errCancelled) {
				cause = c.Cause()
				if cause == 0 {
					cause = q850.NormalClearing
				}
			}
			u.log.Info("outgoing call failed", "to", ruri.String(), "err", err)
			c.end(cause)
			return
		}
		switch {
		case res.IsSuccess():
			return // inviteOnce has set the call up
		case res.StatusCode == statusIntervalTooSmall && c.timerAnswered(res):
			continue // with the interval raised to the Min-SE asked for
		case (res.StatusCode == 401 || res.StatusCode == 407) && challenges < 2:
			challenges++
			if _, err := authorize(req, res, *c.dlg.cred); err != nil {
				c.fail(res, err.Error())
				return
			}
			auth = append(req.GetHeaders("Authorization"), req.GetHeaders("Proxy-Authorization")...)
			continue
		case res.StatusCode >= 300 && res.StatusCode < 400 && redirects < maxRedirects:
			next, ok := redirectTarget(res, tried)
			if !ok {
				c.fail(res, "no new target in the redirect")
				return
			}
			redirects++
			u.log.Info("call redirected", "from", ruri.String(), "to", next.String(), "status", res.StatusCode)
			tried = append(tried, next.String())
			ruri, auth, challenges = next, nil, 0
			continue
		}
		c.fail(res, "")
		return
	}
}

// fail ends a call the far end refused, with the cause its Reason header
// names or else the one its status maps to (RFC 3398).
func (c *Call) fail(res *sip.Response, why string) {
	cause, ok := q850.Cause(0), false
	if h := res.GetHeader("Reason"); h != nil {
		if rs, err := q850.ParseReasons(h.Value()); err == nil {
			cause, ok = q850.Q850Cause(rs)
		}
	}
	if !ok {
		if cause, ok = q850.FromStatus(res.StatusCode); !ok {
			cause = q850.NormalUnspecified
		}
	}
	if res.StatusCode == 487 && c.Cause() != 0 {
		cause = c.Cause() // our own CANCEL
	}
	c.ua.log.Info("outgoing call refused", "to", c.To.Number, "status", res.StatusCode, "reason", res.Reason, "cause", cause, "why", why)
	c.end(cause)
}

// redirectTarget picks the Contact of a 3xx with the highest q not tried
// yet.
func redirectTarget(res *sip.Response, tried []string) (sip.Uri, bool) {
	type choice struct {
		uri sip.Uri
		q   float64
	}
	var cs []choice
	for _, h := range res.GetHeaders("Contact") {
		ch, ok := h.(*sip.ContactHeader)
		if !ok || ch.Address.Host == "" || (ch.Address.Scheme != "sip" && ch.Address.Scheme != "sips") {
			continue
		}
		q := 1.0
		if v, ok := ch.Params.Get("q"); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if !slices.Contains(tried, ch.Address.String()) {
			cs = append(cs, choice{ch.Address, q})
		}
	}
	if len(cs) == 0 {
		return sip.Uri{}, false
	}
	slices.SortStableFunc(cs, func(a, b choice) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	return cs[0].uri, true
}

// errCancelled is an INVITE the call's Hangup cancelled.
var errCancelled = errors.New("cancelled")

// inviteOnce sends one INVITE and returns its final response. On a 2xx it
// sets the call up: the dialog, the media of the answer, the ACK; the 2xx
// of other forks are acknowledged and hung up (RFC 3261 §13.2.2.4).
func (c *Call) inviteOnce(req *sip.Request) (*sip.Response, error) {
	u := c.ua
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tx, err := c.dlg.client.TransactionRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	// The transaction is left to end by itself after a final response:
	// it absorbs the response's retransmissions, and after a 2xx brings
	// those of other forks until Timer M.
	//
	// Further 2xx, of other forks or sent again, bypass Responses; they
	// are caught from the start, since they may come at once.
	more2xx := make(chan *sip.Response, 8)
	tx.OnRetransmission(func(res *sip.Response) {
		select {
		case more2xx <- res:
		default:
		}
	})
	var (
		provisional bool // a 1xx came: a CANCEL may now be sent
		cancelling  bool
		cancelled   <-chan struct{} = c.cancel
		giveUp      <-chan time.Time
	)
	for {
		select {
		case res := <-tx.Responses():
			switch {
			case res.IsProvisional():
				provisional = true
				if cancelling {
					break
				}
				if res.StatusCode > 100 && c.acknowledge(req, res) {
					c.progress(res)
				}
				if cancelled == nil && !cancelling {
					// Hangup came before any response: now the CANCEL may go.
					c.sendCancel(req)
					cancelling = true
					giveUp = time.After(64 * sip.T1)
				}
			case res.IsSuccess():
				if err := c.established(req, res, more2xx); err != nil {
					u.log.Warn("answered call unusable; hanging up", "err", err)
					go c.hangup(q850.BearerCapabilityNotImplemented)
				}
				if cancelling {
					// The answer crossed our CANCEL: the call is set up, so
					// it ends with a BYE.
					go c.hangup(c.Cause())
				}
				return res, nil
			default:
				return res, nil
			}
		case <-cancelled:
			cancelled = nil
			if provisional {
				c.sendCancel(req)
				cancelling = true
				giveUp = time.After(64 * sip.T1)
			}
		case <-giveUp:
			tx.Terminate()
			return nil, errCancelled
		case <-tx.Done():
			if cancelling {
				return nil, errCancelled
			}
			if err := tx.Err(); err != nil {
				return nil, err
			}
			return nil, errTimeout
		}
	}
}

// progress takes a provisional response: the far end rings, or sends
// early media whose SDP answers our offer.
func (c *Call) progress(res *sip.Response) {
	if len(res.Body()) > 0 {
		if err := c.takeAnswer(res.Body()); err != nil {
			c.ua.log.Warn("early media unusable", "status", res.StatusCode, "err", err)
		} else {
			c.setState(CallEarlyMedia)
			return
		}
	}
	if res.StatusCode == sip.StatusRinging && c.State() == CallDialing {
		c.setState(CallRinging)
	}
}

// sendCancel cancels the INVITE req (RFC 3261 §9.1): same branch, same
// sequence number, same route.
func (c *Call) sendCancel(req *sip.Request) {
	cancel := sip.NewRequest(sip.CANCEL, *req.Recipient.Clone())
	cancel.AppendHeader(sip.HeaderClone(req.Via()))
	for _, h := range req.GetHeaders("Route") {
		cancel.AppendHeader(sip.HeaderClone(h))
	}
	for _, h := range []sip.Header{req.From(), req.To(), req.CallID()} {
		cancel.AppendHeader(sip.HeaderClone(h))
	}
	cancel.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.CANCEL})
	maxFwd := sip.MaxForwardsHeader(70)
	cancel.AppendHeader(&maxFwd)
	if cause := c.Cause(); cause != 0 {
		cancel.AppendHeader(sip.NewHeader("Reason", cause.Reason().String()))
	}
	cancel.SetTransport(req.Transport())
	cancel.SetDestination(req.Destination())
	go func() {
		ctx, stop := context.WithTimeout(context.Background(), 64*sip.T1)
		defer stop()
		if _, err := transact(ctx, c.dlg.client, cancel); err != nil {
			c.ua.log.Warn("CANCEL failed", "err", err)
		}
	}()
}

// established sets the call up on the 2xx res to our INVITE req: the
// dialog takes the peer's tag, target and route set, the ACK goes out, and
// the 2xx of other forks get an ACK and a BYE.
func (c *Call) established(req *sip.Request, res *sip.Response, more2xx <-chan *sip.Response) error {
	d := c.dlg
	tag, _ := res.To().Params.Get("tag")
	d.mu.Lock()
	d.remoteTag = tag
	d.routes = nil
	if len(req.GetHeaders("Route")) > 0 || len(res.GetHeaders("Record-Route")) > 0 {
		rr := res.GetHeaders("Record-Route")
		for i := len(rr) - 1; i >= 0; i-- {
			if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
				d.routes = append(d.routes, h.Address)
			}
		}
	}
	d.mu.Unlock()
	d.refreshTarget(res)
	ack := d.ack(req, nil)
	c.ua.addCall(d.id(), c)
	// sipgo completes a request's headers in place as it sends it, so the
	// ACK goes out once before the goroutine below may send it again: a
	// 2xx sent again before we took the first (a loaded machine) would
	// have the two send it at the same time.
	ackErr := c.dlg.client.WriteRequest(ack)
	go func() {
		// 2xx keep coming for up to 64*T1 (RFC 6026 Timer M).
		timerM := time.NewTimer(64 * sip.T1)
		defer timerM.Stop()
		for {
			select {
			case again := <-more2xx:
				if t, _ := again.To().Params.Get("tag"); t == tag {
					c.dlg.client.WriteRequest(ack) // our ACK was lost
					continue
				}
				go c.dropFork(req, again)
			case <-timerM.C:
				return
			}
		}
	}()
	if ackErr != nil {
		return fmt.Errorf("ACK: %w", ackErr)
	}
	c.ua.log.Info("outgoing call answered", "to", c.To.Number, "call", d.callID)
	var err error
	if len(res.Body()) > 0 {
		err = c.takeAnswer(res.Body())
	} else if c.Media().Codec.Name == "" {
		err = errors.New("2xx without an SDP answer")
	}
	c.mu.Lock()
	if !c.closed {
		c.state = CallActive
	}
	c.offering = false // the INVITE's offer is answered
	c.mu.Unlock()
	if err != nil {
		return err
	}
	go c.ua.watchMedia(c)
	c.timerAnswered(res)
	return nil
}

// dropFork acknowledges the 2xx of a second fork of our INVITE and hangs
// it up: the call is with the first to answer.
func (c *Call) dropFork(req *sip.Request, res *sip.Response) {
	tag, _ := res.To().Params.Get("tag")
	d := &dialog{client: c.dlg.client, transport: c.dlg.transport, laddr: c.dlg.laddr, callID: c.dlg.callID,
		local: c.dlg.local, localName: c.dlg.localName, localTag: c.dlg.localTag, remote: c.dlg.remote,
		cred: c.dlg.cred, userAgent: c.dlg.userAgent, remoteTag: tag, localSeq: req.CSeq().SeqNo, target: req.Recipient}
	for _, h := range slices.Backward(res.GetHeaders("Record-Route")) {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			d.routes = append(d.routes, rr.Address)
		}
	}
	d.refreshTarget(res)
	c.ua.log.Info("second fork answered; hanging it up", "to", c.To.Number, "tag", tag)
	if err := d.client.WriteRequest(d.ack(req, nil)); err != nil {
		c.ua.log.Warn("ACK to a second fork failed", "err", err)
	}
	bye := d.request(sip.BYE)
	bye.AppendHeader(sip.NewHeader("Reason", q850.NormalClearing.Reason().String()))
	ctx, stop := context.WithTimeout(context.Background(), 64*sip.T1)
	defer stop()
	if _, err := d.do(ctx, bye); err != nil {
		c.ua.log.Warn("BYE to a second fork failed", "err", err)
	}
}
