package sipua

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/locate"
)

// options sends an OPTIONS to u over UDP and returns the answer.
func options(t *testing.T, u *UA) *sip.Response {
	t.Helper()
	addr, _ := u.Addr("udp")
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	c, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: addr.Addr().String(), Port: int(addr.Port())})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := c.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOptionsTrust(t *testing.T) {
	t.Run("stranger", func(t *testing.T) {
		u, _ := startUA(t, Config{})
		if res := options(t, u); res.StatusCode != sip.StatusForbidden {
			t.Fatalf("stranger's OPTIONS got %d, want 403", res.StatusCode)
		}
		if n := u.Status().Forbidden; n != 1 {
			t.Errorf("Forbidden counts %d, want 1", n)
		}
	})
	t.Run("trusted peer", func(t *testing.T) {
		u, _ := startUA(t, Config{TrustedPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		res := options(t, u)
		if res.StatusCode != sip.StatusOK {
			t.Fatalf("trusted OPTIONS got %d, want 200", res.StatusCode)
		}
		if res.GetHeader("Allow") == nil {
			t.Error("200 to OPTIONS lacks Allow")
		}
		// What a new call's INVITE may carry, multipart offers included.
		if h := res.GetHeader("Accept"); h == nil || h.Value() != "application/sdp, multipart/alternative" {
			t.Errorf("Accept %v, want application/sdp, multipart/alternative", h)
		}
	})
	t.Run("registrar found by SRV", func(t *testing.T) {
		reg := newRegistrar(t, func(r *registrar, req *sip.Request) *sip.Response { return ok(req, 60) })
		u, _ := startUA(t, Config{
			Resolver: &locate.Resolver{Server: serveZone(t, srv("_sip._udp.example.test.", 10, "reg.example.test.", reg.addr.Port())...)},
			Accounts: []Account{{Name: "a", User: "1001", Registrar: "sip:example.test"}},
		})
		reg.next()
		waitState(t, u, RegRegistered)
		if res := options(t, u); res.StatusCode != sip.StatusOK {
			t.Fatalf("OPTIONS from the registrar's address got %d, want 200", res.StatusCode)
		}
	})
	t.Run("registrar", func(t *testing.T) {
		u, _ := startUA(t, Config{Accounts: []Account{{Name: "a", User: "1001", Domain: "example.net", OutboundProxy: "sip:127.0.0.1:9"}}})
		if res := options(t, u); res.StatusCode != sip.StatusOK {
			t.Fatalf("the proxy's OPTIONS got %d, want 200", res.StatusCode)
		}
	})
}
