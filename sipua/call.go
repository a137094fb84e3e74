package sipua

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
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
	CallOffered    CallState = iota // incoming, not answered yet
	CallDialing                     // outgoing, the far end not reached yet
	CallRinging                     // outgoing, the far end rings (180)
	CallEarlyMedia                  // outgoing, the far end sends tones or announcements (183)
	CallActive                      // answered
	CallEnded
)

func (s CallState) String() string {
	return [...]string{"offered", "dialing", "ringing", "early media", "active", "ended"}[s]
}

// A Call is one SIP call of the gateway, incoming or outgoing. An incoming
// call is handed to Config.Incoming, which must Answer or Reject it,
// possibly after Ringing. An outgoing call comes from [UA.Dial].
type Call struct {
	ua       *UA
	Incoming bool
	// From and To are the caller and the callee as the INVITE names them.
	From, To Party
	// Target is the user part of an incoming call's Request-URI: the number
	// a trunk or proxy asks for, which may differ from To. A phone-context
	// is left out: Called has it.
	Target string

	m    *media
	dlg  *dialog
	acct *Account // an outgoing call's account
	// An outgoing call's servers for the INVITE, in order (RFC 3263), and
	// the domain their certificates must name.
	hops      []locate.Target
	hopDomain string

	// An incoming call's INVITE and its transaction.
	invite   *sip.Request
	inviteTx sip.ServerTransaction
	answer   []byte // our SDP for the INVITE: the answer to its offer, or our offer
	// final carries the incoming call's final response from the
	// application to the goroutine holding the INVITE transaction.
	final chan *sip.Response
	// provisional carries 18x responses the same way, keeping their order
	// ahead of the final one.
	provisional chan *sip.Response
	// acks carries the ACKs of our 2xx responses to INVITEs.
	acks chan *sip.Request

	// An outgoing call's dialing: cancel asks the goroutine sending the
	// INVITE to CANCEL it.
	cancel     chan struct{}
	cancelOnce sync.Once
	extra      []sip.Header // more headers for the INVITE: Replaces, Referred-By
	status     int          // the INVITE's final response; 0 without one

	// digits holds the DTMF that came in INFO requests.
	digits chan rtpstream.DigitEvent

	mu     sync.Mutex
	state  CallState
	media  sdpoa.Result
	cause  q850.Cause
	done   chan struct{}
	closed bool
	// offering is true while an offer/answer exchange of a re-INVITE or
	// UPDATE is under way, either way; a second one gets 491.
	offering bool
	// successor is the call that took this one's place by a transfer
	// (REFER) or a Replaces.
	successor *Call
	// referral is the transfer our REFER asked of the peer, while it is
	// under way (Transfer, TransferTo).
	referral *referral
	// timer is the session timer (RFC 4028).
	timer sessionTimers
	// rel is the call's part in reliable provisional responses (RFC 3262).
	rel reliable

	// The gateway role ([MS-OCPSTN]) in an incoming call: the number
	// called and its phone-context; msEarly when the caller takes early
	// media in an unreliable 183; acceptedID, the Content-ID of the part
	// of a multipart offer answered.
	called, calledContext string
	msEarly               bool
	acceptedID            string
}

func newCall(u *UA, m *media) *Call {
	c := &Call{ua: u, m: m, done: make(chan struct{}), acks: make(chan *sip.Request, 4),
		digits: make(chan rtpstream.DigitEvent, 16)}
	u.mu.Lock()
	u.live[c] = struct{}{}
	u.mu.Unlock()
	return c
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

// Successor is the call that took this one's place, once it has ended by
// a transfer (REFER) or been replaced (Replaces); nil otherwise. The line
// carries on with the successor's media.
func (c *Call) Successor() *Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.successor
}

// Digit returns the next DTMF digit event, if any, from RTP (RFC 4733) or
// from INFO requests (application/dtmf-relay). It never blocks.
func (c *Call) Digit() (rtpstream.DigitEvent, bool) {
	select {
	case ev := <-c.digits:
		return ev, true
	default:
		return c.m.stream.Digit()
	}
}

// setState moves the call on to s, never back: a 18x handled after the
// 2xx that followed it (sipgo issue #306) must not undo the answer.
func (c *Call) setState(s CallState) {
	c.mu.Lock()
	if !c.closed && s > c.state {
		c.state = s
	}
	c.mu.Unlock()
}

// setMedia records what an offer/answer exchange settled and points the
// stream at it.
func (c *Call) setMedia(r sdpoa.Result) error {
	if err := c.m.apply(r); err != nil {
		return err
	}
	c.mu.Lock()
	c.media = r
	c.mu.Unlock()
	return nil
}

