package sipua

import (
	"context"
	"crypto/rand"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

func TestParseMessageSummary(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       MessageSummary
	}{
		{"RFC 3842 example", "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 4/8 (1/2)\r\n",
			MessageSummary{Waiting: true, New: 4, Old: 8, NewUrgent: 1, OldUrgent: 2, Account: "sip:alice@vmail.example.com"}},
		{"Asterisk", "Messages-Waiting: no\r\nMessage-Account: sip:*97@192.0.2.1\r\nVoice-Message: 0/3 (0/0)\r\n",
			MessageSummary{Old: 3, Account: "sip:*97@192.0.2.1"}},
		{"status only", "Messages-Waiting: yes\r\n", MessageSummary{Waiting: true}},
		{"no final line end", "Messages-Waiting: yes", MessageSummary{Waiting: true}},
		{"bare LF, any case, loose spaces", "messages-waiting :YES\nvoice-message:  2 / 1 ( 1 / 0 ) \n",
			MessageSummary{Waiting: true, New: 2, Old: 1, NewUrgent: 1}},
		{"without urgent counts", "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n", MessageSummary{Waiting: true, New: 1}},
		{"other classes are not counted", "Messages-Waiting: yes\r\nFax-Message: 3/0\r\nVoice-Message: 1/2\r\nText-Message: 5/5 (1/1)\r\n",
			MessageSummary{Waiting: true, New: 1, Old: 2}},
		{"unknown lines skipped", "Messages-Waiting: yes\r\nX-Vendor: whatever / it says\r\nVoice-Message: 1/0\r\n",
			MessageSummary{Waiting: true, New: 1}},
		{"leading blank line", "\r\nMessages-Waiting: no\r\n", MessageSummary{}},
		{"message headers after the summary", "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n\r\nTo: <alice@example.com>\r\nVoice-Message: garbage\r\nSubject: call me\r\n",
			MessageSummary{Waiting: true, New: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMessageSummary([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMessageSummaryRefuses(t *testing.T) {
	for _, tt := range []struct{ name, body, err string }{
		{"empty", "", "no Messages-Waiting"},
		{"blank", "\r\n\r\n", "no Messages-Waiting"},
		{"status not first", "Voice-Message: 1/0\r\nMessages-Waiting: yes\r\n", "before Messages-Waiting"},
		{"status neither yes nor no", "Messages-Waiting: maybe\r\n", "want yes or no"},
		{"status twice", "Messages-Waiting: yes\r\nMessages-Waiting: no\r\n", "twice"},
		{"account twice", "Messages-Waiting: yes\r\nMessage-Account: sip:a@b\r\nMessage-Account: sip:c@d\r\n", "twice"},
		{"account not a URI", "Messages-Waiting: yes\r\nMessage-Account: alice\r\n", "not a URI"},
		{"no colon", "Messages-Waiting: yes\r\nVoice-Message 1/0\r\n", "not a header line"},
		{"count not a number", "Messages-Waiting: yes\r\nVoice-Message: one/0\r\n", "decimal"},
		{"negative count", "Messages-Waiting: yes\r\nVoice-Message: -1/0\r\n", "decimal"},
		{"count too large", "Messages-Waiting: yes\r\nVoice-Message: 1000000000/0\r\n", "decimal"},
		{"one count", "Messages-Waiting: yes\r\nVoice-Message: 3\r\n", "want new/old"},
		{"unclosed urgent counts", "Messages-Waiting: yes\r\nVoice-Message: 1/0 (1/0\r\n", "parenthesis"},
		{"bad count of another class", "Messages-Waiting: yes\r\nFax-Message: x/y\r\n", "decimal"},
		{"voice counts twice", "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\nVoice-Message: 2/0\r\n", "twice"},
		{"too long", "Messages-Waiting: yes\r\n" + strings.Repeat("X-Pad: 0123456789\r\n", 300), "longer than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMessageSummary([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want one saying %q", err, tt.err)
			}
		})
	}
}

// FuzzMessageSummary checks that any body is parsed or refused, never a
// panic, and that what is accepted makes sense.
func FuzzMessageSummary(f *testing.F) {
	for _, s := range []string{
		"Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 4/8 (1/2)\r\n",
		"Messages-Waiting: no\r\n",
		"messages-waiting:yes\nvoice-message: 2/1(0/0)\n\nSubject: x\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1/0 (1/0\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 999999999/999999999 (999999999/0)\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := parseMessageSummary(body)
		if err != nil {
			return
		}
		for _, n := range []int{s.New, s.Old, s.NewUrgent, s.OldUrgent} {
			if n < 0 || n > maxCount {
				t.Fatalf("count %d accepted from %q", n, body)
			}
		}
	})
}

// notifier is a scripted voice-mail server on loopback: it answers each
// SUBSCRIBE by reply, records it, and sends NOTIFYs in a subscription's
// dialog.
type notifier struct {
	t      *testing.T
	client *sipgo.Client
	addr   netip.AddrPort
	tag    string
	got    chan *sip.Request
	reply  func(n *notifier, req *sip.Request) *sip.Response
	ready  chan struct{} // closed once client and addr are set

	mu  sync.Mutex
	seq uint32
}

func newNotifier(t *testing.T, reply func(n *notifier, req *sip.Request) *sip.Response) *notifier {
	t.Helper()
	n := &notifier{t: t, tag: "vm" + rand.Text()[:8], got: make(chan *sip.Request, 100), reply: reply, ready: make(chan struct{})}
	n.client, n.addr = sipPeer(t, func(srv *sipgo.Server) {
		srv.OnSubscribe(func(req *sip.Request, tx sip.ServerTransaction) {
			<-n.ready
			n.got <- req.Clone()
			res := n.reply(n, req)
			if _, ok := req.To().Params.Get("tag"); !ok && res.IsSuccess() {
				res.To().Params.Add("tag", n.tag) // sipgo made up one
			}
			tx.Respond(res)
		})
	})
	close(n.ready)
	return n
}

// granted answers a SUBSCRIBE 200, granting it expires seconds.
func (n *notifier) granted(req *sip.Request, expires int) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "vm", Host: n.addr.Addr().String(), Port: int(n.addr.Port())}})
	return res
}

