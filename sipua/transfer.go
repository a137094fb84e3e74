package sipua

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

// transferTimeout bounds a transfer whose context has no deadline of its
// own: a target that has not answered by then counts as not answering,
// and the call carries on.
const transferTimeout = 32 * time.Second

// replacedTimeout is how long the call an attended transfer replaces may
// take to end. The target ends it as it answers the transferee's INVITE
// with Replaces, before the transferee learns of the answer and reports it,
// so normally it has ended by the time the transfer succeeds.
const replacedTimeout = 4 * time.Second

// errTransferPending is a transfer asked for while another is under way.
var errTransferPending = errors.New("sipua: a transfer of the call is under way")

// A referral is the transfer our REFER asked of the call's peer, followed
// through the NOTIFYs of the REFER's implicit subscription (RFC 3515
// §2.4.4).
type referral struct {
	// seq is the REFER's CSeq, which NOTIFYs name in Event's id. A REFER
	// sent again with credentials takes a higher one, so a NOTIFY of this
	// REFER names seq or above, one of an earlier REFER less.
	seq  uint32
	news chan struct{} // a NOTIFY came

	// Under the call's mu:
	status int  // the status of the target the last NOTIFY reported; 0 before one
	ended  bool // the subscription is terminated
}

// Transfer asks the call's peer to call number in its place: a REFER whose
// Refer-To is sip:NUMBER@DOMAIN of the call's account (blind transfer,
// RFC 5589 §6). It returns when the transfer has an outcome: nil once the
// target answered (the peer reports 2xx in a NOTIFY, or ends the call),
// after which this call is hung up (BYE) unless the peer already did; an
// error when the REFER is refused, the transfer fails (the call carries
// on as it was) or ctx ends.
func (c *Call) Transfer(ctx context.Context, number string) error {
	acct := c.account()
	if acct == nil {
		return errors.New("sipua: transfer: no account to name the target's domain")
	}
	user, err := userPart(number)
	if err != nil {
		return fmt.Errorf("sipua: transfer to %q: %w", number, err)
	}
	target := sip.Uri{Scheme: "sip", User: user, Host: acct.Domain}
	if err := c.refer(ctx, acct, "<"+target.String()+">"); err != nil {
		return err
	}
	c.hangup(q850.NormalClearing)
	return nil
}

// TransferTo asks the call's peer to call the peer of other, replacing
// other (attended transfer, RFC 5589 §7): Refer-To is other's remote
// target with ?Replaces=<other's Call-ID;to-tag;from-tag> (RFC 3891).
// Outcome as for Transfer; on success both c and other end (the target
// ends other when the Replaces INVITE reaches it; hang it up ourselves if
// it has not ended within a few seconds).
func (c *Call) TransferTo(ctx context.Context, other *Call) error {
	if other == nil || other == c || other.State() != CallActive {
		return fmt.Errorf("sipua: transfer: the call to replace is not an answered call of its own: %w", errCallState)
	}
	acct := c.account()
	if acct == nil {
		return errors.New("sipua: transfer: no account to refer from")
	}
	d := other.dlg
	d.mu.Lock()
	target := *d.target.Clone()
	// The tags as the target names them: its own is the to-tag (RFC 3891
	// §3).
	replaces := d.callID + ";to-tag=" + d.remoteTag + ";from-tag=" + d.localTag
	d.mu.Unlock()
	target.Headers = nil
	referTo := "<" + target.String() + "?Replaces=" + escapeHeaderValue(replaces) + ">"
	if err := c.refer(ctx, acct, referTo); err != nil {
		return err
	}
	c.hangup(q850.NormalClearing)
	wait := time.NewTimer(replacedTimeout)
	defer wait.Stop()
	select {
	case <-other.Done():
	case <-wait.C:
		c.ua.log.Warn("the replaced call did not end; hanging it up", "call", d.callID)
		other.hangup(q850.NormalClearing)
	case <-ctx.Done():
		other.hangup(q850.NormalClearing)
	}
	return nil
}

