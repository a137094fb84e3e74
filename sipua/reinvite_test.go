package sipua

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
	"tipring/sipua/rtpstream"
)

// farCall is a call the far end has answered, from which it sends
// requests of its own into the dialog.
type farCall struct {
	f      *farEnd
	invite *sip.Request // the gateway's INVITE
	tag    string
	seq    uint32
}

// answered has the far end answer the gateway's next call with sdp.
func answered(t *testing.T, f *farEnd, c *Call, sdp []byte) *farCall {
	t.Helper()
	in := f.nextInvite()
	f.respond(in, 200, "far", sdp)
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	return &farCall{f: f, invite: in.req, tag: "far", seq: 100}
}

// request builds a request of the far end in the dialog.
func (fc *farCall) request(method sip.RequestMethod, body []byte, contentType string) *sip.Request {
	req := sip.NewRequest(method, fc.invite.Contact().Address)
	from := &sip.FromHeader{Address: fc.invite.To().Address, Params: sip.NewParams()}
	from.Params.Add("tag", fc.tag)
	req.AppendHeader(from)
	to := fc.invite.From().AsTo()
	req.AppendHeader(&to)
	req.AppendHeader(sip.HeaderClone(fc.invite.CallID()))
	fc.seq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: fc.seq, MethodName: method})
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "far", Host: "127.0.0.1", Port: int(fc.f.addr.Port())}})
	if body != nil {
		req.SetBody(body)
		ct := sip.ContentTypeHeader(contentType)
		req.AppendHeader(&ct)
	}
	return req
}

func (fc *farCall) do(t *testing.T, req *sip.Request) *sip.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := fc.f.client.Do(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", req.Method, err)
	}
	return res
}

// ack acknowledges the 2xx res to the far end's re-INVITE req.
func (fc *farCall) ack(t *testing.T, req *sip.Request, res *sip.Response, body []byte) {
	t.Helper()
	ack := sip.NewRequest(sip.ACK, res.Contact().Address)
	for _, h := range []sip.Header{req.From(), res.To(), req.CallID()} {
		ack.AppendHeader(sip.HeaderClone(h))
	}
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.ACK})
	if body != nil {
		ack.SetBody(body)
		ack.AppendHeader(contentTypeSDP())
	}
	if err := fc.f.client.WriteRequest(ack); err != nil {
		t.Fatal(err)
	}
}

func held(sdp []byte, dir string) []byte {
	return []byte(strings.Replace(string(sdp), "a=sendrecv", "a="+dir, 1))
}

// TestPeerHoldsAndResumesByReinvite: a peer holds with sendonly (RFC
// 3264 §8.4), or with inactive as a Mediation Server does (seed 000), and
// resumes with sendrecv.
func TestPeerHoldsAndResumesByReinvite(t *testing.T) {
	for _, tt := range []struct{ hold, answer string }{{"sendonly", "recvonly"}, {"inactive", "inactive"}} {
		t.Run(tt.hold, func(t *testing.T) { peerHoldsAndResumes(t, tt.hold, tt.answer) })
	}
}

func peerHoldsAndResumes(t *testing.T, hold, answer string) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := answered(t, f, c, offer("0 101"))

	req := fc.request(sip.INVITE, held(offer("0 101"), hold), "application/sdp")
	res := fc.do(t, req)
	if res.StatusCode != 200 {
		t.Fatalf("re-INVITE: %d", res.StatusCode)
	}
	if res.Contact() == nil {
		t.Error("2xx to a re-INVITE without Contact")
	}
	if !strings.Contains(string(res.Body()), "a="+answer) {
		t.Errorf("answer to a %s offer, want %s:\n%s", hold, answer, res.Body())
	}
	fc.ack(t, req, res, nil)
	if m := c.Media(); m.Send || m.Recv != (hold == "sendonly") {
		t.Errorf("on hold: send %v recv %v, want no sending, receiving only if the peer sends", m.Send, m.Recv)
	}

	// Resume, from a new address: the media follow.
	resume := strings.Replace(string(offer("0 101")), "m=audio 40000", "m=audio 40100", 1)
	req = fc.request(sip.INVITE, []byte(resume), "application/sdp")
	res = fc.do(t, req)
	fc.ack(t, req, res, nil)
	if m := c.Media(); !m.Send || !m.Recv || m.Remote.Port() != 40100 {
		t.Errorf("resumed media %+v", m)
	}
	if !strings.Contains(string(res.Body()), "a=sendrecv") {
		t.Errorf("answer to the resume:\n%s", res.Body())
	}
}