// next returns the next SUBSCRIBE received.
func (n *notifier) next() *sip.Request {
	n.t.Helper()
	select {
	case req := <-n.got:
		return req
	case <-time.After(10 * time.Second):
		n.t.Fatal("no SUBSCRIBE arrived")
		return nil
	}
}

// notify sends a NOTIFY in the dialog of the subscription sub made, with
// the given Subscription-State and Event, and body as a message summary
// unless it is empty; it returns the response.
func (n *notifier) notify(sub *sip.Request, state, event, body string) *sip.Response {
	n.t.Helper()
	req := sip.NewRequest(sip.NOTIFY, sub.Contact().Address)
	from := &sip.FromHeader{Address: sub.To().Address, Params: sip.NewParams()}
	from.Params.Add("tag", n.tag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sub.From().Address, Params: sub.From().Params.Clone()})
	req.AppendHeader(sip.HeaderClone(sub.CallID()))
	n.mu.Lock()
	n.seq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: n.seq, MethodName: sip.NOTIFY})
	n.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "vm", Host: n.addr.Addr().String(), Port: int(n.addr.Port())}})
	if body != "" {
		ct := sip.ContentTypeHeader(contentTypeMWI)
		req.AppendHeader(&ct)
		req.SetBody([]byte(body))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := n.client.Do(ctx, req)
	if err != nil {
		n.t.Fatalf("NOTIFY: %v", err)
	}
	return res
}

// summaries collects what a UA hands to Config.MessageWaiting.
type summaries chan accountSummary

type accountSummary struct {
	account string
	MessageSummary
}

func (c summaries) callback(account string, s MessageSummary) { c <- accountSummary{account, s} }

func (c summaries) next(t *testing.T) accountSummary {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no message summary reached the application")
		return accountSummary{}
	}
}

