package sipua

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
)

// Party is one end of a call as SIP names it.
type Party struct {
	// Number is the user part of the URI: usually digits; empty when the
	// identity is withheld.
	Number string
	Name   string // display name
	// Private is true when the caller withheld the identity: an anonymous
	// URI or Privacy: id.
	Private bool
}

// CallState is where a call stands.
type CallState int

// Call states.
const (
	CallOffered CallState = iota // incoming, not answered yet
	CallActive                   // answered
	CallEnded
)

func (s CallState) String() string {
	return [...]string{"offered", "active", "ended"}[s]
}

// A Call is one SIP call of the gateway. An incoming call is handed to
// Config.Incoming, which must Answer or Reject it, possibly after Ringing.
type Call struct {
	ua       *UA
	Incoming bool
	// From and To are the caller and the callee as the INVITE names them.
	From, To Party

	sess   *sdpoa.Session
	m      *media
	srv    *sipgo.DialogServerSession
	answer []byte // our SDP answer to the INVITE's offer

	// final carries the incoming call's final response from the
	// application to the goroutine holding the INVITE transaction.
	final chan *sip.Response
	// provisional carries 18x responses the same way, keeping their order
	// ahead of the final one.
	provisional chan *sip.Response

	mu     sync.Mutex
	state  CallState
	media  sdpoa.Result
	cause  q850.Cause
	done   chan struct{}
	closed bool
}

// Stream returns the call's RTP stream, which carries its audio and DTMF.
func (c *Call) Stream() *rtpstream.Stream { return c.m.stream }

// Media returns the negotiated media of the call.
func (c *Call) Media() sdpoa.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.media
}

// State returns where the call stands.
func (c *Call) State() CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Done is closed when the call has ended; Cause then says why.
func (c *Call) Done() <-chan struct{} { return c.done }

// Cause is why the call ended, once Done is closed.
func (c *Call) Cause() q850.Cause {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cause
}

// end marks the call ended for cause, once.
func (c *Call) end(cause q850.Cause) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed, c.state, c.cause = true, CallEnded, cause
	close(c.done)
	c.m.close()
}

// errCallState is returned for an action the call's state does not allow.
var errCallState = errors.New("sipua: not possible in the call's state")

// Ringing tells the caller that the phone rings (180).
func (c *Call) Ringing() error {
	if c.State() != CallOffered {
		return errCallState
	}
	return c.sendProvisional(sip.NewResponseFromRequest(c.srv.InviteRequest, sip.StatusRinging, "Ringing", nil))
}

func (c *Call) sendProvisional(res *sip.Response) error {
	select {
	case c.provisional <- res:
		return nil
	case <-c.done:
		return errCallState
	}
}

// Answer accepts an incoming call (200 with the SDP answer).
func (c *Call) Answer() error {
	c.mu.Lock()
	if c.state != CallOffered {
		c.mu.Unlock()
		return errCallState
	}
	c.state = CallActive
	c.mu.Unlock()
	res := sip.NewResponseFromRequest(c.srv.InviteRequest, sip.StatusOK, "OK", nil)
	body := c.answer
	if body == nil {
		// The INVITE had no offer: ours goes in the 200, its answer
		// will come in the ACK.
		var err error
		if body, err = c.sess.Offer(); err != nil {
			return err
		}
	}
	res.SetBody(body)
	res.AppendHeader(contentTypeSDP())
	return c.sendFinal(res)
}

// Reject refuses an incoming call with the SIP response for cause, carrying
// cause in a Reason header.
func (c *Call) Reject(cause q850.Cause) error {
	c.mu.Lock()
	if c.state != CallOffered {
		c.mu.Unlock()
		return errCallState
	}
	c.mu.Unlock()
	code := cause.Status()
	res := sip.NewResponseFromRequest(c.srv.InviteRequest, code, q850.StatusText(code), nil)
	res.AppendHeader(sip.NewHeader("Reason", cause.Reason().String()))
	if err := c.sendFinal(res); err != nil {
		return err
	}
	c.end(cause)
	return nil
}

