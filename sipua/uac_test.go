package sipua

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"tipring/sipua/locate"
	"tipring/sipua/q850"
)

// farEnd is a SIP server on loopback that the UA under test calls: a
// proxy and the phone behind it in one, scripted by each test.
type farEnd struct {
	t       *testing.T
	addr    netip.AddrPort
	client  *sipgo.Client
	invites chan inbound
	acks    chan *sip.Request
	byes    chan *sip.Request
	others  chan inbound // UPDATE, INFO and the like
}

type inbound struct {
	req *sip.Request
	tx  sip.ServerTransaction
}

func newFarEnd(t *testing.T) *farEnd {
	t.Helper()
	f := &farEnd{t: t, invites: make(chan inbound, 8), acks: make(chan *sip.Request, 8),
		byes: make(chan *sip.Request, 8), others: make(chan inbound, 8)}
	f.client, f.addr = sipPeer(t, func(srv *sipgo.Server) {
		srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
			f.invites <- inbound{req, tx}
			<-tx.Done() // the test answers; the handler must not return first
		})
		srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { f.acks <- req })
		srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
			tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
			f.byes <- req
		})
		other := func(req *sip.Request, tx sip.ServerTransaction) {
			f.others <- inbound{req, tx}
			<-tx.Done()
		}
		srv.OnUpdate(other)
		srv.OnInfo(other)
		srv.OnNotify(other)
	})
	return f
}

func (f *farEnd) nextInvite() inbound {
	f.t.Helper()
	select {
	case in := <-f.invites:
		return in
	case <-time.After(5 * time.Second):
		f.t.Fatal("no INVITE")
		return inbound{}
	}
}

func (f *farEnd) next(ch chan *sip.Request, what string) *sip.Request {
	f.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		f.t.Fatalf("no %s", what)
		return nil
	}
}

// respond answers in with code and, unless empty, an SDP body; tag is the
// far end's To tag.
func (f *farEnd) respond(in inbound, code int, tag string, body []byte, headers ...sip.Header) *sip.Response {
	f.t.Helper()
	res := sip.NewResponseFromRequest(in.req, code, q850.StatusText(code), body)
	if tag != "" {
		res.To().Params.Add("tag", tag)
	}
	if code > 100 && code < 300 {
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "far", Host: "127.0.0.1", Port: int(f.addr.Port())}})
	}
	if body != nil {
		res.AppendHeader(contentTypeSDP())
	}
	for _, h := range headers {
		res.AppendHeader(h)
	}
	if err := in.tx.Respond(res); err != nil {
		f.t.Fatal(err)
	}
	return res
}

// dialer starts a UA with one account whose proxy is the far end.
func dialer(t *testing.T, f *farEnd) *UA {
	u, _ := startUA(t, Config{
		TrustedPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Accounts: []Account{{Name: "line1", User: "2001", Domain: "example.test",
			Proxy: fmt.Sprintf("sip:%s", f.addr), Credentials: Credentials{Password: "secret"}}},
		RTPPorts: [2]int{30020, 30039},
	})
	return u
}

