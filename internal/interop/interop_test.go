package interop

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The self-tests drive real phones through a real registrar. Names start
// with TestInterop so that make interop runs them.

// phoneTest bundles what the self-tests do to phones, failing the test on
// any error.
type phoneTest struct {
	t   *testing.T
	ctx context.Context
}

func newPhoneTest(t *testing.T) phoneTest {
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	t.Cleanup(cancel)
	return phoneTest{t, ctx}
}

func (pt phoneTest) wait(p *Baresip, typ string) Event {
	pt.t.Helper()
	e, err := p.WaitEvent(pt.ctx, typ)
	if err != nil {
		pt.t.Fatal(err)
	}
	return e
}

func (pt phoneTest) must(err error) {
	pt.t.Helper()
	if err != nil {
		pt.t.Fatal(err)
	}
}

func (pt phoneTest) audioDir(p *Baresip, want string) {
	pt.t.Helper()
	if dir, err := p.AudioDir(); err != nil || dir != want {
		pt.t.Errorf("%s: audio direction %q, %v; want %q", p.user, dir, err, want)
	}
}

// TestInteropCall: two phones register with digest auth, one calls the other
// through Kamailio; the callee hears the caller's tone and DTMF, the caller
// holds and resumes, the callee hangs up.
func TestInteropCall(t *testing.T) {
	pt := newPhoneTest(t)
	k := StartKamailio(t, KamailioOpts{Users: map[string]string{"alice": "alice-pw", "bob": "bob-pw"}})
	mic := filepath.Join(t.TempDir(), "tone.wav")
	sent := Tone(1004, 8000, 3*time.Second) // the ITU-T test tone, -15 dBFS
	pt.must(WriteWAV(mic, sent))
	alice := StartBaresip(t, BaresipOpts{User: "alice", Password: "alice-pw", Registrar: k, Mic: mic})
	bob := StartBaresip(t, BaresipOpts{User: "bob", Password: "bob-pw", Registrar: k})

	for _, p := range []*Baresip{alice, bob} {
		pt.wait(p, "REGISTER_OK")
		cs, err := k.Contacts(p.user)
		// baresip's contacts are sip:user-id@address.
		if err != nil || len(cs) != 1 || !strings.HasPrefix(cs[0].Address, "sip:"+p.user) || !strings.Contains(cs[0].Address, "@127.0.0.1:") {
			t.Errorf("Contacts(%s) = %v, %v; want one on 127.0.0.1", p.user, cs, err)
		}
	}

	pt.must(alice.Dial(bob.URI()))
	in := pt.wait(bob, "CALL_INCOMING")
	if in.Peer != alice.URI() || in.Direction != "incoming" {
		t.Errorf("bob: %+v, want an incoming call from %s", in, alice.URI())
	}
	pt.wait(alice, "CALL_RINGING")
	pt.must(bob.Accept())
	pt.wait(bob, "CALL_ESTABLISHED")
	pt.wait(alice, "CALL_ESTABLISHED")

	heard, err := bob.Recording(pt.ctx, time.Second)
	pt.must(err)
	heard = heard[SampleRate/10:] // past the start of the stream
	if share := ToneShare(heard, 1004); share < 0.95 {
		t.Errorf("bob heard %.2f of the energy at 1004 Hz, want 0.95 or more", share)
	}
	if got, want := LevelDB(heard), LevelDB(sent); math.Abs(got-want) > 0.5 {
		t.Errorf("bob heard %.1f dBFS, want %.1f dBFS ± 0.5 (G.711 round trip)", got, want)
	}

	pt.must(alice.SendDTMF("123#"))
	var digits string
	for range 4 {
		digits += pt.wait(bob, "CALL_DTMF_START").Param
		pt.wait(bob, "CALL_DTMF_END")
	}
	if digits != "123#" {
		t.Errorf("bob got DTMF %q, want 123#", digits)
	}

	// Each (re-)INVITE is done when alice has bob's SDP answer.
	pt.wait(alice, "CALL_REMOTE_SDP")
	pt.must(alice.Hold())
	pt.wait(alice, "CALL_REMOTE_SDP")
	pt.audioDir(alice, "sendonly")
	pt.audioDir(bob, "recvonly")
	pt.must(alice.Resume())
	pt.wait(alice, "CALL_REMOTE_SDP")
	pt.audioDir(alice, "sendrecv")
	pt.audioDir(bob, "sendrecv")

	pt.must(bob.Hangup())
	if e := pt.wait(alice, "CALL_CLOSED"); e.CallID != in.CallID {
		t.Errorf("alice: %+v, want the close of call %s", e, in.CallID)
	}
	pt.wait(bob, "CALL_CLOSED")

	// Record-Route keeps Kamailio in the dialog: it saw alice's ACK and
	// re-INVITEs and bob's BYE, each to the other's contact. A request
	// retransmitted under load counts once.
	rs, err := k.Requests()
	pt.must(err)
	var inDialog []string
	var last Request
	for _, r := range rs {
		if r.CallID == in.CallID && !strings.HasSuffix(r.URI, "@"+k.Domain()) && r != last {
			inDialog = append(inDialog, r.Method)
		}
		last = r
	}
	if got, want := strings.Join(inDialog, " "), "ACK INVITE ACK INVITE ACK BYE"; got != want {
		t.Errorf("Kamailio saw %q in the dialog, want %q; all it saw: %+v", got, want, rs)
	}
}

