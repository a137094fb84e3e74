package sipua

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
	"tipring/sipua/sdpoa"
)

// FuzzRequest sends a running UA arbitrary bytes as a SIP request over
// UDP, as a broken or hostile peer might, from a peer it trusts and from
// one it does not. Whatever comes, the UA must not panic, must give a
// final response to every request its handlers take, must leave no call
// half set up, and must go on answering OPTIONS.
//
// The UA holds an answered call, the fixture, so that requests reach the
// in-dialog handlers: in a message {callid}, {uatag}, {phonetag} and
// {cseq} stand for its Call-ID, the UA's tag, the phone's tag and the next
// sequence number; {ua}, {me} and {phone} for the addresses of the UA, the
// fuzzing peer and the fixture's phone. Each message gets a Via of the
// peer's on top, so that it is a transaction of its own and its responses
// come back to the peer. Messages that would have the UA send anything off
// the machine are left out.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{
		"",
		"\r\n\r\n",
		"SIP/2.0 200 OK\r\nCall-ID: {callid}\r\nCSeq: 1 INVITE\r\n\r\n",
		"OPTIONS sip:{ua} SIP/2.0\r\n\r\n",
		"INVITE sip:{ua} SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	fz := newRequestFuzzer(f)
	f.Fuzz(fz.request)
}

// A requestFuzzer is the UA under test, the phone that holds the fixture
// call with it, and that call.
type requestFuzzer struct {
	u        *UA
	addr     netip.AddrPort // the UA's
	phone    *sipgo.DialogUA
	phoneAt  netip.AddrPort
	token    string     // the phone's number: the UA answers its calls
	answered chan *Call // the UA's side of the phone's calls

	fx *fixture
}

// A fixture is the call the phone holds with the UA.
type fixture struct {
	call                    *Call
	callID, uaTag, phoneTag string
	seq                     uint32 // the highest CSeq sent in the dialog
}

func newRequestFuzzer(tb testing.TB) *requestFuzzer {
	fz := &requestFuzzer{token: "fixture" + rand.Text(), answered: make(chan *Call, 1)}
	fz.u = runUA(tb, Config{
		UserAgent:    "tipring/fuzz",
		Listen:       []Listen{{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")}},
		TrustedPeers: []netip.Prefix{netip.PrefixFrom(trustedIP, 32)},
		RTPPorts:     [2]int{31000, 31999},
		Incoming: func(c *Call) {
			if c.From.Number == fz.token {
				fz.answered <- c
				c.Answer()
				return
			}
			// Everyone else's calls ring, and are refused.
			c.Ringing()
			c.Reject(q850.UserBusy)
		},
	})
	fz.addr, _ = fz.u.Addr("udp")
	fz.phone, fz.phoneAt = dialogPhone(tb)
	// Hang up while the phone is there to answer the BYE.
	tb.Cleanup(func() {
		if fz.fx != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			fz.fx.call.Hangup(ctx, q850.NormalClearing)
		}
	})
	return fz
}

// runUA runs a UA until the test ends. Unlike startUA it serves a fuzz
// target too.
func runUA(tb testing.TB, cfg Config) *UA {
	tb.Helper()
	u, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run: %v", err)
		}
	})
	for range 400 {
		if _, ok := u.Addr("udp"); ok {
			return u
		}
		time.Sleep(5 * time.Millisecond)
	}
	tb.Fatal("the UA does not listen")
	return nil
}

// dialogPhone is a phone on loopback that places calls and answers BYE.
func dialogPhone(tb testing.TB) (*sipgo.DialogUA, netip.AddrPort) {
	tb.Helper()
	ua, err := sipgo.NewUA()
	if err != nil {
		tb.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close(); ua.Close() })
	me := c.LocalAddr().(*net.UDPAddr).AddrPort()
	go srv.ServeUDP(c)
	for range 400 {
		if c, _ := ua.TransportLayer().GetConnection("udp", me.String()); c != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientConnectionAddr(me.String()), sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		tb.Fatal(err)
	}
	return &sipgo.DialogUA{Client: client, ContactHDR: sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: "phone", Host: "127.0.0.1", Port: int(me.Port())}}}, me
}

