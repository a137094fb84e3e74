package sipua

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"mime/multipart"
	"net/netip"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/internal/mediation"
)

var (
	contentLength = regexp.MustCompile(`(?im)^Content-Length:[^\r\n]*`)
	sdpIPv4       = regexp.MustCompile(`IN IP4 [0-9]+\.`)
)

// example reads a message of [MS-OCPSTN] section 4 from testdata (see its
// README), with body instead of its own when body is not nil, and its
// Content-Length set to the body's length. The example's addresses in
// SDP move to loopback, 10.56.66.167 to 127.56.66.167, so that the tests
// send no media off the machine.
func example(t testing.TB, name string, body []byte) sip.Message {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", "msocpstn", name))
	if err != nil {
		t.Fatal(err)
	}
	head, own, _ := strings.Cut(string(text), "\r\n\r\n")
	if body == nil {
		body = sdpIPv4.ReplaceAll([]byte(own), []byte("IN IP4 127."))
	}
	head = contentLength.ReplaceAllLiteralString(head, "Content-Length: "+strconv.Itoa(len(body)))
	if !contentLength.MatchString(head) {
		head += "\r\nContent-Length: " + strconv.Itoa(len(body))
	}
	m, err := sip.ParseMessage(append([]byte(head+"\r\n\r\n"), body...))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	repairVias(m)
	return m
}

func TestMSOCPSTNExamplesParse(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join("testdata", "msocpstn", "4.*.txt"))
	if len(names) == 0 {
		t.Fatal("no examples")
	}
	for _, path := range names {
		m := example(t, filepath.Base(path), nil)
		if m.CallID() == nil || m.CSeq() == nil || m.From() == nil || m.To() == nil || m.Via() == nil {
			t.Errorf("%s: a header every message has is missing: %v", filepath.Base(path), m)
		}
		if res, ok := m.(*sip.Response); ok && res.StatusCode == 200 {
			if ct := contactOf(res); ct == nil || !hasParam(ct.Params, isGatewayParam) {
				t.Errorf("%s: the Mediation Server's Contact %v has no isGateway", filepath.Base(path), ct)
			}
		}
	}
}

// msGateway starts a UA listening on TLS in the gateway role, and a
// Mediation Server that trusts it.
func msGateway(t *testing.T, cfg Config) (*UA, chan *Call, *mediation.Server) {
	t.Helper()
	ca := newTestCA(t, "msocpstn CA")
	calls := make(chan *Call, 4)
	cfg.Listen = []Listen{{Transport: "tls", Addr: netip.MustParseAddrPort("127.0.0.1:0")}}
	cfg.TLS = &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "gateway", "127.0.0.1")}, RootCAs: ca.pool}
	cfg.TrustedPeers = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cfg.Incoming = func(c *Call) { calls <- c }
	cfg.RTPPorts = [2]int{30100, 30119}
	u, _ := startUA(t, cfg)
	ms, err := mediation.Start(&tls.Config{Certificates: []tls.Certificate{ca.issue(t, "mediation", "127.0.0.1")}, RootCAs: ca.pool})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	return u, calls, ms
}

// oneHeader returns the value of m's one header name, failing if there are
// none or several.
func oneHeader(t *testing.T, m interface{ GetHeaders(string) []sip.Header }, name string) string {
	t.Helper()
	hs := m.GetHeaders(name)
	if len(hs) != 1 {
		t.Fatalf("%d %s headers, want 1: %v", len(hs), name, hs)
	}
	return hs[0].Value()
}

func headerValues(hs []sip.Header) []string {
	var vs []string
	for _, h := range hs {
		vs = append(vs, h.Value())
	}
	return vs
}

