package sipua

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

// Reliable provisional responses (RFC 3262): a 18x sent with RSeq and
// Require: 100rel is sent again until the peer acknowledges it with a
// PRACK, so that early media and its SDP cannot be lost on the way.

// reliable is a call's part in reliable provisional responses.
type reliable struct {
	// What an incoming call's INVITE asks, read before the call is
	// offered: when it requires 100rel every 18x goes reliably; when it
	// only supports it, those carrying SDP do.
	required, supported bool
	// wake tells the goroutine holding the INVITE that the PRACK has come
	// or that a retransmission is due.
	wake chan struct{}

	// The goroutine holding the INVITE alone uses these.
	res      *sip.Response // the reliable 18x awaiting its PRACK; nil if none
	interval time.Duration // until its next retransmission
	giveUp   time.Time     // 64*T1 after it first went
	stop     func() bool   // stops the retransmission timer
	sdpSent  bool          // our SDP went in a reliable 18x

	// Call.mu guards these, which the PRACK changes.
	rseq     uint32 // the RSeq of the latest reliable 18x
	unacked  bool   // its PRACK has not come
	offered  bool   // our offer went in a reliable 18x, the INVITE having none
	answered bool   // a PRACK brought the answer
	failed   error  // the answer a PRACK brought is of no use

	// An outgoing call: the RSeq last acknowledged in each early dialog,
	// for the goroutine sending the INVITE.
	acked map[earlyDialog]uint32
}

// earlyDialog names an early dialog of one of our INVITEs: the peer's tag
// and the INVITE's sequence number.
type earlyDialog struct {
	tag string
	seq uint32
}

// reliability reads what an incoming INVITE asks of provisional responses.
func reliability(invite *sip.Request) reliable {
	required := hasOptionTag(invite, "100rel", "Require")
	return reliable{required: required, supported: required || hasOptionTag(invite, "100rel", "Supported"),
		wake: make(chan struct{}, 1)}
}

func (r *reliable) ring() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// provide sends a provisional response of the application's to the call's
// INVITE, reliably (RFC 3262 §3) when the INVITE requires it, or supports
// it and the response carries SDP. An INVITE without an offer gets ours in
// the first reliable 18x (RFC 3261 §13.2.1); later ones carry no SDP,
// which would be a new offer (RFC 3262 §5).
func (c *Call) provide(tx sip.ServerTransaction, res *sip.Response) {
	r := &c.rel
	// A caller with ms-early-media takes the 183 with our answer as it is
	// ([MS-OCPSTN] §3.4), unless it requires 100rel.
	if !r.required && !(r.supported && len(res.Body()) > 0 && !c.msEarly) {
		c.ua.respond(tx, res)
		return
	}
	delayed := len(c.invite.Body()) == 0
	switch {
	case r.sdpSent:
		res.SetBody(nil)
		res.RemoveHeader("Content-Type")
	case delayed && len(res.Body()) == 0:
		res.SetBody(c.answer)
		res.AppendHeader(contentTypeSDP())
	}
	withSDP := len(res.Body()) > 0
	r.sdpSent = r.sdpSent || withSDP
	c.mu.Lock()
	if r.rseq == 0 {
		r.rseq = 1 + rand.Uint32N(1<<31-1) // §3: at random, up to 2^31-1
	} else {
		r.rseq++
	}
	r.unacked = true
	r.offered = r.offered || delayed && withSDP
	rseq := r.rseq
	c.mu.Unlock()
	res.AppendHeader(sip.NewHeader("Require", "100rel"))
	res.AppendHeader(sip.NewHeader("RSeq", strconv.FormatUint(uint64(rseq), 10)))
	c.ua.respond(tx, res)
	r.res, r.interval, r.giveUp = res, sip.T1, callClock.Now().Add(64*sip.T1)
	r.stop = callClock.AfterFunc(sip.T1, r.ring)
}

// awaitingPrack reports whether a reliable 18x awaits its PRACK: until it
// comes, neither another 18x nor a 2xx goes (§3).
func (c *Call) awaitingPrack() bool { return c.rel.res != nil }

