package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/internal/interop"
	"tipring/internal/mediation"
	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
	"tipring/web"
)

// The Mediation Server end-to-end tests run the daemon as the PSTN gateway
// of a Microsoft Mediation Server ([MS-OCPSTN] gateway role), configured
// after the README's section on it: one account whose proxy is the
// Mediation Server, mutual TLS with certificates of one CA, SRTP required.
// The Mediation Server is internal/mediation's, with a Media of its own
// for each call's audio: SRTP keyed from the SDP it exchanged with the
// gateway, so that a tone heard through it proves the gateway's SRTP.

// The numbers of the Mediation Server tests: a Lync user calling, the
// hotline FXO line 2 calls for PSTN callers (the reception, in E.164), and
// the E.164 number of a PSTN party that routing.inbound sends to line 2.
const (
	msCaller  = "+14255550199"
	msHotline = "+14255550100"
	msPSTN    = "+14255551234"
)

// msTrunkingPeer is the gateway's name in the Mediation Server's topology.
const msTrunkingPeer = "gw1.example.com"

// msE2E is a Mediation Server test's gateway: the daemon, listening on TLS
// only, with FXS line 1 (number 1001) and FXO line 2, whose PSTN callers
// are put through to msHotline and which takes the Mediation Server's
// calls for ten-digit numbers; and the Mediation Server, the daemon's one
// account's proxy.
type msE2E struct {
	*e2e
	ms     *mediation.Server
	gwAddr netip.AddrPort
	// ports are the Mediation Server's RTP ports, apart from the daemon's.
	ports *rtpstream.PortRange
}

// msRTPBase is the first RTP port of the Mediation Server tests. Each of
// them (slot) has a hundred ports from msRTPBase+100*slot: the daemon the
// first fifty, the Mediation Server the rest; the other end-to-end tests
// use 30000-30999.
const msRTPBase = 31000

// newMSE2E starts a Mediation Server, then the daemon built at bin, with
// RTP ports of slot.
func newMSE2E(t *testing.T, bin string, slot int) *msE2E {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), e2eTimeout)
	t.Cleanup(cancel)
	m := &msE2E{e2e: &e2e{t: t, ctx: ctx}}
	e := m.e2e
	dir := t.TempDir()
	pki := newMSPKI(t, dir)

	low := msRTPBase + 100*slot
	var err error
	m.ports, err = rtpstream.NewPortRange(low+50, low+99)
	e.must(err)
	// The Mediation Server asks for the gateway's certificate: mutual TLS.
	m.ms, err = mediation.Start(&tls.Config{Certificates: []tls.Certificate{pki.ms}, RootCAs: pki.pool,
		ClientCAs: pki.pool, ClientAuth: tls.RequireAndVerifyClientCert})
	e.must(err)
	t.Cleanup(func() { m.ms.Close() })

	conf := filepath.Join(dir, "tipring.toml")
	e.must(os.WriteFile(conf, fmt.Appendf(nil, `
[device]
name = "gw1"
country = "US"

[sip]
listen = ["tls:127.0.0.1:0"]
tls_cert = %q
tls_key = %q
tls_ca = %q
rtp_ports = "%d-%d"
location_profile = "redmond"
trunking_peer = %q

[[accounts]]
name = "lync"
proxy = %q
srtp = "required"
hold_inactive = true
phone_context = true

[[lines]]
id = 1
kind = "fxs"
number = %q

[[lines]]
id = 2
kind = "fxo"
hotline = %q

[[routing.inbound]]
match = "[2-9]xxxxxxxxx"
lines = [2]
`, pki.cert, pki.key, pki.ca, low, low+49, msTrunkingPeer, m.ms.URI(), fxsNumber, msHotline), 0o600))
	e.startDaemon(bin, conf)
	m.gwAddr, err = netip.ParseAddrPort(e.listening("tls"))
	e.must(err)
	return m
}

// msPKI is a CA and the certificates it issued to the gateway and the
// Mediation Server, both for 127.0.0.1: the gateway's as PEM files for the
// daemon, the Mediation Server's ready for its TLS configuration.
type msPKI struct {
	ca, cert, key string
	pool          *x509.CertPool
	ms            tls.Certificate
}

