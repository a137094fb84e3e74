package sipua

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/sipua/sdpoa"
)

// interopTimeout bounds each interop test: baresip and Kamailio start in
// well under a second, but a loaded machine running the race detector can
// take many times that.
const interopTimeout = 60 * time.Second

// office is a small PBX for the interop tests: a real Kamailio as
// registrar and proxy, the gateway registered there as user gw, and real
// baresip phones registered as the other users.
type office struct {
	t     *testing.T
	ctx   context.Context // ends with the test or at interopTimeout
	k     *interop.Kamailio
	ua    *UA
	calls chan *Call // incoming calls of the gateway
}

// gwAccount is the name of the gateway's account in the office.
const gwAccount = "office"

// newOffice starts Kamailio with the gateway's account and the given phone
// users (each user's password is the name with "-pw"), and the gateway,
// registered.
func newOffice(t *testing.T, users ...string) *office {
	t.Helper()
	return newSRTPOffice(t, sdpoa.EncryptionRejected, users...)
}

// newSRTPOffice is newOffice with the gateway's account under SRTP policy p.
func newSRTPOffice(t *testing.T, p sdpoa.Encryption, users ...string) *office {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), interopTimeout)
	t.Cleanup(cancel)
	pw := map[string]string{"gw": "gw-pw"}
	for _, u := range users {
		pw[u] = u + "-pw"
	}
	o := &office{t: t, ctx: ctx, calls: make(chan *Call, 4)}
	o.k = interop.StartKamailio(t, interop.KamailioOpts{Users: pw})
	o.ua, _ = startUA(t, Config{
		Accounts: []Account{{
			Name: gwAccount, Registrar: "sip:" + o.k.Addr(), User: "gw", Domain: o.k.Domain(),
			Credentials: Credentials{Password: "gw-pw"}, SRTP: p,
		}},
		Incoming: func(c *Call) { o.calls <- c },
		RTPPorts: [2]int{30100, 30199},
	})
	o.waitFor("the gateway to register", func() bool {
		s := o.ua.Status().Registrations
		return len(s) == 1 && s[0].State == RegRegistered
	})
	return o
}

// phone starts a baresip phone registered as user, whose microphone plays
// mic (nothing: silence), and waits until it has registered.
func (o *office) phone(user string, mic []int16) *interop.Baresip {
	o.t.Helper()
	return o.srtpPhone(user, "", mic)
}

// srtpPhone is phone for a phone whose account encrypts its media as
// mediaenc says (interop.BaresipOpts.MediaEnc).
func (o *office) srtpPhone(user, mediaenc string, mic []int16) *interop.Baresip {
	o.t.Helper()
	opts := interop.BaresipOpts{User: user, Password: user + "-pw", Registrar: o.k, MediaEnc: mediaenc}
	if mic != nil {
		opts.Mic = filepath.Join(o.t.TempDir(), user+"-mic.wav")
		if err := interop.WriteWAV(opts.Mic, mic); err != nil {
			o.t.Fatal(err)
		}
	}
	p := interop.StartBaresip(o.t, opts)
	o.event(p, "REGISTER_OK")
	return p
}

// event waits for the phone's next event of type typ.
func (o *office) event(p *interop.Baresip, typ string) interop.Event {
	o.t.Helper()
	e, err := p.WaitEvent(o.ctx, typ)
	if err != nil {
		o.t.Fatal(err)
	}
	return e
}

// must fails the test on err.
func (o *office) must(err error) {
	o.t.Helper()
	if err != nil {
		o.t.Fatal(err)
	}
}

// incoming returns the gateway's next incoming call.
func (o *office) incoming() *Call {
	o.t.Helper()
	select {
	case c := <-o.calls:
		return c
	case <-o.ctx.Done():
		o.t.Fatal("no incoming call at the gateway")
		return nil
	}
}

// waitFor polls cond until it holds: for what sipua offers no event of,
// such as a call's state or a registration's.
func (o *office) waitFor(what string, cond func() bool) {
	o.t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-o.ctx.Done():
			o.t.Fatalf("waiting for %s: %v", what, o.ctx.Err())
		}
	}
}

// waitState waits until the call reaches state.
func (o *office) waitState(c *Call, state CallState) {
	o.t.Helper()
	o.waitFor("call state "+state.String(), func() bool { return c.State() == state })
}

// waitDone waits until the call has ended.
func (o *office) waitDone(c *Call) {
	o.t.Helper()
	select {
	case <-c.Done():
	case <-o.ctx.Done():
		o.t.Fatalf("call still %v: %v", c.State(), o.ctx.Err())
	}
}

// sdp waits for the phone's next CALL_REMOTE_SDP event, which comes when
// it has taken an SDP offer or answer from the gateway, and checks which.
func (o *office) sdp(p *interop.Baresip, want string) {
	o.t.Helper()
	if e := o.event(p, "CALL_REMOTE_SDP"); e.Param != want {
		o.t.Errorf("%s: remote SDP %q, want %q", p.URI(), e.Param, want)
	}
}

// audioDir checks the direction of the phone's audio in its call.
func (o *office) audioDir(p *interop.Baresip, want string) {
	o.t.Helper()
	if dir, err := p.AudioDir(); err != nil || dir != want {
		o.t.Errorf("%s: audio %q, %v; want %q", p.URI(), dir, err, want)
	}
}

// dial calls the phone from the gateway and has it answer; the gateway's
// call is then active, and the phone has got the ACK.
func (o *office) dial(p *interop.Baresip) *Call {
	o.t.Helper()
	c, err := o.ua.Dial(gwAccount, p.User(), Party{Name: "Tip Ring"})
	o.must(err)
	if e := o.event(p, "CALL_INCOMING"); e.Peer != o.k.AOR("gw") {
		o.t.Errorf("%s: call from %q, want %q", p.URI(), e.Peer, o.k.AOR("gw"))
	}
	o.waitState(c, CallRinging)
	o.must(p.Accept())
	o.sdp(p, "offer") // baresip takes the INVITE's offer as it answers
	o.event(p, "CALL_ESTABLISHED")
	o.waitState(c, CallActive)
	return c
}