func (c *Call) sendFinal(res *sip.Response) error {
	select {
	case c.final <- res:
		return nil
	case <-c.done:
		return errCallState
	}
}

// Hangup ends an answered call with a BYE carrying cause.
func (c *Call) Hangup(ctx context.Context, cause q850.Cause) error {
	if c.State() != CallActive {
		return errCallState
	}
	c.end(cause)
	c.ua.dropCall(c.srv.ID)
	d := c.srv
	bye := sip.NewRequest(sip.BYE, d.InviteRequest.Contact().Address)
	bye.AppendHeader(sip.NewHeader("Reason", cause.Reason().String()))
	return d.WriteBye(ctx, bye)
}

// onInvite takes a new incoming call.
func (u *UA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if _, inDialog := req.To().Params.Get("tag"); inDialog {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusTrying, "Trying", nil))
	transport := strings.ToLower(req.Transport())
	client, bound, err := u.client(transport)
	if err != nil {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
		return
	}
	local := bound
	if src, err := netip.ParseAddrPort(req.Source()); err == nil {
		next := sip.Uri{Host: src.Addr().String(), Port: int(src.Port())}
		if local, err = contactAddr(bound, transport, next); err != nil {
			local = bound
		}
	}
	dua := &sipgo.DialogUA{Client: client, ContactHDR: sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: req.Recipient.User, Host: local.Addr().String(), Port: int(local.Port())},
	}}
	if transport != "udp" {
		dua.ContactHDR.Address.UriParams = sip.NewParams()
		dua.ContactHDR.Address.UriParams.Add("transport", transport)
	}
	d, err := dua.ReadInvite(req, tx)
	if err != nil {
		u.log.Warn("bad INVITE", "err", err, "source", req.Source())
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	m, err := u.newMedia(local.Addr())
	if err != nil {
		u.log.Warn("INVITE refused: no media port", "err", err)
		d.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	c := &Call{
		ua: u, Incoming: true, From: partyOf(req.From().DisplayName, req.From().Address, req),
		To: partyOf(req.To().DisplayName, req.To().Address, nil), srv: d, m: m, sess: m.sess,
		final: make(chan *sip.Response), provisional: make(chan *sip.Response), done: make(chan struct{}),
	}
	if len(req.Body()) > 0 {
		// Answer the offer now, so that a hopeless call never rings.
		body, res, err := c.sess.Answer(req.Body())
		if err != nil {
			code, reason := sip.StatusNotAcceptableHere, "Not Acceptable Here"
			if errors.Is(err, sdpoa.ErrMalformed) {
				code, reason = sip.StatusBadRequest, "Bad Request"
			}
			u.log.Warn("INVITE refused: its SDP offer", "err", err, "status", code, "source", req.Source())
			d.Respond(code, reason, nil, sip.NewHeader("Warning", fmt.Sprintf("399 %s %q", local.Addr(), err.Error())))
			c.end(q850.BearerCapabilityNotImplemented)
			return
		}
		if err := m.apply(res); err != nil {
			u.log.Warn("INVITE refused: media", "err", err)
			d.Respond(sip.StatusNotAcceptableHere, "Not Acceptable Here", nil)
			c.end(q850.BearerCapabilityNotImplemented)
			return
		}
		c.answer, c.media = body, res
	}
	if u.cfg.Incoming == nil {
		d.Respond(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", nil)
		c.end(q850.NoRouteToDestination)
		return
	}
	u.addCall(d.ID, c)
	u.log.Info("incoming call", "from", c.From.Number, "to", c.To.Number, "source", req.Source())
	go u.cfg.Incoming(c)
	for {
		select {
		case res := <-c.provisional:
			if err := d.WriteResponse(res); err != nil {
				u.log.Warn("sending provisional response failed", "err", err)
			}
		case res := <-c.final:
			// For a 2xx this returns once the ACK has come.
			if err := d.WriteResponse(res); err != nil {
				u.log.Warn("call setup failed", "status", res.StatusCode, "err", err)
				c.end(q850.RecoveryOnTimerExpiry)
			}
			if !res.IsSuccess() {
				u.dropCall(d.ID)
				return
			}
			go u.watchMedia(c)
			return
		case <-d.Context().Done():
			// CANCEL, or the transaction died: sipgo has answered 487.
			u.log.Info("incoming call cancelled", "from", c.From.Number)
			c.end(q850.NormalClearing)
			u.dropCall(d.ID)
			return
		}
	}
}

// watchMedia hangs up an answered call whose RTP has stopped coming.
func (u *UA) watchMedia(c *Call) {
	select {
	case <-c.done:
	case <-c.m.stream.Timeout():
		u.log.Warn("no RTP; hanging up", "from", c.From.Number, "after", u.cfg.RTPTimeout)
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		c.Hangup(ctx, q850.RecoveryOnTimerExpiry)
	}
}

// onAck confirms an answered call; for an INVITE without SDP, the ACK
// carries the answer to our offer.
func (u *UA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callOf(req)
	if c == nil {
		return // an ACK to a failure response, or a stray
	}
	if err := c.srv.ReadAck(req, tx); err != nil {
		u.log.Warn("ACK", "err", err)
	}
	if len(req.Body()) > 0 && len(c.srv.InviteRequest.Body()) == 0 {
		res, err := c.sess.AcceptAnswer(req.Body())
		if err != nil {
			u.log.Warn("answer in ACK unusable; hanging up", "err", err)
			go c.Hangup(context.Background(), q850.BearerCapabilityNotImplemented)
			return
		}
		if err := c.m.apply(res); err != nil {
			u.log.Warn("answer in ACK unusable; hanging up", "err", err)
			go c.Hangup(context.Background(), q850.BearerCapabilityNotImplemented)
			return
		}
		c.mu.Lock()
		c.media = res
		c.mu.Unlock()
	}
}

// onBye ends a call at the peer's request.
func (u *UA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callOf(req)
	if c == nil {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	if err := c.srv.ReadBye(req, tx); err != nil {
		u.log.Warn("BYE", "err", err)
	}
	cause := q850.NormalClearing
	if h := req.GetHeader("Reason"); h != nil {
		if rs, err := q850.ParseReasons(h.Value()); err == nil {
			if q, ok := q850.Q850Cause(rs); ok {
				cause = q
			}
		}
	}
	c.end(cause)
	u.dropCall(c.srv.ID)
}

func (u *UA) addCall(id string, c *Call) {
	u.mu.Lock()
	u.calls[id] = c
	u.mu.Unlock()
}

func (u *UA) dropCall(id string) {
	u.mu.Lock()
	delete(u.calls, id)
	u.mu.Unlock()
}

// callOf finds the call of an in-dialog request.
func (u *UA) callOf(req *sip.Request) *Call {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[id]
}

// partyOf reads a caller or callee identity; req, when given, supplies
// P-Asserted-Identity and Privacy.
func partyOf(name string, uri sip.Uri, req *sip.Request) Party {
	p := Party{Number: uri.User, Name: name}
	if req != nil {
		if h := req.GetHeader("P-Asserted-Identity"); h != nil {
			var pai sip.Uri
			var params sip.HeaderParams
			if n, err := sip.ParseAddressValue(h.Value(), &pai, &params); err == nil {
				p.Number = pai.User
				if n != "" {
					p.Name = n
				}
			}
		}
		if h := req.GetHeader("Privacy"); h != nil && strings.Contains(strings.ToLower(h.Value()), "id") {
			p.Private = true
		}
	}
	if strings.EqualFold(uri.User, "anonymous") || strings.EqualFold(uri.Host, "anonymous.invalid") {
		p.Private = true
	}
	if p.Private && strings.EqualFold(p.Number, "anonymous") {
		p.Number = ""
	}
	return p
}

func contentTypeSDP() sip.Header {
	ct := sip.ContentTypeHeader("application/sdp")
	return &ct
}
