package sipua

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"tipring/sipua/q850"
)

// newTransferee starts a far end that takes REFER requests too, into
// others.
func newTransferee(t *testing.T) *farEnd {
	t.Helper()
	f := &farEnd{t: t, invites: make(chan inbound, 8), acks: make(chan *sip.Request, 8),
		byes: make(chan *sip.Request, 8), others: make(chan inbound, 8)}
	f.client, f.addr = sipPeer(t, func(srv *sipgo.Server) {
		srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
			f.invites <- inbound{req, tx}
			<-tx.Done()
		})
		srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { f.acks <- req })
		srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
			tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
			f.byes <- req
		})
		srv.OnRefer(func(req *sip.Request, tx sip.ServerTransaction) {
			f.others <- inbound{req, tx}
			<-tx.Done()
		})
	})
	return f
}

// transferring sets up what a transfer starts from: the gateway's call
// to a far end, answered.
func transferring(t *testing.T) (*farEnd, *Call, *farCall) {
	t.Helper()
	f := newTransferee(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	return f, c, answered(t, f, c, offer("0"))
}

// goTransfer runs a transfer on a goroutine of its own; its outcome comes
// on the channel.
func goTransfer(transfer func(context.Context) error) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done <- transfer(ctx)
	}()
	return done
}

func outcome(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("the transfer has no outcome")
		return nil
	}
}

