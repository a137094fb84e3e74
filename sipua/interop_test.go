package sipua

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"tipring/internal/interop"
)

// TestInteropRegisterKamailio registers with a real Kamailio, with each
// digest algorithm it can challenge with, and unregisters on shutdown.
func TestInteropRegisterKamailio(t *testing.T) {
	for _, alg := range []string{interop.MD5, interop.SHA256} {
		t.Run(alg, func(t *testing.T) {
			k := interop.StartKamailio(t, interop.KamailioOpts{
				Users: map[string]string{"gw": "gw-secret"}, Algorithm: alg, Expires: 60,
			})
			u, stop := startUA(t, Config{Accounts: []Account{{
				Name: "office", Registrar: "sip:" + k.Addr(), User: "gw", Domain: k.Domain(),
				Credentials: Credentials{Password: "gw-secret"},
			}}})
			s := waitState(t, u, RegRegistered)
			if d := time.Until(s.Expires); d > 60*time.Second || d < 50*time.Second {
				t.Errorf("registered for %v, want Kamailio's 60 s cap", d)
			}
			addr, _ := u.Addr("udp")
			contacts, err := k.Contacts("gw")
			if err != nil {
				t.Fatal(err)
			}
			if len(contacts) != 1 || !strings.Contains(contacts[0].Address, addr.String()) {
				t.Fatalf("Kamailio's location table has %+v, want our contact at %s", contacts, addr)
			}
			stop()
			if contacts, _ := k.Contacts("gw"); len(contacts) != 0 {
				t.Errorf("still registered after shutdown: %+v", contacts)
			}
		})
	}
}

// TestInteropIncomingCallFromBaresip takes a call from a real baresip
// calling the gateway's address directly, with no proxy between them:
// answered, a DTMF digit by RFC 4733, hung up by the caller.
func TestInteropIncomingCallFromBaresip(t *testing.T) {
	calls := make(chan *Call, 1)
	u, _ := startUA(t, Config{
		TrustedPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Incoming:     func(c *Call) { calls <- c },
		RTPPorts:     [2]int{30100, 30199},
	})
	alice := interop.StartBaresip(t, interop.BaresipOpts{User: "alice"})
	addr, _ := u.Addr("udp")
	ctx, cancel := context.WithTimeout(t.Context(), interopTimeout)
	defer cancel()
	if err := alice.Dial(fmt.Sprintf("sip:1001@%s", addr)); err != nil {
		t.Fatal(err)
	}
	c := nextCall(t, calls)
	if c.To.Number != "1001" || c.From.Number != "alice" {
		t.Errorf("call from %q to %q", c.From.Number, c.To.Number)
	}
	if err := c.Ringing(); err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitEvent(ctx, "CALL_ESTABLISHED"); err != nil {
		t.Fatal(err)
	}
	if m := c.Media(); m.TelephoneEvent < 0 || (m.Codec.Name != "PCMU" && m.Codec.Name != "PCMA") {
		t.Fatalf("negotiated %+v", m)
	}
	l := startLine(t, c, nil)
	if err := alice.SendDTMF("7"); err != nil {
		t.Fatal(err)
	}
	evs, err := l.receivedDigits(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Digit != '7' {
		t.Fatalf("digit events %v, want a 7", evs)
	}
	if st := c.Stream().Stats(); st.PacketsReceived == 0 {
		t.Error("no RTP from baresip")
	}
	if err := alice.Hangup(); err != nil {
		t.Fatal(err)
	}
	wait(t, c.Done(), "end of call after baresip hung up")
}