// refer sends the call's peer a REFER to referTo from acct's user (RFC
// 3515) and follows the transfer to its outcome: nil when the peer reports
// that the target answered, or ends the call.
func (c *Call) refer(ctx context.Context, acct *Account, referTo string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, transferTimeout)
		defer cancel()
	}
	c.mu.Lock()
	switch {
	case c.state != CallActive:
		c.mu.Unlock()
		return fmt.Errorf("sipua: transfer: call %v: %w", c.state, errCallState)
	case c.referral != nil:
		c.mu.Unlock()
		return errTransferPending
	}
	req := c.dlg.request(sip.REFER)
	r := &referral{seq: req.CSeq().SeqNo, news: make(chan struct{}, 1)}
	c.referral = r
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.referral = nil
		c.mu.Unlock()
	}()

	by := acct.aor()
	if by.User == "" {
		by = c.dlg.local // a trunk has no user: the call's own address
	}
	req.AppendHeader(sip.NewHeader("Refer-To", referTo))
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+by.String()+">"))
	c.ua.log.Info("transferring", "to", referTo, "call", c.dlg.callID)
	res, err := c.dlg.do(ctx, req)
	if err != nil {
		return fmt.Errorf("sipua: transfer: %w", err)
	}
	if !res.IsSuccess() {
		c.ua.log.Info("transfer refused", "status", res.StatusCode, "call", c.dlg.callID)
		return fmt.Errorf("sipua: transfer refused: %d %s", res.StatusCode, q850.StatusText(res.StatusCode))
	}
	// A peer that accepts with Refer-Sub: false sends no NOTIFY (RFC 4488
	// §4): its ending the call is the only word of success to come.
	for {
		c.mu.Lock()
		status, ended := r.status, r.ended
		c.mu.Unlock()
		switch {
		case status >= 200 && status < 300:
			c.ua.log.Info("transfer done", "status", status, "call", c.dlg.callID)
			return nil
		case status >= 300:
			c.ua.log.Info("transfer failed", "status", status, "call", c.dlg.callID)
			return fmt.Errorf("sipua: transfer failed: the target: %d %s", status, q850.StatusText(status))
		case ended:
			return errors.New("sipua: transfer failed: the peer ended its reports with no outcome")
		}
		select {
		case <-r.news:
		case <-c.done:
			c.ua.log.Info("transfer done: the peer ended the call", "call", c.dlg.callID)
			return nil
		case <-ctx.Done():
			return fmt.Errorf("sipua: transfer: %w", ctx.Err())
		}
	}
}

// onNotify takes a NOTIFY in a call: a report on the transfer our REFER
// asked for (RFC 3515 §2.4.5). It is answered before the report is taken,
// so that a BYE ending a successful transfer follows the 200.
func (c *Call) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	n, code := readReferNotify(req)
	var r *referral
	if code == 0 {
		c.mu.Lock()
		r = c.referral
		c.mu.Unlock()
		if r == nil || (n.id != 0 && n.id < r.seq) {
			code = sip.StatusCallTransactionDoesNotExists
		}
	}
	if code != 0 {
		event, _ := headerValue(req, "Event")
		c.ua.log.Info("NOTIFY refused", "status", code, "event", event, "call", c.dlg.callID)
		res := c.inDialogResponse(req, code)
		switch code {
		case statusBadEvent:
			// RFC 6665 §8.2.2: the packages we take instead.
			res.AppendHeader(sip.NewHeader("Allow-Events", "refer"))
		case sip.StatusUnsupportedMediaType:
			res.AppendHeader(sip.NewHeader("Accept", sipfragType))
		}
		c.ua.respond(tx, res)
		return
	}
	c.ua.respond(tx, c.inDialogResponse(req, sip.StatusOK))
	c.mu.Lock()
	if n.status != 0 {
		r.status = n.status
	}
	r.ended = r.ended || n.terminated
	c.mu.Unlock()
	select {
	case r.news <- struct{}{}:
	default: // the waiting Transfer has news to read already
	}
}