// fixture returns the phone's answered call with the UA, calling again
// when the last has ended.
func (fz *requestFuzzer) fixture(t *testing.T) *fixture {
	if fx := fz.fx; fx != nil {
		select {
		case <-fx.call.Done():
		default:
			if fx.seq < 1<<30 {
				return fx
			}
			// A new dialog before CSeq runs out (RFC 3261 §8.1.1.5: < 2**31).
			go fx.call.hangup(q850.NormalClearing)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: fz.token, Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", rand.Text())
	d, err := fz.phone.Invite(ctx, sip.Uri{Scheme: "sip", User: "1001", Host: fz.addr.Addr().String(), Port: int(fz.addr.Port())},
		offer("0 101"), contentTypeSDP(), from)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatalf("the fixture call: %v", err)
	}
	if err := d.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	fx := &fixture{call: <-fz.answered, callID: d.InviteRequest.CallID().Value(), seq: d.InviteRequest.CSeq().SeqNo}
	fx.phoneTag, _ = d.InviteRequest.From().Params.Get("tag")
	fx.uaTag, _ = d.InviteResponse.To().Params.Get("tag")
	fz.fx = fx
	return fx
}

// The fuzzing peers: the UA trusts the one, not the other.
var (
	trustedIP  = netip.MustParseAddr("127.0.0.1")
	strangerIP = netip.MustParseAddr("127.0.0.2")
)

func (fz *requestFuzzer) request(t *testing.T, msg []byte) {
	fx := fz.fixture(t)
	for _, ip := range []netip.Addr{trustedIP, strangerIP} {
		fz.send(t, fx, msg, ip)
	}
	fz.settle(t, fx)
	p := newRawPeer(t, fz.addr)
	defer p.close()
	ping := rand.Text()
	p.send(t, p.expand(sipMessage("", request("OPTIONS")...), "{callid}", ping))
	if res := p.final(ping, time.Now().Add(10*time.Second)); res == nil || res.StatusCode != sip.StatusOK {
		t.Fatalf("OPTIONS after\n%s\ngot %v", msg, res)
	}
}

// send sends msg from a peer at ip, and waits for the final response if
// one is to come back.
func (fz *requestFuzzer) send(t *testing.T, fx *fixture, msg []byte, ip netip.Addr) {
	p := newRawPeerAt(t, fz.addr, ip)
	defer p.close()
	msg = p.expand(string(msg), "{callid}", fx.callID, "{uatag}", fx.uaTag, "{phonetag}", fx.phoneTag,
		"{cseq}", strconv.FormatUint(uint64(fx.seq)+1, 10), "{phone}", fz.phoneAt.String())
	branch := sip.RFC3261BranchMagicCookie + rand.Text()
	msg = withVia(msg, p.addr(), branch)
	if len(msg) > 65507 { // the most a UDP datagram carries over IPv4
		return
	}
	var req *sip.Request
	if m, err := sip.ParseMessage(msg); err == nil {
		req, _ = m.(*sip.Request)
	}
	if req != nil && !onLoopback(req) {
		return
	}
	if req != nil && req.CallID() != nil && req.CallID().Value() == fx.callID && req.CSeq() != nil {
		fx.seq = max(fx.seq, req.CSeq().SeqNo)
	}
	p.send(t, msg)
	if req == nil || req.IsAck() || !ours(req, branch) {
		return
	}
	if finalTo(t, p, req, branch) == nil {
		t.Fatalf("no final response from %s to\n%s", ip, msg)
	}
}

// withVia puts a Via of the peer's atop msg, after its first line.
func withVia(msg []byte, me netip.AddrPort, branch string) []byte {
	i := bytes.Index(msg, []byte("\r\n"))
	if i < 0 {
		return msg
	}
	via := "Via: SIP/2.0/UDP " + me.String() + ";rport;branch=" + branch + "\r\n"
	return slices.Concat(msg[:i+2], []byte(via), msg[i+2:])
}

// ours reports whether req's responses come back to the peer: its top Via
// is the one withVia added, whole.
func ours(req *sip.Request, branch string) bool {
	v := req.Via()
	if v == nil || v.Params == nil {
		return false
	}
	b, _ := v.Params.Get("branch")
	rport, ok := v.Params.Get("rport")
	return b == branch && ok && rport == ""
}

// onLoopback reports whether all that could make the UA send a packet
// somewhere points to loopback: Contact and Record-Route (a BYE goes there),
// Refer-To (a transfer calls it) and an SDP body's media address (RTCP goes
// there). Fuzzing sends nothing off the machine.
func onLoopback(req *sip.Request) bool {
	var uris []sip.Uri
	for _, h := range req.GetHeaders("Contact") {
		if c, ok := h.(*sip.ContactHeader); ok {
			uris = append(uris, c.Address)
		}
	}
	for _, h := range req.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			uris = append(uris, rr.Address)
		}
	}
	for _, h := range req.GetHeaders("Refer-To") {
		var u sip.Uri
		var params sip.HeaderParams
		if _, err := sip.ParseAddressValue(h.Value(), &u, &params); err == nil {
			uris = append(uris, u)
		}
	}
	for _, u := range uris {
		if ip, err := netip.ParseAddr(strings.Trim(u.Host, "[]")); u.Host != "" && (err != nil || !ip.IsLoopback()) {
			return false
		}
	}
	if len(req.Body()) == 0 {
		return true
	}
	s, err := sdpoa.NewSession(sdpoa.Config{Local: netip.MustParseAddrPort("127.0.0.1:31000")})
	if err != nil {
		panic(err)
	}
	_, res, err := s.Answer(req.Body())
	return err != nil || !res.Remote.IsValid() || res.Remote.Addr().IsLoopback() || res.Remote.Addr().IsUnspecified()
}