// resend acts on a wake of the goroutine holding the INVITE: the PRACK has
// come, or the 18x awaiting it is due again (at T1, doubling each time),
// or it has waited 64*T1 in vain. It returns the final response ending
// the call, if it must end, and why.
func (c *Call) resend(tx sip.ServerTransaction) (*sip.Response, q850.Cause) {
	r := &c.rel
	if r.res == nil {
		return nil, 0
	}
	c.mu.Lock()
	acked, failed := !r.unacked, r.failed
	c.mu.Unlock()
	now := callClock.Now()
	switch {
	case failed != nil:
		r.stopResending()
		c.ua.log.Warn("answer in PRACK unusable; call refused", "from", c.From.Number, "err", failed)
		res := c.response(sip.StatusNotAcceptableHere, "")
		res.AppendHeader(sip.NewHeader("Warning", "399 "+c.dlg.laddr.Addr().String()+" "+strconv.Quote(failed.Error())))
		return res, q850.BearerCapabilityNotImplemented
	case acked:
		r.stopResending()
		return nil, 0
	case !now.Before(r.giveUp):
		r.stopResending()
		c.ua.log.Warn("no PRACK for a reliable provisional response; call refused", "from", c.From.Number)
		res := c.response(sip.StatusInternalServerError, "")
		res.AppendHeader(sip.NewHeader("Reason", q850.RecoveryOnTimerExpiry.Reason().String()))
		return res, q850.RecoveryOnTimerExpiry
	}
	c.ua.respond(tx, r.res)
	r.interval *= 2
	r.stop()
	r.stop = callClock.AfterFunc(min(r.interval, r.giveUp.Sub(now)), r.ring)
	return nil, 0
}

// stopResending forgets the reliable 18x awaiting its PRACK.
func (r *reliable) stopResending() {
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
	r.res = nil
}

// onPrack takes the PRACK of a reliable provisional response: its RAck
// must name the one awaiting it (§3), and it carries the answer when that
// response carried our offer (§5).
func (c *Call) onPrack(req *sip.Request, tx sip.ServerTransaction) {
	rseq, seq, method, err := rack(req)
	r := &c.rel
	c.mu.Lock()
	match := err == nil && c.Incoming && r.unacked && rseq == r.rseq && seq == c.invite.CSeq().SeqNo && method == sip.INVITE
	answer := match && r.offered && !r.answered
	if match {
		r.unacked = false
	}
	c.mu.Unlock()
	if !match {
		c.ua.log.Info("PRACK matches nothing", "rack", req.GetHeader("RAck"), "err", err)
		c.ua.respond(tx, c.inDialogResponse(req, sip.StatusCallTransactionDoesNotExists))
		return
	}
	if answer {
		err := c.takeAnswer(req.Body())
		c.endOffer()
		c.mu.Lock()
		if err != nil {
			r.failed = err
		} else {
			r.answered = true
		}
		c.mu.Unlock()
	}
	c.ua.respond(tx, c.inDialogResponse(req, sip.StatusOK))
	r.ring()
}

// answerInAck reports whether our offer in the responses to the call's
// INVITE, which had none, awaits its answer in the ACK: no PRACK brought
// it.
func (c *Call) answerInAck() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.invite.Body()) == 0 && !c.rel.answered
}

// rack reads a PRACK's RAck header (RFC 3262 §7.2): the RSeq, the CSeq
// number and the method of the response it acknowledges.
func rack(req *sip.Request) (rseq, seq uint32, method sip.RequestMethod, err error) {
	v, ok := headerValue(req, "RAck")
	if !ok {
		return 0, 0, "", errors.New("no RAck")
	}
	f := strings.Fields(v)
	if len(f) != 3 {
		return 0, 0, "", errors.New("RAck is not RSeq, CSeq and method")
	}
	r, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil {
		return 0, 0, "", errors.New("RAck: bad RSeq")
	}
	s, err := strconv.ParseUint(f[1], 10, 32)
	if err != nil {
		return 0, 0, "", errors.New("RAck: bad CSeq")
	}
	return uint32(r), uint32(s), sip.RequestMethod(f[2]), nil
}

// acknowledge sends a PRACK for res, a provisional response to our INVITE
// req, when it is reliable (§4), and reports whether res is news: one sent
// again, or one out of order, is not and gets no PRACK.
func (c *Call) acknowledge(req *sip.Request, res *sip.Response) bool {
	if !hasOptionTag(res, "100rel", "Require") {
		return true
	}
	v, _ := headerValue(res, "RSeq")
	rseq, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
	tag, _ := res.To().Params.Get("tag")
	if err != nil || rseq == 0 || tag == "" {
		c.ua.log.Warn("reliable provisional response without RSeq or To tag; not acknowledged", "status", res.StatusCode)
		return true
	}
	if !c.rel.news(earlyDialog{tag, req.CSeq().SeqNo}, uint32(rseq)) {
		return false
	}
	go c.prack(req, res, uint32(rseq))
	return true
}

// news reports whether a reliable provisional response with rseq in the
// early dialog key is to be acknowledged, and then records it (§4): the
// first in an early dialog may have any RSeq, each later one the next.
// Others were sent again or came out of order; sent again, the next of
// them will do.
func (r *reliable) news(key earlyDialog, rseq uint32) bool {
	if last, ok := r.acked[key]; ok && rseq != last+1 {
		return false
	}
	if r.acked == nil {
		r.acked = map[earlyDialog]uint32{}
	}
	r.acked[key] = rseq
	return true
}

