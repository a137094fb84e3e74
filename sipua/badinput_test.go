package sipua

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

// A rawPeer sends a UA SIP messages as bytes over UDP, as a broken or
// hostile peer would, and reads what comes back.
type rawPeer struct {
	conn *net.UDPConn
	ua   netip.AddrPort
}

// newRawPeer returns a peer of ua on 127.0.0.1.
func newRawPeer(tb testing.TB, ua netip.AddrPort) *rawPeer {
	return newRawPeerAt(tb, ua, netip.MustParseAddr("127.0.0.1"))
}

func newRawPeerAt(tb testing.TB, ua netip.AddrPort, ip netip.Addr) *rawPeer {
	tb.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	if err != nil {
		tb.Fatal(err)
	}
	return &rawPeer{conn: c, ua: ua}
}

func (p *rawPeer) addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (p *rawPeer) close() { p.conn.Close() }

// expand fills in a message template: {ua} is the UA's address, {me} the
// peer's, {branch} a fresh branch; more are pairs of other placeholders
// and their values.
func (p *rawPeer) expand(template string, more ...string) []byte {
	r := strings.NewReplacer(append([]string{
		"{ua}", p.ua.String(),
		"{me}", p.addr().String(),
		"{branch}", sip.RFC3261BranchMagicCookie + rand.Text(),
	}, more...)...)
	return []byte(r.Replace(template))
}

func (p *rawPeer) send(tb testing.TB, b []byte) {
	tb.Helper()
	if _, err := p.conn.WriteToUDPAddrPort(b, p.ua); err != nil {
		tb.Fatal(err)
	}
}

// errNothing is what read returns when nothing came by the deadline.
var errNothing = errors.New("nothing came")

// read returns the next message that arrives before deadline.
func (p *rawPeer) read(deadline time.Time) (sip.Message, error) {
	buf := make([]byte, 65536)
	p.conn.SetReadDeadline(deadline)
	for {
		n, err := p.conn.Read(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, errNothing
		}
		if err != nil {
			return nil, err
		}
		if m, err := sip.ParseMessage(buf[:n]); err == nil {
			return m, nil
		}
		if res := salvage(buf[:n]); res != nil {
			return res, nil
		}
	}
}

// salvage reads what it can of a response that does not parse whole: the
// status, and the headers that parse. A response copies the request's
// version, Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2), so a
// broken request gets a broken response.
func salvage(b []byte) *sip.Response {
	head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	status := strings.SplitN(lines[0], " ", 3)
	if len(status) < 3 {
		return nil
	}
	code, err := strconv.Atoi(status[1])
	if err != nil || code < 100 || code > 699 {
		return nil
	}
	res := sip.NewResponse(code, status[2])
	for _, l := range lines[1:] {
		if m, err := sip.ParseMessage([]byte("SIP/2.0 200 OK\r\n" + l + "\r\n\r\n")); err == nil {
			for _, h := range m.(*sip.Response).Headers() {
				res.AppendHeader(h)
			}
		}
	}
	return res
}

// final returns the final response to the request with callID (any
// request, if empty), skipping provisional responses and other messages,
// or nil when none comes within the deadline.
func (p *rawPeer) final(callID string, deadline time.Time) *sip.Response {
	for {
		m, err := p.read(deadline)
		if err != nil {
			return nil
		}
		res, ok := m.(*sip.Response)
		if ok && res.StatusCode >= 200 && (callID == "" || res.CallID() != nil && res.CallID().Value() == callID) {
			return res
		}
	}
}

// sipMessage joins a start line and header lines and appends body, with a
// Content-Length counting the body unless the lines have one.
func sipMessage(body string, lines ...string) string {
	var b strings.Builder
	hasLength := false
	for _, l := range lines {
		b.WriteString(l + "\r\n")
		name, _, _ := strings.Cut(l, ":")
		hasLength = hasLength || strings.EqualFold(name, "Content-Length") || name == "l"
	}
	if !hasLength {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	return b.String() + "\r\n" + body
}

// logBuffer collects a UA's log for tests to read while it writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// request is the start line and headers of a request from a phone at
// {me} to the UA, out of any dialog, without the headers named in drop.
func request(method string, drop ...string) []string {
	lines := []string{
		method + " sip:1001@{ua} SIP/2.0",
		"Via: SIP/2.0/UDP {me};rport;branch={branch}",
		"Max-Forwards: 70",
		"From: <sip:2002@127.0.0.1>;tag=peer",
		"To: <sip:1001@{ua}>",
		"Call-ID: {callid}",
		"CSeq: 1 " + method,
		"Contact: <sip:2002@{me}>",
	}
	var kept []string
	for _, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		dropped := false
		for _, d := range drop {
			dropped = dropped || name == d
		}
		if !dropped {
			kept = append(kept, l)
		}
	}
	return kept
}