func waitCall(t *testing.T, c *Call, want CallState) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.State() != want {
		if time.Now().After(deadline) {
			t.Fatalf("call state %v, want %v", c.State(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDialEarlyMediaAnswerAndPeerHangup(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "5551234", Party{Number: "5550100", Name: `Kitchen "K"`})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	req := in.req
	if h := req.GetHeader("P-Asserted-Identity"); h == nil || h.Value() != `"Kitchen \"K\"" <sip:5550100@example.test>` {
		t.Errorf("P-Asserted-Identity %v, want the line's caller", h)
	}
	if req.Recipient.User != "5551234" || req.Recipient.Host != "example.test" {
		t.Errorf("Request-URI %s", req.Recipient.String())
	}
	if req.From().Address.User != "5550100" || req.From().DisplayName != `Kitchen \"K\"` {
		t.Errorf("From %s", req.From().Value())
	}
	if req.Contact() == nil || req.Contact().Address.Port == 0 {
		t.Error("INVITE without a usable Contact")
	}
	if !strings.Contains(string(req.Body()), "RTP/AVP 0 8 101") {
		t.Errorf("offer:\n%s", req.Body())
	}
	f.respond(in, 180, "far1", nil)
	waitCall(t, c, CallRinging)
	f.respond(in, 183, "far1", offer("8 101"))
	waitCall(t, c, CallEarlyMedia)
	if m := c.Media(); m.Codec.Name != "PCMA" || m.Remote.Port() != 40000 {
		t.Errorf("early media %+v", m)
	}
	f.respond(in, 200, "far1", offer("8 101"))
	ack := f.next(f.acks, "ACK")
	if ack.CSeq().SeqNo != req.CSeq().SeqNo || ack.Recipient.User != "far" {
		t.Errorf("ACK %s CSeq %d, INVITE's %d; want it sent to the Contact", ack.Recipient.String(), ack.CSeq().SeqNo, req.CSeq().SeqNo)
	}
	waitCall(t, c, CallActive)

	// The far end hangs up.
	bye := sip.NewRequest(sip.BYE, req.Contact().Address)
	bye.AppendHeader(&sip.FromHeader{Address: req.To().Address, Params: sip.NewParams()})
	bye.From().Params.Add("tag", "far1")
	to := req.From().AsTo()
	bye.AppendHeader(&to)
	bye.AppendHeader(sip.HeaderClone(req.CallID()))
	bye.AppendHeader(&sip.CSeqHeader{SeqNo: 7, MethodName: sip.BYE})
	bye.AppendHeader(sip.NewHeader("Reason", `Q.850;cause=17;text="User busy"`))
	res, err := f.client.Do(context.Background(), bye)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("BYE: %v %v", res, err)
	}
	wait(t, c.Done(), "end of the call")
	if c.Cause() != q850.UserBusy {
		t.Errorf("cause %v, want the BYE's 17", c.Cause())
	}
}

func TestDialChallengedThenBusy(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "5551234", Party{})
	if err != nil {
		t.Fatal(err)
	}
	first := f.nextInvite()
	chal := digest.Challenge{Realm: "example.test", Nonce: "abc123", Algorithm: "MD5", QOP: []string{"auth"}}
	f.respond(first, 407, "", nil, sip.NewHeader("Proxy-Authenticate", chal.String()))
	second := f.nextInvite()
	h := second.req.GetHeader("Proxy-Authorization")
	if h == nil {
		t.Fatal("second INVITE without Proxy-Authorization")
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := digest.Digest(&chal, digest.Options{Method: "INVITE", URI: cred.URI, Username: "2001", Password: "secret",
		Cnonce: cred.Cnonce, Count: cred.Nc})
	if cred.Response != want.Response {
		t.Error("digest response does not check out")
	}
	if second.req.CSeq().SeqNo <= first.req.CSeq().SeqNo || second.req.CallID().Value() != first.req.CallID().Value() {
		t.Error("the authorized INVITE must keep the Call-ID and take the next CSeq")
	}
	f.respond(second, 486, "far1", nil, sip.NewHeader("Reason", `Q.850;cause=17`))
	wait(t, c.Done(), "end of the refused call")
	if c.Cause() != q850.UserBusy {
		t.Errorf("cause %v, want 17", c.Cause())
	}
}

// TestDialLargeInviteOverUDP: an INVITE larger than sipgo's 1300 bytes,
// as one with SRTP keys and credentials is, still goes out over UDP.
func TestDialLargeInviteOverUDP(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "5551234", Party{Name: strings.Repeat("Tip Ring ", 150)})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	if n := len(in.req.String()); n <= 1300 {
		t.Fatalf("the INVITE is %d bytes, want one over 1300", n)
	}
	f.respond(in, 486, "far", nil)
	wait(t, c.Done(), "the call to end")
	if c.Cause() != q850.UserBusy {
		t.Errorf("cause %v, want 17: the INVITE went and was answered", c.Cause())
	}
}

func TestDialFailureCauses(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   q850.Cause
	}{
		{404, q850.UnallocatedNumber},
		{486, q850.UserBusy},
		{503, q850.TemporaryFailure},
		{603, q850.CallRejected},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			f := newFarEnd(t)
			u := dialer(t, f)
			c, err := u.Dial("line1", "100", Party{})
			if err != nil {
				t.Fatal(err)
			}
			f.respond(f.nextInvite(), tc.status, "x", nil)
			wait(t, c.Done(), "end of the refused call")
			if want, _ := q850.FromStatus(tc.status); c.Cause() != want || want != tc.want {
				t.Errorf("cause %v, want %v", c.Cause(), tc.want)
			}
		})
	}
}