// TestMSOCPSTNExamplesAnswered sends the INVITEs of section 4 addressed to
// a gateway to a running UA over TLS, and checks the gateway's part of the
// answer against the example answer.
func TestMSOCPSTNExamplesAnswered(t *testing.T) {
	u, calls, ms := msGateway(t, Config{LocationProfile: "site-A", TrunkingPeer: "gateway.company1.com", MediaBypass: true})
	gw, _ := u.Addr("tls")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// send sends the INVITE of an example and returns its call as the UA
	// hands it over.
	send := func(t *testing.T, name string, body []byte) (*mediation.Call, *Call) {
		t.Helper()
		req := example(t, name, body).(*sip.Request)
		mc, err := ms.Call(ctx, gw, req)
		if err != nil {
			t.Fatal(err)
		}
		return mc, nextCall(t, calls)
	}
	final := func(t *testing.T, mc *mediation.Call) *sip.Response {
		t.Helper()
		res, err := mc.Final(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Responses keep the Vias of the request, ms-* parameters, quoted
		// ones and all. (The Mediation Server's sipgo misreads a quoted
		// one as the gateway's does: repaired the same way.)
		repairVias(res)
		if got, want := headerValues(res.GetHeaders("Via")), headerValues(mc.Request.GetHeaders("Via")); !slices.Equal(got, want) {
			t.Errorf("Vias %q, want the request's %q", got, want)
		}
		return res
	}
	answered := func(t *testing.T, mc *mediation.Call, c *Call) *sip.Response {
		t.Helper()
		if err := c.Answer(); err != nil {
			t.Fatal(err)
		}
		res := final(t, mc)
		if res.StatusCode != 200 {
			t.Fatalf("answer %d, want 200", res.StatusCode)
		}
		if ct := contactOf(res); ct == nil || !hasParam(ct.Params, "isgateway") {
			t.Errorf("Contact %v, want isGateway", res.Contact())
		}
		if got, want := oneHeader(t, res, "ms-trunking-peer"), `gateway.company1.com;User-Agent="tipring/test"`; got != want {
			t.Errorf("ms-trunking-peer %q, want %q", got, want)
		}
		if tags := optionTags(res, "Supported"); !slices.Contains(tags, "ms-bypass") {
			t.Errorf("Supported %v, want ms-bypass", tags)
		}
		if !isSDP(res) || strings.Contains(string(res.Body()), "RED") {
			t.Errorf("answer %s %q, want one SDP without RED", res.ContentType(), res.Body())
		}
		return res
	}
	hangUp := func(t *testing.T, mc *mediation.Call, c *Call) {
		t.Helper()
		if res, err := mc.Bye(ctx); err != nil || res.StatusCode != 200 {
			t.Fatalf("BYE: %v %v", res, err)
		}
		wait(t, c.Done(), "the call to end")
	}

	t.Run("4.1 isGateway, E.164 PAI", func(t *testing.T) {
		mc, c := send(t, "4.1.2.1-invite.txt", offer("0 8 101"))
		if c.PeerIsGateway() {
			t.Error("a client's Contact taken for a gateway")
		}
		res := answered(t, mc, c)
		if got, want := oneHeader(t, res, "P-Asserted-Identity"), "<sip:+15555550103@server1.example.com;user=phone>"; got != want {
			t.Errorf("P-Asserted-Identity %q, want the example's %q", got, want)
		}
		hangUp(t, mc, c)
	})
	t.Run("4.2 phone-context", func(t *testing.T) {
		mc, c := send(t, "4.2.2.1-invite.txt", offer("0 8 101"))
		if n, ctx := c.Called(); n != "72181" || ctx != "dialstring" {
			t.Errorf("Called() = %q, %q, want 72181 in dialstring", n, ctx)
		}
		if c.Target != "72181" || c.To.Number != "72181" {
			t.Errorf("Target %q, To %q, want 72181", c.Target, c.To.Number)
		}
		res := answered(t, mc, c)
		// §3.2: a number not E.164 in the context of our location profile.
		if got, want := oneHeader(t, res, "P-Asserted-Identity"), "<sip:72181;phone-context=site-A@example.com;user=phone>"; got != want {
			t.Errorf("P-Asserted-Identity %q, want %q", got, want)
		}
		hangUp(t, mc, c)
	})
	t.Run("4.3 loop refused", func(t *testing.T) {
		mc, c := send(t, "4.3.1.2-invite.txt", offer("0 8 101"))
		if got := c.CallSource(); got != "non-ms-rtc" {
			t.Errorf("CallSource() = %q, want non-ms-rtc", got)
		}
		if !c.PeerIsGateway() {
			t.Error("the Mediation Server's isGateway not seen")
		}
		if n, ctx := c.From.Number, c.To.Number; n != "2160" || ctx != "+15555550108" {
			t.Errorf("From %q To %q, want 2160 to +15555550108", n, ctx)
		}
		if err := c.RejectLoop(); err != nil {
			t.Fatal(err)
		}
		res := final(t, mc)
		want := example(t, "4.3.1.3-605.txt", nil).(*sip.Response)
		if res.StatusCode != want.StatusCode || res.Reason != want.Reason {
			t.Errorf("%d %s, want %d %s", res.StatusCode, res.Reason, want.StatusCode, want.Reason)
		}
		if tag, _ := res.To().Params.Get("tag"); tag == "" {
			t.Error("605 without a To tag")
		}
		for _, name := range []string{"From", "Call-ID", "CSeq"} {
			if got, want := oneHeader(t, res, name), oneHeader(t, want, name); got != want {
				t.Errorf("%s %q, want %q", name, got, want)
			}
		}
		wait(t, c.Done(), "the call to end")
	})
	t.Run("4.4 ms-early-media", func(t *testing.T) {
		mc, c := send(t, "4.4.2.1-invite.txt", nil)
		if !c.EarlyMedia() {
			t.Fatal("EarlyMedia() false for an INVITE with Supported: ms-early-media")
		}
		if err := c.Ringing(); err != nil {
			t.Fatal(err)
		}
		var early *sip.Response
		for early == nil {
			res, err := mc.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 100 {
				early = res
			}
		}
		if early.StatusCode != 183 || !isSDP(early) {
			t.Fatalf("%d %s %s, want 183 with SDP", early.StatusCode, early.Reason, early.ContentType())
		}
		if early.GetHeader("RSeq") != nil || hasOptionTag(early, "100rel", "Require") {
			t.Error("the 183 went reliably")
		}
		res := answered(t, mc, c)
		if string(res.Body()) != string(early.Body()) {
			t.Errorf("the 200's SDP differs from the 183's:\n%s\n%s", res.Body(), early.Body())
		}
		if got, want := oneHeader(t, res, "P-Asserted-Identity"), "<sip:+15555550100@example.com;user=phone>"; got != want {
			t.Errorf("P-Asserted-Identity %q, want %q", got, want)
		}
		hangUp(t, mc, c)
	})
	t.Run("4.6 multipart offer, as printed", func(t *testing.T) {
		// The example's delimiters are its boundary itself, without the
		// two hyphens RFC 2046 §5.1.1 puts before it: no part is found.
		mc, err := ms.Call(ctx, gw, example(t, "4.6.2.1-invite.txt", nil).(*sip.Request))
		if err != nil {
			t.Fatal(err)
		}
		if res := final(t, mc); res.StatusCode != 400 || !strings.Contains(res.Reason, "multipart") {
			t.Errorf("%d %s, want 400 saying why", res.StatusCode, res.Reason)
		}
	})
	t.Run("4.6 multipart offer", func(t *testing.T) {
		req := example(t, "4.6.2.1-invite.txt", nil).(*sip.Request)
		*req.ContentType() = sip.ContentTypeHeader(strings.Replace(req.ContentType().Value(), `"-----_`, `"---_`, 1))
		mc, err := ms.Call(ctx, gw, req)
		if err != nil {
			t.Fatal(err)
		}
		c := nextCall(t, calls)
		res := answered(t, mc, c)
		want := example(t, "4.6.2.2-200.txt", nil).(*sip.Response)
		if got, want := oneHeader(t, res, "ms-accepted-content-id"), oneHeader(t, want, "ms-accepted-content-id"); got != want {
			t.Errorf("ms-accepted-content-id %q, want the example's %q", got, want)
		}
		if got := c.Media().Remote; got != netip.MustParseAddrPort("127.168.1.114:28238") {
			t.Errorf("media to %v, want the second part's 127.168.1.114:28238", got)
		}
		hangUp(t, mc, c)
	})
}

// The alternatives of bypassOffer, where each sends its media and the
// Content-ID that names it.
var (
	bypassICE19 = bypassPart{"<ice19-3c7e>", netip.MustParseAddrPort("127.0.0.1:40110")}
	bypassGW    = bypassPart{"<gw-9a41>", netip.MustParseAddrPort("127.0.0.1:40200")}
)

type bypassPart struct {
	contentID string
	media     netip.AddrPort
}

// bypassOffer is a Mediation Server's offer with media bypass, after
// [MS-OCPSTN] §1.3 and §3.7 and the offer of §4.5.1.1, on loopback: a
// multipart/alternative of two application/sdp parts for ICE, in the
// forms of the ICE draft Office Communicator 2007 speaks (the ufrag in
// every candidate line) and of RFC 5245, and an application/gw-sdp part,
// the gateway's own SDP, which the client would send to straight, with
// the bypass ID in its type and in an a=x-bypassid line.
func bypassOffer() (contentType string, body []byte) {
	const bypassID = "2f6b1c0e-7d4a-4e59-9b3e-5a8c1d7f0e42"
	const codecs = "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:115 x-msrta/8000\r\na=fmtp:115 bitrate=11800\r\n" +
		"a=rtpmap:13 CN/8000\r\na=rtpmap:118 CN/16000\r\na=rtpmap:97 RED/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
	parts := []struct {
		contentType, contentID, sdp string
	}{
		{"application/sdp", "<ice6-51d0>", "v=0\r\no=- 1 0 IN IP4 127.0.0.1\r\ns=session\r\nc=IN IP4 127.0.0.1\r\nb=CT:1000000\r\nt=0 0\r\n" +
			"m=audio 40100 RTP/AVP 0 8 115 13 118 97 101\r\nc=IN IP4 127.0.0.1\r\na=rtcp:40101\r\n" +
			"a=candidate:Xw3sQm9vL2tYf0Rk7bNc1pZ8aE4uH6jG5oT2iKqWlVs 1 Rk2Jd8Lx0Pq7Vn4Zt1Wb5A UDP 0.830 127.0.0.1 40100\r\n" +
			"a=candidate:Xw3sQm9vL2tYf0Rk7bNc1pZ8aE4uH6jG5oT2iKqWlVs 2 Rk2Jd8Lx0Pq7Vn4Zt1Wb5A UDP 0.830 127.0.0.1 40101\r\n" +
			"a=candidate:Hn6gT1yC8rV3mK0qZ5wB2xJ7sD4fL9pU1eA6iO3cNtY 1 Mz5Qv2Hb8Wk1Ts7Yc4Rn0g TCP 0.190 127.0.0.3 50342\r\n" +
			"a=label:main-audio\r\n" + codecs + "a=x-bypassid:" + bypassID + "\r\n"},
		{"application/sdp", bypassICE19.contentID, "v=0\r\no=- 2 0 IN IP4 127.0.0.1\r\ns=session\r\nc=IN IP4 127.0.0.1\r\nb=CT:1000000\r\nt=0 0\r\n" +
			"m=audio 40110 RTP/AVP 0 8 115 13 118 97 101\r\nc=IN IP4 127.0.0.1\r\na=rtcp:40111\r\n" +
			"a=ice-ufrag:Tq4z\r\na=ice-pwd:p8Xv2Lr6Nc0Hs4Wj9Ku3Ya7E\r\n" +
			"a=candidate:1 1 UDP 2130706431 127.0.0.1 40110 typ host\r\n" +
			"a=candidate:1 2 UDP 2130705918 127.0.0.1 40111 typ host\r\n" +
			"a=candidate:2 1 tcp-pass 6555135 127.0.0.3 50344 typ relay raddr 127.0.0.1 rport 50346\r\n" +
			"a=candidate:3 1 UDP 16647679 127.0.0.3 50348 typ relay raddr 127.0.0.1 rport 40110\r\n" +
			"a=x-candidate-ipv6:4 1 UDP 2130706175 ::1 40112 typ host\r\n" +
			"a=remote-candidates:1 127.0.0.4 40120 2 127.0.0.4 40121\r\n" +
			"a=label:main-audio\r\n" + codecs + "a=x-bypassid:" + bypassID + "\r\n"},
		{"application/gw-sdp; x-bypassid=" + bypassID, bypassGW.contentID, "v=0\r\no=Gateway 81520764 81520512 IN IP4 127.0.0.1\r\ns=session\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
			"m=audio 40200 RTP/AVP 0 8 13 101\r\nc=IN IP4 127.0.0.1\r\na=rtcp:40201\r\na=x-bypassid:" + bypassID + "\r\na=sendrecv\r\n" +
			"a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n" +
			"a=ptime:20\r\na=x-mediasettings:signalboostunsupported\r\n"},
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.SetBoundary("bypass-7Qm2Xc9vN4")
	for _, p := range parts {
		part, _ := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":        {p.contentType},
			"Content-Id":          {p.contentID},
			"Content-Disposition": {"session; handling=optional"},
		})
		part.Write([]byte(p.sdp))
	}
	w.Close()
	return "multipart/alternative; boundary=" + w.Boundary(), b.Bytes()
}