func newMSPKI(t *testing.T, dir string) *msPKI {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Mediation test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	// issue returns a certificate for name and 127.0.0.1, for serving
	// and for presenting to a server that asks for one.
	issue := func(serial int64, name string) ([]byte, *ecdsa.PrivateKey) {
		key := newKey()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			DNSNames: []string{name}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, key
	}
	p := &msPKI{ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "gw.pem"), key: filepath.Join(dir, "gw.key"),
		pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	gwDER, gwKey := issue(2, msTrunkingPeer)
	keyDER, err := x509.MarshalPKCS8PrivateKey(gwKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, p.ca, "CERTIFICATE", caDER)
	writePEM(t, p.cert, "CERTIFICATE", gwDER)
	writePEM(t, p.key, "PRIVATE KEY", keyDER)
	msDER, msKey := issue(3, "mediation.example.com")
	p.ms = tls.Certificate{Certificate: [][]byte{msDER}, PrivateKey: msKey}
	return p
}

// media opens a Media of the Mediation Server's, SRTP required, that
// plays f Hz at toneAmp, or silence if f is 0.
func (m *msE2E) media(f float64) *mediation.Media {
	m.t.Helper()
	var play []int16
	if f != 0 {
		// A second of a tone of whole hertz is a whole number of
		// periods: played over and over, it is one unbroken tone.
		play = interop.Tone(f, toneAmp, time.Second)
	}
	med, err := mediation.NewMedia(m.ports, sdpoa.EncryptionRequired, play)
	m.must(err)
	m.t.Cleanup(func() { med.Close() })
	return med
}

// incoming waits for the next call the gateway places to the Mediation
// Server.
func (m *msE2E) incoming() *mediation.Incoming {
	m.t.Helper()
	select {
	case in := <-m.ms.Incoming():
		return in
	case <-m.ctx.Done():
		m.t.Fatalf("waiting for the gateway's INVITE: %v", m.ctx.Err())
		return nil
	}
}

// bye waits for the gateway's BYE of the call whose INVITE was req.
func (m *msE2E) bye(req *sip.Request) {
	m.t.Helper()
	select {
	case bye := <-m.ms.Byes():
		if bye.CallID().Value() != req.CallID().Value() {
			m.t.Errorf("BYE of call %s, want of %s", bye.CallID().Value(), req.CallID().Value())
		}
	case <-m.ctx.Done():
		m.t.Fatalf("waiting for the gateway's BYE: %v", m.ctx.Err())
	}
}

// tries is how many windows of audio a check of the Mediation Server
// tests measures before it fails. On a loaded machine a stall of the
// daemon's frame loop, or of the Mediation Server's in this test process,
// can spoil a window: a sender that falls behind by more than the
// receiver's largest jitter buffer delay is heard again once the buffer
// resyncs, some frames on. A retry is logged.
const tries = 2

// toneHeard reports whether s passes checkTone: the tone of f Hz sent at
// toneAmp, frame by frame, at its level.
func toneHeard(s []int16, f float64) bool {
	want := interop.LevelDB(interop.Tone(f, toneAmp, time.Second))
	return interop.FrameToneShare(s, f) >= 0.9 && math.Abs(interop.LevelDB(s)-want) <= 1
}

// hearsTone checks, as checkTone does, that who hears the tone of f Hz in
// one of tries windows of audio that next returns.
func (m *msE2E) hearsTone(who string, f float64, next func() []int16) {
	m.t.Helper()
	s := next()
	for i := 1; i < tries && !toneHeard(s, f); i++ {
		m.t.Logf("%s: %.2f of the energy at %v Hz, frame by frame, at %.1f dBFS: measuring again", who, interop.FrameToneShare(s, f), f, interop.LevelDB(s))
		s = next()
	}
	checkTone(m.t, who, s, f)
}

// lineHears checks that line n hears the tone of f Hz that the Mediation
// Server plays.
func (m *msE2E) lineHears(n int, f float64) {
	m.t.Helper()
	who := map[int]string{1: "the phone", 2: "the PSTN caller"}[n]
	m.hearsTone(who, f, func() []int16 { return m.record(n, 1200*time.Millisecond)[interop.SampleRate/5:] })
}

