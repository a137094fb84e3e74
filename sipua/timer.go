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

// Session timers (RFC 4028): one end of a call refreshes the session every
// so often with an UPDATE or re-INVITE, and the other hangs up once the
// refreshes stop. A call whose peer vanished without a BYE, or whose BYE
// was lost, then frees its line instead of holding it for good.

const (
	// minSE is the shortest session interval the gateway takes: the floor
	// of RFC 4028 §4, which is also the Min-SE assumed when a request
	// names none (§5). A peer asking less gets 422.
	minSE = 90 * time.Second
	// sessionInterval is what our INVITEs ask for, the value §4
	// recommends.
	sessionInterval = 1800 * time.Second
	// statusIntervalTooSmall refuses a Session-Expires below our minimum
	// (§6).
	statusIntervalTooSmall = 422
)

// A clock tells the time and runs functions later. Session timers and the
// retransmissions of reliable provisional responses run on callClock,
// which tests replace so as to move time on instead of waiting minutes.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

var callClock clock = systemClock{}

// sessionTimer is what the dialog has settled of the session timer.
type sessionTimer struct {
	interval  time.Duration // the session interval; 0 when there is no timer
	refresher bool          // we refresh the session; otherwise the peer does
	// peerTimer is true when the peer's last request said it supports
	// timers: our 2xx then Require them (§9).
	peerTimer bool
	// minSE is the floor of the interval: ours, or higher where the peer
	// or a 422 said so.
	minSE time.Duration
	// peerUpdate is true when the peer allows UPDATE, the lighter
	// refresh: it carries no SDP.
	peerUpdate bool
}

// sessionTimers is a call's session timer: what is settled and the timers
// that run it. Call.mu guards it.
type sessionTimers struct {
	sessionTimer
	runs     int            // counts the starts: a timer of an earlier one does nothing
	stops    [2]func() bool // the refresh and the expiry
	watching bool           // a goroutine stops the timers when the call ends
}

// errIntervalTooSmall is a Session-Expires below minSE.
var errIntervalTooSmall = errors.New("session interval too small")

// answerTimer applies RFC 4028 §9 to req, a request of the peer's that can
// refresh the session (the INVITE, a re-INVITE, an UPDATE), cur being what
// the dialog has settled so far. It returns what our 2xx to req settles.
func answerTimer(cur sessionTimer, req *sip.Request) (sessionTimer, error) {
	asked, who, hasSE, err := sessionExpires(req)
	if err != nil {
		return cur, err
	}
	theirMin, _, err := minSEOf(req)
	if err != nil {
		return cur, err
	}
	t := cur
	t.peerTimer = hasOptionTag(req, "timer", "Supported", "Require")
	if allow, ok := allows(req, sip.UPDATE); ok {
		t.peerUpdate = allow
	}
	t.minSE = max(t.minSE, minSE, theirMin)
	switch {
	case hasSE && asked < minSE:
		return cur, errIntervalTooSmall
	case hasSE:
		// Whoever the peer names refreshes; a peer that does not support
		// timers cannot, whatever a proxy on the way asked for.
		t.interval = asked
		t.refresher = !t.peerTimer || who == "uas"
	case cur.interval > 0:
		// The peer does not say: the timer runs on as it was.
		t.interval = max(cur.interval, t.minSE)
		t.refresher = cur.refresher || !t.peerTimer
	case t.peerTimer:
		// The peer supports timers but asks for none: we ask, and it
		// refreshes.
		t.interval = max(sessionInterval, t.minSE)
		t.refresher = false
	default:
		t.interval = 0
	}
	return t, nil
}

// answeredTimer applies RFC 4028 §7.2 to res, a 2xx to our INVITE,
// re-INVITE or UPDATE: its Session-Expires says the interval and who
// refreshes; without one there is no timer.
func answeredTimer(cur sessionTimer, res *sip.Response) (sessionTimer, error) {
	t := cur
	t.peerTimer = hasOptionTag(res, "timer", "Supported", "Require")
	if allow, ok := allows(res, sip.UPDATE); ok {
		t.peerUpdate = allow
	}
	interval, who, ok, err := sessionExpires(res)
	if err != nil || !ok {
		t.interval = 0
		return t, err
	}
	t.interval = interval
	// The UAS must name the refresher; one that does not leaves it to us,
	// as refreshing too often harms less than hanging up.
	t.refresher = who != "uas"
	return t, nil
}

