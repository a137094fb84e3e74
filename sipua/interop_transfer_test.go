package sipua

import (
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/sipua/q850"
)

// TestInteropTransfer: a phone in a call with the gateway transfers it to a
// third phone (blind transfer, a REFER through Kamailio). The gateway calls
// the target, which answers; the first call ends and names the new one as
// its successor, whose audio flows. The call to transfer is the gateway's
// own, then one it took.
func TestInteropTransfer(t *testing.T) {
	for _, outgoing := range []bool{true, false} {
		name := "incoming"
		if outgoing {
			name = "outgoing"
		}
		t.Run(name, func(t *testing.T) {
			o := newOffice(t, "bob", "carol")
			bob := o.phone("bob", nil)
			carol := o.phone("carol", interop.Tone(phoneTone, toneAmp, 30*time.Second))
			var c *Call
			if outgoing {
				c = o.dial(bob)
			} else {
				o.must(bob.Dial(o.k.AOR("gw")))
				c = o.incoming()
				o.must(c.Answer())
				o.event(bob, "CALL_ESTABLISHED")
				o.waitState(c, CallActive)
			}

			o.must(bob.Transfer(carol.URI()))
			if e := o.event(carol, "CALL_INCOMING"); e.Peer != o.k.AOR("gw") {
				t.Errorf("carol: call from %q, want %q", e.Peer, o.k.AOR("gw"))
			}
			next := c.Successor()
			if next == nil {
				t.Fatal("no successor while the gateway calls the target")
			}
			o.must(carol.Accept())
			// The line takes the new call as soon as it is answered, as
			// the engine does: a stream nobody reads drops what its queue
			// cannot hold, a break in the tone that checkTone would count.
			o.waitState(next, CallActive)
			l := startLine(t, next, nil)
			o.event(carol, "CALL_ESTABLISHED")
			// baresip gives this reason when a NOTIFY reports the target's
			// 2xx (RFC 3515 §2.4.5).
			if e := o.event(bob, "CALL_CLOSED"); e.Param != "Call transfered" {
				t.Errorf("bob: call closed for %q, want for the transfer", e.Param)
			}
			o.waitDone(c)
			if got := c.Cause(); got != q850.NormalClearing {
				t.Errorf("transferred call ended with cause %d, want %d", got, q850.NormalClearing)
			}
			if c.Successor() != next {
				t.Fatal("transferred call has another successor than the call to the target")
			}
			if next.Incoming || next.To.Number != "carol" {
				t.Errorf("successor: incoming %v, to %q; want an outgoing call to carol", next.Incoming, next.To.Number)
			}
			heard, err := l.hear(o.ctx, interop.SampleRate)
			o.must(err)
			checkTone(t, "the gateway", heard[interop.SampleRate/10:], phoneTone)

			o.must(next.Hangup(o.ctx, q850.NormalClearing))
			o.event(carol, "CALL_CLOSED")
		})
	}
}

// TestInteropGatewayTransfers: the gateway, in a call with a phone,
// transfers it to a second UA registered at the same Kamailio (blind
// transfer, RFC 5589 §6). baresip takes the REFER and calls the target,
// which answers and hears the phone; Transfer returns nil and the
// gateway's call ends.
func TestInteropGatewayTransfers(t *testing.T) {
	o := newOffice(t, "bob", "carol")
	bob := o.phone("bob", interop.Tone(phoneTone, toneAmp, 30*time.Second))
	carolCalls := make(chan *Call, 1)
	carol, _ := startUA(t, Config{
		Accounts: []Account{{
			Name: "carol", Registrar: "sip:" + o.k.Addr(), User: "carol", Domain: o.k.Domain(),
			Credentials: Credentials{Password: "carol-pw"},
		}},
		Incoming: func(c *Call) { carolCalls <- c },
		RTPPorts: [2]int{30200, 30299},
	})
	o.waitFor("carol to register", func() bool {
		s := carol.Status().Registrations
		return len(s) == 1 && s[0].State == RegRegistered
	})
	c := o.dial(bob)

	done := make(chan error, 1)
	go func() { done <- c.Transfer(o.ctx, "carol") }()
	var in *Call
	select {
	case in = <-carolCalls:
	case <-o.ctx.Done():
		t.Fatal("carol got no call")
	}
	if in.From.Number != "bob" {
		t.Errorf("carol: call from %q, want bob", in.From.Number)
	}
	l := startLine(t, in, nil)
	o.must(in.Answer())
	select {
	case err := <-done:
		o.must(err)
	case <-o.ctx.Done():
		t.Fatal("Transfer has no outcome")
	}
	o.waitDone(c)
	if e := o.event(bob, "CALL_CLOSED"); e.Peer != o.k.AOR("gw") {
		t.Errorf("bob: call with %q closed, want the gateway's", e.Peer)
	}
	o.waitState(in, CallActive)
	heard, err := l.hear(o.ctx, interop.SampleRate)
	o.must(err)
	checkTone(t, "carol", heard[interop.SampleRate/10:], phoneTone)
	o.must(in.Hangup(o.ctx, q850.NormalClearing))
}