// msHears plays a tone of lineTone into line n and checks that med hears
// it, from half a second in, past where the stream carried it from.
func (m *msE2E) msHears(med *mediation.Media, n int) {
	m.t.Helper()
	m.play(n, interop.Tone(lineTone, toneAmp, (tries+1)*time.Second))
	listen := func(d time.Duration) []int16 {
		s, err := med.Listen(m.ctx, d)
		m.must(err)
		return s
	}
	listen(500 * time.Millisecond)
	m.hearsTone("the Mediation Server", lineTone, func() []int16 { return listen(time.Second) })
}

// checkGatewayPeer checks that line n's call, as "tipring status" shows
// it once media has flowed, is with a gateway (the Mediation Server's
// Contact has isGateway) over SRTP, every packet of which the gateway
// took authenticated.
func (m *msE2E) checkGatewayPeer(n int) {
	m.t.Helper()
	c := m.status().Lines[n-1].Call
	if c == nil || !c.Gateway {
		m.t.Errorf("line %d's call is %+v, want one with a gateway peer", n, c)
		return
	}
	if c.SRTP == "" || c.PacketsReceived == 0 || c.SRTPFailed != 0 {
		m.t.Errorf("line %d's call has SRTP %q, %d packets in, %d failed; want a suite, packets and no failures", n, c.SRTP, c.PacketsReceived, c.SRTPFailed)
	}
}

// savpAudio is an SDP's audio stream over SRTP, and a key for it.
var (
	savpAudio = regexp.MustCompile(`(?m)^m=audio [1-9][0-9]* RTP/SAVP `)
	cryptoKey = regexp.MustCompile(`(?m)^a=crypto:[0-9]+ AES_CM_128_HMAC_SHA1_(80|32) inline:`)
)

// checkSRTP checks that sdp, the gateway's session description in what,
// keys its audio with SRTP, and that med's stream took it so: it heard
// packets, and none that failed SRTP's authentication.
func checkSRTP(t *testing.T, what string, sdp []byte, med *mediation.Media) {
	t.Helper()
	if !savpAudio.Match(sdp) || !cryptoKey.Match(sdp) {
		t.Errorf("%s is not an SRTP session description: %s", what, sdp)
	}
	if r := med.Result(); r.SRTP.Suite == 0 {
		t.Errorf("the Mediation Server's stream is plain RTP after %s", what)
	}
	if st := med.Stats(); st.PacketsReceived == 0 || st.SRTPFailed != 0 {
		t.Errorf("the Mediation Server's stream took %d packets, %d failed SRTP; want some and none", st.PacketsReceived, st.SRTPFailed)
	}
}

// plainAlternative is offer, an SRTP offer, as plain RTP: its a=crypto and
// a=encryption lines left out and its audio on RTP/AVP, the first of the
// alternatives a Mediation Server offers (RFC 2046 §5.1.4: plainest first).
func plainAlternative(offer []byte) []byte {
	var b strings.Builder
	for line := range strings.Lines(string(offer)) {
		if strings.HasPrefix(line, "a=crypto:") || strings.HasPrefix(line, "a=encryption:") {
			continue
		}
		b.WriteString(strings.Replace(line, " RTP/SAVP ", " RTP/AVP ", 1))
	}
	return []byte(b.String())
}

// checkGateway checks that msg, the gateway's INVITE or 200, says it is
// a gateway, by the name sip.trunking_peer gives it ([MS-OCPSTN] 3.1, 3.8).
func checkGateway(t *testing.T, what string, msg interface {
	Contact() *sip.ContactHeader
	GetHeaders(string) []sip.Header
}) {
	t.Helper()
	// Parameter names are case-insensitive (RFC 3261 §7.3.1).
	if ct := msg.Contact(); ct == nil || !slices.ContainsFunc(ct.Params.Keys(), func(k string) bool { return strings.EqualFold(k, "isGateway") }) {
		t.Errorf("%s: Contact %v, want isGateway", what, ct)
	}
	if got, want := headerValue(msg, "ms-trunking-peer"), msTrunkingPeer+`;User-Agent="tipring/`; !strings.HasPrefix(got, want) {
		t.Errorf("%s: ms-trunking-peer %q, want %s...", what, got, want)
	}
}

