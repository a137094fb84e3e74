package interop

import (
	"fmt"
	"strings"
	"testing"
)

var testUsers = map[string]string{"alice": "alice's secret", "bob": "b0b;\"quoted\"", "+4930123": "trunk"}

// TestInteropKamailio checks the registrar and proxy with hand-written
// requests: challenges, granted lifetime, rport, the location table, the
// routing of calls and a restart.
func TestInteropKamailio(t *testing.T) {
	k := StartKamailio(t, KamailioOpts{Users: testUsers, Expires: 60})
	if want := k.Addr(); k.Domain() != want {
		t.Errorf("Domain() = %q, want the address %q", k.Domain(), want)
	}
	alice := newRawUA(t, k, "alice")

	alice.register(3600, nil, "")
	ch := alice.expect(401)
	p := params(ch.get("WWW-Authenticate"))
	if p["realm"] != "127.0.0.1" || p["qop"] != "auth" || p["algorithm"] != MD5 {
		t.Errorf("challenge %q: want realm 127.0.0.1, qop auth, algorithm MD5", ch.get("WWW-Authenticate"))
	}
	// RFC 3581 4: the response names the source address and port.
	if via, want := ch.get("Via"), fmt.Sprintf(";rport=%d", alice.port()); !strings.Contains(via, want) || !strings.Contains(via, "received=127.0.0.1") {
		t.Errorf("Via %q: want %s and received=127.0.0.1", via, want)
	}

	alice.register(3600, ch, "wrong")
	ch = alice.expect(401)
	alice.register(3600, ch, testUsers["alice"])
	ok := alice.expect(200)
	if c, want := ok.get("Contact"), "<"+alice.contact()+">;expires=60"; c != want {
		t.Errorf("200 OK Contact %q, want %q: Expires caps the lifetime", c, want)
	}
	cs, err := k.Contacts("alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Address != alice.contact() || cs[0].CallID != alice.callID || cs[0].CSeq != alice.cseq ||
		cs[0].UserAgent != "interop-test" || cs[0].Expires < 55 || cs[0].Expires > 60 {
		t.Errorf("Contacts(alice) = %+v, want one of %s, Call-ID %s, CSeq %d, 55 to 60 s left", cs, alice.contact(), alice.callID, alice.cseq)
	}

	alice.send("OPTIONS", "sip:"+k.Addr(), "sip:"+k.Addr())
	alice.expect(200)

	// A call: challenged, then routed to the registered contact.
	bobAOR := k.AOR("bob")
	alice.send("INVITE", bobAOR, bobAOR)
	ch = alice.expect(407)
	auth := func(user, password string) string {
		return "Proxy-Authorization: " + digest(t, ch.get("Proxy-Authenticate"), "INVITE", bobAOR, user, password)
	}
	alice.send("INVITE", bobAOR, bobAOR, auth("bob", testUsers["bob"]))
	alice.expect(407) // authenticated, but not as the From user
	alice.send("INVITE", bobAOR, bobAOR, auth("alice", testUsers["alice"]))
	alice.expect(404) // bob has no contact

	bob := newRawUA(t, k, "bob")
	bob.register(60, nil, "")
	bob.register(60, bob.expect(401), testUsers["bob"])
	bob.expect(200)
	alice.send("INVITE", bobAOR, bobAOR, auth("alice", testUsers["alice"]))
	inv := bob.read()
	if inv.start != "INVITE "+bob.contact()+" SIP/2.0" {
		t.Errorf("bob got %q, want the INVITE to his contact", inv.start)
	}
	if rr := inv.get("Record-Route"); !strings.HasPrefix(rr, "<sip:"+k.Addr()+";lr") {
		t.Errorf("Record-Route %q, want Kamailio's address with lr", rr)
	}
	busy := "SIP/2.0 486 Busy Here\r\n"
	for _, v := range inv.hdr["via"] {
		busy += "Via: " + v + "\r\n"
	}
	busy += fmt.Sprintf("From: %s\r\nTo: %s;tag=b0b\r\nCall-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n",
		inv.get("From"), inv.get("To"), inv.get("Call-ID"), inv.get("CSeq"))
	bob.write(busy, inv.from)
	alice.expect(486)

	addr := k.Addr()
	k.Stop()
	k.Start()
	if k.Addr() != addr {
		t.Errorf("restarted on %s, want %s", k.Addr(), addr)
	}
	if cs, err := k.Contacts("alice"); err != nil || len(cs) != 0 {
		t.Errorf("after restart, Contacts(alice) = %v, %v; want none", cs, err)
	}
	alice.register(60, nil, "")
	alice.register(60, alice.expect(401), testUsers["alice"])
	alice.expect(200)
}

// TestInteropKamailioSHA256 checks a named domain with SHA-256 challenges,
// and the lifetime a REGISTER asks for granted without a maximum.
func TestInteropKamailioSHA256(t *testing.T) {
	k := StartKamailio(t, KamailioOpts{Users: testUsers, Domain: "pbx.test", Algorithm: SHA256})
	trunk := newRawUA(t, k, "+4930123")
	trunk.register(7200, nil, "")
	ch := trunk.expect(401)
	if p := params(ch.get("WWW-Authenticate")); p["realm"] != "pbx.test" || p["algorithm"] != SHA256 {
		t.Errorf("challenge %q: want realm pbx.test, algorithm SHA-256", ch.get("WWW-Authenticate"))
	}
	trunk.register(7200, ch, testUsers["+4930123"])
	if c, want := trunk.expect(200).get("Contact"), "<"+trunk.contact()+">;expires=7200"; c != want {
		t.Errorf("200 OK Contact %q, want %q", c, want)
	}
	if cs, err := k.Contacts("+4930123"); err != nil || len(cs) != 1 {
		t.Errorf("Contacts(+4930123) = %v, %v; want one", cs, err)
	}
}

func TestKamailioOptsCheck(t *testing.T) {
	for _, tc := range []struct {
		opts KamailioOpts
		want string // in the error; empty: no error
	}{
		{KamailioOpts{}, ""},
		{KamailioOpts{Users: testUsers, Domain: "pbx.example.org", Algorithm: SHA256, Expires: 30}, ""},
		{KamailioOpts{Algorithm: "SHA-512"}, "algorithm"},
		{KamailioOpts{Expires: -1}, "expires"},
		{KamailioOpts{Domain: "127.0.0.1"}, "want a name"},
		{KamailioOpts{Domain: "pbx.test:5060"}, "not a host name"},
		{KamailioOpts{Domain: "a..b"}, "not a host name"},
		{KamailioOpts{Users: map[string]string{"al ice": "x"}}, "user"},
		{KamailioOpts{Users: map[string]string{`a"b`: "x"}}, "user"},
		{KamailioOpts{Users: map[string]string{"": "x"}}, "user"},
	} {
		_, err := kamailioConfig(tc.opts, 25060, t.TempDir())
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.opts, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want one about %s", tc.opts, err, tc.want)
		}
	}
}
