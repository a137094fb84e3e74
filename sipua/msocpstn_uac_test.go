package sipua

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// TestDialGatewayRole checks what the gateway role puts in our INVITEs and
// takes from the answers: a PSTN account with phone-context, anonymous,
// early media in an unreliable 183, and a hold a Mediation Server knows.
func TestDialGatewayRole(t *testing.T) {
	f := newFarEnd(t)
	u, _ := startUA(t, Config{
		TrustedPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Accounts: []Account{{Name: "trunk", User: "2001", Domain: "example.test", Proxy: fmt.Sprintf("sip:%s", f.addr),
			PSTN: true, PhoneContext: true}},
		RTPPorts: [2]int{30140, 30159}, TrunkingPeer: "gw.example.test", MediaBypass: true, LocationProfile: "site-A",
	})
	c, err := u.Dial("trunk", "72181", Party{Private: true})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	req := in.req
	checks := []struct{ what, got, want string }{
		{"Request-URI", req.Recipient.String(), "sip:72181;phone-context=site-A@example.test;user=phone"},
		{"To", req.To().Address.String(), "sip:72181;phone-context=site-A@example.test;user=phone"},
		{"From", req.From().Address.String(), "sip:anonymous@example.test;user=phone"},
		{"Ms-Call-Source", oneHeader(t, req, "Ms-Call-Source"), "ms-rtc"},
		{"ms-trunking-peer", oneHeader(t, req, "ms-trunking-peer"), `gw.example.test;User-Agent="tipring/test"`},
		{"Privacy", oneHeader(t, req, "Privacy"), "id"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s %q, want %q", ch.what, ch.got, ch.want)
		}
	}
	if !hasParam(req.Contact().Params, isGatewayParam) {
		t.Errorf("Contact %v without isGateway", req.Contact())
	}
	if tags := optionTags(req, "Supported"); !slices.Contains(tags, "ms-early-media") || !slices.Contains(tags, "ms-bypass") {
		t.Errorf("Supported %v, want ms-early-media and ms-bypass", tags)
	}
	if c.To.Number != "72181" {
		t.Errorf("To.Number %q, want 72181", c.To.Number)
	}
	// An unreliable 183 with the answer, then the 200 with the same SDP
	// from a Mediation Server's Contact.
	answer := []byte(strings.ReplaceAll("v=0\no=- 7 7 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 40010 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n", "\n", "\r\n"))
	f.respond(in, 183, "ms1", answer)
	waitCall(t, c, CallEarlyMedia)
	gwContact := &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "ms", Host: "127.0.0.1", Port: int(f.addr.Port())}, Params: sip.NewParams()}
	gwContact.Params.Add("isGateway", "")
	res := sip.NewResponseFromRequest(in.req, 200, "OK", answer)
	res.To().Params.Add("tag", "ms1")
	res.AppendHeader(gwContact)
	res.AppendHeader(contentTypeSDP())
	if err := in.tx.Respond(res); err != nil {
		t.Fatal(err)
	}
	f.next(f.acks, "ACK")
	waitCall(t, c, CallActive)
	if !c.PeerIsGateway() {
		t.Error("PeerIsGateway() false for a Contact with isGateway")
	}
	// Hold: a full SDP with a=inactive, for a peer that is a gateway.
	held := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { held <- c.Hold(ctx) }()
	re := f.nextInvite()
	if body := string(re.req.Body()); !strings.Contains(body, "a=inactive") || !strings.Contains(body, "m=audio") {
		t.Errorf("hold offer %q, want a full SDP with a=inactive", body)
	}
	if re.req.GetHeader("Ms-Call-Source") != nil {
		t.Error("Ms-Call-Source in a re-INVITE")
	}
	f.respond(re, 200, "ms1", []byte(strings.Replace(string(answer), "a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\na=inactive\r\n", 1)))
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if m := c.Media(); m.Send || m.Recv {
		t.Errorf("held media sends %v receives %v, want neither", m.Send, m.Recv)
	}
}
