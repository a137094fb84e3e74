package sipua

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
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
	// Resume: a full SDP with a=sendrecv.
	go func() { held <- c.Resume(ctx) }()
	re = f.nextInvite()
	if body := string(re.req.Body()); !strings.Contains(body, "a=sendrecv") || !strings.Contains(body, "m=audio") {
		t.Errorf("resume offer %q, want a full SDP with a=sendrecv", body)
	}
	f.respond(re, 200, "ms1", answer)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if m := c.Media(); !m.Send || !m.Recv {
		t.Errorf("resumed media sends %v receives %v, want both", m.Send, m.Recv)
	}
}

// sendRaw puts b on the wire from the far end's socket as it is: sipgo
// would write the names of the headers it knows its own way.
func (f *farEnd) sendRaw(b []byte, to netip.AddrPort) {
	f.t.Helper()
	conn, err := f.client.TransportLayer().GetConnection("udp", f.addr.String())
	if err != nil {
		f.t.Fatal(err)
	}
	w, ok := conn.(interface {
		WriteTo([]byte, net.Addr) (int, error)
	})
	if !ok {
		f.t.Fatalf("the far end's connection %T writes no datagrams", conn)
	}
	if _, err := w.WriteTo(b, net.UDPAddrFromAddrPort(to)); err != nil {
		f.t.Fatal(err)
	}
}

// TestDialMediationServerAnswer has the gateway dial through a Mediation
// Server that answers with the 200 of [MS-OCPSTN] §4.1.2.2, byte for byte
// on the wire: upper-case header names, SUPPORTED twice, a Kerberos
// Authentication-Info, a RECORD-ROUTE with ms-* parameters, a GRUU in
// CONTACT. What ties it to our INVITE is all that changes: Via, FROM, TO,
// CALL-ID and CSEQ are the INVITE's, with the example's To tag; the
// RECORD-ROUTE names the far end, on loopback, instead of the example's
// server; an SDP answer goes in. The call comes up, the UA complains of
// nothing, and the ACK and the BYE go to the example's CONTACT by the
// RECORD-ROUTE, ms-* parameters and all.
func TestDialMediationServerAnswer(t *testing.T) {
	f := newFarEnd(t)
	var log logBuffer
	u, _ := startUA(t, Config{
		Log:          log.logger(),
		TrustedPeers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Accounts:     []Account{{Name: "ocs", User: "2001", Domain: "example.test", Proxy: fmt.Sprintf("sip:%s", f.addr)}},
		RTPPorts:     [2]int{30140, 30159},
	})
	c, err := u.Dial("ocs", "+15555550103", Party{Number: "2001"})
	if err != nil {
		t.Fatal(err)
	}
	in := f.nextInvite()
	text, err := os.ReadFile(filepath.Join("testdata", "msocpstn", "4.1.2.2-200.txt"))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(strings.ReplaceAll("v=0\no=- 7 7 IN IP4 127.0.0.1\ns=session\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 40010 RTP/AVP 0 101\n"+
		"a=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\n", "\n", "\r\n"))
	var route, contact string
	var res strings.Builder
	head, _, _ := strings.Cut(string(text), "\r\n\r\n")
	for i, line := range strings.Split(head, "\r\n") {
		name, value, _ := strings.Cut(line, ": ")
		switch {
		case i == 0:
		case name == "Via":
			for _, v := range in.req.GetHeaders("Via") {
				res.WriteString("Via: " + v.Value() + "\r\n")
			}
			continue
		case name == "FROM":
			line = name + ": " + in.req.From().Value()
		case name == "TO":
			line = name + ": " + in.req.To().Value() + ";epid=571F84BB45;tag=a0f83282b"
		case name == "CALL-ID":
			line = name + ": " + in.req.CallID().Value()
		case name == "CSEQ":
			line = name + ": " + in.req.CSeq().Value()
		case name == "RECORD-ROUTE":
			route = strings.Replace(value, "server1.example.com:5061;transport=tls", f.addr.String(), 1)
			line = name + ": " + route
		case name == "CONTACT":
			contact = strings.Trim(strings.TrimSuffix(value, ";isGateway"), "<>")
		case name == "CONTENT-LENGTH":
			line = name + ": " + strconv.Itoa(len(body))
		}
		res.WriteString(line + "\r\n")
	}
	if !strings.Contains(route, f.addr.String()+";ms-role-rs-from;lr;ms-route-sig=") || contact == "" {
		t.Fatalf("the example's RECORD-ROUTE %q or CONTACT %q is not as expected", route, contact)
	}
	// The 200 goes where the INVITE came from, the UA's socket (RFC 3261
	// §18.2.2), and ends the far end's transaction.
	f.sendRaw(append([]byte(res.String()+"\r\n"), body...), netip.MustParseAddrPort(in.req.Source()))
	in.tx.Terminate()

	waitCall(t, c, CallActive)
	if !c.PeerIsGateway() {
		t.Error("PeerIsGateway() false for the Mediation Server's CONTACT with isGateway")
	}
	if got, want := c.Media().Remote, netip.MustParseAddrPort("127.0.0.1:40010"); got != want {
		t.Errorf("media to %v, want %v", got, want)
	}
	// RFC 3261 §12.2.1.1: the Request-URI is the remote target, the Route
	// the route set, as the Record-Route had it.
	routed := func(req *sip.Request) {
		t.Helper()
		if got := req.Recipient.String(); got != contact {
			t.Errorf("%s to %s, want the CONTACT %s", req.Method, got, contact)
		}
		if got := headerValues(req.GetHeaders("Route")); len(got) != 1 || got[0] != route {
			t.Errorf("%s Route %q, want the RECORD-ROUTE %q", req.Method, got, route)
		}
	}
	routed(f.next(f.acks, "ACK"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hungUp := make(chan error, 1)
	go func() { hungUp <- c.Hangup(ctx, q850.NormalClearing) }()
	routed(f.next(f.byes, "BYE"))
	if err := <-hungUp; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "level=WARN") || strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("the UA complained:\n%s", log.String())
	}
}