// notify sends a NOTIFY in the far end's dialog with the given Event,
// Subscription-State and sipfrag body (none when empty), and returns the
// status of the answer.
func (fc *farCall) notify(t *testing.T, event, state, frag string) int {
	t.Helper()
	var body []byte
	if frag != "" {
		body = []byte(frag + "\r\n")
	}
	req := fc.request(sip.NOTIFY, body, "message/sipfrag;version=2.0")
	if event != "" {
		req.AppendHeader(sip.NewHeader("Event", event))
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	return fc.do(t, req).StatusCode
}

// referEvent is the Event of the NOTIFYs of refer's subscription.
func referEvent(refer *sip.Request) string {
	return fmt.Sprintf("refer;id=%d", refer.CSeq().SeqNo)
}

func TestTransfer(t *testing.T) {
	// Each peer plays the transferee from the REFER on.
	for _, tc := range []struct {
		name string
		peer func(t *testing.T, fc *farCall, refer inbound)
		ok   bool // Transfer returns nil
		// byPeer: the peer ends the call, so the gateway sends no BYE.
		byPeer bool
	}{
		{"target answers", func(t *testing.T, fc *farCall, refer inbound) {
			fc.f.respond(refer, 202, "", nil)
			ev := referEvent(refer.req)
			for _, n := range []struct{ state, frag string }{
				{"active;expires=60", "SIP/2.0 100 Trying"},
				{"active;expires=60", "SIP/2.0 180 Ringing"},
				{"terminated;reason=noresource", "SIP/2.0 200 OK"},
			} {
				if code := fc.notify(t, ev, n.state, n.frag); code != 200 {
					t.Errorf("NOTIFY %q: %d, want 200", n.frag, code)
				}
			}
		}, true, false},
		{"target busy", func(t *testing.T, fc *farCall, refer inbound) {
			fc.f.respond(refer, 202, "", nil)
			fc.notify(t, referEvent(refer.req), "active", "SIP/2.0 100 Trying")
			fc.notify(t, referEvent(refer.req), "terminated;reason=noresource", "SIP/2.0 486 Busy Here")
		}, false, false},
		{"REFER refused", func(t *testing.T, fc *farCall, refer inbound) {
			fc.f.respond(refer, 403, "", nil)
		}, false, false},
		{"reports end without an outcome", func(t *testing.T, fc *farCall, refer inbound) {
			fc.f.respond(refer, 202, "", nil)
			fc.notify(t, referEvent(refer.req), "active", "SIP/2.0 180 Ringing")
			fc.notify(t, referEvent(refer.req), "terminated;reason=timeout", "")
		}, false, false},
		{"no NOTIFY, the peer hangs up", func(t *testing.T, fc *farCall, refer inbound) {
			fc.f.respond(refer, 202, "", nil, sip.NewHeader("Refer-Sub", "false"))
			if res := fc.do(t, fc.request(sip.BYE, nil, "")); res.StatusCode != 200 {
				t.Errorf("BYE: %d", res.StatusCode)
			}
		}, true, true},
		{"REFER challenged", func(t *testing.T, fc *farCall, refer inbound) {
			chal := digest.Challenge{Realm: "example.test", Nonce: "n0nce", Algorithm: "MD5", QOP: []string{"auth"}}
			fc.f.respond(refer, 407, "", nil, sip.NewHeader("Proxy-Authenticate", chal.String()))
			again := fc.f.nextOther(sip.REFER)
			if again.req.GetHeader("Proxy-Authorization") == nil || again.req.CSeq().SeqNo <= refer.req.CSeq().SeqNo {
				t.Errorf("REFER after the challenge: CSeq %d after %d, Proxy-Authorization %v",
					again.req.CSeq().SeqNo, refer.req.CSeq().SeqNo, again.req.GetHeader("Proxy-Authorization"))
			}
			fc.f.respond(again, 202, "", nil)
			if code := fc.notify(t, referEvent(again.req), "terminated", "SIP/2.0 200 OK"); code != 200 {
				t.Errorf("NOTIFY naming the second REFER: %d, want 200", code)
			}
		}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c, fc := transferring(t)
			done := goTransfer(func(ctx context.Context) error { return c.Transfer(ctx, "300") })
			refer := f.nextOther(sip.REFER)
			for name, want := range map[string]string{
				"Refer-To": "<sip:300@example.test>", "Referred-By": "<sip:2001@example.test>",
			} {
				if h := refer.req.GetHeader(name); h == nil || h.Value() != want {
					t.Errorf("REFER %s %v, want %s", name, h, want)
				}
			}
			if tag, _ := refer.req.To().Params.Get("tag"); tag != "far" || refer.req.Contact() == nil {
				t.Errorf("REFER to tag %q, Contact %v: want one in the call's dialog, with Contact", tag, refer.req.Contact())
			}
			tc.peer(t, fc, refer)
			err := outcome(t, done)
			if tc.ok != (err == nil) {
				t.Fatalf("Transfer: %v, want success %v", err, tc.ok)
			}
			if !tc.ok {
				if c.State() != CallActive || len(f.byes) != 0 {
					t.Fatalf("after a failed transfer: call %v, %d BYE; want it carrying on", c.State(), len(f.byes))
				}
				// The call carries on: it can still be hung up.
				if err := c.Hangup(context.Background(), q850.NormalClearing); err != nil {
					t.Fatal(err)
				}
			}
			if tc.ok && !tc.byPeer {
				bye := f.next(f.byes, "BYE of the transferred call")
				if r := bye.GetHeader("Reason"); r == nil || !strings.Contains(r.Value(), "cause=16") {
					t.Errorf("BYE Reason %v, want normal clearing", r)
				}
			}
			if tc.ok && tc.byPeer && len(f.byes) != 0 {
				t.Error("BYE for a call the peer ended")
			}
			wait(t, c.Done(), "end of the call")
		})
	}
}