// statusBadEvent answers a NOTIFY of an event package we did not subscribe
// to (RFC 6665 §8.2.2).
const statusBadEvent = 489

const sipfragType = "message/sipfrag"

// A referNotice is what a NOTIFY of a REFER's subscription reports.
type referNotice struct {
	id         uint32 // Event's id: the CSeq of the REFER; 0 when absent
	status     int    // the status line of the sipfrag body; 0 without a body
	terminated bool   // Subscription-State: terminated
}

// readReferNotify reads a NOTIFY of a REFER's subscription (RFC 3515
// §2.4.4-5); code is the status to refuse it with when it is not one
// (489) or is malformed (400, or 415 for a body that is not a sipfrag),
// else 0.
func readReferNotify(req *sip.Request) (n referNotice, code int) {
	ev := req.GetHeader("Event")
	if ev == nil {
		return n, sip.StatusBadRequest
	}
	params := strings.Split(ev.Value(), ";")
	if !strings.EqualFold(strings.TrimSpace(params[0]), "refer") {
		return n, statusBadEvent
	}
	for _, p := range params[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "id") {
			id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
			if err != nil || id == 0 {
				return n, sip.StatusBadRequest
			}
			n.id = uint32(id)
		}
	}
	// Subscription-State is mandatory (RFC 6665 §8.2.3), but a NOTIFY
	// without one still reports on the transfer: it is taken as active.
	if h := req.GetHeader("Subscription-State"); h != nil {
		state, _, _ := strings.Cut(h.Value(), ";")
		n.terminated = strings.EqualFold(strings.TrimSpace(state), "terminated")
	}
	if len(req.Body()) == 0 {
		return n, 0
	}
	ct := req.ContentType()
	if ct == nil {
		return n, sip.StatusUnsupportedMediaType
	}
	if mt, _, _ := strings.Cut(ct.Value(), ";"); !strings.EqualFold(strings.TrimSpace(mt), sipfragType) {
		return n, sip.StatusUnsupportedMediaType
	}
	status, ok := sipfragStatus(req.Body())
	if !ok {
		return n, sip.StatusBadRequest
	}
	n.status = status
	return n, 0
}

// sipfragStatus reads the status code of a message/sipfrag body (RFC
// 3420) that starts with a status line, as a REFER's NOTIFYs carry:
// "SIP/2.0 180 Ringing".
func sipfragStatus(body []byte) (int, bool) {
	line, _, _ := strings.Cut(string(body), "\n")
	version, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if !strings.EqualFold(version, "SIP/2.0") || len(code) != 3 || err != nil || status < 100 || status > 699 {
		return 0, false
	}
	return status, true
}

// userPart writes a number as the user part of a SIP URI: digits, letters
// and + * - . _ ~ as they are, # escaped (RFC 3261 §25.1); anything else
// is refused.
func userPart(number string) (string, error) {
	if number == "" {
		return "", errors.New("no number")
	}
	var b strings.Builder
	for i := 0; i < len(number); i++ {
		ch := number[i]
		switch {
		case ch == '#':
			b.WriteString("%23")
		case '0' <= ch && ch <= '9', 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', strings.IndexByte("+*-._~", ch) >= 0:
			b.WriteByte(ch)
		default:
			return "", fmt.Errorf("%q is not a number's character", ch)
		}
	}
	return b.String(), nil
}

// escapeHeaderValue escapes the value of a header in a SIP URI: only
// unreserved and hnv-unreserved characters stand as they are (RFC 3261
// §25.1), so the ; and = of a Replaces value are escaped.
func escapeHeaderValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case '0' <= ch && ch <= '9', 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z',
			strings.IndexByte("-_.!~*'()[]/?:+$", ch) >= 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}
