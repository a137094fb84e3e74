package telephony

import (
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/sipua"
)

// A Mediation Server sends the numbers of an enterprise's own dial plan
// with a phone-context ([MS-OCPSTN] 3.2): they route as the bare number.
func TestIncomingPhoneContext(t *testing.T) {
	for _, ctx := range []string{"dialstring", "enterprise", "site-a.example.com"} {
		t.Run(ctx, func(t *testing.T) {
			r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, nil, Options{})
			gw, _ := r.ua.Addr("udp")
			_, err := r.peer.Dial("out", "sip:1001;phone-context="+ctx+"@"+gw.String()+";user=phone", sipua.Party{Number: "2000"})
			if err != nil {
				t.Fatal(err)
			}
			r.until("the phone rings", 3*time.Second, func() bool { return r.activity(1) == "ringing" })
			// The caller, a tipring too, says it is a gateway.
			if lines, _ := r.e.Status(); lines[0].Call == nil || !lines[0].Call.Gateway {
				t.Errorf("the line's call status %+v does not note the gateway peer", lines[0].Call)
			}
		})
	}
}

// A caller that takes early media gets a 183 while the phone rings, and
// the ringback in it: it hears the line ring, not silence.
func TestRingbackInEarlyMedia(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, nil, Options{})
	far := r.dial("1001", sipua.Party{Number: "2000"})
	r.until("early media", 3*time.Second, func() bool { return far.State() == sipua.CallEarlyMedia })
	heard := talk(t, far, 0)
	realTime(r, 50)
	got := heard.since(0)
	if len(got) < 4000 {
		t.Fatalf("the caller heard %d samples", len(got))
	}
	// US ringback: 440 and 480 Hz (ANSI T1.401), 2 s on, 4 s off.
	if s := share(got, 440) + share(got, 480); s < 0.8 {
		t.Errorf("ringback is %.2f of what the caller hears; want 0.8 or more", s)
	}
}