// unreliable reports whether a provisional response went without 100rel
// (RFC 3262): no RSeq, no Require of it.
func unreliable(res *sip.Response) bool {
	if res.GetHeader("RSeq") != nil {
		return false
	}
	for _, h := range res.GetHeaders("Require") {
		if strings.Contains(strings.ToLower(h.Value()), "100rel") {
			return false
		}
	}
	return true
}

// optionTags lists the option tags of m's headers name (Supported,
// Require), lower case.
func optionTags(m interface{ GetHeaders(string) []sip.Header }, name string) []string {
	var tags []string
	for _, h := range m.GetHeaders(name) {
		for tag := range strings.SplitSeq(h.Value(), ",") {
			tags = append(tags, strings.ToLower(strings.TrimSpace(tag)))
		}
	}
	return tags
}

// headerValue returns the value of m's one header name, "" if it has none
// and a list of all if several.
func headerValue(m interface{ GetHeaders(string) []sip.Header }, name string) string {
	var vs []string
	for _, h := range m.GetHeaders(name) {
		vs = append(vs, h.Value())
	}
	return strings.Join(vs, " | ")
}

// ringback says what is amiss with s, what a caller heard while the
// phone rang, as the US ringback: 440 and 480 Hz together (ANSI T1.401),
// 2 s on and 4 s off. Both tones are in what is heard, nothing else, and
// at least some of it is heard. It returns "" for ringback.
func ringback(s []int16) string {
	low, high := interop.FrameToneShare(s, 440), interop.FrameToneShare(s, 480)
	if low < 0.3 || high < 0.3 || low+high < 0.8 {
		return fmt.Sprintf("%.2f of it at 440 Hz and %.2f at 480 Hz, want 0.3 or more each, 0.8 or more together", low, high)
	}
	var on int
	for frame := range slices.Chunk(s, interop.FrameSamples) {
		if interop.LevelDB(frame) > -40 {
			on++
		}
	}
	if d := time.Duration(on) * 20 * time.Millisecond; d < 500*time.Millisecond {
		return fmt.Sprintf("%v of it above -40 dBFS, want 500ms or more", d)
	}
	return ""
}

// TestE2EMediation runs the daemon as a Mediation Server's gateway, over
// TLS with SRTP: the Mediation Server calls the phone on FXS line 1 with a
// plain SRTP offer and with a multipart/alternative offer, both answered
// 180 then 200, and with ms-early-media, answered 183 then 200; the
// gateway calls the Mediation Server for a PSTN caller
// on FXO line 2; and a call of the Mediation Server that loops back to
// line 2 while it still rings for the Mediation Server is refused with
// 605.
func TestE2EMediation(t *testing.T) {
	bin := buildTipring(t)
	for i, tc := range []struct {
		name       string
		multipart  bool
		earlyMedia bool
	}{
		{"calls phone/plain", false, false},
		{"calls phone/multipart", true, false},
		{"calls phone/early media", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMSE2E(t, bin, i)
			m.callPhone(tc.multipart, tc.earlyMedia)
		})
	}
	t.Run("gateway calls", func(t *testing.T) {
		t.Parallel()
		newMSE2E(t, bin, 3).pstnCallsMS()
	})
	t.Run("loop", func(t *testing.T) {
		t.Parallel()
		newMSE2E(t, bin, 4).loop()
	})
}