// timerOf applies §9 to req from the peer, and returns what our 2xx will
// settle, or the response refusing req: 422 with our Min-SE, or 400 for a
// header it cannot read.
func (c *Call) timerOf(req *sip.Request) (sessionTimer, *sip.Response) {
	c.mu.Lock()
	cur := c.timer.sessionTimer
	c.mu.Unlock()
	t, err := answerTimer(cur, req)
	if err == nil {
		return t, nil
	}
	code := sip.StatusBadRequest
	if errors.Is(err, errIntervalTooSmall) {
		code = statusIntervalTooSmall
	}
	res := sip.NewResponseFromRequest(req, code, q850.StatusText(code), nil)
	if _, ok := res.To().Params.Get("tag"); !ok {
		res.To().Params.Add("tag", c.dlg.localTag)
	}
	if code == statusIntervalTooSmall {
		res.AppendHeader(sip.NewHeader("Min-SE", seconds(minSE)))
	} else {
		res.Reason = "Bad Request (" + err.Error() + ")"
	}
	c.ua.log.Info("refused the session interval", "method", req.Method.String(), "status", code, "err", err)
	return t, res
}

// settleTimer makes t the call's timer as our 2xx res to the peer's
// request goes out: res says so, and an answered call's timer starts over
// (§10).
func (c *Call) settleTimer(t sessionTimer, res *sip.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer.sessionTimer = t
	addTimerHeaders(t, res)
	if c.state == CallActive {
		c.startTimer()
	}
}

// addTimerHeaders puts in our 2xx what it settles: Session-Expires naming
// the refresher in the roles of its transaction, and Require: timer when
// the peer supports timers (§9).
func addTimerHeaders(t sessionTimer, res *sip.Response) {
	res.AppendHeader(sip.NewHeader("Supported", supported))
	if t.interval == 0 {
		return
	}
	who := "uac"
	if t.refresher {
		who = "uas"
	}
	res.AppendHeader(sip.NewHeader("Session-Expires", seconds(t.interval)+";refresher="+who))
	if t.peerTimer {
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
}

// answerHeaders puts in the 2xx to the call's INVITE what the INVITE
// settled.
func (c *Call) answerHeaders(res *sip.Response) {
	c.mu.Lock()
	t := c.timer.sessionTimer
	c.mu.Unlock()
	addTimerHeaders(t, res)
	c.ua.bypassSupported(res)
}

// inviteHeaders puts in our INVITE that we support timers and the interval
// we ask for, leaving the choice of refresher to the peer (§7.1). A 422
// may have raised the interval.
func (c *Call) inviteHeaders(req *sip.Request) {
	c.mu.Lock()
	floor := max(c.timer.minSE, minSE)
	c.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Supported", supported))
	c.ua.bypassSupported(req)
	req.AppendHeader(sip.NewHeader("Session-Expires", seconds(max(sessionInterval, floor))))
	req.AppendHeader(sip.NewHeader("Min-SE", seconds(floor)))
}

// refreshHeaders puts in our re-INVITE or UPDATE the timer running, which
// the request refreshes (§7.4): the interval, and who refreshes in the
// roles of its transaction.
func (c *Call) refreshHeaders(req *sip.Request) {
	c.mu.Lock()
	t := c.timer.sessionTimer
	c.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Supported", supported))
	c.ua.bypassSupported(req)
	if t.interval == 0 {
		return
	}
	who := "uas"
	if t.refresher {
		who = "uac"
	}
	req.AppendHeader(sip.NewHeader("Session-Expires", seconds(t.interval)+";refresher="+who))
	req.AppendHeader(sip.NewHeader("Min-SE", seconds(max(t.minSE, minSE))))
}

// timerAnswered takes a final response to our INVITE, re-INVITE or
// UPDATE: a 2xx settles the timer and starts it over (§7.2); a 422 raises
// the interval to its Min-SE (§7.4), and timerAnswered reports whether a
// new attempt may now succeed.
func (c *Call) timerAnswered(res *sip.Response) (retry bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &c.timer
	switch {
	case res.StatusCode == statusIntervalTooSmall:
		// Each retry must raise the floor, so that a peer repeating
		// itself cannot keep us retrying.
		m, ok, err := minSEOf(res)
		if err != nil || !ok || m <= max(t.minSE, minSE) {
			return false
		}
		t.minSE = m
		if t.interval > 0 {
			t.interval = max(t.interval, m)
		}
		return true
	case res.IsSuccess():
		settled, err := answeredTimer(t.sessionTimer, res)
		if err != nil {
			c.ua.log.Warn("Session-Expires of the answer unreadable; no session timer", "err", err)
		}
		t.sessionTimer = settled
		if c.state == CallActive {
			c.startTimer()
		}
	}
	return false
}

// runTimer starts the session timer of a call just set up.
func (c *Call) runTimer() {
	c.mu.Lock()
	c.startTimer()
	c.mu.Unlock()
}

// startTimer starts the session timer over from now (§10): the refresher
// refreshes at half the interval, and either end gives the session up
// when it expires less the smaller of 32 s and a third of the interval,
// a refresh that failed included. c.mu is held.
func (c *Call) startTimer() {
	t := &c.timer
	t.stop()
	t.runs++
	if t.interval == 0 || c.closed {
		return
	}
	run, interval := t.runs, t.interval
	if t.refresher {
		t.stops[0] = callClock.AfterFunc(t.interval/2, func() {
			if c.timerRuns(run) {
				c.refreshSession()
			}
		})
	}
	t.stops[1] = callClock.AfterFunc(t.interval-min(32*time.Second, t.interval/3), func() {
		if c.timerRuns(run) {
			c.ua.log.Warn("session expired without a refresh; hanging up", "from", c.From.Number, "to", c.To.Number,
				"interval", interval)
			c.hangup(q850.RecoveryOnTimerExpiry)
		}
	})
	if !t.watching {
		t.watching = true
		go func() {
			<-c.done
			c.mu.Lock()
			c.timer.stop()
			c.mu.Unlock()
		}()
	}
}

// stop stops the timers; Call.mu is held.
func (t *sessionTimers) stop() {
	for i, stop := range t.stops {
		if stop != nil {
			stop()
			t.stops[i] = nil
		}
	}
}

// timerRuns reports whether the timer started as run is still the call's.
func (c *Call) timerRuns(run int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.timer.runs == run && !c.closed
}

// refreshSession refreshes the session (§7.4): with an UPDATE without a
// body where the peer allows it, else with a re-INVITE offering the
// session unchanged. A refresh that fails leaves the expiry to end the
// call, unless the dialog is gone.
func (c *Call) refreshSession() {
	ctx, cancel := context.WithTimeout(context.Background(), 64*sip.T1)
	defer cancel()
	c.mu.Lock()
	update := c.timer.peerUpdate
	c.mu.Unlock()
	var err error
	if update {
		err = c.updateSession(ctx)
	} else {
		err = c.reinvite(ctx)
	}
	if err != nil {
		c.ua.log.Warn("session refresh failed", "err", err, "call", c.dlg.callID)
	}
}

// updateSession refreshes the session with an UPDATE without a body (RFC
// 3311 §5.1), once more after a 422.
func (c *Call) updateSession(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		req := c.dlg.request(sip.UPDATE)
		c.refreshHeaders(req)
		res, err := c.dlg.do(ctx, req)
		if err != nil {
			// §10: a refresh without a response ends the session.
			c.hangup(q850.RecoveryOnTimerExpiry)
			return fmt.Errorf("sipua: UPDATE: %w", err)
		}
		retry := c.timerAnswered(res)
		switch {
		case res.IsSuccess():
			c.dlg.refreshTarget(res)
			return nil
		case retry && attempt == 0:
			continue
		case res.StatusCode == sip.StatusCallTransactionDoesNotExists || res.StatusCode == sip.StatusRequestTimeout:
			c.hangup(q850.RecoveryOnTimerExpiry)
		}
		return fmt.Errorf("sipua: UPDATE refused: %d %s", res.StatusCode, q850.StatusText(res.StatusCode))
	}
}