// TestInteropWrongPassword: a phone with the wrong password does not
// register.
func TestInteropWrongPassword(t *testing.T) {
	pt := newPhoneTest(t)
	k := StartKamailio(t, KamailioOpts{Users: map[string]string{"alice": "alice-pw"}})
	alice := StartBaresip(t, BaresipOpts{User: "alice", Password: "not-alice-pw", Registrar: k})
	if e := pt.wait(alice, "REGISTER_FAIL"); !strings.HasPrefix(e.Param, "401") {
		t.Errorf("REGISTER_FAIL %q, want a 401", e.Param)
	}
	if cs, err := k.Contacts("alice"); err != nil || len(cs) != 0 {
		t.Errorf("Contacts(alice) = %v, %v; want none", cs, err)
	}
}

// TestInteropPeerToPeer: phones without a registrar call each other by
// address.
func TestInteropPeerToPeer(t *testing.T) {
	pt := newPhoneTest(t)
	alice := StartBaresip(t, BaresipOpts{User: "alice"})
	bob := StartBaresip(t, BaresipOpts{User: "bob"})
	if !strings.HasPrefix(bob.URI(), "sip:bob@127.0.0.1:") {
		t.Errorf("URI() = %q, want sip:bob@127.0.0.1:port", bob.URI())
	}
	pt.must(alice.Dial(bob.URI()))
	if e := pt.wait(bob, "CALL_INCOMING"); e.Peer != alice.URI() {
		t.Errorf("bob: call from %q, want %q", e.Peer, alice.URI())
	}
	pt.must(bob.Accept())
	pt.wait(alice, "CALL_ESTABLISHED")
	pt.must(alice.Hangup())
	pt.wait(bob, "CALL_CLOSED")
}

// TestInteropTransfer: bob, called by alice, transfers her to carol, in a
// domain with a name, which the phones reach through Kamailio as outbound
// proxy.
func TestInteropTransfer(t *testing.T) {
	pt := newPhoneTest(t)
	users := map[string]string{"alice": "a", "bob": "b", "carol": "c"}
	k := StartKamailio(t, KamailioOpts{Users: users, Domain: "pbx.test"})
	phones := map[string]*Baresip{}
	for u, pw := range users {
		phones[u] = StartBaresip(t, BaresipOpts{User: u, Password: pw, Registrar: k})
	}
	alice, bob, carol := phones["alice"], phones["bob"], phones["carol"]
	if carol.URI() != "sip:carol@pbx.test" {
		t.Errorf("URI() = %q, want sip:carol@pbx.test", carol.URI())
	}
	for _, p := range phones {
		pt.wait(p, "REGISTER_OK")
	}
	pt.must(alice.Dial(bob.URI()))
	pt.wait(bob, "CALL_INCOMING")
	pt.must(bob.Accept())
	pt.wait(alice, "CALL_ESTABLISHED")

	pt.must(bob.Transfer(carol.URI()))
	if e := pt.wait(alice, "TRANSFER"); e.Param != carol.URI() {
		t.Errorf("alice: transfer to %q, want %q", e.Param, carol.URI())
	}
	if e := pt.wait(carol, "CALL_INCOMING"); e.Peer != alice.URI() {
		t.Errorf("carol: call from %q, want %q", e.Peer, alice.URI())
	}
	pt.must(carol.Accept())
	pt.wait(carol, "CALL_ESTABLISHED")
	pt.wait(bob, "CALL_CLOSED")
}