// TestTransferNotifyRefused: NOTIFYs that report on no transfer of ours,
// or cannot be read, are refused and change nothing.
func TestTransferNotifyRefused(t *testing.T) {
	f, c, fc := transferring(t)
	if code := fc.notify(t, "refer", "active", "SIP/2.0 200 OK"); code != 481 {
		t.Errorf("NOTIFY with no transfer under way: %d, want 481", code)
	}
	done := goTransfer(func(ctx context.Context) error { return c.Transfer(ctx, "300") })
	refer := f.nextOther(sip.REFER)
	f.respond(refer, 202, "", nil)
	ev := referEvent(refer.req)
	earlier := fmt.Sprintf("refer;id=%d", refer.req.CSeq().SeqNo-1)
	for _, tc := range []struct {
		name, event, contentType, body string
		want                           int
	}{
		{"of an earlier REFER", earlier, "message/sipfrag", "SIP/2.0 200 OK", 481},
		{"other event", "presence", "message/sipfrag", "SIP/2.0 200 OK", 489},
		{"no Event", "", "message/sipfrag", "SIP/2.0 200 OK", 400},
		{"id not a number", "refer;id=x", "message/sipfrag", "SIP/2.0 200 OK", 400},
		{"body not a sipfrag", ev, "text/plain", "SIP/2.0 200 OK", 415},
		{"sipfrag not a status line", ev, "message/sipfrag", "INVITE sip:300@example.test SIP/2.0", 400},
		{"status out of range", ev, "message/sipfrag", "SIP/2.0 99 Low", 400},
	} {
		req := fc.request(sip.NOTIFY, []byte(tc.body+"\r\n"), tc.contentType)
		if tc.event != "" {
			req.AppendHeader(sip.NewHeader("Event", tc.event))
		}
		req.AppendHeader(sip.NewHeader("Subscription-State", "terminated"))
		res := fc.do(t, req)
		if res.StatusCode != tc.want {
			t.Errorf("NOTIFY %s: %d, want %d", tc.name, res.StatusCode, tc.want)
		}
		if tc.want == 489 && headerOf(res, "Allow-Events") != "refer" {
			t.Errorf("489 with Allow-Events %q, want refer", headerOf(res, "Allow-Events"))
		}
		if tc.want == 415 && headerOf(res, "Accept") != "message/sipfrag" {
			t.Errorf("415 with Accept %q, want message/sipfrag", headerOf(res, "Accept"))
		}
	}
	// Had any of them counted, the transfer would have succeeded, and this
	// NOTIFY would find none under way.
	if code := fc.notify(t, ev, "terminated", "SIP/2.0 486 Busy Here"); code != 200 {
		t.Errorf("NOTIFY of the transfer: %d, want 200", code)
	}
	if err := outcome(t, done); err == nil || !strings.Contains(err.Error(), "486") {
		t.Errorf("Transfer: %v, want the target's 486", err)
	}
}