// sessionExpires reads m's Session-Expires header, or its compact form x
// (RFC 4028 §4): the interval, and the refresher, "uac", "uas" or "" when
// not named. ok is false without the header.
func sessionExpires(m headerLister) (interval time.Duration, refresher string, ok bool, err error) {
	v, ok := headerValue(m, "Session-Expires")
	if !ok {
		return 0, "", false, nil
	}
	n, params, _ := strings.Cut(v, ";")
	if interval, err = deltaSeconds(n); err != nil {
		return 0, "", true, fmt.Errorf("Session-Expires %q: %w", v, err)
	}
	for p := range strings.SplitSeq(params, ";") {
		k, val, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(val))
			if refresher != "uac" && refresher != "uas" {
				return 0, "", true, fmt.Errorf("Session-Expires %q: refresher is neither uac nor uas", v)
			}
		}
	}
	return interval, refresher, true, nil
}

// minSEOf reads m's Min-SE header (RFC 4028 §5); ok is false without one.
func minSEOf(m headerLister) (d time.Duration, ok bool, err error) {
	v, ok := headerValue(m, "Min-SE")
	if !ok {
		return 0, false, nil
	}
	n, _, _ := strings.Cut(v, ";")
	if d, err = deltaSeconds(n); err != nil {
		return 0, true, fmt.Errorf("Min-SE %q: %w", v, err)
	}
	return d, true, nil
}

// deltaSeconds reads a count of seconds (RFC 3261 §25.1: up to 2^32-1).
func deltaSeconds(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not a number of seconds")
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("too many seconds")
	}
	return time.Duration(n) * time.Second, nil
}

func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
