package sipua

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
	"tipring/sipua/sdpoa"
)

// onInvite takes a new incoming call, or hands a re-INVITE to its call.
func (u *UA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if tags := unsupported(req); len(tags) > 0 {
		u.respond(tx, badExtension(req, tags))
		return
	}
	if _, inDialog := req.To().Params.Get("tag"); inDialog {
		c := u.callOf(req)
		if c == nil {
			u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
			return
		}
		c.onReinvite(req, tx)
		return
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusTrying, "Trying", nil))
	if req.Contact() == nil || req.CSeq() == nil || req.From() == nil {
		u.log.Warn("INVITE refused: no Contact", "source", req.Source())
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request (no Contact)", nil))
		return
	}
	var parts []offerPart
	if len(req.Body()) > 0 {
		offered, ok, err := u.offerParts(req)
		if !ok {
			res := sip.NewResponseFromRequest(req, sip.StatusUnsupportedMediaType, "Unsupported Media Type", nil)
			res.AppendHeader(sip.NewHeader("Accept", accepted))
			u.log.Warn("INVITE refused: its body is not SDP", "source", req.Source())
			u.respond(tx, res)
			return
		}
		if err != nil {
			u.log.Warn("INVITE refused", "err", err, "source", req.Source())
			u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request ("+err.Error()+")", nil))
			return
		}
		parts = offered
	}
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
	m, err := u.newMedia(local.Addr(), u.incomingSRTP(req.Source()))
	if err != nil {
		u.log.Warn("INVITE refused: no media port", "err", err)
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Service Unavailable", nil))
		return
	}
	c := newCall(u, m)
	c.Incoming, c.invite, c.inviteTx = true, req, tx
	c.From = partyOf(req.From().DisplayName, req.From().Address, req)
	c.To = partyOf(req.To().DisplayName, req.To().Address, nil)
	c.Target, _ = splitPhoneContext(req.Recipient.User)
	c.called, c.calledContext = splitPhoneContext(req.Recipient.User)
	if c.called == "" {
		// A proxy that routes by registration puts our Contact in the
		// Request-URI; To still names the number called ([MS-OCPSTN] §4.2.1.1).
		c.called, c.calledContext = splitPhoneContext(req.To().Address.User)
	}
	c.final, c.provisional = make(chan *sip.Response), make(chan *sip.Response)
	c.dlg = &dialog{
		client: client, transport: transport, laddr: local, callID: req.CallID().Value(),
		local: req.To().Address, localName: req.To().DisplayName, localTag: sip.GenerateTagN(16),
		remote: req.From().Address, remName: req.From().DisplayName, remoteSeq: req.CSeq().SeqNo,
		localSeq: uint32(time.Now().UnixNano()) & 0x7fff, target: req.Contact().Address,
		userAgent: u.cfg.UserAgent,
	}
	c.dlg.remoteTag, _ = req.From().Params.Get("tag")
	c.dlg.peerGateway = hasParam(req.Contact().Params, isGatewayParam)
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			c.dlg.routes = append(c.dlg.routes, rr.Address)
		}
	}
	var refusal *sip.Response
	if c.timer.sessionTimer, refusal = c.timerOf(req); refusal != nil {
		u.respond(tx, refusal)
		c.end(q850.NormalUnspecified)
		return
	}
	c.rel = reliability(req)
	if len(parts) > 0 {
		// [MS-OCPSTN] §3.4: early media in an unreliable 183, which only
		// an answer can go in.
		c.msEarly = hasOptionTag(req, "ms-early-media", "Supported")
		// Answer the offer now, so that a hopeless call never rings.
		body, res, part, err := answerParts(m.sess, parts)
		if err == nil {
			err = c.setMedia(res)
		}
		c.acceptedID = part.contentID
		if err != nil {
			code := sip.StatusNotAcceptableHere
			if errors.Is(err, sdpoa.ErrMalformed) {
				code = sip.StatusBadRequest
			}
			u.log.Warn("INVITE refused: its SDP offer", "err", err, "status", code, "source", req.Source())
			res := c.response(code, "")
			res.AppendHeader(sip.NewHeader("Warning", fmt.Sprintf("399 %s %q", local.Addr(), err.Error())))
			u.respond(tx, res)
			c.end(q850.BearerCapabilityNotImplemented)
			return
		}
		c.answer = body
	} else {
		// Our offer goes in the first reliable response: a reliable 18x,
		// whose PRACK answers it, or the 2xx, whose ACK does.
		if c.answer, err = m.sess.Offer(); err != nil {
			u.log.Error("INVITE refused: no offer", "err", err)
			u.respond(tx, c.response(sip.StatusInternalServerError, ""))
			c.end(q850.TemporaryFailure)
			return
		}
		c.offering = true
	}
	// An INVITE with Replaces takes over a call of ours (RFC 3891): the
	// line is already in it, so the new call is answered at once.
	var old *Call
	if h := req.GetHeader("Replaces"); h != nil {
		var code int
		if old, code = u.replacedCall(h.Value()); old == nil {
			u.log.Info("INVITE with Replaces refused", "replaces", h.Value(), "status", code)
			u.respond(tx, c.response(code, ""))
			c.end(q850.NormalClearing)
			return
		}
	}
	if u.cfg.Incoming == nil && old == nil {
		u.log.Info("incoming call refused: nothing takes calls", "from", c.From.Number, "to", c.To.Number)
		u.respond(tx, c.response(sip.StatusTemporarilyUnavailable, ""))
		c.end(q850.NoRouteToDestination)
		return
	}
	cancelled := make(chan struct{})
	if !tx.OnCancel(func(*sip.Request) { close(cancelled) }) {
		c.end(q850.NormalClearing)
		return
	}
	u.addCall(c.dlg.id(), c)
	u.log.Info("incoming call", "from", c.From.Number, "to", c.To.Number, "source", req.Source())
	if old != nil {
		go old.replaceBy(c)
	} else {
		go u.cfg.Incoming(c)
	}
	defer c.rel.stopResending()
	// held keeps a 2xx until the reliable 18x before it has its PRACK
	// (RFC 3262 §3); a refusal need not wait.
	finals, held := c.final, make(chan *sip.Response, 1)
	for {
		provisional := c.provisional
		if c.awaitingPrack() {
			provisional = nil
		} else if finals == nil {
			finals = held
		}
		select {
		case res := <-provisional:
			c.provide(tx, res)
		case <-c.rel.wake:
			if res, cause := c.resend(tx); res != nil {
				u.respond(tx, res)
				c.end(cause)
				return
			}
		case res := <-finals:
			if res.IsSuccess() && c.awaitingPrack() {
				held <- res
				finals = nil
				continue
			}
			if !res.IsSuccess() {
				u.respond(tx, res)
				return
			}
			ack, err := c.confirm(tx, res)
			if err != nil {
				u.log.Warn("call setup failed", "from", c.From.Number, "err", err)
				c.hangup(q850.RecoveryOnTimerExpiry)
				return
			}
			if c.answerInAck() {
				// Our offer went in the 200; the answer is in the ACK.
				err := c.takeAnswer(ack.Body())
				c.endOffer()
				if err != nil {
					u.log.Warn("answer in ACK unusable; hanging up", "from", c.From.Number, "err", err)
					c.hangup(q850.BearerCapabilityNotImplemented)
					return
				}
			}
			go u.watchMedia(c)
			c.runTimer()
			return
		case <-cancelled:
			// sipgo has answered 487.
			u.log.Info("incoming call cancelled", "from", c.From.Number)
			c.end(q850.NormalClearing)
			return
		case <-tx.Done():
			c.end(q850.RecoveryOnTimerExpiry)
			return
		}
	}
}