func TestReinviteWithoutOfferAndCSeqOrder(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := answered(t, f, c, offer("0"))
	req := fc.request(sip.INVITE, nil, "")
	res := fc.do(t, req)
	if res.StatusCode != 200 || !strings.Contains(string(res.Body()), "m=audio") {
		t.Fatalf("re-INVITE without offer: %d\n%s", res.StatusCode, res.Body())
	}
	// The answer, in the ACK, moves the media to PCMA.
	fc.ack(t, req, res, offer("8"))
	deadline := time.Now().Add(5 * time.Second)
	for c.Media().Codec.Name != "PCMA" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if c.Media().Codec.Name != "PCMA" {
		t.Errorf("codec %s after the answer in ACK, want PCMA", c.Media().Codec.Name)
	}
	// A request with an old CSeq is refused (RFC 3261 §12.2.2).
	fc.seq -= 5
	if res := fc.do(t, fc.request(sip.UPDATE, nil, "")); res.StatusCode != 500 {
		t.Errorf("out-of-order UPDATE: %d, want 500", res.StatusCode)
	}
}

func TestUpdateAndRefusedOffer(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := answered(t, f, c, offer("0"))
	res := fc.do(t, fc.request(sip.UPDATE, held(offer("0"), "inactive"), "application/sdp"))
	if res.StatusCode != 200 || !strings.Contains(string(res.Body()), "a=inactive") || res.Contact() == nil {
		t.Fatalf("UPDATE: %d %v\n%s", res.StatusCode, res.GetHeader("Warning"), res.Body())
	}
	if m := c.Media(); m.Send || m.Recv {
		t.Errorf("inactive media %+v", m)
	}
	// An offer of nothing usable gets 488 and changes nothing.
	res = fc.do(t, fc.request(sip.INVITE, offer("18"), "application/sdp"))
	if res.StatusCode != 488 {
		t.Errorf("re-INVITE of G.729 only: %d, want 488", res.StatusCode)
	}
	if m := c.Media(); m.Codec.Name != "PCMU" || m.Send || m.Recv {
		t.Errorf("media changed by a refused offer: %+v", m)
	}
}

func TestInfoDTMF(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := answered(t, f, c, offer("0"))
	for _, tc := range []struct {
		ct, body string
		want     byte
		status   int
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 200},
		{"application/dtmf-relay", "Signal= 11\r\nDuration= 100\r\n", '#', 200},
		{"application/dtmf", "*", '*', 200},
		{"application/dtmf-relay", "Signal=Z\r\n", 0, 400},
		{"text/plain", "5", 0, 415},
	} {
		res := fc.do(t, fc.request(sip.INFO, []byte(tc.body), tc.ct))
		if res.StatusCode != tc.status {
			t.Errorf("INFO %s %q: %d, want %d", tc.ct, tc.body, res.StatusCode, tc.status)
			continue
		}
		if tc.want == 0 {
			continue
		}
		var evs []rtpstream.DigitEvent
		for range 2 {
			ev, ok := c.Digit()
			if !ok {
				break
			}
			evs = append(evs, ev)
		}
		if len(evs) != 2 || evs[0].Digit != tc.want || evs[0].End || !evs[1].End || evs[1].Digit != tc.want {
			t.Errorf("INFO %q gave %+v, want %c down and up", tc.body, evs, tc.want)
		}
	}
	if _, ok := c.Digit(); ok {
		t.Error("refused INFOs gave digits")
	}
}

func TestGatewayHoldsAndResumes(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	answered(t, f, c, offer("0"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Hold(ctx) }()
	in := f.nextInvite()
	if !strings.Contains(string(in.req.Body()), "a=sendonly") || in.req.Contact() == nil {
		t.Fatalf("hold re-INVITE:\n%s", in.req.Body())
	}
	if tag, _ := in.req.To().Params.Get("tag"); tag != "far" {
		t.Errorf("re-INVITE To tag %q", tag)
	}
	f.respond(in, 200, "", held(offer("0"), "recvonly"))
	ack := f.next(f.acks, "ACK of the re-INVITE")
	if ack.CSeq().SeqNo != in.req.CSeq().SeqNo {
		t.Error("ACK CSeq differs from the re-INVITE's")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m := c.Media(); !m.Send || m.Recv {
		t.Errorf("holding: %+v, want send only", m)
	}
	// The peer refuses the resume: the hold stays.
	go func() { done <- c.Resume(ctx) }()
	f.respond(f.nextInvite(), 606, "", nil)
	if err := <-done; err == nil {
		t.Error("a refused resume reported success")
	}
	if m := c.Media(); !m.Send || m.Recv {
		t.Errorf("media after a refused resume %+v, want still holding", m)
	}
	c.Hangup(ctx, q850.NormalClearing)
	f.next(f.byes, "BYE")
}
