package sipua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
)

// Message waiting (RFC 3842): an account with MWI set subscribes to the
// message-summary events of its mailbox (RFC 6665), refreshes the
// subscription before it lapses, subscribes again after a failure or when
// the notifier ends it, and unsubscribes on shutdown. PBXs such as Asterisk
// also send message-summary NOTIFYs without any subscription; those are
// taken from trusted peers. Each mailbox state goes to
// Config.MessageWaiting.

// MessageSummary is a mailbox's state as a message-summary body gives it
// (RFC 3842 §5.2).
type MessageSummary struct {
	Waiting bool // Messages-Waiting: yes
	// New, Old, NewUrgent and OldUrgent count the voice messages (the
	// Voice-Message line); other kinds of message are not counted.
	New, Old, NewUrgent, OldUrgent int
	// Account is the Message-Account, the mailbox's URI, if the notifier
	// names it.
	Account string
}

const (
	eventMWI       = "message-summary"
	contentTypeMWI = "application/simple-message-summary"
	// mwiExpires is the subscription lifetime asked for: RFC 3842 §4.2's
	// default.
	mwiExpires = time.Hour
	// maxSummary bounds a message-summary body: a few lines, however many
	// extension headers a notifier adds.
	maxSummary = 4096
	// maxCount bounds a message count: nine digits.
	maxCount = 999_999_999
)

// parseMessageSummary reads an application/simple-message-summary body.
// Names and values are case-insensitive, and whitespace and bare LF line
// ends are tolerated; lines of message classes this gateway does not count,
// and of extension headers, are skipped.
func parseMessageSummary(body []byte) (MessageSummary, error) {
	var s MessageSummary
	if len(body) > maxSummary {
		return s, fmt.Errorf("longer than %d bytes", maxSummary)
	}
	status, voice := false, false
	for i, line := range strings.Split(string(body), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			if status {
				break // the optional message headers follow: not ours to read
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return s, fmt.Errorf("line %d: not a header line", i+1)
		}
		if !status {
			if !strings.EqualFold(name, "Messages-Waiting") {
				return s, fmt.Errorf("line %d: %s before Messages-Waiting", i+1, name)
			}
			switch strings.ToLower(value) {
			case "yes":
				s.Waiting = true
			case "no":
			default:
				return s, fmt.Errorf("Messages-Waiting %q: want yes or no", value)
			}
			status = true
			continue
		}
		switch strings.ToLower(name) {
		case "messages-waiting":
			return s, errors.New("Messages-Waiting given twice")
		case "message-account":
			if s.Account != "" {
				return s, errors.New("Message-Account given twice")
			}
			if scheme, rest, ok := strings.Cut(value, ":"); !ok || scheme == "" || rest == "" || strings.ContainsAny(value, " \t") {
				return s, fmt.Errorf("Message-Account %q is not a URI", value)
			}
			s.Account = value
		// RFC 3458 §6.2's message-context-class values.
		case "voice-message", "fax-message", "pager-message", "multimedia-message", "text-message", "none":
			c, err := parseCounts(value)
			if err != nil {
				return s, fmt.Errorf("%s: %w", name, err)
			}
			if strings.EqualFold(name, "voice-message") {
				if voice {
					return s, errors.New("Voice-Message given twice")
				}
				voice = true
				s.New, s.Old, s.NewUrgent, s.OldUrgent = c[0], c[1], c[2], c[3]
			}
		}
	}
	if !status {
		return s, errors.New("no Messages-Waiting")
	}
	return s, nil
}

// parseCounts reads "new/old" with an optional "(new-urgent/old-urgent)".
func parseCounts(v string) ([4]int, error) {
	var c [4]int
	all, urgent, hasUrgent := strings.Cut(v, "(")
	var err error
	if c[0], c[1], err = parsePair(all); err != nil {
		return c, err
	}
	if hasUrgent {
		u, ok := strings.CutSuffix(strings.TrimSpace(urgent), ")")
		if !ok {
			return c, fmt.Errorf("%q: no closing parenthesis", v)
		}
		if c[2], c[3], err = parsePair(u); err != nil {
			return c, err
		}
	}
	return c, nil
}

func parsePair(v string) (int, int, error) {
	a, b, ok := strings.Cut(v, "/")
	if !ok {
		return 0, 0, fmt.Errorf("%q: want new/old", strings.TrimSpace(v))
	}
	x, errx := parseCount(a)
	y, erry := parseCount(b)
	if errx != nil || erry != nil {
		return 0, 0, fmt.Errorf("%q: counts are decimal numbers below a billion", strings.TrimSpace(v))
	}
	return x, y, nil
}