func subHeader(req *sip.Request, name string) string {
	if h := req.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

func TestMWISubscribeNotifyRefreshUnsubscribe(t *testing.T) {
	auth := &digestAuth{realm: "vm.example", user: "1001", pass: "s3cret", algorithms: []string{"MD5"}}
	var mu sync.Mutex
	subscribes := 0
	answer := make(chan struct{}) // the first 200 waits for the first NOTIFY
	n := newNotifier(t, func(n *notifier, req *sip.Request) *sip.Response {
		if auth.check(req) == "" {
			return auth.challenge(req)
		}
		mu.Lock()
		subscribes++
		first := subscribes == 1
		mu.Unlock()
		if first {
			<-answer
			return n.granted(req, 2) // refreshed a second later
		}
		return n.granted(req, 3600)
	})
	got := make(summaries, 10)
	_, stop := startUA(t, Config{MessageWaiting: got.callback, Accounts: []Account{{
		Name: "main", User: "1001", Domain: "vm.example", Proxy: "sip:" + n.addr.String(), MWI: true,
		Credentials: Credentials{Password: "s3cret"},
	}}})

	first := n.next()
	if first.Recipient.String() != "sip:1001@vm.example" {
		t.Errorf("SUBSCRIBE to %s, want the address of record", first.Recipient.String())
	}
	for name, want := range map[string]string{"Event": "message-summary", "Accept": "application/simple-message-summary", "Expires": "3600"} {
		if v := subHeader(first, name); v != want {
			t.Errorf("SUBSCRIBE %s: %q, want %q", name, v, want)
		}
	}
	sub := n.next() // with credentials
	if sub.GetHeader("Authorization") == nil || sub.CallID().Value() != first.CallID().Value() {
		t.Fatalf("the challenged SUBSCRIBE is not sent again with credentials in its dialog:\n%v", sub)
	}

	// The first NOTIFY comes before the 200 and sets the dialog up (RFC
	// 6665 §4.1.2.4).
	res := n.notify(sub, "active;expires=2", "message-summary",
		"Messages-Waiting: yes\r\nMessage-Account: sip:*97@vm.example\r\nVoice-Message: 2/8 (0/2)\r\n")
	close(answer)
	if res.StatusCode != 200 {
		t.Fatalf("NOTIFY answered %d", res.StatusCode)
	}
	want := accountSummary{"main", MessageSummary{Waiting: true, New: 2, Old: 8, OldUrgent: 2, Account: "sip:*97@vm.example"}}
	if s := got.next(t); s != want {
		t.Errorf("application got %+v, want %+v", s, want)
	}

	refresh := n.next()
	if refresh.CallID().Value() != sub.CallID().Value() {
		t.Error("the refresh is not in the subscription's dialog")
	}
	if tag, _ := refresh.To().Params.Get("tag"); tag != n.tag {
		t.Errorf("refresh To tag %q, want the notifier's %q", tag, n.tag)
	}
	if refresh.CSeq().SeqNo <= sub.CSeq().SeqNo {
		t.Errorf("refresh CSeq %d after %d", refresh.CSeq().SeqNo, sub.CSeq().SeqNo)
	}

	// Refusals in the dialog leave the application alone.
	for _, tt := range []struct {
		name, event, body string
		status            int
	}{
		{"bad body", "message-summary", "Messages-Waiting: perhaps\r\n", 400},
		{"other package", "presence", "Messages-Waiting: yes\r\n", 489},
	} {
		if res := n.notify(sub, "active", tt.event, tt.body); res.StatusCode != tt.status {
			t.Errorf("%s: NOTIFY answered %d, want %d", tt.name, res.StatusCode, tt.status)
		}
	}
	other := sub.Clone()
	other.RemoveHeader("Call-ID")
	gone := sip.CallIDHeader("no-such-subscription")
	other.AppendHeader(&gone)
	if res := n.notify(other, "active", "message-summary", "Messages-Waiting: no\r\n"); res.StatusCode != 481 {
		t.Errorf("NOTIFY of no subscription answered %d, want 481", res.StatusCode)
	}
	// A NOTIFY without a body changes nothing either.
	if res := n.notify(sub, "active;expires=3600", "message-summary", ""); res.StatusCode != 200 {
		t.Errorf("NOTIFY without a body answered %d", res.StatusCode)
	}

	if res := n.notify(sub, "active", "message-summary", "Messages-Waiting: no\r\n"); res.StatusCode != 200 {
		t.Fatalf("NOTIFY answered %d", res.StatusCode)
	}
	if s := got.next(t); s != (accountSummary{"main", MessageSummary{}}) {
		t.Errorf("application got %+v, want no messages", s)
	}

	stop()
	var last *sip.Request
	for last == nil {
		if req := n.next(); subHeader(req, "Expires") == "0" {
			last = req
		}
	}
	if last.CallID().Value() != sub.CallID().Value() {
		t.Error("the unsubscribe is not in the subscription's dialog")
	}
	if len(got) != 0 {
		t.Errorf("the application got %+v from refused NOTIFYs", <-got)
	}
}

func TestMWISubscribesAgain(t *testing.T) {
	var mu sync.Mutex
	subscribes := 0
	n := newNotifier(t, func(n *notifier, req *sip.Request) *sip.Response {
		mu.Lock()
		defer mu.Unlock()
		if subscribes++; subscribes == 1 {
			res := sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Service Unavailable", nil)
			res.AppendHeader(sip.NewHeader("Retry-After", "1"))
			return res
		}
		return n.granted(req, 3600)
	})
	got := make(summaries, 10)
	startUA(t, Config{MessageWaiting: got.callback, Accounts: []Account{{
		Name: "main", User: "1001", Domain: "vm.example", Proxy: "sip:" + n.addr.String(), MWI: true,
		Mailbox: "sip:*97@vm.example",
	}}})

	n.next()        // refused
	sub := n.next() // after the back-off
	if sub.Recipient.String() != "sip:*97@vm.example" {
		t.Errorf("SUBSCRIBE to %s, want the mailbox", sub.Recipient.String())
	}
	if _, ok := sub.To().Params.Get("tag"); ok {
		t.Error("the SUBSCRIBE after a failure is not a new subscription")
	}

	// The notifier ends the subscription: the gateway subscribes anew.
	if res := n.notify(sub, "terminated;reason=timeout", "message-summary", "Messages-Waiting: yes\r\n"); res.StatusCode != 200 {
		t.Fatalf("last NOTIFY answered %d", res.StatusCode)
	}
	if s := got.next(t); !s.Waiting {
		t.Errorf("application got %+v", s)
	}
	again := n.next()
	if _, ok := again.To().Params.Get("tag"); ok || again.CallID().Value() == sub.CallID().Value() {
		t.Error("the SUBSCRIBE after the end is not a new subscription")
	}
}

func TestMWIUnsolicitedNotify(t *testing.T) {
	const summary = "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n"
	notify := func(user, event, ctype, body string) string {
		lines := []string{
			"NOTIFY sip:" + user + "@{ua} SIP/2.0",
			"Via: SIP/2.0/UDP {me};rport;branch={branch}",
			"Max-Forwards: 70",
			"From: <sip:asterisk@127.0.0.1>;tag=pbx",
			"To: <sip:" + user + "@127.0.0.1>",
			"Call-ID: {callid}",
			"CSeq: 1 NOTIFY",
			"Contact: <sip:asterisk@{me}>",
		}
		if event != "" {
			lines = append(lines, "Event: "+event)
		}
		if ctype != "" {
			lines = append(lines, "Content-Type: "+ctype)
		}
		return sipMessage(body, lines...)
	}
	for _, tt := range []struct {
		name      string
		msg       string
		untrusted bool
		status    int
		account   string // the account the application hears of
	}{
		{"first account", notify("1001", "message-summary", contentTypeMWI, summary), false, 200, "one"},
		{"second account", notify("1002", "message-summary", contentTypeMWI, summary), false, 200, "two"},
		{"compact Event", strings.Replace(notify("1002", "message-summary", contentTypeMWI, summary), "Event:", "o:", 1), false, 200, "two"},
		{"no such account", notify("1003", "message-summary", contentTypeMWI, summary), false, 404, ""},
		{"untrusted peer", notify("1001", "message-summary", contentTypeMWI, summary), true, 403, ""},
		{"no Event", notify("1001", "", contentTypeMWI, summary), false, 400, ""},
		{"other package", notify("1001", "presence", contentTypeMWI, summary), false, 489, ""},
		{"other body type", notify("1001", "message-summary", "text/plain", summary), false, 415, ""},
		{"no body", notify("1001", "message-summary", "", ""), false, 400, ""},
		{"malformed body", notify("1001", "message-summary", contentTypeMWI, "Voice-Message: 1/0\r\n"), false, 400, ""},
		{"in an unknown dialog", strings.Replace(notify("1001", "message-summary", contentTypeMWI, summary), "To: <sip:1001@127.0.0.1>", "To: <sip:1001@127.0.0.1>;tag=gone", 1),
			false, 481, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := make(summaries, 1)
			cfg := Config{MessageWaiting: got.callback, Accounts: []Account{
				{Name: "one", User: "1001", Domain: "pbx.example"},
				{Name: "two", User: "1002", Domain: "pbx.example"},
			}}
			if !tt.untrusted {
				cfg.TrustedPeers = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			}
			u, _ := startUA(t, cfg)
			addr, _ := u.Addr("udp")
			p := newRawPeer(t, addr)
			defer p.close()
			callID := rand.Text()
			p.send(t, p.expand(tt.msg, "{callid}", callID))
			res := p.final(callID, time.Now().Add(5*time.Second))
			if res == nil {
				t.Fatalf("no response, want %d", tt.status)
			}
			if res.StatusCode != tt.status {
				t.Errorf("response %d %s, want %d", res.StatusCode, res.Reason, tt.status)
			}
			if tt.status == 415 && res.GetHeader("Accept") == nil {
				t.Error("415 without Accept")
			}
			if tt.account == "" {
				if len(got) != 0 {
					t.Errorf("the application got %+v", <-got)
				}
				return
			}
			want := accountSummary{tt.account, MessageSummary{Waiting: true, New: 1}}
			if s := got.next(t); s != want {
				t.Errorf("application got %+v, want %+v", s, want)
			}
		})
	}
}

func TestAccountMailboxChecked(t *testing.T) {
	for _, a := range []Account{
		{Name: "a", Domain: "pbx.example", MWI: true},                          // no user, no mailbox
		{Name: "a", User: "1001", Domain: "pbx.example", Mailbox: "voicemail"}, // not a URI
		{Name: "a", User: "1001", Domain: "pbx.example", Mailbox: "tel:+15551234"},
	} {
		if _, err := New(Config{Listen: []Listen{{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")}}, Accounts: []Account{a}}); err == nil {
			t.Errorf("account %+v accepted", a)
		}
	}
}
