package sipua

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
)

// inDialog wraps the handler of a request that belongs in a call: it finds
// the call, answers 481 when there is none, and checks the request's
// sequence number (RFC 3261 §12.2.2).
func (u *UA) inDialog(h func(*Call, *sip.Request, sip.ServerTransaction)) func(*sip.Request, sip.ServerTransaction) {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		c := u.callOf(req)
		if c == nil {
			u.log.Info("request for no call", "method", req.Method.String(), "source", req.Source())
			u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
			return
		}
		if err := c.dlg.admit(req); err != nil {
			u.log.Warn("in-dialog request refused", "method", req.Method.String(), "err", err)
			u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error (CSeq out of order)", nil))
			return
		}
		h(c, req, tx)
	}
}

// onAck hands the ACK of a 2xx to the call waiting for it.
func (u *UA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if req.CSeq() == nil {
		return // nothing to match; an ACK gets no answer
	}
	c := u.callOf(req)
	if c == nil {
		return // an ACK to a failure response, or a stray
	}
	select {
	case c.acks <- req:
	default: // a retransmission nobody waits for
	}
}

// onBye ends a call at the peer's request.
func (c *Call) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c.ua.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	cause := q850.NormalClearing
	if h := req.GetHeader("Reason"); h != nil {
		if rs, err := q850.ParseReasons(h.Value()); err == nil {
			if q, ok := q850.Q850Cause(rs); ok {
				cause = q
			}
		}
	}
	c.ua.log.Info("call ended by the peer", "from", c.From.Number, "to", c.To.Number, "cause", cause)
	c.end(cause)
}

// beginOffer claims the call's one offer/answer exchange in progress; it
// fails while another is under way (RFC 3261 §14.1, RFC 3311 §5.2).
func (c *Call) beginOffer() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.offering || c.closed {
		return false
	}
	c.offering = true
	return true
}

func (c *Call) endOffer() {
	c.mu.Lock()
	c.offering = false
	c.mu.Unlock()
}

// inDialogResponse makes a response to an in-dialog request; a 2xx to a
// target-refresh request carries our Contact.
func (c *Call) inDialogResponse(req *sip.Request, code int) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, q850.StatusText(code), nil)
	if code >= 200 && code < 300 && (req.IsInvite() || req.Method == sip.UPDATE || req.Method == sip.REFER) {
		res.AppendHeader(c.dlg.contact())
	}
	return res
}

// refuseBody answers 415 to a body that is not SDP where SDP belongs: in a
// call, a multipart offer among them.
func (c *Call) refuseBody(req *sip.Request, tx sip.ServerTransaction) {
	c.ua.log.Warn("request refused: its body is not SDP", "method", req.Method.String())
	res := c.inDialogResponse(req, sip.StatusUnsupportedMediaType)
	res.AppendHeader(sip.NewHeader("Accept", acceptedInDialog))
	c.ua.respond(tx, res)
}

// refuseOffer answers an unusable offer: 488 when nothing in it is of
// use, 400 when it is not SDP; the session stays as it was.
func (c *Call) refuseOffer(req *sip.Request, tx sip.ServerTransaction, err error) {
	code := sip.StatusNotAcceptableHere
	if errors.Is(err, sdpoa.ErrMalformed) {
		code = sip.StatusBadRequest
	}
	c.ua.log.Warn("offer refused", "method", req.Method.String(), "err", err, "status", code)
	res := c.inDialogResponse(req, code)
	res.AppendHeader(sip.NewHeader("Warning", "399 "+c.dlg.laddr.Addr().String()+" "+strconv.Quote(err.Error())))
	c.ua.respond(tx, res)
}

// onReinvite takes a re-INVITE: a changed session (hold, resume, a new
// address or codec) or just a refresh (RFC 3261 §14.2).
func (c *Call) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	if err := c.dlg.admit(req); err != nil {
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusInternalServerError))
		return
	}
	if c.State() != CallActive {
		// The INVITE that set the dialog up is still open.
		res := c.inDialogResponse(req, sip.StatusInternalServerError)
		res.AppendHeader(sip.NewHeader("Retry-After", strconv.Itoa(1+rand.IntN(10))))
		c.ua.respond(tx, res)
		return
	}
	timer, refusal := c.timerOf(req)
	if refusal != nil {
		c.ua.respond(tx, refusal)
		return
	}
	if len(req.Body()) > 0 && !isSDP(req) {
		c.refuseBody(req, tx)
		return
	}
	if !c.beginOffer() {
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusRequestPending))
		return
	}
	res := c.inDialogResponse(req, sip.StatusOK)
	offered := len(req.Body()) > 0
	if offered {
		answer, settled, err := c.m.sess.Answer(req.Body())
		if err != nil {
			c.endOffer()
			c.refuseOffer(req, tx, err)
			return
		}
		if err := c.setMedia(settled); err != nil {
			c.ua.log.Warn("re-INVITE: media", "err", err)
		}
		c.logMedia("re-INVITE", settled)
		res.SetBody(answer)
		// The exchange is complete once the 2xx carries the answer; the
		// peer may send its next offer on the heels of its ACK.
		c.endOffer()
	} else {
		offer, err := c.m.sess.Offer()
		if err != nil {
			c.endOffer()
			c.ua.respond(tx, c.inDialogResponse(req, sip.StatusInternalServerError))
			return
		}
		res.SetBody(offer)
	}
	res.AppendHeader(contentTypeSDP())
	c.settleTimer(timer, res)
	c.ua.bypassSupported(res)
	c.ua.trunkingPeer(res)
	c.dlg.refreshTarget(req)
	ack, err := c.confirm(tx, res)
	if !offered {
		defer c.endOffer()
	}
	if err != nil {
		if !errors.Is(err, errCallState) {
			c.ua.log.Warn("re-INVITE: no ACK; hanging up", "err", err)
			go c.hangup(q850.RecoveryOnTimerExpiry)
		}
		return
	}
	if !offered {
		if err := c.takeAnswer(ack.Body()); err != nil {
			c.ua.log.Warn("re-INVITE: answer in ACK unusable; hanging up", "err", err)
			go c.hangup(q850.BearerCapabilityNotImplemented)
			return
		}
		c.logMedia("re-INVITE", c.Media())
	}
}