func parseCount(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return 0, errors.New("not a count")
	}
	return strconv.Atoi(s)
}

// subscription keeps one account subscribed to its mailbox's
// message-summary events.
type subscription struct {
	ua     *UA
	acct   *Account
	target sip.Uri // the mailbox: the Request-URI of the SUBSCRIBEs
	// kick wakes the subscription's goroutine when a NOTIFY ended the
	// subscription or brought its expiry forward.
	kick chan struct{}

	mu sync.Mutex
	// dlg is the subscription's dialog: set as the SUBSCRIBE that makes
	// it goes out, since a NOTIFY may come before its 2xx (RFC 6665
	// §4.1.2.4); nil while there is none.
	dlg   *dialog
	renew time.Time // when to refresh the subscription, or subscribe again
}

func newSubscription(u *UA, a *Account) *subscription {
	s := &subscription{ua: u, acct: a, target: a.aor(), kick: make(chan struct{}, 1)}
	if a.Mailbox != "" {
		sip.ParseUri(a.Mailbox, &s.target) // checked by Account.check
	}
	return s
}

// subscribeError is a SUBSCRIBE that failed.
type subscribeError struct {
	msg        string
	failover   bool          // the server did not answer, or answered 503: try the next (RFC 3263 §4.3)
	retryAfter time.Duration // from a Retry-After header
}

func (e *subscribeError) Error() string { return e.msg }

// run subscribes, refreshes the subscription before it lapses and
// subscribes again after failures, with back-off, until ctx is done; then
// it unsubscribes.
func (s *subscription) run(ctx context.Context) {
	log := s.ua.log.With("account", s.acct.Name, "mailbox", s.target.String())
	failures := 0
	for {
		granted, err := s.subscribe(ctx)
		if ctx.Err() != nil {
			break
		}
		var wait time.Duration
		if err == nil {
			failures = 0
			wait = refreshAfter(granted)
			log.Info("subscribed to message waiting", "expires", granted, "refresh_in", wait.Round(time.Second))
		} else {
			failures++
			wait = backoff(failures, rand.Float64())
			var se *subscribeError
			if errors.As(err, &se) && se.retryAfter > wait {
				wait = se.retryAfter
			}
			log.Warn("message-waiting subscription failed", "err", err, "retry_in", wait.Round(time.Second))
		}
		s.mu.Lock()
		if err != nil || s.dlg != nil {
			s.renew = time.Now().Add(wait)
		} // else a NOTIFY ended the subscription already, and said when to renew it
		s.mu.Unlock()
		if !s.wait(ctx) {
			break
		}
	}
	s.unsubscribe(log)
}

// wait waits until the subscription is due for renewal, or until ctx is
// done (then it returns false). A NOTIFY may change when that is.
func (s *subscription) wait(ctx context.Context) bool {
	for {
		s.mu.Lock()
		t := time.NewTimer(time.Until(s.renew))
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
			return true
		case <-s.kick:
			t.Stop()
		}
	}
}

// subscribe refreshes the subscription in its dialog, or makes a new one
// when there is none or the refresh failed (RFC 6665 §4.1.2.2 ends the
// subscription on most failures; a new one is the safe way back). It
// returns the lifetime granted.
func (s *subscription) subscribe(ctx context.Context) (time.Duration, error) {
	s.mu.Lock()
	d := s.dlg
	s.mu.Unlock()
	if d != nil {
		granted, err := s.send(ctx, d, func() *sip.Request { return d.request(sip.SUBSCRIBE) }, mwiExpires)
		if err == nil {
			return granted, nil
		}
		if ctx.Err() != nil {
			return 0, err
		}
		s.ua.log.Info("message-waiting refresh failed; subscribing anew", "account", s.acct.Name, "err", err)
		s.setDialog(nil)
	}
	next, routes := s.nextHop()
	ts, err := s.ua.targets(ctx, next)
	if err != nil {
		return 0, &subscribeError{msg: err.Error()}
	}
	for _, t := range ts {
		var granted time.Duration
		granted, err = s.subscribeAt(ctx, t, uriDomain(next), routes)
		var se *subscribeError
		if err == nil || ctx.Err() != nil || !errors.As(err, &se) || !se.failover {
			return granted, err
		}
		s.ua.resolver.MarkFailed(t)
	}
	return 0, err
}