// inCall is the start line and headers of a request in the dialog of an
// answered call: {dialog} stands for its From, To and Call-ID, {cseq} for
// the next sequence number.
func inCall(method string) []string {
	return []string{
		method + " sip:1001@{ua} SIP/2.0",
		"Via: SIP/2.0/UDP {me};rport;branch={branch}",
		"Max-Forwards: 70",
		"{dialog}",
		"CSeq: {cseq} " + method,
		"Contact: <sip:2002@{me}>",
	}
}

func withHeaders(lines []string, more ...string) []string {
	return append(lines[:len(lines):len(lines)], more...)
}

const sdpType = "Content-Type: application/sdp"

// multipartOffer offers an SDP as the one alternative of a
// multipart/alternative body, whose type is multipartType.
var multipartOffer = "--b1\r\nContent-Type: application/sdp\r\nContent-ID: <part1>\r\n\r\n" + string(offer("0")) + "\r\n--b1--\r\n"

const multipartType = "Content-Type: multipart/alternative; boundary=b1"

// TestBadRequests sends the UA requests that are malformed, unwanted or
// out of place, and checks the response, and the log line where the UA
// writes one.
func TestBadRequests(t *testing.T) {
	tests := []struct {
		name      string
		msg       string
		untrusted bool // the UA trusts no peer
		call      bool // the request goes into an answered call
		// status is the response expected; 0 means none: sipgo drops a
		// message it cannot parse.
		status int
		header string // a header the response must carry
		value  string // and its value, unless empty
		log    string // what the UA must log
	}{
		{name: "INVITE with unparsable SDP", msg: sipMessage("v=0\r\nthis is not SDP\r\n", withHeaders(request("INVITE"), sdpType)...),
			status: 400, header: "Warning", log: "INVITE refused: its SDP offer"},
		{name: "INVITE offering only G.729", msg: sipMessage(string(offer("18")), withHeaders(request("INVITE"), sdpType)...),
			status: 488, header: "Warning", log: "INVITE refused: its SDP offer"},
		{name: "INVITE without Contact", msg: sipMessage(string(offer("0")), withHeaders(request("INVITE", "Contact"), sdpType)...),
			status: 400, log: "INVITE refused: no Contact"},
		{name: "INVITE without To", msg: sipMessage(string(offer("0")), withHeaders(request("INVITE", "To"), sdpType)...),
			status: 400},
		{name: "INVITE without Call-ID", msg: sipMessage(string(offer("0")), withHeaders(request("INVITE", "Call-ID"), sdpType)...),
			status: 400},
		{name: "INVITE without From", msg: sipMessage(string(offer("0")), withHeaders(request("INVITE", "From"), sdpType)...),
			status: 400},
		{name: "INVITE without CSeq", msg: sipMessage(string(offer("0")), withHeaders(request("INVITE", "CSeq"), sdpType)...),
			status: 400},
		{name: "INVITE from a stranger", untrusted: true, msg: sipMessage(string(offer("0")), withHeaders(request("INVITE"), sdpType)...),
			status: 403, log: "request from untrusted peer refused"},
		{name: "OPTIONS from a stranger without From", untrusted: true, msg: sipMessage("", request("OPTIONS", "From")...),
			status: 403, log: "request from untrusted peer refused"},
		{name: "BYE for no call", msg: sipMessage("", withHeaders(request("BYE"), "To: <sip:1001@{ua}>;tag=nosuchcall")...),
			status: 481},
		{name: "CANCEL for no transaction", msg: sipMessage("", request("CANCEL")...),
			status: 481},
		{name: "PUBLISH", msg: sipMessage("", request("PUBLISH")...), status: 405, header: "Allow"},
		{name: "MESSAGE", msg: sipMessage("hello", withHeaders(request("MESSAGE"), "Content-Type: text/plain")...), status: 405, header: "Allow"},
		{name: "INVITE with a body that is not SDP", msg: sipMessage("hello", withHeaders(request("INVITE"), "Content-Type: text/plain")...),
			status: 415, header: "Accept", value: "application/sdp, multipart/alternative"},
		{name: "INVITE requiring an unknown extension", msg: sipMessage(string(offer("0")), withHeaders(request("INVITE"), sdpType, "Require: no-such-extension")...),
			status: 420, header: "Unsupported"},
		// A UDP datagram is read into a 32768-byte buffer
		// (sip.TransportBufferReadSize): the rest is lost, and with it the
		// end of the body its Content-Length promised.
		{name: "INVITE larger than sipgo reads", msg: sipMessage(strings.Repeat("a=x-padding\r\n", 3000), withHeaders(request("INVITE"), sdpType)...),
			log: "failed to parse"},
		// RFC 3261 §18.3 would have a 400, sipgo drops it.
		{name: "INVITE shorter than its Content-Length", msg: sipMessage(string(offer("0")), withHeaders(request("INVITE"), sdpType, "Content-Length: 1000")...),
			log: "failed to parse"},
		{name: "INFO of an unknown type", call: true, msg: sipMessage("Signal=5", withHeaders(inCall("INFO"), "Content-Type: application/x-tones")...),
			status: 415, header: "Accept", value: "application/dtmf-relay, application/dtmf"},
		{name: "INFO without a digit", call: true, msg: sipMessage("Signal=Z\r\nDuration=160\r\n", withHeaders(inCall("INFO"), "Content-Type: application/dtmf-relay")...),
			status: 400, log: "INFO without a DTMF digit"},
		{name: "re-INVITE with unparsable SDP", call: true, msg: sipMessage("v=0\r\nthis is not SDP\r\n", withHeaders(inCall("INVITE"), sdpType)...),
			status: 400, header: "Warning", log: "offer refused"},
		// A new call may offer alternatives, a call in progress may not.
		{name: "re-INVITE with a multipart offer", call: true, msg: sipMessage(multipartOffer, withHeaders(inCall("INVITE"), multipartType)...),
			status: 415, header: "Accept", value: "application/sdp", log: "its body is not SDP"},
		{name: "UPDATE with a multipart offer", call: true, msg: sipMessage(multipartOffer, withHeaders(inCall("UPDATE"), multipartType)...),
			status: 415, header: "Accept", value: "application/sdp", log: "its body is not SDP"},
		{name: "UPDATE offering only G.729", call: true, msg: sipMessage(string(offer("18")), withHeaders(inCall("UPDATE"), sdpType)...),
			status: 488, header: "Warning", log: "offer refused"},
		{name: "in-dialog request with an old CSeq", call: true, msg: strings.Replace(sipMessage("", inCall("INFO")...), "{cseq}", "1", 1),
			status: 500, log: "in-dialog request refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log logBuffer
			calls := make(chan *Call, 1)
			cfg := Config{Log: log.logger(), Incoming: func(c *Call) { calls <- c }, RTPPorts: [2]int{30020, 30029}}
			if !tt.untrusted {
				cfg.TrustedPeers = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			}
			u, _ := startUA(t, cfg)
			addr, _ := u.Addr("udp")
			p := newRawPeer(t, addr)
			defer p.close()
			callID := rand.Text()
			vars := []string{"{callid}", callID}
			if tt.call {
				d := answeredCall(t, u, calls)
				callID = d.InviteRequest.CallID().Value()
				dialog := strings.Join([]string{d.InviteRequest.From().String(), d.InviteResponse.To().String(), d.InviteRequest.CallID().String()}, "\r\n")
				vars = []string{"{dialog}", dialog, "{cseq}", fmt.Sprint(d.InviteRequest.CSeq().SeqNo + 1)}
			}
			p.send(t, p.expand(tt.msg, vars...))
			if tt.status != 0 {
				match := callID
				if !strings.Contains(tt.msg, "Call-ID:") {
					match = "" // the answer has none to match either
				}
				res := p.final(match, time.Now().Add(5*time.Second))
				if res == nil {
					t.Fatalf("no response, want %d", tt.status)
				}
				if res.StatusCode != tt.status {
					t.Errorf("response %d %s, want %d", res.StatusCode, res.Reason, tt.status)
				}
				if h := res.GetHeader(tt.header); tt.header != "" && h == nil {
					t.Errorf("response %d without %s", res.StatusCode, tt.header)
				} else if tt.value != "" && h.Value() != tt.value {
					t.Errorf("%s: %s, want %s", tt.header, h.Value(), tt.value)
				}
			}
			// The UA goes on answering; and what it answers to the bad
			// request has come by the time the answer to this does, for
			// sipgo reads a UDP socket's datagrams one after another.
			ping := rand.Text()
			p.send(t, p.expand(sipMessage("", request("OPTIONS")...), "{callid}", ping))
			for deadline := time.Now().Add(5 * time.Second); ; {
				m, err := p.read(deadline)
				if err != nil {
					t.Fatalf("the UA no longer answers OPTIONS: %v", err)
				}
				res, ok := m.(*sip.Response)
				if !ok || res.CallID() == nil {
					continue
				}
				if res.CallID().Value() == ping && res.StatusCode >= 200 {
					break
				}
				if tt.status == 0 && res.CallID().Value() == callID {
					t.Errorf("got %d, want no response", res.StatusCode)
				}
			}
			if tt.log != "" && !strings.Contains(log.String(), tt.log) {
				t.Errorf("no %q in the log:\n%s", tt.log, log.String())
			}
			if n := u.Status().Forbidden; (n > 0) != (tt.status == 403) {
				t.Errorf("Forbidden counts %d after a %d", n, tt.status)
			}
			if tt.status != 0 && tt.status != 403 && !tt.call && len(calls) != 0 {
				t.Error("the call was offered to the application")
			}
		})
	}
}

// answeredCall has a phone call the UA, and the UA answer; it returns the
// phone's side of the dialog.
func answeredCall(t *testing.T, u *UA, calls chan *Call) *sipgo.DialogClientSession {
	t.Helper()
	p := newPhone(t, u)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := p.invite(ctx, offer("0 101"))
	c := nextCall(t, calls)
	go c.Answer()
	if err := d.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := d.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	waitCall(t, c, CallActive)
	// Hang up while the phone is there to answer the BYE.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Hangup(ctx, q850.NormalClearing)
	})
	return d
}