// TestDialUnreachable: a server that refuses the connection fails the call
// as a 503 would (RFC 3261 §8.1.3.1), not as a timeout.
func TestDialUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	u, _ := startUA(t, Config{
		Listen:   []Listen{{Transport: "tcp", Addr: netip.MustParseAddrPort("127.0.0.1:0")}},
		Accounts: []Account{{Name: "line1", User: "2001", Proxy: "sip:" + closed + ";transport=tcp"}},
		RTPPorts: [2]int{30060, 30069},
	})
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, c.Done(), "the call to fail")
	if c.Cause() != q850.TemporaryFailure {
		t.Errorf("cause %v, want 41, temporary failure", c.Cause())
	}
}

func TestDialRedirected(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	first := f.nextInvite()
	res := sip.NewResponseFromRequest(first.req, 302, "Moved Temporarily", nil)
	res.To().Params.Add("tag", "r")
	res.AppendHeader(sip.NewHeader("Contact", fmt.Sprintf("<sip:200@%s>;q=0.5, <sip:300@%s>;q=0.9", f.addr, f.addr)))
	first.tx.Respond(res)
	second := f.nextInvite()
	if second.req.Recipient.User != "300" {
		t.Errorf("redirected to %s, want the Contact with the higher q (300)", second.req.Recipient.String())
	}
	f.respond(second, 200, "far", offer("0"))
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	if err := c.Hangup(context.Background(), q850.NormalClearing); err != nil {
		t.Fatal(err)
	}
	bye := f.next(f.byes, "BYE")
	if r := bye.GetHeader("Reason"); r == nil || !strings.Contains(r.Value(), "cause=16") {
		t.Errorf("BYE Reason %v", r)
	}
}

func TestDialCancelled(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	f.respond(in, 180, "far", nil)
	waitCall(t, c, CallRinging)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The far end's sipgo answers the CANCEL and the INVITE (487) itself.
	if err := c.Hangup(ctx, q850.NormalClearing); err != nil {
		t.Fatal(err)
	}
	if c.Cause() != q850.NormalClearing {
		t.Errorf("cause %v", c.Cause())
	}
}

func TestDialCancelledBeforeAnyResponse(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	hungUp := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hungUp <- c.Hangup(ctx, q850.NormalClearing)
	}()
	// A CANCEL may only follow a provisional response (RFC 3261 §9.1).
	time.Sleep(50 * time.Millisecond)
	select {
	case <-c.Done():
		t.Fatal("the call ended before the INVITE got any response")
	default:
	}
	f.respond(in, 100, "", nil)
	if err := <-hungUp; err != nil {
		t.Fatal(err)
	}
}

func TestDialForkedAnswers(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	f.respond(in, 200, "first", offer("0"))
	f.respond(in, 200, "second", offer("8"))
	acks := map[string]bool{}
	for range 2 {
		a := f.next(f.acks, "ACK")
		tag, _ := a.To().Params.Get("tag")
		acks[tag] = true
	}
	if !acks["first"] || !acks["second"] {
		t.Errorf("ACKs to %v, want both forks", acks)
	}
	// Whichever 2xx the gateway took first is the call; the other fork
	// gets a BYE.
	bye := f.next(f.byes, "BYE of the other fork")
	lost, _ := bye.To().Params.Get("tag")
	won, codec := "first", "PCMU"
	if lost == "first" {
		won, codec = "second", "PCMA"
	}
	waitCall(t, c, CallActive)
	if c.Media().Codec.Name != codec {
		t.Errorf("media of %s, want the %s fork's %s", c.Media().Codec.Name, won, codec)
	}
	// The winner's 200 again: its ACK was lost.
	f.respond(in, 200, won, offer("0"))
	a := f.next(f.acks, "ACK of the retransmitted 2xx")
	if tag, _ := a.To().Params.Get("tag"); tag != won {
		t.Errorf("ACK to %q, want %q", tag, won)
	}
}