// nextHop is where a new subscription's SUBSCRIBE goes first, and its
// route: the outbound proxy, else the account's proxy or registrar, else
// the mailbox's own domain.
func (s *subscription) nextHop() (sip.Uri, []sip.Uri) {
	a := s.acct
	var next sip.Uri // ParseUri keeps fields the URI it parses lacks
	switch {
	case a.OutboundProxy != "":
		sip.ParseUri(a.OutboundProxy, &next) // checked by Account.check
		next.UriParams = next.UriParams.Clone()
		if next.UriParams == nil {
			next.UriParams = sip.NewParams()
		}
		next.UriParams.Add("lr", "")
		return next, []sip.Uri{next}
	case a.Proxy != "":
		sip.ParseUri(a.Proxy, &next)
	case a.Registrar != "":
		sip.ParseUri(a.Registrar, &next)
	default:
		next = s.target
	}
	return next, nil
}

// subscribeAt starts a subscription with server t, a server of domain.
func (s *subscription) subscribeAt(ctx context.Context, t locate.Target, domain string, routes []sip.Uri) (time.Duration, error) {
	client, local, err := s.ua.hop(t)
	if err != nil {
		return 0, &subscribeError{msg: err.Error()}
	}
	if err := s.ua.connect(ctx, t, domain); err != nil {
		return 0, &subscribeError{msg: fmt.Sprintf("cannot connect to %s: %v", t, err), failover: true}
	}
	d := &dialog{
		client: client, transport: string(t.Transport), laddr: local, callID: sip.GenerateTagN(24),
		local: s.acct.aor(), localTag: sip.GenerateTagN(16), remote: s.target, target: s.target,
		routes: routes, localSeq: rand.Uint32N(1 << 15), cred: &s.acct.Credentials, userAgent: s.ua.cfg.UserAgent,
	}
	s.setDialog(d)
	granted, err := s.send(ctx, d, func() *sip.Request {
		req := d.request(sip.SUBSCRIBE)
		req.RemoveHeader("Via")
		address(req, t, local)
		return req
	}, mwiExpires)
	if err != nil {
		s.setDialog(nil)
	}
	return granted, err
}

// send sends the SUBSCRIBE that build makes in dialog d, asking for
// expires, answering a challenge (dialog.do) and a 423 (with a new request),
// and returns the lifetime granted. A 2xx sets the dialog up, or refreshes
// its target.
func (s *subscription) send(ctx context.Context, d *dialog, build func() *sip.Request, expires time.Duration) (time.Duration, error) {
	for attempt := 0; ; attempt++ {
		req := build()
		req.AppendHeader(sip.NewHeader("Event", eventMWI))
		req.AppendHeader(sip.NewHeader("Accept", contentTypeMWI))
		e := sip.ExpiresHeader(expires / time.Second)
		req.AppendHeader(&e)
		req.AppendHeader(sip.NewHeader("Allow", allowed))
		res, err := d.do(ctx, req)
		if err != nil {
			return 0, &subscribeError{msg: fmt.Sprintf("no answer to SUBSCRIBE: %v", err), failover: true}
		}
		switch {
		case res.IsSuccess():
			established(d, res)
			granted, ok := headerSeconds(res, "Expires")
			if !ok {
				granted = expires // RFC 6665 §4.2.1.1 makes Expires mandatory; some leave it out
			}
			if granted <= 0 && expires > 0 {
				return 0, &subscribeError{msg: "the notifier granted the subscription no time"}
			}
			return granted, nil
		case res.StatusCode == 423 && attempt == 0: // Interval Too Brief
			min, ok := headerSeconds(res, "Min-Expires")
			if !ok || min <= expires {
				return 0, &subscribeError{msg: "423 Interval Too Brief without a usable Min-Expires"}
			}
			expires = min
		default:
			e := &subscribeError{msg: fmt.Sprintf("%d %s", res.StatusCode, res.Reason),
				failover: res.StatusCode == sip.StatusServiceUnavailable}
			e.retryAfter, _ = headerSeconds(res, "Retry-After")
			return 0, e
		}
	}
}

