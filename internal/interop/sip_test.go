package interop

import (
	"cmp"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawUA is a SIP user agent written out by hand over UDP, to check Kamailio's
// answers with no SIP stack in between.
type rawUA struct {
	t      *testing.T
	conn   *net.UDPConn
	proxy  *net.UDPAddr
	user   string
	domain string
	callID string
	tag    string
	cseq   int
}

func newRawUA(t *testing.T, k *Kamailio, user string) *rawUA {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	proxy, err := net.ResolveUDPAddr("udp4", k.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return &rawUA{t: t, conn: conn, proxy: proxy, user: user, domain: k.Domain(), callID: randHex(8), tag: randHex(4)}
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (u *rawUA) port() int { return u.conn.LocalAddr().(*net.UDPAddr).Port }

// contact is the URI the UA is reached at.
func (u *rawUA) contact() string { return fmt.Sprintf("sip:%s@127.0.0.1:%d", u.user, u.port()) }

// send sends a request from the UA's user; to is the To URI, and extra
// headers follow the mandatory ones. It returns the request's branch.
func (u *rawUA) send(method, ruri, to string, extra ...string) string {
	u.t.Helper()
	u.cseq++
	branch := "z9hG4bK" + randHex(6)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=%s\r\n", u.port(), branch)
	fmt.Fprintf(&b, "Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: <sip:%s@%s>;tag=%s\r\n", u.user, u.domain, u.tag)
	fmt.Fprintf(&b, "To: <%s>\r\n", to)
	fmt.Fprintf(&b, "Call-ID: %s\r\n", u.callID)
	fmt.Fprintf(&b, "CSeq: %d %s\r\n", u.cseq, method)
	fmt.Fprintf(&b, "Contact: <%s>\r\n", u.contact())
	fmt.Fprintf(&b, "User-Agent: interop-test\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	u.write(b.String(), u.proxy)
	return branch
}

func (u *rawUA) write(msg string, to *net.UDPAddr) {
	u.t.Helper()
	if _, err := u.conn.WriteToUDP([]byte(msg), to); err != nil {
		u.t.Fatal(err)
	}
}

// register sends a REGISTER asking for expires seconds, with an
// Authorization answering challenge if there is one.
func (u *rawUA) register(expires int, challenge *sipMsg, password string) {
	u.t.Helper()
	h := []string{"Expires: " + strconv.Itoa(expires)}
	ruri := "sip:" + u.domain
	if challenge != nil {
		h = append(h, "Authorization: "+digest(u.t, challenge.get("WWW-Authenticate"), "REGISTER", ruri, u.user, password))
	}
	u.send("REGISTER", ruri, "sip:"+u.user+"@"+u.domain, h...)
}

// read returns the next message, skipping provisional responses.
func (u *rawUA) read() *sipMsg {
	u.t.Helper()
	buf := make([]byte, 65536)
	for {
		u.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			u.t.Fatalf("%s: %v", u.user, err)
		}
		m, err := parseSIP(buf[:n])
		if err != nil {
			u.t.Fatalf("%s: %v", u.user, err)
		}
		m.from = from
		if code := m.status(); code < 100 || code >= 200 {
			return m
		}
	}
}

// expect reads a response and checks its status code.
func (u *rawUA) expect(code int) *sipMsg {
	u.t.Helper()
	m := u.read()
	if m.status() != code {
		u.t.Fatalf("%s: got %q, want status %d", u.user, m.start, code)
	}
	return m
}

// sipMsg is a parsed SIP message: start line and headers, without body.
type sipMsg struct {
	start string
	hdr   map[string][]string // by lower-case name
	raw   string
	from  *net.UDPAddr
}

// Compact header forms (RFC 3261 7.3.3) that Kamailio may send.
var compactForms = map[string]string{"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length"}

func parseSIP(b []byte) (*sipMsg, error) {
	head, _, _ := strings.Cut(string(b), "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	m := &sipMsg{start: lines[0], hdr: map[string][]string{}, raw: string(b)}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("bad header line %q", l)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if long, ok := compactForms[name]; ok {
			name = long
		}
		m.hdr[name] = append(m.hdr[name], strings.TrimSpace(value))
	}
	return m, nil
}

// status returns a response's code, 0 for a request.
func (m *sipMsg) status() int {
	rest, ok := strings.CutPrefix(m.start, "SIP/2.0 ")
	if !ok {
		return 0
	}
	code, _ := strconv.Atoi(strings.Fields(rest)[0])
	return code
}

func (m *sipMsg) get(name string) string {
	if v := m.hdr[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

var authParam = regexp.MustCompile(`(\w+)=("([^"]*)"|[^,\s]+)`)

// params returns the parameters of a Digest challenge.
func params(challenge string) map[string]string {
	p := map[string]string{}
	for _, m := range authParam.FindAllStringSubmatch(strings.TrimPrefix(challenge, "Digest "), -1) {
		v := m[2]
		if m[3] != "" || strings.HasPrefix(v, `"`) {
			v = m[3]
		}
		p[strings.ToLower(m[1])] = v
	}
	return p
}

// digest answers a challenge with qop=auth (RFC 2617 3.2.2, RFC 8760 for
// SHA-256) and returns the credentials.
func digest(t *testing.T, challenge, method, uri, user, password string) string {
	t.Helper()
	p := params(challenge)
	if p["qop"] != "auth" {
		t.Fatalf("challenge %q: want qop=auth", challenge)
	}
	alg := cmp.Or(p["algorithm"], MD5)
	h := func(s string) string {
		if alg == SHA256 {
			x := sha256.Sum256([]byte(s))
			return hex.EncodeToString(x[:])
		}
		x := md5.Sum([]byte(s))
		return hex.EncodeToString(x[:])
	}
	const nc, cnonce = "00000001", "0a4f113b"
	ha1 := h(user + ":" + p["realm"] + ":" + password)
	ha2 := h(method + ":" + uri)
	resp := h(ha1 + ":" + p["nonce"] + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s, qop=auth, nc=%s, cnonce="%s"`,
		user, p["realm"], p["nonce"], uri, resp, alg, nc, cnonce)
}