// callPhone: the Mediation Server calls the phone on FXS line 1, with one
// SRTP offer or a multipart/alternative of a plain RTP and an SRTP one,
// with or without Supported: ms-early-media. The phone rings; the
// Mediation Server gets 183 with the answer and hears ringback over it if
// it asked for early media, else 180; the phone answers, the 200 has the
// SRTP answer (the 183's, and for a multipart offer, naming the SRTP
// part), and each hears the other's tone over SRTP.
func (m *msE2E) callPhone(multipart, earlyMedia bool) {
	t := m.t
	med := m.media(farTone)
	offer, err := med.Offer()
	m.must(err)
	offers := []mediation.Offer{{SDP: offer}}
	if multipart {
		offers = []mediation.Offer{{SDP: plainAlternative(offer)}, {SDP: offer}}
	}
	req, err := m.ms.NewInvite(mediation.Invite{To: fxsNumber, From: msCaller, Offers: offers, EarlyMedia: earlyMedia})
	m.must(err)
	call, err := m.ms.Call(m.ctx, m.gwAddr, req)
	m.must(err)

	m.waitActivity(1, "ringing")
	var progress *sip.Response
	for progress == nil {
		res, err := call.Next(m.ctx)
		m.must(err)
		if res.StatusCode >= 200 {
			t.Fatalf("%d %s while the phone rings, want a provisional response", res.StatusCode, res.Reason)
		}
		if res.StatusCode > 100 {
			progress = res
		}
	}
	if earlyMedia {
		// [MS-OCPSTN] 3.4: an unreliable 183 with the answer.
		if progress.StatusCode != 183 || !unreliable(progress) || len(progress.Body()) == 0 {
			t.Fatalf("%d %s, reliable %v, SDP %q; want an unreliable 183 with SDP", progress.StatusCode, progress.Reason, !unreliable(progress), progress.Body())
		}
		m.must(med.AcceptAnswer(progress.Body()))
		// Two windows of three seconds span the cadence: one of them
		// holds a second or more of its two on.
		var amiss string
		for range tries {
			heard, err := med.Listen(m.ctx, 3*time.Second)
			m.must(err)
			if amiss = ringback(heard); amiss == "" {
				break
			}
		}
		if amiss != "" {
			t.Errorf("the Mediation Server did not hear ringback in the 183's early media: %s", amiss)
		}
	} else if progress.StatusCode != 180 {
		t.Errorf("%d %s, want 180 for a caller without ms-early-media", progress.StatusCode, progress.Reason)
	}

	m.sim("offhook", "1")
	res, err := call.Final(m.ctx)
	m.must(err)
	if res.StatusCode != 200 {
		t.Fatalf("%d %s, want 200", res.StatusCode, res.Reason)
	}
	for _, r := range call.Responses() {
		if r.StatusCode > 100 && r.StatusCode < 200 && r != progress {
			t.Errorf("a %d %s after the %d", r.StatusCode, r.Reason, progress.StatusCode)
		}
	}
	checkGateway(t, "the 200", res)
	if earlyMedia && string(res.Body()) != string(progress.Body()) {
		t.Errorf("the 200's SDP is not the 183's:\n%s\n%s", res.Body(), progress.Body())
	}
	// [MS-OCPSTN] 3.7: the part answered is named; it is the SRTP one.
	if got, want := headerValue(res, "ms-accepted-content-id"), map[bool]string{true: "<part2>"}[multipart]; got != want {
		t.Errorf("ms-accepted-content-id %q, want %q", got, want)
	}
	m.must(med.AcceptAnswer(res.Body()))
	m.waitActivity(1, "talking")

	m.lineHears(1, farTone)
	m.msHears(med, 1)
	checkSRTP(t, "the 200's answer", res.Body(), med)
	m.checkGatewayPeer(1)

	if res, err := call.Bye(m.ctx); err != nil || res.StatusCode != 200 {
		t.Fatalf("BYE: %v %v", res, err)
	}
	m.waitActivity(1, "cleared")
	m.sim("onhook", "1")
	m.waitActivity(1, "idle")
}