// established takes the 2xx to a SUBSCRIBE in dialog d: the first one, or
// the first NOTIFY, sets the dialog up with the notifier's tag and route
// set (RFC 6665 §4.1.2.4); every one refreshes the target.
func established(d *dialog, res *sip.Response) {
	d.mu.Lock()
	if d.remoteTag == "" {
		d.remoteTag, _ = res.To().Params.Get("tag")
		d.routes = d.routes[:0:0]
		for _, h := range slices.Backward(res.GetHeaders("Record-Route")) {
			if rr, ok := h.(*sip.RecordRouteHeader); ok {
				d.routes = append(d.routes, rr.Address)
			}
		}
	}
	d.mu.Unlock()
	d.refreshTarget(res)
}

// remoteTag is the notifier's tag of dialog d; "" until it is set up.
func remoteTag(d *dialog) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.remoteTag
}

func (s *subscription) setDialog(d *dialog) {
	s.mu.Lock()
	s.dlg = d
	s.mu.Unlock()
}

// unsubscribe ends the subscription (SUBSCRIBE with Expires: 0, RFC 6665
// §4.1.2.3), within the daemon's time to stop. The dialog stays, so that
// the notifier's last NOTIFY is answered.
func (s *subscription) unsubscribe(log *slog.Logger) {
	s.mu.Lock()
	d := s.dlg
	s.mu.Unlock()
	if d == nil || remoteTag(d) == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), unregisterTimeout)
	defer cancel()
	if _, err := s.send(ctx, d, func() *sip.Request { return d.request(sip.SUBSCRIBE) }, 0); err != nil {
		log.Info("unsubscribing from message waiting failed", "err", err)
	}
}

// onSubscriptionNotify takes a NOTIFY outside any call: one in the dialog
// of a message-waiting subscription, or an unsolicited message summary
// from a trusted peer, as Asterisk and FreePBX send to the phones they
// know.
func (u *UA) onSubscriptionNotify(req *sip.Request, tx sip.ServerTransaction) {
	if tag, ok := req.To().Params.Get("tag"); ok {
		u.notifySubscription(req, tx, tag)
		return
	}
	u.trusted(u.notifyUnsolicited)(req, tx)
}

// notifySubscription takes a NOTIFY whose To tag is tag: in the dialog of
// one of the subscriptions, or of none (481).
func (u *UA) notifySubscription(req *sip.Request, tx sip.ServerTransaction, tag string) {
	var s *subscription
	var d *dialog
	for _, sub := range u.subs {
		sub.mu.Lock()
		if sub.dlg != nil && sub.dlg.callID == req.CallID().Value() && sub.dlg.localTag == tag {
			s, d = sub, sub.dlg
		}
		sub.mu.Unlock()
	}
	if s == nil {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Subscription Does Not Exist", nil))
		return
	}
	if res := checkNotify(req); res != nil {
		u.respond(tx, res)
		return
	}
	state, ok := headerValue(req, "Subscription-State")
	if !ok {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Missing Subscription-State", nil))
		return
	}
	from, _ := req.From().Params.Get("tag")
	d.mu.Lock()
	fork := d.remoteTag != "" && d.remoteTag != from
	if d.remoteTag == "" {
		// The NOTIFY came before the SUBSCRIBE's 2xx: it sets the dialog
		// up (RFC 6665 §4.1.2.4), its route set in the order received.
		d.remoteTag = from
		d.routes = d.routes[:0:0]
		for _, h := range req.GetHeaders("Record-Route") {
			if rr, ok := h.(*sip.RecordRouteHeader); ok {
				d.routes = append(d.routes, rr.Address)
			}
		}
	}
	d.mu.Unlock()
	if fork {
		// A second notifier for one SUBSCRIBE (a forked request): the
		// subscription is with the first.
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Subscription Does Not Exist", nil))
		return
	}
	if err := d.admit(req); err != nil {
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error (CSeq out of order)", nil))
		return
	}
	sum, has, err := summaryOf(req)
	if err != nil {
		u.log.Warn("malformed message summary refused", "account", s.acct.Name, "source", req.Source(), "err", err)
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Message Summary: "+err.Error(), nil))
		return
	}
	d.refreshTarget(req)
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	s.stateChanged(state)
	if has {
		u.messageWaiting(s.acct, sum)
	}
}