// isSDP says whether the body of m is a session description. A body
// must say its type (RFC 3261 §20.15).
func isSDP(m interface{ ContentType() *sip.ContentTypeHeader }) bool {
	ct := m.ContentType()
	if ct == nil {
		return false
	}
	mt, _, _ := strings.Cut(ct.Value(), ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/sdp")
}

// response makes a response to the call's INVITE with our tag in To; an
// empty reason takes the standard phrase.
func (c *Call) response(code int, reason string) *sip.Response {
	if reason == "" {
		reason = q850.StatusText(code)
	}
	res := sip.NewResponseFromRequest(c.invite, code, reason, nil)
	res.To().Params.Add("tag", c.dlg.localTag)
	if code > 100 && code < 300 {
		res.AppendHeader(c.dlg.contact())
	}
	return res
}

// confirm sends a 2xx to an INVITE and returns its ACK, sending the 2xx
// again meanwhile over UDP (RFC 3261 §13.3.1.4): the transaction layer
// does not retransmit a 2xx.
func (c *Call) confirm(tx sip.ServerTransaction, res *sip.Response) (*sip.Request, error) {
	seq := res.CSeq().SeqNo
	if err := tx.Respond(res); err != nil {
		return nil, err
	}
	interval := sip.T1
	resend := time.NewTimer(interval)
	defer resend.Stop()
	giveUp := time.NewTimer(64 * sip.T1)
	defer giveUp.Stop()
	for {
		select {
		case ack := <-c.acks:
			if ack.CSeq().SeqNo == seq {
				return ack, nil
			}
		case <-resend.C:
			if sip.IsReliable(res.Transport()) {
				continue
			}
			tx.Respond(res)
			interval = min(2*interval, sip.T2)
			resend.Reset(interval)
		case <-giveUp.C:
			return nil, errors.New("no ACK for the 2xx")
		case <-c.done:
			return nil, errCallState
		}
	}
}

// takeAnswer takes the peer's answer to our offer.
func (c *Call) takeAnswer(body []byte) error {
	if len(body) == 0 {
		c.m.sess.CancelOffer()
		return errors.New("no SDP answer")
	}
	res, err := c.m.sess.AcceptAnswer(body)
	if err != nil {
		c.m.sess.CancelOffer()
		return err
	}
	return c.setMedia(res)
}

// Ringing tells the caller that the phone rings (180); a caller that takes
// early media in an unreliable 183 (EarlyMedia) gets that instead, and
// hears the ringback in the call's audio.
func (c *Call) Ringing() error {
	if c.msEarly {
		return c.Progress()
	}
	if !c.Incoming || c.State() != CallOffered {
		return errCallState
	}
	return c.sendProvisional(c.response(sip.StatusRinging, "Ringing"))
}

// errNoEarlyOffer is Progress for an INVITE without an offer from a caller
// that cannot take ours reliably (RFC 3261 §13.2.1).
var errNoEarlyOffer = errors.New("sipua: early media for an INVITE without SDP needs reliable provisional responses")

// Progress sends early media: 183 with our SDP, so that the caller hears
// what the line plays, such as the ringback of the exchange behind an FXO
// port. It goes reliably (RFC 3262) where the caller supports that.
func (c *Call) Progress() error {
	if !c.Incoming || c.State() != CallOffered {
		return errCallState
	}
	if len(c.invite.Body()) == 0 && !c.rel.supported {
		return errNoEarlyOffer
	}
	res := c.response(sip.StatusSessionInProgress, "Session Progress")
	res.SetBody(c.answer)
	res.AppendHeader(contentTypeSDP())
	c.acceptedContentID(res)
	return c.sendProvisional(res)
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
	if !c.Incoming || c.state != CallOffered {
		c.mu.Unlock()
		return errCallState
	}
	c.state = CallActive
	c.mu.Unlock()
	res := c.response(sip.StatusOK, "OK")
	// The same SDP as any 183 before, version and all: the answer does
	// not change (RFC 3264 §8; [MS-OCPSTN] §4.4.2.3).
	res.SetBody(c.answer)
	res.AppendHeader(contentTypeSDP())
	c.answerHeaders(res)
	c.acceptedContentID(res)
	if pai := c.assertedIdentity(); pai != nil {
		res.AppendHeader(pai)
	}
	c.ua.trunkingPeer(res)
	return c.sendFinal(res)
}

// acceptedContentID names in a response with our answer the part of a
// multipart offer it answers ([MS-OCPSTN] §3.7).
func (c *Call) acceptedContentID(res *sip.Response) {
	if c.acceptedID != "" && len(c.invite.Body()) > 0 {
		res.AppendHeader(sip.NewHeader("ms-accepted-content-id", c.acceptedID))
	}
}

// Reject refuses an incoming call with the SIP response for cause, carrying
// cause in a Reason header.
func (c *Call) Reject(cause q850.Cause) error {
	if !c.Incoming || c.State() != CallOffered {
		return errCallState
	}
	res := c.response(cause.Status(), "")
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