// answer is the peer's SDP answer to the offer res carries, if it carries
// one and req did not.
func answer(req *sip.Request, res *sip.Response) []byte {
	if len(req.Body()) == 0 && len(res.Body()) > 0 {
		return offer("0 101")
	}
	return nil
}

// follow builds a request that follows res to req: an ACK or a PRACK.
func follow(method sip.RequestMethod, req *sip.Request, res *sip.Response, me netip.AddrPort, branch string, seq uint32, body []byte) []byte {
	r := sip.NewRequest(method, req.Recipient)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
		Host: me.Addr().String(), Port: int(me.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", branch)
	via.Params.Add("rport", "")
	r.AppendHeader(via)
	if h := res.From(); h != nil {
		r.AppendHeader(sip.HeaderClone(h))
	}
	if h := res.To(); h != nil {
		r.AppendHeader(sip.HeaderClone(h))
	}
	if h := res.CallID(); h != nil {
		r.AppendHeader(sip.HeaderClone(h))
	}
	r.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	if method == sip.PRACK {
		r.AppendHeader(sip.NewHeader("RAck", res.GetHeader("RSeq").Value()+" "+res.CSeq().Value()))
	}
	if body != nil {
		r.AppendHeader(contentTypeSDP())
	}
	r.SetBody(body)
	return []byte(r.String())
}

// finalTo waits for the final response to req, sent with branch. The UA
// holds its final response until a reliable 18x has its PRACK, so each
// gets one (RFC 3262 §4); a 2xx gets its ACK end to end, a failure hop by
// hop within the INVITE's transaction (RFC 3261 §17.1.1.3).
func finalTo(t *testing.T, p *rawPeer, req *sip.Request, branch string) *sip.Response {
	deadline := time.Now().Add(10 * time.Second)
	seq := uint32(0)
	if req.CSeq() != nil {
		seq = req.CSeq().SeqNo
	}
	prack := seq
	for {
		m, err := p.read(deadline)
		if err != nil {
			return nil
		}
		res, ok := m.(*sip.Response)
		if !ok || res.CSeq() != nil && res.CSeq().MethodName == sip.PRACK {
			continue
		}
		if res.StatusCode >= 200 {
			if req.IsInvite() && res.CSeq() != nil {
				if res.IsSuccess() {
					branch = sip.RFC3261BranchMagicCookie + rand.Text()
				}
				p.send(t, follow(sip.ACK, req, res, p.addr(), branch, seq, answer(req, res)))
			}
			return res
		}
		if req.IsInvite() && res.GetHeader("RSeq") != nil && res.CSeq() != nil {
			prack++
			p.send(t, follow(sip.PRACK, req, res, p.addr(), sip.RFC3261BranchMagicCookie+rand.Text(), prack, answer(req, res)))
		}
	}
}

// settle waits until every call of the UA is the fixture or answered, and
// hangs up the answered ones (an INVITE with Replaces takes the fixture's
// place). A call left offered, or not ended, is stuck.
func (fz *requestFuzzer) settle(t *testing.T, fx *fixture) {
	hungUp := map[*Call]bool{}
	for deadline := time.Now().Add(10 * time.Second); ; {
		fz.u.mu.Lock()
		calls := make([]*Call, 0, len(fz.u.live))
		for c := range fz.u.live {
			calls = append(calls, c)
		}
		fz.u.mu.Unlock()
		var stuck []*Call
		for _, c := range calls {
			switch {
			case c == fx.call:
			case c.State() == CallActive:
				if !hungUp[c] {
					hungUp[c] = true
					go c.hangup(q850.NormalClearing)
				}
			default:
				stuck = append(stuck, c)
			}
		}
		if len(stuck) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls stuck, the first %s from %q", len(stuck), stuck[0].State(), stuck[0].From.Number)
		}
		time.Sleep(time.Millisecond)
	}
}