// notifyUnsolicited takes a message summary sent outside any subscription
// by a trusted peer, for the account whose user it is addressed to, or
// the only account.
func (u *UA) notifyUnsolicited(req *sip.Request, tx sip.ServerTransaction) {
	if res := checkNotify(req); res != nil {
		u.respond(tx, res)
		return
	}
	var acct *Account
	for _, user := range []string{req.Recipient.User, req.To().Address.User} {
		for i := range u.cfg.Accounts {
			if a := &u.cfg.Accounts[i]; acct == nil && user != "" && a.User == user {
				acct = a
			}
		}
	}
	if acct == nil && len(u.cfg.Accounts) == 1 {
		acct = &u.cfg.Accounts[0]
	}
	if acct == nil {
		u.log.Info("message summary for no account", "user", req.Recipient.User, "source", req.Source())
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusNotFound, "No Such Account", nil))
		return
	}
	sum, has, err := summaryOf(req)
	switch {
	case err != nil:
		u.log.Warn("malformed message summary refused", "account", acct.Name, "source", req.Source(), "err", err)
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Message Summary: "+err.Error(), nil))
		return
	case !has:
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Missing Message Summary", nil))
		return
	}
	u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	u.messageWaiting(acct, sum)
}

// checkNotify returns the refusal of a NOTIFY that is not of the
// message-summary package, or has a body of another type; nil if it is
// fine.
func checkNotify(req *sip.Request) *sip.Response {
	event, ok := headerValue(req, "Event")
	if !ok {
		event, ok = headerValue(req, "o") // the compact form
	}
	if !ok {
		return sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Missing Event", nil)
	}
	if pkg, _, _ := strings.Cut(event, ";"); !strings.EqualFold(strings.TrimSpace(pkg), eventMWI) {
		return sip.NewResponseFromRequest(req, 489, "Bad Event", nil)
	}
	if ct := req.ContentType(); len(req.Body()) > 0 && ct != nil {
		if mt, _, _ := strings.Cut(ct.Value(), ";"); !strings.EqualFold(strings.TrimSpace(mt), contentTypeMWI) {
			res := sip.NewResponseFromRequest(req, sip.StatusUnsupportedMediaType, "Unsupported Media Type", nil)
			res.AppendHeader(sip.NewHeader("Accept", contentTypeMWI))
			return res
		}
	}
	return nil
}

// summaryOf reads the message summary a NOTIFY carries; has is false when
// it carries none, as the last NOTIFY of a subscription may not.
func summaryOf(req *sip.Request) (s MessageSummary, has bool, err error) {
	if len(req.Body()) == 0 {
		return s, false, nil
	}
	s, err = parseMessageSummary(req.Body())
	return s, err == nil, err
}

// messageWaiting hands the state of acct's mailbox to the application.
func (u *UA) messageWaiting(acct *Account, s MessageSummary) {
	u.log.Info("message waiting", "account", acct.Name, "waiting", s.Waiting, "new", s.New, "old", s.Old)
	if f := u.cfg.MessageWaiting; f != nil {
		f(acct.Name, s)
	}
}

// stateChanged follows the Subscription-State a NOTIFY gave (RFC 6665
// §4.1.3): an expiry sooner than planned brings the refresh forward, and
// the end of the subscription has the goroutine subscribe again, at once
// when the notifier merely timed it out or moved it, after its
// retry-after or a back-off otherwise.
func (s *subscription) stateChanged(v string) {
	state, params, _ := strings.Cut(v, ";")
	var expires, retry time.Duration
	reason := ""
	for p := range strings.SplitSeq(params, ";") {
		k, val, _ := strings.Cut(p, "=")
		n, err := strconv.Atoi(strings.TrimSpace(val))
		switch k = strings.ToLower(strings.TrimSpace(k)); {
		case k == "reason":
			reason = strings.ToLower(strings.TrimSpace(val))
		case k == "expires" && err == nil && n >= 0:
			expires = time.Duration(n) * time.Second
		case k == "retry-after" && err == nil && n >= 0:
			retry = time.Duration(n) * time.Second
		}
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch strings.ToLower(strings.TrimSpace(state)) {
	case "active", "pending":
		if expires == 0 {
			return
		}
		if at := now.Add(refreshAfter(expires)); at.Before(s.renew) {
			s.renew = at
		}
	case "terminated":
		s.dlg = nil
		switch reason {
		case "", "deactivated", "timeout":
			s.renew = now.Add(retry)
		default: // probation, giveup, rejected, noresource, invariant
			s.renew = now.Add(max(retry, backoffMax))
		}
		s.ua.log.Info("message-waiting subscription ended by the notifier", "account", s.acct.Name, "reason", reason, "retry_in", s.renew.Sub(now).Round(time.Second))
	default:
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
