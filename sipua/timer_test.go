package sipua

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

// fakeClock is the calls' clock in this package's tests: it moves only
// when a test advances it, so that a 30-minute session interval or 64*T1
// of retransmissions take no time at all.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at time.Time
	f  func()
}

var fake = &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}

// Set before any test runs, so no call ever sees another clock.
func init() { callClock = fake }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.timers, t)
		if i < 0 {
			return false
		}
		c.timers = slices.Delete(c.timers, i, i+1)
		return true
	}
}

// advance moves the clock on by d and runs what falls due, each on a
// goroutine of its own as time.AfterFunc does. It returns how many ran.
func (c *fakeClock) advance(d time.Duration) int {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool {
		if t.at.After(c.now) {
			return false
		}
		due = append(due, t)
		return true
	})
	c.mu.Unlock()
	for _, t := range due {
		go t.f()
	}
	return len(due)
}

// pending lists how long until each timer falls due.
func (c *fakeClock) pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ds []time.Duration
	for _, t := range c.timers {
		ds = append(ds, t.at.Sub(c.now))
	}
	return ds
}

// await waits until a timer falls due in d, one that a call sets on a
// goroutine of its own.
func (c *fakeClock) await(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(c.pending(), d) {
		if time.Now().After(deadline) {
			t.Fatalf("no timer due in %v; pending %v", d, c.pending())
		}
		time.Sleep(time.Millisecond)
	}
}

// caller calls the UA under test by hand, so that a test sees every
// response and writes the requests of the dialog itself.
type caller struct {
	t      *testing.T
	p      *phone
	invite *sip.Request
	tx     sip.ClientTransaction
	seq    uint32
}

func newCaller(t *testing.T, p *phone, body []byte, headers ...sip.Header) *caller {
	t.Helper()
	req := sip.NewRequest(sip.INVITE, p.target)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "2002", Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(sip.HeaderClone(&p.dua.ContactHDR))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	for _, h := range headers {
		req.AppendHeader(h)
	}
	if body != nil {
		req.SetBody(body)
		req.AppendHeader(contentTypeSDP())
	}
	tx, err := p.dua.Client.TransactionRequest(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tx.Terminate)
	return &caller{t: t, p: p, invite: req, tx: tx, seq: 1}
}

// next returns the next response to the INVITE but 100 Trying.
func (c *caller) next() *sip.Response {
	c.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case res := <-c.tx.Responses():
			if res.StatusCode == sip.StatusTrying {
				continue
			}
			return res
		case <-timeout:
			c.t.Fatal("no response to the INVITE")
			return nil
		}
	}
}

