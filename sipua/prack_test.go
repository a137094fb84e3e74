package sipua

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

// rseqOf reads a response's RSeq, 0 if none.
func rseqOf(t *testing.T, res *sip.Response) uint32 {
	t.Helper()
	v, ok := headerValue(res, "RSeq")
	if !ok {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		t.Fatalf("RSeq %q", v)
	}
	return uint32(n)
}

func rackHeader(rseq, seq uint32) sip.Header {
	return sip.NewHeader("RAck", fmt.Sprintf("%d %d INVITE", rseq, seq))
}

func TestIncomingReliableEarlyMedia(t *testing.T) {
	u, calls := incoming(t)
	p := newPhone(t, u)
	cl := newCaller(t, p, offer("8 101"), sip.NewHeader("Require", "100rel"))
	c := nextCall(t, calls)
	if err := c.Progress(); err != nil {
		t.Fatal(err)
	}
	res := cl.next()
	rseq := rseqOf(t, res)
	if res.StatusCode != 183 || rseq == 0 || rseq >= 1<<31 || !hasOptionTag(res, "100rel", "Require") {
		t.Fatalf("183: %d, RSeq %d, Require %q", res.StatusCode, rseq, header(res, "Require"))
	}
	if !strings.Contains(string(res.Body()), "RTP/AVP 8 101") {
		t.Errorf("183 without our answer:\n%s", res.Body())
	}
	// No PRACK yet: the 183 comes again after T1, 2*T1, 4*T1.
	for _, after := range []time.Duration{sip.T1, 2 * sip.T1, 4 * sip.T1} {
		fake.await(t, after)
		fake.advance(after)
		again := cl.next()
		if again.StatusCode != 183 || rseqOf(t, again) != rseq {
			t.Fatalf("after %v: %d RSeq %d, want the 183 again", after, again.StatusCode, rseqOf(t, again))
		}
	}
	// The application answers meanwhile; the 200 waits for the PRACK.
	answered := make(chan error, 1)
	go func() { answered <- c.Answer() }()
	if wrong := cl.do(cl.request(sip.PRACK, res, nil, rackHeader(rseq+1, 1))); wrong.StatusCode != 481 {
		t.Errorf("PRACK of an RSeq never sent: %d, want 481", wrong.StatusCode)
	}
	time.Sleep(50 * time.Millisecond) // a 200 sent too early would be here by now
	select {
	case r := <-cl.tx.Responses():
		t.Fatalf("%d before the PRACK", r.StatusCode)
	default:
	}
	if ok := cl.do(cl.request(sip.PRACK, res, nil, rackHeader(rseq, 1))); ok.StatusCode != 200 {
		t.Fatalf("PRACK: %d", ok.StatusCode)
	}
	final := cl.next()
	if final.StatusCode != 200 || string(final.Body()) != string(res.Body()) {
		t.Fatalf("final %d, body:\n%s\nwant 200 with the answer of the 183:\n%s", final.StatusCode, final.Body(), res.Body())
	}
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	cl.ack(final, nil)
	if again := cl.do(cl.request(sip.PRACK, res, nil, rackHeader(rseq, 1))); again.StatusCode != 481 {
		t.Errorf("second PRACK of the same 183: %d, want 481", again.StatusCode)
	}
	if m := c.Media(); m.Codec.Name != "PCMA" {
		t.Errorf("media %+v", m)
	}
	c.Hangup(context.Background(), q850.NormalClearing)
}

func TestIncomingReliableWithoutPrack(t *testing.T) {
	u, calls := incoming(t)
	p := newPhone(t, u)
	cl := newCaller(t, p, offer("0"), sip.NewHeader("Require", "100rel"))
	c := nextCall(t, calls)
	if err := c.Ringing(); err != nil {
		t.Fatal(err)
	}
	if res := cl.next(); res.StatusCode != 180 || rseqOf(t, res) == 0 {
		t.Fatalf("180: %d RSeq %d", res.StatusCode, rseqOf(t, res))
	}
	fake.await(t, sip.T1)
	fake.advance(64 * sip.T1)
	for {
		res := cl.next()
		if res.StatusCode == 180 {
			continue // a retransmission that was due
		}
		if res.StatusCode != 500 || !strings.Contains(header(res, "Reason"), "cause=102") {
			t.Fatalf("after 64*T1 without PRACK: %d Reason %q, want 500 with cause 102", res.StatusCode, header(res, "Reason"))
		}
		break
	}
	wait(t, c.Done(), "end of the call")
	if c.Cause() != q850.RecoveryOnTimerExpiry {
		t.Errorf("cause %v", c.Cause())
	}
	if err := c.Answer(); err == nil {
		t.Error("answered a call that ended")
	}
}