// iceLine is an SDP line of ICE, of any version, or of media bypass: what
// an answer from a gateway without ICE, answering in place of the client,
// never has.
var iceLine = regexp.MustCompile(`(?m)^a=(candidate|x-candidate[-\w]*|remote-candidates|ice-[\w-]+|x-bypassid)[:\r\n]`)

// TestMSOCPSTNBypassOffer offers a running UA the alternatives a
// Mediation Server offers with media bypass: with MediaBypass the
// gateway's own SDP is answered, without it the last ICE part (RFC 2046
// §5.1.4: the richest), whose ICE lines are ignored. The answer is plain
// SDP and names the part it answers in ms-accepted-content-id (§3.7);
// nothing of the offer's ICE or bypass ID comes back, as in the answers of
// §4.5.1.2 and §4.6.1.2.
func TestMSOCPSTNBypassOffer(t *testing.T) {
	for _, tt := range []struct {
		bypass bool
		want   bypassPart
	}{
		{bypass: true, want: bypassGW},
		{bypass: false, want: bypassICE19},
	} {
		t.Run(fmt.Sprintf("MediaBypass=%v", tt.bypass), func(t *testing.T) {
			u, calls, ms := msGateway(t, Config{MediaBypass: tt.bypass})
			gw, _ := u.Addr("tls")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req, err := ms.NewInvite(mediation.Invite{To: "+15555550100", From: "+15555550199"})
			if err != nil {
				t.Fatal(err)
			}
			contentType, body := bypassOffer()
			ct := sip.ContentTypeHeader(contentType)
			req.AppendHeader(&ct)
			req.SetBody(body)
			mc, err := ms.Call(ctx, gw, req)
			if err != nil {
				t.Fatal(err)
			}
			c := nextCall(t, calls)
			if err := c.Answer(); err != nil {
				t.Fatal(err)
			}
			res, err := mc.Final(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 200 || !isSDP(res) {
				t.Fatalf("%d %s with %v, want 200 with application/sdp", res.StatusCode, res.Reason, res.ContentType())
			}
			if got := oneHeader(t, res, "ms-accepted-content-id"); got != tt.want.contentID {
				t.Errorf("ms-accepted-content-id %s, want %s", got, tt.want.contentID)
			}
			if got := c.Media().Remote; got != tt.want.media {
				t.Errorf("media to %v, want %v", got, tt.want.media)
			}
			if lines := iceLine.FindAllString(string(res.Body()), -1); len(lines) > 0 {
				t.Errorf("the answer has %q:\n%s", lines, res.Body())
			}
			if tags := optionTags(res, "Supported"); slices.Contains(tags, "ms-bypass") != tt.bypass {
				t.Errorf("Supported %v, want ms-bypass if and only if MediaBypass", tags)
			}
			if res, err := mc.Bye(ctx); err != nil || res.StatusCode != 200 {
				t.Fatalf("BYE: %v %v", res, err)
			}
			wait(t, c.Done(), "the call to end")
		})
	}
}