// request builds a request of the caller's in the dialog res set up.
func (c *caller) request(method sip.RequestMethod, res *sip.Response, body []byte, headers ...sip.Header) *sip.Request {
	req := sip.NewRequest(method, res.Contact().Address)
	req.AppendHeader(sip.HeaderClone(c.invite.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(c.invite.CallID()))
	seq := c.invite.CSeq().SeqNo
	if method != sip.ACK {
		c.seq++
		seq = c.seq
	}
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	req.AppendHeader(sip.HeaderClone(&c.p.dua.ContactHDR))
	for _, h := range headers {
		req.AppendHeader(h)
	}
	if body != nil {
		req.SetBody(body)
		req.AppendHeader(contentTypeSDP())
	}
	return req
}

// do sends a request of the dialog and returns its final response.
func (c *caller) do(req *sip.Request) *sip.Response {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := c.p.dua.Client.Do(ctx, req)
	if err != nil {
		c.t.Fatalf("%s: %v", req.Method, err)
	}
	return res
}

// ack acknowledges the 2xx res to the INVITE.
func (c *caller) ack(res *sip.Response, body []byte) {
	c.t.Helper()
	if err := c.p.dua.Client.WriteRequest(c.request(sip.ACK, res, body)); err != nil {
		c.t.Fatal(err)
	}
}

func header(m headerLister, name string) string {
	v, _ := headerValue(m, name)
	return v
}

func TestAnswerTimer(t *testing.T) {
	running := sessionTimer{interval: 600 * time.Second, refresher: true, minSE: minSE}
	for _, tc := range []struct {
		name    string
		cur     sessionTimer
		headers []string // name: value
		want    sessionTimer
		err     error
	}{
		{name: "no timer", want: sessionTimer{minSE: minSE}},
		{name: "asked, refresher left to us", headers: []string{"Supported: timer", "Session-Expires: 1800"},
			want: sessionTimer{interval: 1800 * time.Second, peerTimer: true, minSE: minSE}},
		{name: "peer names us", headers: []string{"Supported: 100rel, timer", "Session-Expires: 300;refresher=uas"},
			want: sessionTimer{interval: 300 * time.Second, refresher: true, peerTimer: true, minSE: minSE}},
		{name: "peer names itself", headers: []string{"Require: timer", "Session-Expires: 90; refresher=UAC", "Min-SE: 90"},
			want: sessionTimer{interval: 90 * time.Second, peerTimer: true, minSE: minSE}},
		{name: "a proxy asked for a peer without timers", headers: []string{"Session-Expires: 1800;refresher=uac"},
			want: sessionTimer{interval: 1800 * time.Second, refresher: true, minSE: minSE}},
		{name: "supported, not asked", headers: []string{"Supported: timer"},
			want: sessionTimer{interval: sessionInterval, peerTimer: true, minSE: minSE}},
		{name: "supported, not asked, high Min-SE", headers: []string{"k: timer", "Min-SE: 2400"},
			want: sessionTimer{interval: 2400 * time.Second, peerTimer: true, minSE: 2400 * time.Second}},
		{name: "compact forms", headers: []string{"k: timer", "x: 600"},
			want: sessionTimer{interval: 600 * time.Second, peerTimer: true, minSE: minSE}},
		{name: "UPDATE allowed", headers: []string{"Allow: INVITE, ACK, UPDATE"}, want: sessionTimer{minSE: minSE, peerUpdate: true}},
		{name: "refresh without Session-Expires keeps the timer", cur: running,
			want: running},
		{name: "refresh by a peer that now refreshes", cur: running, headers: []string{"Supported: timer", "Session-Expires: 600;refresher=uac"},
			want: sessionTimer{interval: 600 * time.Second, peerTimer: true, minSE: minSE}},
		{name: "too short", headers: []string{"Session-Expires: 60"}, err: errIntervalTooSmall},
		{name: "zero", headers: []string{"Session-Expires: 0"}, err: errIntervalTooSmall},
		{name: "not a number", headers: []string{"Session-Expires: soon"}, err: errors.New("any")},
		{name: "negative", headers: []string{"Session-Expires: -1800"}, err: errors.New("any")},
		{name: "too many seconds", headers: []string{"Session-Expires: 99999999999"}, err: errors.New("any")},
		{name: "unknown refresher", headers: []string{"Session-Expires: 1800;refresher=proxy"}, err: errors.New("any")},
		{name: "bad Min-SE", headers: []string{"Supported: timer", "Min-SE: ninety"}, err: errors.New("any")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "gw.example"})
			for _, h := range tc.headers {
				k, v, _ := strings.Cut(h, ":")
				req.AppendHeader(sip.NewHeader(k, strings.TrimSpace(v)))
			}
			got, err := answerTimer(tc.cur, req)
			switch {
			case tc.err == nil && err != nil:
				t.Fatalf("error %v", err)
			case tc.err != nil && err == nil:
				t.Fatalf("no error; settled %+v", got)
			case errors.Is(tc.err, errIntervalTooSmall) && !errors.Is(err, errIntervalTooSmall):
				t.Fatalf("error %v, want %v", err, tc.err)
			case tc.err == nil && got != tc.want:
				t.Errorf("settled %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAnsweredTimer(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   sessionTimer
		err    bool
	}{
		{"90;refresher=uac", sessionTimer{interval: 90 * time.Second, refresher: true}, false},
		{"1800;refresher=uas", sessionTimer{interval: 1800 * time.Second}, false},
		{"1800", sessionTimer{interval: 1800 * time.Second, refresher: true}, false},
		{"", sessionTimer{}, false},
		{"ninety;refresher=uac", sessionTimer{}, true},
	} {
		res := sip.NewResponseFromRequest(sip.NewRequest(sip.INVITE, sip.Uri{Host: "x"}), 200, "OK", nil)
		if tc.header != "" {
			res.AppendHeader(sip.NewHeader("Session-Expires", tc.header))
		}
		got, err := answeredTimer(sessionTimer{interval: 600 * time.Second}, res)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("Session-Expires %q: settled %+v, %v; want %+v", tc.header, got, err, tc.want)
		}
	}
}

// An incoming call whose caller asks for a timer and refreshes it: the
// gateway hangs up once the refreshes stop.
func TestIncomingSessionTimer(t *testing.T) {
	u, calls := incoming(t)
	p := newPhone(t, u)
	cl := newCaller(t, p, offer("0"), sip.NewHeader("Supported", "timer"), sip.NewHeader("Session-Expires", "90"),
		sip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL"))
	c := nextCall(t, calls)
	go c.Answer()
	res := cl.next()
	if res.StatusCode != 200 {
		t.Fatalf("INVITE: %d", res.StatusCode)
	}
	if se := header(res, "Session-Expires"); se != "90;refresher=uac" {
		t.Errorf("Session-Expires %q, want 90;refresher=uac: the caller asked and supports timers", se)
	}
	if !hasOptionTag(res, "timer", "Require") || !hasOptionTag(res, "100rel", "Supported") {
		t.Errorf("2xx Require %q, Supported %q", header(res, "Require"), header(res, "Supported"))
	}
	cl.ack(res, nil)
	// The caller refreshes: the timer starts over. 90 s less 30 s is when
	// the gateway gives up.
	fake.await(t, 60*time.Second)
	if n := fake.advance(59 * time.Second); n != 0 {
		t.Fatalf("%d timers ran a second before the session expires", n)
	}
	up := cl.do(cl.request(sip.UPDATE, res, nil, sip.NewHeader("Supported", "timer"), sip.NewHeader("Session-Expires", "120;refresher=uac")))
	if up.StatusCode != 200 || header(up, "Session-Expires") != "120;refresher=uac" || !hasOptionTag(up, "timer", "Require") {
		t.Fatalf("refresh: %d, Session-Expires %q", up.StatusCode, header(up, "Session-Expires"))
	}
	fake.await(t, 88*time.Second) // 120 s less 32 s
	if slices.Contains(fake.pending(), time.Second) {
		t.Error("the expiry before the refresh is still set")
	}
	// Then nothing: the gateway hangs up with cause 102.
	fake.advance(88 * time.Second)
	select {
	case bye := <-p.byes:
		if r := bye.GetHeader("Reason"); r == nil || !strings.Contains(r.Value(), "cause=102") {
			t.Errorf("BYE Reason %v, want Q.850 cause 102", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no BYE once the session expired")
	}
	wait(t, c.Done(), "end of the expired call")
	if c.Cause() != q850.RecoveryOnTimerExpiry {
		t.Errorf("cause %v", c.Cause())
	}
}

func TestIncomingSessionIntervalTooSmall(t *testing.T) {
	u, calls := incoming(t)
	p := newPhone(t, u)
	cl := newCaller(t, p, offer("0"), sip.NewHeader("Supported", "timer"), sip.NewHeader("Session-Expires", "60"))
	res := cl.next()
	if res.StatusCode != 422 || header(res, "Min-SE") != "90" {
		t.Fatalf("INVITE asking 60 s: %d, Min-SE %q; want 422 and 90", res.StatusCode, header(res, "Min-SE"))
	}
	if len(calls) != 0 {
		t.Error("the call was offered")
	}
}

// farAnswer has the far end answer the gateway's call with a 2xx carrying
// headers.
func farAnswer(t *testing.T, f *farEnd, c *Call, headers ...sip.Header) *farCall {
	t.Helper()
	in := f.nextInvite()
	f.respond(in, 200, "far", offer("0"), headers...)
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	return &farCall{f: f, invite: in.req, tag: "far", seq: 100}
}

func TestOutgoingSessionTimerRefreshedByUpdate(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	if se, min := header(in.req, "Session-Expires"), header(in.req, "Min-SE"); se != "1800" || min != "90" {
		t.Errorf("INVITE Session-Expires %q, Min-SE %q; want 1800, no refresher, and 90", se, min)
	}
	for _, tag := range []string{"timer", "100rel"} {
		if !hasOptionTag(in.req, tag, "Supported") {
			t.Errorf("INVITE Supported %q lacks %s", header(in.req, "Supported"), tag)
		}
	}
	f.respond(in, 200, "far", offer("0"), sip.NewHeader("Session-Expires", "90;refresher=uac"),
		sip.NewHeader("Require", "timer"), sip.NewHeader("Allow", "INVITE, ACK, BYE, UPDATE"))
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	for round := range 2 {
		fake.await(t, 45*time.Second)
		fake.advance(45 * time.Second)
		var up inbound
		select {
		case up = <-f.others:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: no refresh at half the interval", round)
		}
		if up.req.Method != sip.UPDATE || len(up.req.Body()) != 0 {
			t.Fatalf("refresh %s with %d bytes of body, want an UPDATE without", up.req.Method, len(up.req.Body()))
		}
		if se := header(up.req, "Session-Expires"); se != "90;refresher=uac" || header(up.req, "Min-SE") != "90" {
			t.Errorf("UPDATE Session-Expires %q, Min-SE %q", se, header(up.req, "Min-SE"))
		}
		f.respond(up, 200, "", nil, sip.NewHeader("Session-Expires", "90;refresher=uac"), sip.NewHeader("Require", "timer"))
	}
	fake.await(t, 45*time.Second)
	if slices.Contains(fake.pending(), 15*time.Second) {
		t.Error("the expiry before the refresh is still set")
	}
	if c.State() != CallActive {
		t.Errorf("call %v after refreshes", c.State())
	}
	c.Hangup(context.Background(), q850.NormalClearing)
	f.next(f.byes, "BYE")
}

func TestOutgoingSessionTimerRefreshedByReinvite(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	in := f.nextInvite()
	f.respond(in, 200, "far", offer("0"), sip.NewHeader("Session-Expires", "120;refresher=uac"),
		sip.NewHeader("Allow", "INVITE, ACK, BYE"))
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	fake.await(t, 60*time.Second)
	fake.advance(60 * time.Second)
	re := f.nextInvite()
	if tag, _ := re.req.To().Params.Get("tag"); tag != "far" {
		t.Fatalf("refresh re-INVITE To tag %q", tag)
	}
	// The session offered again, unchanged: same origin and version.
	origin := func(sdp []byte) string {
		for l := range strings.Lines(string(sdp)) {
			if strings.HasPrefix(l, "o=") {
				return l
			}
		}
		return ""
	}
	if origin(re.req.Body()) != origin(in.req.Body()) || !strings.Contains(string(re.req.Body()), "a=sendrecv") {
		t.Errorf("refresh offer:\n%s\nfirst offer:\n%s", re.req.Body(), in.req.Body())
	}
	if se := header(re.req, "Session-Expires"); se != "120;refresher=uac" {
		t.Errorf("re-INVITE Session-Expires %q", se)
	}
	f.respond(re, 200, "", offer("0"), sip.NewHeader("Session-Expires", "120;refresher=uac"))
	f.next(f.acks, "ACK of the refresh")
	fake.await(t, 60*time.Second)
	c.Hangup(context.Background(), q850.NormalClearing)
	f.next(f.byes, "BYE")
}

// The far end refreshes, by re-INVITE, then stops: the gateway hangs up.
func TestOutgoingSessionExpires(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := farAnswer(t, f, c, sip.NewHeader("Session-Expires", "300;refresher=uas"), sip.NewHeader("Require", "timer"))
	fake.await(t, 268*time.Second) // 300 s less 32 s
	if slices.Contains(fake.pending(), 150*time.Second) {
		t.Error("the gateway set a refresh: the far end refreshes")
	}
	fake.advance(200 * time.Second)
	req := fc.request(sip.INVITE, offer("0"), "application/sdp")
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	req.AppendHeader(sip.NewHeader("Session-Expires", "300;refresher=uac"))
	res := fc.do(t, req)
	if res.StatusCode != 200 || header(res, "Session-Expires") != "300;refresher=uac" || !hasOptionTag(res, "timer", "Require") {
		t.Fatalf("refresh: %d, Session-Expires %q, Require %q", res.StatusCode, header(res, "Session-Expires"), header(res, "Require"))
	}
	fc.ack(t, req, res, nil)
	fake.await(t, 268*time.Second)
	fake.advance(268 * time.Second)
	bye := f.next(f.byes, "BYE once the session expired")
	if r := bye.GetHeader("Reason"); r == nil || !strings.Contains(r.Value(), "cause=102") {
		t.Errorf("BYE Reason %v, want Q.850 cause 102", r)
	}
	wait(t, c.Done(), "end of the call")
}

func TestOutgoingSessionIntervalTooSmall(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	first := f.nextInvite()
	f.respond(first, 422, "x", nil, sip.NewHeader("Min-SE", "3600"))
	second := f.nextInvite()
	if se, min := header(second.req, "Session-Expires"), header(second.req, "Min-SE"); se != "3600" || min != "3600" {
		t.Errorf("INVITE after 422: Session-Expires %q, Min-SE %q; want both 3600", se, min)
	}
	if second.req.CSeq().SeqNo <= first.req.CSeq().SeqNo || second.req.CallID().Value() != first.req.CallID().Value() {
		t.Error("the INVITE after 422 must keep the Call-ID and take the next CSeq")
	}
	// A 2xx without Session-Expires: no timer (RFC 4028 §7.2).
	f.respond(second, 200, "far", offer("0"))
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	c.mu.Lock()
	timer := c.timer.sessionTimer
	c.mu.Unlock()
	if timer.interval != 0 {
		t.Errorf("timer %+v after a 2xx without Session-Expires", timer)
	}
	c.Hangup(context.Background(), q850.NormalClearing)
	f.next(f.byes, "BYE")

	// A second 422 that asks no more ends the call.
	c, _ = u.Dial("line1", "100", Party{})
	f.respond(f.nextInvite(), 422, "x", nil, sip.NewHeader("Min-SE", "3600"))
	f.respond(f.nextInvite(), 422, "x", nil, sip.NewHeader("Min-SE", "3600"))
	wait(t, c.Done(), "end of the call refused twice")
}

func FuzzSessionExpires(f *testing.F) {
	for _, s := range []string{"1800", "90;refresher=uac", "600 ; refresher = UAS ; x=y", "0", "4294967295", "4294967296",
		"-5", "", ";refresher=uac", "1800;refresher", "12a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		req := sip.NewRequest(sip.UPDATE, sip.Uri{Scheme: "sip", Host: "gw.example"})
		req.AppendHeader(sip.NewHeader("Session-Expires", v))
		req.AppendHeader(sip.NewHeader("Min-SE", v))
		d, who, ok, err := sessionExpires(req)
		if !ok {
			t.Fatal("header not found")
		}
		if err != nil {
			return
		}
		if d < 0 || (who != "" && who != "uac" && who != "uas") {
			t.Fatalf("%q read as %v, refresher %q", v, d, who)
		}
		// What we write back reads the same.
		again := sip.NewRequest(sip.UPDATE, sip.Uri{Scheme: "sip", Host: "gw.example"})
		again.AppendHeader(sip.NewHeader("Session-Expires", fmt.Sprintf("%s;refresher=uas", seconds(d))))
		if d2, who2, _, err := sessionExpires(again); err != nil || d2 != d || who2 != "uas" {
			t.Fatalf("%v written and read back as %v %q %v", d, d2, who2, err)
		}
		answerTimer(sessionTimer{}, req)
	})
}