func headerOf(res *sip.Response, name string) string {
	if h := res.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// TestTransferContextEnds: a transfer given up before it has an outcome
// leaves the call as it was, and later reports find no transfer.
func TestTransferContextEnds(t *testing.T) {
	f, c, fc := transferring(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Transfer(ctx, "300") }()
	refer := f.nextOther(sip.REFER)
	f.respond(refer, 202, "", nil)
	fc.notify(t, referEvent(refer.req), "active", "SIP/2.0 180 Ringing")
	cancel()
	if err := outcome(t, done); !errors.Is(err, context.Canceled) {
		t.Errorf("Transfer: %v, want the context's end", err)
	}
	if c.State() != CallActive {
		t.Errorf("call %v after the transfer was given up", c.State())
	}
	if code := fc.notify(t, referEvent(refer.req), "terminated", "SIP/2.0 200 OK"); code != 481 {
		t.Errorf("NOTIFY after the transfer was given up: %d, want 481", code)
	}
}

// TestTransferRefusedAtOnce: what Transfer and TransferTo refuse without
// sending anything.
func TestTransferRefusedAtOnce(t *testing.T) {
	f, c, _ := transferring(t)
	ctx := context.Background()
	for _, number := range []string{"", "1 2", "1@example.test", "sip:1", "1;x", "<1>", "100%"} {
		if err := c.Transfer(ctx, number); err == nil {
			t.Errorf("Transfer to %q: no error", number)
		}
	}
	for name, other := range map[string]*Call{"nil": nil, "itself": c} {
		if err := c.TransferTo(ctx, other); !errors.Is(err, errCallState) {
			t.Errorf("TransferTo %s: %v, want errCallState", name, err)
		}
	}
	// One transfer at a time; the first REFER the peer sees is the
	// first valid one.
	done := goTransfer(func(ctx context.Context) error { return c.Transfer(ctx, "*72#") })
	refer := f.nextOther(sip.REFER)
	if h := refer.req.GetHeader("Refer-To"); h == nil || h.Value() != "<sip:*72%23@example.test>" {
		t.Errorf("Refer-To %v, want the number with # escaped", h)
	}
	if err := c.Transfer(ctx, "301"); !errors.Is(err, errTransferPending) {
		t.Errorf("second Transfer: %v, want errTransferPending", err)
	}
	f.respond(refer, 603, "", nil)
	if err := outcome(t, done); err == nil {
		t.Error("Transfer refused 603: no error")
	}
	c.Hangup(ctx, q850.NormalClearing)
	f.next(f.byes, "BYE")
	if err := c.Transfer(ctx, "300"); !errors.Is(err, errCallState) {
		t.Errorf("Transfer of an ended call: %v, want errCallState", err)
	}
}

// TestTransferToSipgo: an attended transfer between two far ends. The
// REFER names the other call's remote target and dialog; the far end
// holding the other call never ends it, so the gateway does.
func TestTransferToSipgo(t *testing.T) {
	f1, f2 := newTransferee(t), newTransferee(t)
	u, _ := startUA(t, Config{
		Accounts: []Account{
			{Name: "one", User: "2001", Domain: "example.test", Proxy: fmt.Sprintf("sip:%s", f1.addr)},
			{Name: "two", User: "2001", Domain: "example.test", Proxy: fmt.Sprintf("sip:%s", f2.addr)},
		},
		RTPPorts: [2]int{30200, 30219},
	})
	c, err := u.Dial("one", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	fc := answered(t, f1, c, offer("0"))
	other, err := u.Dial("two", "200", Party{})
	if err != nil {
		t.Fatal(err)
	}
	oc := answered(t, f2, other, offer("0"))
	otherTag, _ := oc.invite.From().Params.Get("tag")

	done := goTransfer(func(ctx context.Context) error { return c.TransferTo(ctx, other) })
	refer := f1.nextOther(sip.REFER)
	raw := refer.req.GetHeader("Refer-To").Value()
	var target sip.Uri
	var params sip.HeaderParams
	if _, err := sip.ParseAddressValue(raw, &target, &params); err != nil {
		t.Fatalf("Refer-To %s: %v", raw, err)
	}
	if want := fmt.Sprintf("127.0.0.1:%d", f2.addr.Port()); target.User != "far" || target.HostPort() != want {
		t.Errorf("Refer-To %s, want the other call's remote target sip:far@%s", raw, want)
	}
	rv, _ := target.Headers.Get("Replaces")
	replaces, err := url.PathUnescape(rv)
	if want := oc.invite.CallID().Value() + ";to-tag=far;from-tag=" + otherTag; err != nil || replaces != want {
		t.Errorf("Replaces %q, want %q", replaces, want)
	}
	if strings.ContainsAny(rv, ";=@") {
		t.Errorf("Refer-To %s: the Replaces value is not escaped", raw)
	}
	f1.respond(refer, 202, "", nil)
	fc.notify(t, referEvent(refer.req), "terminated", "SIP/2.0 200 OK")
	if err := outcome(t, done); err != nil {
		t.Fatal(err)
	}
	f1.next(f1.byes, "BYE of the transferred call")
	f2.next(f2.byes, "BYE of the replaced call")
	wait(t, c.Done(), "end of the transferred call")
	wait(t, other.Done(), "end of the replaced call")
}

// peerUA starts a UA on loopback with the given accounts that takes calls
// from loopback with incoming, or answers them, and hands them on.
func peerUA(t *testing.T, ports [2]int, incoming func(*Call), accounts ...Account) (*UA, chan *Call) {
	t.Helper()
	calls := make(chan *Call, 4)
	if incoming == nil {
		incoming = func(c *Call) { c.Answer() }
	}
	u, _ := startUA(t, Config{
		TrustedPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Accounts:     accounts,
		RTPPorts:     ports,
		Incoming: func(c *Call) {
			incoming(c)
			calls <- c
		},
	})
	return u, calls
}

// accountVia is an account whose calls go to u.
func accountVia(name, user string, u *UA) Account {
	addr, _ := u.Addr("udp")
	return Account{Name: name, User: user, Domain: "example.test", Proxy: "sip:" + addr.String()}
}

// TestTransferBetweenUAs: the gateway (A) transfers its call with another
// sipua (B) to C; B takes the REFER as refer.go does, calling C through
// its proxy.
func TestTransferBetweenUAs(t *testing.T) {
	for _, tc := range []struct {
		name     string
		incoming func(*Call) // C's
		ok       bool
	}{
		{"answered", nil, true},
		{"busy", func(c *Call) { c.Reject(q850.UserBusy) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cUA, cCalls := peerUA(t, [2]int{30240, 30259}, tc.incoming)
			bUA, bCalls := peerUA(t, [2]int{30220, 30239}, nil, accountVia("b", "3002", cUA))
			aUA, _ := peerUA(t, [2]int{30200, 30219}, nil, accountVia("a", "3001", bUA))
			ab, err := aUA.Dial("a", "3002", Party{})
			if err != nil {
				t.Fatal(err)
			}
			ba := nextCall(t, bCalls)
			waitCall(t, ab, CallActive)

			err = outcome(t, goTransfer(func(ctx context.Context) error { return ab.Transfer(ctx, "3003") }))
			cb := nextCall(t, cCalls)
			if cb.To.Number != "3003" || cb.From.Number != "3002" {
				t.Errorf("C's call from %q to %q, want from 3002 to 3003", cb.From.Number, cb.To.Number)
			}
			if h := cb.invite.GetHeader("Referred-By"); h == nil || h.Value() != "<sip:3001@example.test>" {
				t.Errorf("C's INVITE Referred-By %v, want A's address", h)
			}
			if !tc.ok {
				if err == nil || !strings.Contains(err.Error(), "486") {
					t.Errorf("Transfer: %v, want the target's 486", err)
				}
				if ab.State() != CallActive || ba.Successor() != nil {
					t.Errorf("after a failed transfer: A's call %v, B's successor %v", ab.State(), ba.Successor())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wait(t, ab.Done(), "end of A's call")
			wait(t, ba.Done(), "end of B's call with A")
			if next := ba.Successor(); next == nil || next.State() != CallActive || next.To.Number != "3003" {
				t.Errorf("B's successor %+v, want its call to C, answered", next)
			}
		})
	}
}

// TestTransferToBetweenUAs: the gateway (A) in calls with B and with C
// transfers B to C (attended transfer): B calls C with Replaces, C takes
// the new call in place of A's and ends A's, and A ends its call with B.
func TestTransferToBetweenUAs(t *testing.T) {
	cUA, cCalls := peerUA(t, [2]int{30240, 30259}, nil)
	bUA, bCalls := peerUA(t, [2]int{30220, 30239}, nil, Account{Name: "b", User: "3002", Domain: "example.test"})
	aUA, _ := peerUA(t, [2]int{30200, 30219}, nil, accountVia("toB", "3001", bUA), accountVia("toC", "3001", cUA))
	ab, err := aUA.Dial("toB", "3002", Party{})
	if err != nil {
		t.Fatal(err)
	}
	ba := nextCall(t, bCalls)
	waitCall(t, ab, CallActive)
	ac, err := aUA.Dial("toC", "3003", Party{})
	if err != nil {
		t.Fatal(err)
	}
	ca := nextCall(t, cCalls)
	waitCall(t, ac, CallActive)

	if err := outcome(t, goTransfer(func(ctx context.Context) error { return ab.TransferTo(ctx, ac) })); err != nil {
		t.Fatal(err)
	}
	wait(t, ab.Done(), "end of A's call with B")
	wait(t, ac.Done(), "end of A's call with C")
	wait(t, ca.Done(), "end of C's call with A")
	cb := ca.Successor()
	if cb == nil || cb.State() != CallActive || cb.From.Number != "3002" {
		t.Fatalf("C's call with A replaced by %+v, want an answered call from B", cb)
	}
	if bc := ba.Successor(); bc == nil || bc.State() != CallActive || bc.dlg.callID != cb.dlg.callID {
		t.Errorf("B's successor %+v, want its call with C", bc)
	}
}

func TestUserPart(t *testing.T) {
	for _, tc := range []struct{ number, want string }{
		{"5551234", "5551234"},
		{"+493012345", "+493012345"},
		{"*72#", "*72%23"},
		{"carol", "carol"},
		{"a.b-c_d~e", "a.b-c_d~e"},
		{"", ""},
		{"1 2", ""},
		{"1@x", ""},
		{"1;user=phone", ""},
		{"1?x=y", ""},
		{"%41", ""},
		{"1\x00", ""},
	} {
		got, err := userPart(tc.number)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("userPart(%q) = %q, %v; want %q", tc.number, got, err, tc.want)
		}
	}
}

func TestEscapeHeaderValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a8f3@10.0.0.1;to-tag=x1;from-tag=y2", "a8f3%4010.0.0.1%3Bto-tag%3Dx1%3Bfrom-tag%3Dy2"},
		{"plain-Call.ID_1~", "plain-Call.ID_1~"},
		{"sp ace&amp%", "sp%20ace%26amp%25"},
		{"\xff", "%FF"},
	} {
		got := escapeHeaderValue(tc.in)
		if got != tc.want {
			t.Errorf("escapeHeaderValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if back, err := url.PathUnescape(got); err != nil || back != tc.in {
			t.Errorf("%q unescapes to %q, %v", got, back, err)
		}
	}
}

// FuzzReferNotify reads arbitrary NOTIFYs as reports on a transfer: never
// a panic, only the refusals onNotify knows, and a report read is one of
// a REFER with a status in range.
func FuzzReferNotify(f *testing.F) {
	for _, seed := range []struct{ event, state, ct, body string }{
		{"refer;id=93", "active;expires=60", "message/sipfrag;version=2.0", "SIP/2.0 100 Trying\r\n"},
		{"refer", "terminated;reason=noresource", "message/sipfrag", "SIP/2.0 200 OK\r\nContact: <sip:x@y>\r\n"},
		{"refer;id=0", "", "", ""},
		{"message-summary", "active", "application/simple-message-summary", "Messages-Waiting: yes\r\n"},
		{"Refer ; ID = 7", "TERMINATED", "Message/Sipfrag", "sip/2.0 486 Busy Here"},
		{"refer;id=4294967296", "active", "message/sipfrag", "SIP/2.0 1000 Big"},
		{"", "", "", "SIP/2.0"},
	} {
		f.Add(seed.event, seed.state, seed.ct, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, event, state, ct string, body []byte) {
		req := sip.NewRequest(sip.NOTIFY, sip.Uri{Scheme: "sip", Host: "127.0.0.1"})
		if event != "" {
			req.AppendHeader(sip.NewHeader("Event", event))
		}
		if state != "" {
			req.AppendHeader(sip.NewHeader("Subscription-State", state))
		}
		if ct != "" {
			h := sip.ContentTypeHeader(ct)
			req.AppendHeader(&h)
		}
		req.SetBody(body)
		n, code := readReferNotify(req)
		switch code {
		case 0:
			if len(body) > 0 && (n.status < 100 || n.status > 699) {
				t.Errorf("status %d read from %q", n.status, body)
			}
			if len(body) == 0 && n.status != 0 {
				t.Errorf("status %d without a body", n.status)
			}
		case 400, 415, 489:
		default:
			t.Errorf("refused %d", code)
		}
	})
}