func TestDialFailsOverToTheNextServer(t *testing.T) {
	busy, good := newFarEnd(t), newFarEnd(t)
	zone := append(srv("_sip._udp.example.test.", 10, "a.example.test.", busy.addr.Port()),
		srv("_sip._udp.example.test.", 20, "b.example.test.", good.addr.Port())...)
	u, _ := startUA(t, Config{
		Resolver: &locate.Resolver{Server: serveZone(t, zone...)},
		Accounts: []Account{{Name: "line1", User: "2001", Proxy: "sip:example.test"}},
		RTPPorts: [2]int{30040, 30049},
	})
	c, err := u.Dial("line1", "100", Party{})
	if err != nil {
		t.Fatal(err)
	}
	first := busy.nextInvite()
	busy.respond(first, 503, "", nil)
	in := good.nextInvite()
	if in.req.CallID().Value() != first.req.CallID().Value() || in.req.CSeq().SeqNo <= first.req.CSeq().SeqNo {
		t.Error("the INVITE to the next server must keep the Call-ID and take the next CSeq")
	}
	good.respond(in, 200, "far", offer("0"))
	good.next(good.acks, "ACK")
	waitCall(t, c, CallActive)
}

// TestDialEarlyMediaRightBeforeAnswer sends the 183 and the 200 back to
// back, as a PSTN gateway does when the far end answers during its
// announcement: whichever order sipgo hands them over in (its issue
// #306), the call ends up answered with the 200's media.
func TestDialEarlyMediaRightBeforeAnswer(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	for i := range 20 {
		c, err := u.Dial("line1", "100", Party{})
		if err != nil {
			t.Fatal(err)
		}
		in := f.nextInvite()
		f.respond(in, 183, "far", offer("0"))
		f.respond(in, 200, "far", offer("0"))
		f.next(f.acks, "ACK")
		waitCall(t, c, CallActive)
		time.Sleep(10 * time.Millisecond) // room for a late 183 to do harm
		if s, m := c.State(), c.Media(); s != CallActive || m.Codec.Name != "PCMU" {
			t.Fatalf("round %d: %v with %+v, want active", i, s, m)
		}
		c.Hangup(context.Background(), q850.NormalClearing)
		f.next(f.byes, "BYE")
	}
}

// With no account, a call to a full URI goes straight to it; a number
// needs an account.
func TestDialDirectWithoutAccount(t *testing.T) {
	f := newFarEnd(t)
	u, _ := startUA(t, Config{RTPPorts: [2]int{30040, 30049}})
	if _, err := u.Dial("", "3000", Party{Number: "1001"}); err == nil {
		t.Error("a number dialled with no account")
	}
	if _, err := u.Dial("nope", "sip:3000@"+f.addr.String(), Party{Number: "1001"}); err == nil {
		t.Error("a call from an account that does not exist")
	}
	c, err := u.Dial("", "sip:3000@"+f.addr.String(), Party{Number: "1001", Name: "Alice"})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	if ru := in.req.Recipient; ru.User != "3000" || ru.Port != int(f.addr.Port()) {
		t.Errorf("Request-URI %s", ru.String())
	}
	if from := in.req.From(); from.Address.User != "1001" || from.Address.Host != "127.0.0.1" || from.DisplayName != "Alice" {
		t.Errorf("From %s", from.Value())
	}
	f.respond(in, sip.StatusBusyHere, "far", nil)
	wait(t, c.Done(), "the call's end")
	if c.Cause() != q850.UserBusy {
		t.Errorf("cause %v", c.Cause())
	}
}

// TestDialAnswerSentTwice has the far end send its 2xx twice at once, as
// it does when our ACK is late, and the gateway answer with an ACK. Under
// the race detector this checks that the ACK is never sent from two
// goroutines at once (once a flaky interop test on a loaded machine).
func TestDialAnswerSentTwice(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	for range 20 {
		c, err := u.Dial("line1", "100", Party{})
		if err != nil {
			t.Fatal(err)
		}
		in := f.nextInvite()
		f.respond(in, 200, "far", offer("0"))
		f.respond(in, 200, "far", offer("0"))
		// An ACK sent again for the second 2xx comes after the first, and
		// is passed over with the next call's.
		for ack := f.next(f.acks, "ACK"); ack.CallID().Value() != in.req.CallID().Value(); ack = f.next(f.acks, "ACK") {
		}
		waitCall(t, c, CallActive)
		c.Hangup(context.Background(), q850.NormalClearing)
		f.next(f.byes, "BYE")
	}
}