func TestIncomingReliableWhenSupported(t *testing.T) {
	u, calls := incoming(t)
	p := newPhone(t, u)
	cl := newCaller(t, p, offer("0"), sip.NewHeader("Supported", "100rel, timer"))
	c := nextCall(t, calls)
	c.Ringing()
	if res := cl.next(); res.StatusCode != 180 || rseqOf(t, res) != 0 || hasOptionTag(res, "100rel", "Require") {
		t.Errorf("180 without SDP went reliably: RSeq %d", rseqOf(t, res))
	}
	c.Progress()
	res := cl.next()
	if res.StatusCode != 183 || rseqOf(t, res) == 0 {
		t.Fatalf("183 with SDP: %d RSeq %d, want it reliable", res.StatusCode, rseqOf(t, res))
	}
	// A refusal need not wait for the PRACK, and ends the retransmissions.
	fake.await(t, sip.T1)
	c.Hangup(context.Background(), q850.NormalClearing)
	if res, want := cl.next(), q850.NormalClearing.Status(); res.StatusCode != want {
		t.Errorf("hung up before answering: %d, want %d", res.StatusCode, want)
	}
	deadline := time.Now().Add(5 * time.Second)
	for slices.Contains(fake.pending(), sip.T1) {
		if time.Now().After(deadline) {
			t.Fatal("the 183 is still to be sent again")
		}
		time.Sleep(time.Millisecond)
	}
}

// An INVITE without SDP that requires 100rel: our offer goes in the
// reliable 180, and its answer comes in the PRACK.
func TestIncomingDelayedOfferReliable(t *testing.T) {
	u, calls := incoming(t)
	p := newPhone(t, u)
	cl := newCaller(t, p, nil, sip.NewHeader("Require", "100rel"))
	c := nextCall(t, calls)
	c.Ringing()
	res := cl.next()
	if res.StatusCode != 180 || !strings.Contains(string(res.Body()), "RTP/AVP 0 8 101") {
		t.Fatalf("reliable 180: %d without our offer:\n%s", res.StatusCode, res.Body())
	}
	answer := strings.Replace(string(offer("8")), "m=audio 40000", "m=audio 40004", 1)
	if ok := cl.do(cl.request(sip.PRACK, res, []byte(answer), rackHeader(rseqOf(t, res), 1))); ok.StatusCode != 200 {
		t.Fatalf("PRACK: %d", ok.StatusCode)
	}
	if m := c.Media(); m.Codec.Name != "PCMA" || m.Remote.Port() != 40004 {
		t.Errorf("media after the answer in PRACK: %+v", m)
	}
	go c.Answer()
	final := cl.next()
	if final.StatusCode != 200 || string(final.Body()) != string(res.Body()) {
		t.Fatalf("200 %d:\n%s\nwant the SDP of the 180 again", final.StatusCode, final.Body())
	}
	cl.ack(final, nil) // no answer in the ACK: the PRACK had it
	if m := c.Media(); m.Codec.Name != "PCMA" || c.State() != CallActive {
		t.Errorf("call %v, media %+v", c.State(), m)
	}
	c.Hangup(context.Background(), q850.NormalClearing)
}

func TestIncomingRequireUnsupported(t *testing.T) {
	u, calls := incoming(t)
	p := newPhone(t, u)
	cl := newCaller(t, p, offer("0"), sip.NewHeader("Require", "100rel, Timer, precondition, foo"))
	res := cl.next()
	if res.StatusCode != 420 || header(res, "Unsupported") != "precondition, foo" {
		t.Fatalf("%d Unsupported %q, want 420 naming precondition and foo", res.StatusCode, header(res, "Unsupported"))
	}
	if len(calls) != 0 {
		t.Error("the call was offered")
	}
}

// prackPeer is a SIP server on loopback that answers PRACKs with 200 and
// hands them to the test.
type prackPeer struct {
	addr   netip.AddrPort
	pracks chan *sip.Request
}

func newPrackPeer(t *testing.T) *prackPeer {
	t.Helper()
	p := &prackPeer{pracks: make(chan *sip.Request, 8)}
	_, p.addr = sipPeer(t, func(srv *sipgo.Server) {
		srv.OnPrack(func(req *sip.Request, tx sip.ServerTransaction) {
			tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
			p.pracks <- req
		})
	})
	return p
}

func (p *prackPeer) next(t *testing.T) *sip.Request {
	t.Helper()
	select {
	case r := <-p.pracks:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no PRACK")
		return nil
	}
}

