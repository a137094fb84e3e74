package sipua

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

// referExpires is the lifetime the implicit subscription of a REFER gets
// (RFC 3515 §2.4.4): long enough for the transfer target to answer.
const referExpires = 180

// onRefer carries out a transfer the peer asks for (RFC 3515; RFC 5589
// §6, blind transfer): it accepts the REFER, calls the Refer-To target,
// reports the progress in NOTIFYs of message/sipfrag, and when the target
// answers, hands the line to the new call and hangs up this one. If the
// target does not answer, this call carries on.
func (c *Call) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	h := req.GetHeader("Refer-To")
	if h == nil || len(req.GetHeaders("Refer-To")) != 1 {
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusBadRequest))
		return
	}
	var target sip.Uri
	var params sip.HeaderParams
	if _, err := sip.ParseAddressValue(h.Value(), &target, &params); err != nil ||
		(target.Scheme != "sip" && target.Scheme != "sips") || target.Host == "" {
		c.ua.log.Warn("REFER refused: Refer-To", "value", h.Value())
		res := c.inDialogResponse(req, sip.StatusBadRequest)
		res.Reason = "Bad Refer-To"
		c.ua.respond(tx, res)
		return
	}
	if c.State() != CallActive {
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusRequestPending))
		return
	}
	acct := c.account()
	if acct == nil {
		c.ua.log.Warn("REFER refused: no account to place the new call from")
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusForbidden))
		return
	}
	// Headers the target URI carries go into the new INVITE; Replaces is
	// how an attended transfer names the call the target should drop.
	var extra []sip.Header
	for _, kv := range target.Headers {
		if uv, err := url.PathUnescape(kv.V); err == nil && strings.EqualFold(kv.K, "Replaces") {
			extra = append(extra, sip.NewHeader("Replaces", uv))
		}
	}
	target.Headers = nil
	if rb := req.GetHeader("Referred-By"); rb != nil {
		extra = append(extra, sip.NewHeader("Referred-By", rb.Value()))
	}
	self := c.To
	if !c.Incoming {
		self = c.From
	}
	next, err := c.ua.newOutgoing(acct, target, self)
	if err != nil {
		c.ua.log.Warn("REFER refused", "err", err)
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusServiceUnavailable))
		return
	}
	next.extra = extra
	// The line follows the new call from now on, should this one end:
	// the transferor may hang up before the target answers.
	c.mu.Lock()
	c.successor = next
	c.mu.Unlock()
	c.ua.respond(tx, c.inDialogResponse(req, sip.StatusAccepted))
	c.ua.log.Info("transfer", "to", target.String(), "from", c.From.Number, "call", c.dlg.callID)

	event := "refer;id=" + strconv.FormatUint(uint64(req.CSeq().SeqNo), 10)
	go func() {
		c.notifyRefer(event, "SIP/2.0 100 Trying", false)
		next.dial(target)
		if next.State() != CallActive {
			status := next.status
			if status < 300 {
				status = sip.StatusRequestTimeout
			}
			c.mu.Lock()
			if !c.closed {
				c.successor = nil
			}
			c.mu.Unlock()
			c.notifyRefer(event, fmt.Sprintf("SIP/2.0 %d %s", status, q850.StatusText(status)), true)
			c.ua.log.Info("transfer failed", "to", target.String(), "status", status)
			return
		}
		c.notifyRefer(event, "SIP/2.0 200 OK", true)
		c.hangup(q850.NormalClearing)
	}()
}

// account is the account a call belongs to: an outgoing call's own, or
// for an incoming call the account whose user it called, else the first.
func (c *Call) account() *Account {
	if c.acct != nil {
		return c.acct
	}
	accts := c.ua.cfg.Accounts
	for i := range accts {
		if accts[i].User == c.To.Number {
			return &accts[i]
		}
	}
	if len(accts) > 0 {
		return &accts[0]
	}
	return nil
}

// notifyRefer reports the state of a transfer to the transferor in a
// NOTIFY of the REFER's implicit subscription (RFC 3515 §2.4.4).
func (c *Call) notifyRefer(event, frag string, final bool) {
	req := c.dlg.request(sip.NOTIFY)
	req.AppendHeader(sip.NewHeader("Event", event))
	state := "active;expires=" + strconv.Itoa(referExpires)
	if final {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	ct := sip.ContentTypeHeader("message/sipfrag;version=2.0")
	req.AppendHeader(&ct)
	req.SetBody([]byte(frag + "\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 64*sip.T1)
	defer cancel()
	res, err := c.dlg.do(ctx, req)
	switch {
	case err != nil:
		c.ua.log.Warn("NOTIFY of a transfer failed", "err", err)
	case !res.IsSuccess():
		c.ua.log.Warn("NOTIFY of a transfer refused", "status", res.StatusCode)
	}
}

// replaceBy answers next, the call that replaces c, and hangs c up; the
// application finds next through Successor.
func (c *Call) replaceBy(next *Call) {
	c.mu.Lock()
	c.successor = next
	c.mu.Unlock()
	c.ua.log.Info("call replaced", "from", c.From.Number, "by", next.From.Number)
	if err := next.Answer(); err != nil {
		c.mu.Lock()
		c.successor = nil
		c.mu.Unlock()
		return
	}
	c.hangup(q850.NormalClearing)
}

// replaces parses a Replaces header (RFC 3891 §6.1): the Call-ID and tags
// of the dialog to replace, and early-only.
func replaces(v string) (callID, toTag, fromTag string, earlyOnly bool, ok bool) {
	parts := strings.Split(v, ";")
	callID = strings.TrimSpace(parts[0])
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "to-tag":
			toTag = val
		case "from-tag":
			fromTag = val
		case "early-only":
			earlyOnly = true
		}
	}
	return callID, toTag, fromTag, earlyOnly, callID != "" && toTag != "" && fromTag != ""
}

// replacedCall finds the call an INVITE's Replaces header names, and the
// status to refuse the INVITE with when there is none to replace.
func (u *UA) replacedCall(v string) (*Call, int) {
	callID, toTag, fromTag, earlyOnly, ok := replaces(v)
	if !ok {
		return nil, sip.StatusBadRequest
	}
	// The tags are named as in the replaced dialog's requests to us: our
	// tag is the to-tag (RFC 3891 §3).
	u.mu.Lock()
	c := u.calls[sip.DialogIDMake(callID, toTag, fromTag)]
	u.mu.Unlock()
	switch {
	case c == nil:
		return nil, sip.StatusCallTransactionDoesNotExists
	case c.State() == CallEnded:
		return nil, 603 // Decline
	case earlyOnly && c.State() == CallActive:
		return nil, sip.StatusBusyHere
	case c.State() != CallActive:
		// Replacing an early dialog is for the UA that sent its INVITE;
		// the gateway's incoming calls are the telephony's to answer.
		return nil, sip.StatusCallTransactionDoesNotExists
	}
	return c, 0
}