// pstnCallsMS: a PSTN caller rings FXO line 2, whose hotline is at the
// Mediation Server. The gateway's INVITE comes over TLS as a gateway's
// ([MS-OCPSTN]): isGateway in its Contact, Ms-Call-Source: non-ms-rtc,
// ms-trunking-peer, ms-early-media supported, the hotline in E.164 with
// user=phone, an SRTP offer. The Mediation Server answers with an
// unreliable 183 with SDP, which the gateway takes as early media, then
// the 200; each hears the other's tone over SRTP, and the PSTN caller's
// hang-up reaches the Mediation Server as a BYE.
func (m *msE2E) pstnCallsMS() {
	t := m.t
	m.sim("ring", "2", "--cid", pstnNum)
	in := m.incoming()
	req := in.Request
	if req.Via().Transport != "TLS" {
		t.Errorf("INVITE over %s, want TLS", req.Via().Transport)
	}
	checkGateway(t, "the INVITE", req)
	if got := headerValue(req, "Ms-Call-Source"); got != "non-ms-rtc" {
		t.Errorf("Ms-Call-Source %q, want non-ms-rtc", got)
	}
	if tags := optionTags(req, "Supported"); !slices.Contains(tags, "ms-early-media") {
		t.Errorf("Supported %v, want ms-early-media", tags)
	}
	if got, want := req.Recipient.User, msHotline; got != want || req.Recipient.UriParams.GetOr("user", "") != "phone" {
		t.Errorf("INVITE to %s, want %s with user=phone", req.Recipient.String(), want)
	}

	med := m.media(farTone)
	answer, err := med.Answer(req.Body())
	m.must(err)
	_, err = in.Respond(183, "Session Progress", answer)
	m.must(err)
	var c *web.CallStatus
	m.waitFor("line 2's call to take the 183's early media", func() bool {
		c = m.status().Lines[1].Call
		return c != nil && c.State == "early media"
	}, func() string { return fmt.Sprintf("line 2's call is %+v", c) })
	_, err = in.Respond(200, "OK", answer)
	m.must(err)
	m.waitExchange(2, "connected")
	m.waitActivity(2, "talking")

	m.lineHears(2, farTone)
	m.msHears(med, 2)
	checkSRTP(t, "the INVITE's offer", req.Body(), med)
	m.checkGatewayPeer(2)

	m.sim("hangup", "2", "--by", "loop")
	m.bye(req)
	m.waitActivity(2, "idle")
	m.waitExchange(2, "idle")
}

// loop: a PSTN caller rings FXO line 2, which calls the Mediation Server;
// while that call rings, the Mediation Server sends a call with
// Ms-Call-Source: non-ms-rtc for a number that routes to line 2, as a
// forward of the first call would: the gateway refuses it with 605
// ([MS-OCPSTN] 3.3, example 4.3.1.3). The first call is answered and goes
// on; the PSTN caller hangs up and the line is idle.
func (m *msE2E) loop() {
	t := m.t
	m.sim("ring", "2", "--cid", pstnNum)
	in := m.incoming()
	med := m.media(farTone)
	answer, err := med.Answer(in.Request.Body())
	m.must(err)
	_, err = in.Respond(180, "Ringing", nil)
	m.must(err)
	var c *web.CallStatus
	m.waitFor("line 2's call to ring", func() bool {
		c = m.status().Lines[1].Call
		return c != nil && c.State == "ringing"
	}, func() string { return fmt.Sprintf("line 2's call is %+v", c) })

	second := m.media(0)
	offer, err := second.Offer()
	m.must(err)
	req, err := m.ms.NewInvite(mediation.Invite{To: msPSTN, From: msCaller, CallSource: "non-ms-rtc",
		Offers: []mediation.Offer{{SDP: offer}}})
	m.must(err)
	looped, err := m.ms.Call(m.ctx, m.gwAddr, req)
	m.must(err)
	res, err := looped.Final(m.ctx)
	m.must(err)
	if res.StatusCode != 605 || res.Reason != "Decline Everywhere" {
		t.Errorf("the looped call: %d %s, want 605 Decline Everywhere", res.StatusCode, res.Reason)
	}
	if l := m.status().Lines[1]; l.Activity != "calling" {
		t.Errorf("line 2 is %s after the loop was refused, want calling still", l.Activity)
	}

	_, err = in.Respond(200, "OK", answer)
	m.must(err)
	m.waitExchange(2, "connected")
	m.waitActivity(2, "talking")
	m.lineHears(2, farTone)
	m.sim("hangup", "2", "--by", "loop")
	m.bye(in.Request)
	m.waitActivity(2, "idle")
	m.waitExchange(2, "idle")
}