// prack sends the PRACK of res, a reliable provisional response to our
// INVITE, in the early dialog res sets up (§7.1).
func (c *Call) prack(invite *sip.Request, res *sip.Response, rseq uint32) {
	d, seq := c.dlg.early(res)
	d.mu.Lock()
	req := d.build(sip.PRACK, seq)
	d.mu.Unlock()
	req.AppendHeader(sip.NewHeader("RAck", strconv.FormatUint(uint64(rseq), 10)+" "+
		strconv.FormatUint(uint64(invite.CSeq().SeqNo), 10)+" INVITE"))
	ctx, cancel := context.WithTimeout(context.Background(), 64*sip.T1)
	defer cancel()
	ack, err := transact(ctx, d.client, req)
	switch {
	case err != nil:
		c.ua.log.Warn("PRACK failed", "err", err, "call", d.callID)
	case !ack.IsSuccess():
		c.ua.log.Warn("PRACK refused", "status", ack.StatusCode, "call", d.callID)
	}
}

// early returns the early dialog that res, a provisional response to our
// INVITE, sets up (RFC 3261 §12.1.2): the peer's tag, its Contact as the
// target, the route set of its Record-Route. It takes d's next sequence
// number and returns it, so that d's requests come after it.
func (d *dialog) early(res *sip.Response) (*dialog, uint32) {
	tag, _ := res.To().Params.Get("tag")
	d.mu.Lock()
	d.localSeq++
	e := &dialog{client: d.client, transport: d.transport, laddr: d.laddr, callID: d.callID, local: d.local,
		localName: d.localName, localTag: d.localTag, remote: d.remote, remName: d.remName, cred: d.cred,
		userAgent: d.userAgent, remoteTag: tag, localSeq: d.localSeq, target: d.target}
	d.mu.Unlock()
	for _, h := range slices.Backward(res.GetHeaders("Record-Route")) {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			e.routes = append(e.routes, rr.Address)
		}
	}
	e.refreshTarget(res)
	return e, e.localSeq
}

// Option tags (RFC 3261 §19.2) name extensions in Supported, Require and
// Unsupported headers.

// supportedTags are the tags of supported.
var supportedTags = strings.Split(strings.ReplaceAll(supported, " ", ""), ",")

// unsupported lists the option tags req requires that we do not support.
func unsupported(req *sip.Request) []string {
	var tags []string
	for _, t := range optionTags(req, "Require") {
		if !slices.Contains(supportedTags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

// badExtension refuses req for requiring the extensions tags (RFC 3261
// §8.2.2.3).
func badExtension(req *sip.Request, tags []string) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusBadExtension, "Bad Extension", nil)
	res.AppendHeader(sip.NewHeader("Unsupported", strings.Join(tags, ", ")))
	return res
}

type headerLister interface {
	GetHeaders(name string) []sip.Header
}

// compactForms are the compact names of the headers read here (RFC 3261
// §7.3.3, RFC 4028 §4).
var compactForms = map[string]string{"Supported": "k", "Session-Expires": "x"}

// headersNamed returns m's headers name, in full or compact form.
func headersNamed(m headerLister, name string) []sip.Header {
	hs := m.GetHeaders(name)
	if short, ok := compactForms[name]; ok {
		hs = append(hs, m.GetHeaders(short)...)
	}
	return hs
}

// headerValue is the value of m's first header name.
func headerValue(m headerLister, name string) (string, bool) {
	hs := headersNamed(m, name)
	if len(hs) == 0 {
		return "", false
	}
	return hs[0].Value(), true
}

// optionTags lists the option tags of m's headers name, in lower case.
func optionTags(m headerLister, name string) []string {
	var tags []string
	for _, h := range headersNamed(m, name) {
		for t := range strings.SplitSeq(h.Value(), ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				tags = append(tags, t)
			}
		}
	}
	return tags
}

// hasOptionTag reports whether any of m's headers names lists tag.
func hasOptionTag(m headerLister, tag string, names ...string) bool {
	for _, n := range names {
		if slices.Contains(optionTags(m, n), tag) {
			return true
		}
	}
	return false
}

// allows reports whether m's Allow headers list method; ok is false when
// m has none, which says nothing.
func allows(m headerLister, method sip.RequestMethod) (allowed, ok bool) {
	hs := m.GetHeaders("Allow")
	for _, h := range hs {
		for v := range strings.SplitSeq(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(v), string(method)) {
				return true, true
			}
		}
	}
	return false, len(hs) > 0
}
