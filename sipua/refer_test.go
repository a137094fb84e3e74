package sipua

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

func (f *farEnd) nextOther(method sip.RequestMethod) inbound {
	f.t.Helper()
	select {
	case in := <-f.others:
		if in.req.Method != method {
			f.t.Fatalf("got %s, want %s", in.req.Method, method)
		}
		return in
	case <-time.After(5 * time.Second):
		f.t.Fatalf("no %s", method)
		return inbound{}
	}
}

// sipfrag answers a NOTIFY of a transfer and returns its status line and
// subscription state.
func (f *farEnd) sipfrag(in inbound) (frag, state string) {
	f.t.Helper()
	if ev := in.req.GetHeader("Event"); ev == nil || !strings.HasPrefix(ev.Value(), "refer") {
		f.t.Errorf("NOTIFY Event %v, want refer", ev)
	}
	if ct := in.req.ContentType(); ct == nil || !strings.HasPrefix(ct.Value(), "message/sipfrag") {
		f.t.Errorf("NOTIFY Content-Type %v", ct)
	}
	in.tx.Respond(sip.NewResponseFromRequest(in.req, 200, "OK", nil))
	state = ""
	if h := in.req.GetHeader("Subscription-State"); h != nil {
		state = h.Value()
	}
	return strings.TrimSpace(string(in.req.Body())), state
}

func TestBlindTransfer(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := answered(t, f, c, offer("0"))

	refer := fc.request(sip.REFER, nil, "")
	refer.AppendHeader(sip.NewHeader("Refer-To", fmt.Sprintf("<sip:300@%s>", f.addr)))
	refer.AppendHeader(sip.NewHeader("Referred-By", "<sip:100@example.test>"))
	if res := fc.do(t, refer); res.StatusCode != 202 {
		t.Fatalf("REFER: %d, want 202", res.StatusCode)
	}
	if frag, state := f.sipfrag(f.nextOther(sip.NOTIFY)); frag != "SIP/2.0 100 Trying" || !strings.HasPrefix(state, "active") {
		t.Errorf("first NOTIFY %q %q", frag, state)
	}
	in := f.nextInvite()
	if in.req.Recipient.User != "300" || in.req.GetHeader("Referred-By") == nil {
		t.Errorf("transfer INVITE to %s, Referred-By %v", in.req.Recipient.String(), in.req.GetHeader("Referred-By"))
	}
	f.respond(in, 200, "target", offer("8"))
	f.next(f.acks, "ACK of the transfer target")
	if frag, state := f.sipfrag(f.nextOther(sip.NOTIFY)); frag != "SIP/2.0 200 OK" || !strings.HasPrefix(state, "terminated") {
		t.Errorf("last NOTIFY %q %q", frag, state)
	}
	bye := f.next(f.byes, "BYE of the transferred call")
	if tag, _ := bye.To().Params.Get("tag"); tag != "far" {
		t.Errorf("BYE to %q, want the transferor", tag)
	}
	wait(t, c.Done(), "end of the transferred call")
	next := c.Successor()
	if next == nil || next.State() != CallActive || next.Media().Codec.Name != "PCMA" {
		t.Fatalf("successor %+v", next)
	}
}

func TestBlindTransferFails(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := answered(t, f, c, offer("0"))
	refer := fc.request(sip.REFER, nil, "")
	refer.AppendHeader(sip.NewHeader("Refer-To", fmt.Sprintf("<sip:300@%s>", f.addr)))
	if res := fc.do(t, refer); res.StatusCode != 202 {
		t.Fatalf("REFER: %d", res.StatusCode)
	}
	f.sipfrag(f.nextOther(sip.NOTIFY))
	f.respond(f.nextInvite(), 486, "target", nil)
	if frag, _ := f.sipfrag(f.nextOther(sip.NOTIFY)); frag != "SIP/2.0 486 Busy Here" {
		t.Errorf("NOTIFY %q, want the target's 486", frag)
	}
	if c.State() != CallActive || c.Successor() != nil {
		t.Errorf("after a failed transfer: %v, successor %v", c.State(), c.Successor())
	}
	// A REFER without Refer-To is refused.
	if res := fc.do(t, fc.request(sip.REFER, nil, "")); res.StatusCode != 400 {
		t.Errorf("REFER without Refer-To: %d", res.StatusCode)
	}
	c.Hangup(context.Background(), q850.NormalClearing)
}

func TestReplaces(t *testing.T) {
	f := newFarEnd(t)
	u := dialer(t, f)
	c, _ := u.Dial("line1", "100", Party{})
	fc := answered(t, f, c, offer("0"))
	ourTag, _ := fc.invite.From().Params.Get("tag")

	p := newPhone(t, u)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, tc := range []struct {
		replaces string
		want     int
	}{
		{"nosuchcall;to-tag=a;from-tag=b", 481},
		{fc.invite.CallID().Value() + ";to-tag=" + ourTag + ";from-tag=far;early-only", 486},
	} {
		d := p.invite(ctx, offer("0"), sip.NewHeader("Replaces", tc.replaces))
		err := d.WaitAnswer(ctx, sipgo.AnswerOptions{})
		if re, ok := err.(*sipgo.ErrDialogResponse); !ok || re.Res.StatusCode != tc.want {
			t.Errorf("Replaces %q: %v, want %d", tc.replaces, err, tc.want)
		}
	}
	d := p.invite(ctx, offer("8"), sip.NewHeader("Replaces", fc.invite.CallID().Value()+";to-tag="+ourTag+";from-tag=far"))
	if err := d.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	d.Ack(ctx)
	f.next(f.byes, "BYE of the replaced call")
	wait(t, c.Done(), "end of the replaced call")
	if next := c.Successor(); next == nil || next.State() != CallActive || next.Media().Codec.Name != "PCMA" {
		t.Fatalf("successor %+v", next)
	}
}