// end marks the call ended for cause, once, and forgets it.
func (c *Call) end(cause q850.Cause) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed, c.state, c.cause = true, CallEnded, cause
	close(c.done)
	c.mu.Unlock()
	c.m.close()
	c.ua.mu.Lock()
	delete(c.ua.live, c)
	c.ua.mu.Unlock()
	if c.dlg != nil {
		c.ua.dropCall(c.dlg.id(), c)
	}
}

// errCallState is returned for an action the call's state does not allow.
var errCallState = errors.New("sipua: not possible in the call's state")

// Hangup ends the call with cause: an answered call with a BYE, an
// outgoing call still dialing with a CANCEL, an incoming call not yet
// answered with the rejection cause maps to.
func (c *Call) Hangup(ctx context.Context, cause q850.Cause) error {
	switch c.State() {
	case CallOffered:
		return c.Reject(cause)
	case CallDialing, CallRinging, CallEarlyMedia:
		c.mu.Lock()
		if c.cause == 0 {
			c.cause = cause // what end reports once the CANCEL is through
		}
		c.mu.Unlock()
		c.cancelOnce.Do(func() { close(c.cancel) })
		select {
		case <-c.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	case CallActive:
		c.end(cause)
		bye := c.dlg.request(sip.BYE)
		bye.AppendHeader(sip.NewHeader("Reason", cause.Reason().String()))
		res, err := c.dlg.do(ctx, bye)
		if err != nil {
			return err
		}
		if !res.IsSuccess() && res.StatusCode != 481 {
			c.ua.log.Warn("BYE refused", "status", res.StatusCode, "call", c.dlg.callID)
		}
		return nil
	}
	return errCallState
}

// hangup hangs up from one of the UA's own goroutines, with a bound on
// how long the BYE may take: a transaction's 32 s.
func (c *Call) hangup(cause q850.Cause) {
	ctx, cancel := context.WithTimeout(context.Background(), 64*sip.T1)
	defer cancel()
	if err := c.Hangup(ctx, cause); err != nil && !errors.Is(err, errCallState) {
		c.ua.log.Warn("hanging up failed", "err", err)
	}
}

// watchMedia hangs up an answered call whose RTP has stopped coming; the
// clock starts at the answer, as no RTP is owed while the call rings.
func (u *UA) watchMedia(c *Call) {
	c.m.stream.SetInactivityTimeout(u.cfg.RTPTimeout)
	select {
	case <-c.done:
	case <-c.m.stream.Timeout():
		u.log.Warn("no RTP; hanging up", "from", c.From.Number, "to", c.To.Number, "after", u.cfg.RTPTimeout)
		c.hangup(q850.RecoveryOnTimerExpiry)
	}
}

// endCalls ends every call as the UA stops: answered calls with a BYE,
// within the daemon's time to stop.
func (u *UA) endCalls() {
	u.mu.Lock()
	calls := make([]*Call, 0, len(u.live))
	for c := range u.live {
		calls = append(calls, c)
	}
	u.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), unregisterTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() {
			if c.Hangup(ctx, q850.NormalClearing) != nil {
				c.end(q850.NormalClearing)
			}
		})
	}
	wg.Wait()
}

func (u *UA) addCall(id string, c *Call) {
	u.mu.Lock()
	u.calls[id] = c
	u.mu.Unlock()
}

// dropCall forgets the call under id, if it is still c.
func (u *UA) dropCall(id string, c *Call) {
	u.mu.Lock()
	if u.calls[id] == c {
		delete(u.calls, id)
	}
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

// nameUnescaper undoes the quoting sipgo leaves in a display name.
var nameUnescaper = strings.NewReplacer(`\\`, `\`, `\"`, `"`)

// partyOf reads a caller or callee identity; req, when given, supplies
// P-Asserted-Identity and Privacy.
func partyOf(name string, uri sip.Uri, req *sip.Request) Party {
	number, _ := splitPhoneContext(uri.User)
	p := Party{Number: number, Name: nameUnescaper.Replace(name)}
	if req != nil {
		if h := req.GetHeader("P-Asserted-Identity"); h != nil {
			var pai sip.Uri
			var params sip.HeaderParams
			if n, err := sip.ParseAddressValue(h.Value(), &pai, &params); err == nil {
				p.Number, _ = splitPhoneContext(pai.User)
				if n != "" {
					p.Name = nameUnescaper.Replace(n)
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