// FuzzOfferParts reads arbitrary INVITE bodies as offers, as a Mediation
// Server, or anyone, might send them, with media bypass on and off, and
// answers them. Nothing panics; a multipart/alternative body that cannot
// be read is errBadMultipart; one that can gives its session descriptions
// in order of preference, each ending in a line end; an answer is to one
// of them.
func FuzzOfferParts(f *testing.F) {
	printed := example(f, "4.6.2.1-invite.txt", nil).(*sip.Request)
	ct := printed.ContentType().Value()
	bypassType, bypassBody := bypassOffer()
	for _, seed := range []struct {
		contentType string
		body        []byte
	}{
		{ct, printed.Body()}, // delimiters without their two hyphens
		{strings.Replace(ct, `"-----_`, `"---_`, 1), printed.Body()},
		{bypassType, bypassBody},
		{"multipart/alternative; boundary=b1", []byte(multipartOffer)},
		{"multipart/alternative; boundary=b1", []byte(multipartOffer[:len(multipartOffer)/2])},
		{"multipart/alternative; boundary=b1", []byte("--b1--\r\n")},
		{"multipart/alternative", []byte(multipartOffer)},
		{"multipart/mixed; boundary=b1", []byte(multipartOffer)},
		{"application/sdp", offer("0 8 101")},
	} {
		f.Add(seed.contentType, seed.body, false)
		f.Add(seed.contentType, seed.body, true)
	}
	local := netip.MustParseAddrPort("127.0.0.1:40000")
	f.Fuzz(func(t *testing.T, contentType string, body []byte, bypass bool) {
		u := &UA{cfg: Config{MediaBypass: bypass}}
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1"})
		h := sip.ContentTypeHeader(contentType)
		req.AppendHeader(&h)
		req.SetBody(body)
		parts, ok, err := u.offerParts(req)
		switch {
		case err != nil:
			if !ok || parts != nil || !errors.Is(err, errBadMultipart) {
				t.Fatalf("offerParts = %d parts, %v, %v: an error must be errBadMultipart alone", len(parts), ok, err)
			}
			return
		case !ok:
			if parts != nil {
				t.Fatalf("%d parts of a body that is no offer", len(parts))
			}
			return
		case isSDP(req):
			if len(parts) != 1 || !bytes.Equal(parts[0].body, body) {
				t.Fatalf("an SDP body read as %d parts", len(parts))
			}
		case len(parts) == 0:
			t.Fatal("a multipart offer read without error and without parts")
		}
		for i, p := range parts {
			if !isSDP(req) && !bytes.HasSuffix(p.body, []byte("\n")) {
				t.Errorf("part %d does not end in a line end: %q", i, p.body)
			}
			if i > 0 && u.rank(parts[i-1], false) > u.rank(p, false) {
				t.Errorf("part %d preferred to part %d, which ranks higher", i-1, i)
			}
		}
		sess, err := sdpoa.NewSession(sdpoa.Config{Local: local})
		if err != nil {
			t.Fatal(err)
		}
		answer, _, part, err := answerParts(sess, parts)
		if err != nil {
			return
		}
		if len(answer) == 0 || !slices.ContainsFunc(parts, func(p offerPart) bool {
			return bytes.Equal(p.body, part.body) && p.contentID == part.contentID
		}) {
			t.Errorf("answer %q to a part not offered, %q", answer, part.contentID)
		}
	})
}