// onUpdate takes an UPDATE (RFC 3311): a new offer, or a session refresh.
func (c *Call) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	timer, refusal := c.timerOf(req)
	if refusal != nil {
		c.ua.respond(tx, refusal)
		return
	}
	if len(req.Body()) == 0 {
		c.dlg.refreshTarget(req)
		res := c.inDialogResponse(req, sip.StatusOK)
		c.settleTimer(timer, res)
		c.ua.respond(tx, res)
		return
	}
	if !isSDP(req) {
		c.refuseBody(req, tx)
		return
	}
	if !c.beginOffer() {
		res := c.inDialogResponse(req, sip.StatusRequestPending)
		c.ua.respond(tx, res)
		return
	}
	answer, settled, err := c.m.sess.Answer(req.Body())
	if err != nil {
		c.endOffer()
		c.refuseOffer(req, tx, err)
		return
	}
	c.dlg.refreshTarget(req)
	if err := c.setMedia(settled); err != nil {
		c.ua.log.Warn("UPDATE: media", "err", err)
	}
	c.endOffer() // before the answer goes out: the peer may offer again at once
	c.logMedia("UPDATE", settled)
	res := c.inDialogResponse(req, sip.StatusOK)
	res.SetBody(answer)
	res.AppendHeader(contentTypeSDP())
	c.settleTimer(timer, res)
	c.ua.respond(tx, res)
}

func (c *Call) logMedia(how string, r sdpoa.Result) {
	hold := ""
	switch {
	case !r.Send && !r.Recv:
		hold = "inactive"
	case !r.Send:
		hold = "held by the peer"
	case !r.Recv:
		hold = "peer held"
	}
	c.ua.log.Info("media changed", "by", how, "remote", r.Remote, "codec", r.Codec.Name, "hold", hold)
}

// onInfo takes DTMF sent in INFO requests, as many PBXes and SBCs do
// instead of RFC 4733: application/dtmf-relay ("Signal=5", "Duration=160")
// or application/dtmf (the digit alone).
func (c *Call) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(strings.Split(h.Value(), ";")[0]))
	}
	if len(req.Body()) == 0 {
		// An empty INFO is a keep-alive probe of the dialog.
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusOK))
		return
	}
	var digit byte
	duration := 250 * time.Millisecond
	switch ct {
	case "application/dtmf-relay":
		for _, line := range strings.Split(string(req.Body()), "\n") {
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "signal":
				digit = dtmfDigit(v)
			case "duration":
				if ms, err := strconv.Atoi(v); err == nil && ms > 0 && ms < 10000 {
					duration = time.Duration(ms) * time.Millisecond
				}
			}
		}
	case "application/dtmf":
		digit = dtmfDigit(strings.TrimSpace(string(req.Body())))
	default:
		c.ua.log.Warn("INFO refused: not DTMF", "content_type", ct)
		res := c.inDialogResponse(req, sip.StatusUnsupportedMediaType)
		res.AppendHeader(sip.NewHeader("Accept", "application/dtmf-relay, application/dtmf"))
		c.ua.respond(tx, res)
		return
	}
	if digit == 0 {
		c.ua.log.Warn("INFO without a DTMF digit", "body", strconv.Quote(string(req.Body())))
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusBadRequest))
		return
	}
	for _, ev := range []rtpstream.DigitEvent{{Digit: digit}, {Digit: digit, End: true, Duration: duration}} {
		select {
		case c.digits <- ev:
		default:
			c.ua.log.Warn("INFO digit dropped: too many unread", "digit", string(digit))
		}
	}
	c.ua.respond(tx, c.inDialogResponse(req, sip.StatusOK))
}

// dtmfDigit reads a DTMF signal as INFO bodies write it: a key, or the
// RFC 4733 event code of one (10 is *, 11 is #, 12 to 15 are A to D).
func dtmfDigit(s string) byte {
	const keys = "0123456789*#ABCD"
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 0 && n < len(keys) {
			return keys[n]
		}
		return 0
	}
	if len(s) == 1 {
		if i := strings.IndexByte(keys, strings.ToUpper(s)[0]); i >= 0 {
			return keys[i]
		}
	}
	return 0
}