func TestOutgoingPrack(t *testing.T) {
	f := newFarEnd(t)
	proxy := newPrackPeer(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	in := f.nextInvite()
	// The 18x's route set leads through proxy to the far end's Contact.
	rr := sip.NewHeader("Record-Route", fmt.Sprintf("<sip:%s;lr>", proxy.addr))
	reliable := func(code int, rseq int, body []byte) {
		f.respond(in, code, "far1", body, rr, sip.NewHeader("Require", "100rel"), sip.NewHeader("RSeq", strconv.Itoa(rseq)))
	}
	reliable(183, 7, offer("8"))
	pr := proxy.next(t)
	if r := header(pr, "RAck"); r != fmt.Sprintf("7 %d INVITE", in.req.CSeq().SeqNo) {
		t.Errorf("RAck %q", r)
	}
	if tag, _ := pr.To().Params.Get("tag"); tag != "far1" || pr.Recipient.User != "far" || pr.GetHeader("Route") == nil {
		t.Errorf("PRACK to %s, To tag %q, Route %v: want the early dialog's", pr.Recipient.String(), tag, pr.GetHeader("Route"))
	}
	if pr.CSeq().SeqNo <= in.req.CSeq().SeqNo || pr.CallID().Value() != in.req.CallID().Value() {
		t.Error("PRACK CSeq or Call-ID")
	}
	waitCall(t, c, CallEarlyMedia)
	// The 183 again gets no PRACK; the next one does. (sipgo hands
	// responses on in any order, so TestReliableNews checks the order.)
	reliable(183, 7, offer("8"))
	time.Sleep(50 * time.Millisecond)
	reliable(180, 8, nil)
	if r := header(proxy.next(t), "RAck"); !strings.HasPrefix(r, "8 ") {
		t.Errorf("next PRACK RAck %q, want the 180 with RSeq 8", r)
	}
	f.respond(in, 200, "far1", offer("8"))
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	c.Hangup(context.Background(), q850.NormalClearing)
	if bye := f.next(f.byes, "BYE"); bye.CSeq().SeqNo <= pr.CSeq().SeqNo+1 {
		t.Errorf("BYE CSeq %d, not after the PRACKs' (%d, %d)", bye.CSeq().SeqNo, pr.CSeq().SeqNo, pr.CSeq().SeqNo+1)
	}
}

func TestReliableNews(t *testing.T) {
	var r reliable
	a, b := earlyDialog{"a", 1}, earlyDialog{"b", 1}
	for i, tc := range []struct {
		key  earlyDialog
		rseq uint32
		want bool
	}{
		{a, 7, true},   // the first of a dialog: any RSeq
		{a, 7, false},  // sent again
		{a, 9, false},  // out of order
		{a, 8, true},   // the next
		{b, 100, true}, // another fork
		{a, 9, true},
		{earlyDialog{"a", 2}, 1, true}, // the INVITE again, after a 401
		{b, 100, false},
	} {
		if got := r.news(tc.key, tc.rseq); got != tc.want {
			t.Errorf("%d: RSeq %d in %v: %v, want %v", i, tc.rseq, tc.key, got, tc.want)
		}
	}
}

func TestOptionTags(t *testing.T) {
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "gw.example"})
	req.AppendHeader(sip.NewHeader("Supported", "Timer,100REL"))
	req.AppendHeader(sip.NewHeader("k", " replaces ,, path"))
	req.AppendHeader(sip.NewHeader("Require", "timer, sec-agree"))
	if got := strings.Join(optionTags(req, "Supported"), " "); got != "timer 100rel replaces path" {
		t.Errorf("Supported tags %q", got)
	}
	if got := unsupported(req); len(got) != 1 || got[0] != "sec-agree" {
		t.Errorf("unsupported %q", got)
	}
	for _, tc := range []struct {
		allow       string
		allowed, ok bool
	}{{"INVITE, ACK, UPDATE", true, true}, {"INVITE,update", true, true}, {"INVITE, ACK", false, true}, {"", false, false}} {
		m := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "gw.example"})
		if tc.allow != "" {
			m.AppendHeader(sip.NewHeader("Allow", tc.allow))
		}
		if allowed, ok := allows(m, sip.UPDATE); allowed != tc.allowed || ok != tc.ok {
			t.Errorf("Allow %q: %v %v", tc.allow, allowed, ok)
		}
	}
}

func FuzzRAck(f *testing.F) {
	for _, s := range []string{"776656 1 INVITE", "1 2", "1 2 INVITE extra", "x 2 INVITE", "4294967296 1 INVITE", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		req := sip.NewRequest(sip.PRACK, sip.Uri{Scheme: "sip", Host: "gw.example"})
		req.AppendHeader(sip.NewHeader("RAck", v))
		rseq, seq, method, err := rack(req)
		if err != nil {
			return
		}
		// What we would write reads the same.
		again := sip.NewRequest(sip.PRACK, sip.Uri{Scheme: "sip", Host: "gw.example"})
		again.AppendHeader(sip.NewHeader("RAck", fmt.Sprintf("%d %d %s", rseq, seq, method)))
		if r2, s2, m2, err := rack(again); err != nil || r2 != rseq || s2 != seq || m2 != method {
			t.Fatalf("%q read as %d %d %s, and back as %d %d %s %v", v, rseq, seq, method, r2, s2, m2, err)
		}
	})
}
