package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// problems returns the messages of the Errors err, failing on anything else.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v (%T) is not Errors", err, err)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return msgs
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLoadEmptyFileIsDefault(t *testing.T) {
	c, err := Load(writeFile(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Fatalf("got %+v\nwant %+v", c, Default())
	}
}

func TestLoadKeepsDefaultsOfMissingKeys(t *testing.T) {
	c, err := Load(writeFile(t, `
[device]
name = "attic"
[sip]
listen = ["udp:[::]:5070"]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Device.Name = "attic"
	want.SIP.Listen = []string{"udp:[::]:5070"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
}

func TestLoadLinesReplaceDefaultLines(t *testing.T) {
	c, err := Load(writeFile(t, `
[[accounts]]
name = "main"
registrar = "sip:pbx.example.com"
user = "gw"
[[lines]]
id = 7
kind = "fxs"
number = "+4930123"
account = "main"
`))
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []Line{{ID: 7, Kind: FXS, Number: "+4930123", Account: "main", CallerID: "auto",
		CallWaiting: true, MWI: true, Transfer: true, Conference: true, FirstDigitTimeout: 16, InterDigitTimeout: 10, CriticalTimeout: 4,
		Answer: "immediate", Disconnect: []string{"loop", "polarity", "tone"}, Dialing: "dtmf",
		EchoCanceller: true, EchoTail: 64, PLC: true, JitterMin: 40, JitterMax: 300}}
	if !reflect.DeepEqual(c.Lines, wantLines) {
		t.Errorf("lines %+v, want %+v", c.Lines, wantLines)
	}
	wantAccount := Account{Name: "main", Registrar: "sip:pbx.example.com", User: "gw", Expires: 3600, RegisterGateway: true}
	if a := c.Account("main"); a == nil || *a != wantAccount {
		t.Errorf("account %+v, want %+v", a, wantAccount)
	}
}

func TestLoadSIPMedia(t *testing.T) {
	c, err := Load(writeFile(t, `
[sip]
listen = ["udp:127.0.0.1:0"]
tls_verify = false
rtp_ports = "10001-10009"
rtp_timeout = 0
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.SIP.Listen = []string{"udp:127.0.0.1:0"}
	want.SIP.TLSVerify = false
	want.SIP.RTPPorts = "10001-10009"
	want.SIP.RTPTimeout = 0
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c.SIP, want.SIP)
	}
}

func TestLoadRouting(t *testing.T) {
	c, err := Load(writeFile(t, `
[device]
country = "AU"
[routing]
international_prefix = "0015"
[[routing.rewrite]]
match = "0"
strip = 1
[[routing.rewrite]]
match = "0298765"
strip = 7
prefix = "2"
direction = "in"
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Routing{InternationalPrefix: "0015", Rewrite: []Rewrite{
		{Match: "0", Strip: 1, Direction: "out"},
		{Match: "0298765", Strip: 7, Prefix: "2", Direction: "in"},
	}, LocalCalls: true}
	if !reflect.DeepEqual(c.Routing, want) {
		t.Errorf("routing %+v, want %+v", c.Routing, want)
	}
	if c.CountryCode() != "61" || c.NationalPrefix() != "0" || c.InternationalPrefix() != "0015" {
		t.Errorf("country code %q, prefixes %q and %q; want 61, 0 and 0015", c.CountryCode(), c.NationalPrefix(), c.InternationalPrefix())
	}
}

func TestLoadVoice(t *testing.T) {
	c, err := Load(writeFile(t, `
[[lines]]
id = 1
kind = "fxs"
number = "1001"
echo_canceller = false
plc = false
[[lines]]
id = 2
kind = "fxo"
echo_tail = 128
jitter_min = 0
jitter_max = 1000
[[lines]]
id = 3
kind = "fxo"
echo_tail = 16
jitter_min = 60
jitter_max = 60
`))
	if err != nil {
		t.Fatal(err)
	}
	type voice struct {
		echo     bool
		tail     int
		plc      bool
		min, max int
	}
	want := []voice{{false, 64, false, 40, 300}, {true, 128, true, 0, 1000}, {true, 16, true, 60, 60}}
	for i, l := range c.Lines {
		if got := (voice{l.EchoCanceller, l.EchoTail, l.PLC, l.JitterMin, l.JitterMax}); got != want[i] {
			t.Errorf("lines[%d]: %+v, want %+v", i, got, want[i])
		}
	}
}

func TestLoadGatewayRole(t *testing.T) {
	c, err := Load(writeFile(t, `
[sip]
location_profile = "site-A"
trunking_peer = "gw1.example.com"
media_bypass = true
[[accounts]]
name = "mediation"
proxy = "sips:mediation.example.com:5061"
pstn = true
phone_context = true
hold_inactive = true
register_gateway = false
srtp = "required"
[[accounts]]
name = "plain"
proxy = "sip:192.0.2.10"
[[lines]]
id = 1
kind = "fxo"
send_anonymous = true
`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Lines[0].SendAnonymous || Default().Lines[0].SendAnonymous {
		t.Errorf("send_anonymous %v (default %v), want true (false)", c.Lines[0].SendAnonymous, Default().Lines[0].SendAnonymous)
	}
	if s := c.SIP; s.LocationProfile != "site-A" || s.TrunkingPeer != "gw1.example.com" || !s.MediaBypass {
		t.Errorf("sip %+v", s)
	}
	want := Account{Name: "mediation", Proxy: "sips:mediation.example.com:5061", Expires: 3600,
		PSTN: true, PhoneContext: true, HoldInactive: true, SRTP: "required"}
	if a := c.Account("mediation"); *a != want {
		t.Errorf("account %+v, want %+v", *a, want)
	}
	want = Account{Name: "plain", Proxy: "sip:192.0.2.10", Expires: 3600, RegisterGateway: true}
	if a := c.Account("plain"); *a != want {
		t.Errorf("account %+v, want %+v", *a, want)
	}
	if d := Default().SIP; d.LocationProfile != "" || d.TrunkingPeer != "" || d.MediaBypass {
		t.Errorf("default sip %+v, want no location profile, trunking peer or media bypass", d)
	}
}

func TestSRTPPolicy(t *testing.T) {
	for _, tc := range []struct {
		a    Account
		want string
	}{
		{Account{Registrar: "sip:pbx.example.com"}, "rejected"},
		{Account{Registrar: "sips:pbx.example.com"}, "optional"},
		{Account{Registrar: "SIPS:pbx.example.com"}, "optional"},
		{Account{Registrar: "sip:pbx.example.com;transport=tls"}, "optional"},
		{Account{Registrar: "sip:pbx.example.com:5061;lr;Transport=TLS"}, "optional"},
		{Account{Registrar: "sip:pbx.example.com;transport=tcp"}, "rejected"},
		{Account{Registrar: "sip:pbx.example.com;transport=tlsx"}, "rejected"},
		{Account{Registrar: "sip:pbx.example.com?transport=tls"}, "rejected"},
		// Parameters of the user part are not the URI's.
		{Account{Proxy: "sip:gw;transport=tls@pbx.example.com"}, "rejected"},
		// The calls take the outbound proxy, else the proxy, else the registrar.
		{Account{Registrar: "sips:pbx.example.com", Proxy: "sip:proxy.example.com"}, "rejected"},
		{Account{Registrar: "sip:pbx.example.com", Proxy: "sips:proxy.example.com"}, "optional"},
		{Account{Proxy: "sips:proxy.example.com", OutboundProxy: "sip:edge.example.com"}, "rejected"},
		{Account{Proxy: "sip:proxy.example.com", OutboundProxy: "sip:edge.example.com;transport=tls"}, "optional"},
		{Account{Domain: "example.com"}, "rejected"},
		{Account{Registrar: "sips:pbx.example.com", SRTP: "rejected"}, "rejected"},
		{Account{Registrar: "sip:pbx.example.com", SRTP: "optional"}, "optional"},
		{Account{Registrar: "sips:pbx.example.com", SRTP: "required"}, "required"},
	} {
		if got := tc.a.SRTPPolicy(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestTrunkingPeer(t *testing.T) {
	for _, tc := range []struct{ device, key, want string }{
		{"tipring", "", "tipring"},
		{"gw1.example.com", "", "gw1.example.com"},
		{"Attic GW", "", ""},
		{"gw_1", "", ""},
		{"Attic GW", "gw1.example.com", "gw1.example.com"},
		{"tipring", "[2001:db8::1]", "[2001:db8::1]"},
	} {
		c := Default()
		c.Device.Name, c.SIP.TrunkingPeer = tc.device, tc.key
		if got := c.TrunkingPeer(); got != tc.want {
			t.Errorf("device.name %q, sip.trunking_peer %q: %q, want %q", tc.device, tc.key, got, tc.want)
		}
	}
}

func TestParsePortRange(t *testing.T) {
	for _, tc := range []struct {
		in        string
		low, high int
		err       string
	}{
		{"10000-20000", 10000, 20000, ""},
		{"1024-65535", 1024, 65535, ""},
		{"1023-2000", 0, 0, "port 1023 is outside 1024..65535 (the ports below are for system services)"},
		{"1024-65536", 0, 0, "port 65536 is outside 1024..65535 (the ports below are for system services)"},
		{"+1024-2000", 0, 0, "want LOW-HIGH, as in 10000-20000"},
		{"1024 - 2000", 0, 0, "want LOW-HIGH, as in 10000-20000"},
		{"1024-", 0, 0, "want LOW-HIGH, as in 10000-20000"},
		{"10000", 0, 0, "want LOW-HIGH, as in 10000-20000"},
		{"2000-1024", 0, 0, "the low port 2000 is not below the high port 1024"},
	} {
		low, high, err := ParsePortRange(tc.in)
		var msg string
		if err != nil {
			msg = err.Error()
		}
		if low != tc.low || high != tc.high || msg != tc.err {
			t.Errorf("%q: got %d, %d, %q; want %d, %d, %q", tc.in, low, high, msg, tc.low, tc.high, tc.err)
		}
	}
}

func TestLoadNoLines(t *testing.T) {
	c, err := Load(writeFile(t, "lines = []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Lines != nil {
		t.Fatalf("lines %+v, want none", c.Lines)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want not-exist", err)
	}
}

// An account the invalid-line cases can refer to.
const account = `
[[accounts]]
name = "main"
registrar = "sip:pbx.example.com"
user = "gw"
`

func TestLoadInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		want []string
	}{
		{"unknown top-level key", `colour = "red"`, []string{"colour: unknown key"}},
		{"unknown section", "[foo.bar]\nx = 1", []string{"foo: unknown key"}},
		{"unknown key in section", "[device]\ncolour = 1", []string{"device.colour: unknown key"}},
		{"unknown key in array table", `
[[lines]]
id = 1
kind = "fxs"
number = "1"
[[lines]]
id = 2
kind = "fxo"
colour = "red"
`, []string{"lines[1].colour: unknown key"}},
		{"unknown key in nested array table", `
[[routing.inbound]]
match = "1001"
lines = [1]
[[routing.inbound]]
match = "1002"
lines = [2]
to = 3
`, []string{"routing.inbound[1].to: unknown key"}},
		{"unknown key in inline table", `lines = [{id = 1, kind = "fxs", number = "1", colour = "red"}]`,
			[]string{"lines[0].colour: unknown key"}},
		{"string wanted", "[device]\nname = 7", []string{`device.name: want a string, not an integer (7) (quote it: "7")`}},
		{"integer wanted", "[console]\nbaud = \"fast\"", []string{`console.baud: want an integer, not a string ("fast")`}},
		{"float for integer", "[console]\nbaud = 9600.0", []string{`console.baud: want an integer, not a float (9600)`}},
		{"array wanted", "[sip]\nlisten = \"udp:0.0.0.0:5060\"", []string{`sip.listen: want an array, not a string ("udp:0.0.0.0:5060")`}},
		{"table wanted", "device = 1", []string{`device: want a table, not an integer (1)`}},
		{"array element type", "[sip]\ntrusted_peers = [\"10.0.0.1\", true]", []string{`sip.trusted_peers[1]: want a string, not a boolean (true)`}},
		{"date for string", "[device]\nname = 2024-01-01", []string{`device.name: want a string, not a date-time`}},
		{"wrong type hides validation of the same key", `lines = [1]`, []string{`lines[0]: want a table, not an integer (1)`}},

		{"device name missing", "[device]\nname = \"\"", []string{"device.name: missing"}},
		{"device name control", "[device]\nname = \"a\\tb\"", []string{`device.name: "a\tb" contains control characters`}},
		{"country", "[device]\ncountry = \"XX\"", []string{`device.country: "XX" is not a supported country (want one of AT, AU, BE, CA, CH, DE, ES, FR, GB, IT, JP, NL, NZ, SE, US, ITU)`}},
		{"country lower case", "[device]\ncountry = \"de\"", []string{`device.country: "de" is not a supported country (want one of AT, AU, BE, CA, CH, DE, ES, FR, GB, IT, JP, NL, NZ, SE, US, ITU)`}},
		{"timezone", "[device]\ntimezone = \"Mars/Olympus\"", []string{`device.timezone: "Mars/Olympus" is not a known time zone (want an IANA name like Europe/Berlin)`}},
		{"timezone missing", "[device]\ntimezone = \"\"", []string{`device.timezone: missing`}},

		{"listen transport", "[sip]\nlisten = [\"udp:0.0.0.0:5060\", \"sctp:0.0.0.0:5060\"]",
			[]string{`sip.listen[1]: "sctp:0.0.0.0:5060": unknown transport "sctp" (want udp, tcp or tls)`}},
		{"listen no transport", "[sip]\nlisten = [\"5060\"]", []string{`sip.listen[0]: "5060": want transport:host:port`}},
		{"listen bad host", "[sip]\nlisten = [\"udp:pbx:5060\"]", []string{`sip.listen[0]: "udp:pbx:5060": "pbx" is not an IP address (IPv6 goes in brackets: [::]:5060)`}},
		{"listen no host", "[sip]\nlisten = [\"udp::5060\"]", []string{`sip.listen[0]: "udp::5060": missing the host (0.0.0.0 for every interface)`}},
		{"listen v6 unbracketed", "[sip]\nlisten = [\"udp:::1:5060\"]", []string{`sip.listen[0]: "udp:::1:5060": "::1" is not an IP address (IPv6 goes in brackets: [::]:5060)`}},
		{"listen bad v6", "[sip]\nlisten = [\"udp:[1.2.3.4]:5060\"]", []string{`sip.listen[0]: "udp:[1.2.3.4]:5060": "[1.2.3.4]" is not an IPv6 address`}},
		{"listen port", "[sip]\nlisten = [\"tcp:0.0.0.0:70000\"]", []string{`sip.listen[0]: "tcp:0.0.0.0:70000": "70000" is not a port number (1..65535, or 0 for any free port)`}},
		{"listen no port", "[sip]\nlisten = [\"tcp:0.0.0.0\"]", []string{`sip.listen[0]: "tcp:0.0.0.0": want host:port`}},
		{"listen duplicate", "[sip]\nlisten = [\"udp:0.0.0.0:5060\", \"udp:0.0.0.0:5060\"]", []string{`sip.listen[1]: "udp:0.0.0.0:5060" is listed in sip.listen[0] too`}},
		{"tls without cert", "[sip]\nlisten = [\"tls:0.0.0.0:5061\"]", []string{
			"sip.tls_cert: missing (a tls listener needs a certificate)",
			"sip.tls_key: missing (a tls listener needs a private key)"}},
		{"tls key without cert", "[sip]\ntls_key = \"/etc/tipring/key.pem\"", []string{
			"sip.tls_cert: missing (sip.tls_key is the private key of a certificate)"}},
		{"tls cert without key", "[sip]\ntls_cert = \"/etc/tipring/cert.pem\"", []string{
			"sip.tls_key: missing (sip.tls_cert needs its private key)"}},
		{"tls verify", "[sip]\ntls_verify = \"no\"", []string{`sip.tls_verify: want a boolean (true or false), not a string ("no")`}},
		{"keepalive", "[sip]\nkeepalive = -1", []string{`sip.keepalive: -1 is out of range (0 to 3600 seconds; 0 turns keep-alives off)`}},
		{"rtp ports missing", "[sip]\nrtp_ports = \"\"", []string{`sip.rtp_ports: missing (want LOW-HIGH, as in 10000-20000)`}},
		{"rtp ports integer", "[sip]\nrtp_ports = 10000", []string{`sip.rtp_ports: want a string, not an integer (10000) (quote it: "10000")`}},
		{"rtp ports syntax", "[sip]\nrtp_ports = \"10000:20000\"", []string{`sip.rtp_ports: "10000:20000": want LOW-HIGH, as in 10000-20000`}},
		{"rtp ports signed", "[sip]\nrtp_ports = \"10000--20000\"", []string{`sip.rtp_ports: "10000--20000": want LOW-HIGH, as in 10000-20000`}},
		{"rtp ports low", "[sip]\nrtp_ports = \"80-2000\"", []string{`sip.rtp_ports: "80-2000": port 80 is outside 1024..65535 (the ports below are for system services)`}},
		{"rtp ports high", "[sip]\nrtp_ports = \"10000-99999999999999999999\"", []string{
			`sip.rtp_ports: "10000-99999999999999999999": port 99999999999999999999 is outside 1024..65535 (the ports below are for system services)`}},
		{"rtp ports order", "[sip]\nrtp_ports = \"20000-10000\"", []string{`sip.rtp_ports: "20000-10000": the low port 20000 is not below the high port 10000`}},
		{"rtp ports equal", "[sip]\nrtp_ports = \"10000-10000\"", []string{`sip.rtp_ports: "10000-10000": the low port 10000 is not below the high port 10000`}},
		{"rtp ports no pair", "lines = []\n[sip]\nrtp_ports = \"10001-10002\"", []string{
			`sip.rtp_ports: "10001-10002" holds no call (each takes an even port for RTP and the odd one above it for RTCP)`}},
		{"rtp ports too few", "[sip]\nrtp_ports = \"10001-10005\"", []string{
			`sip.rtp_ports: "10001-10005" holds 2 calls (each takes an even port for RTP and the odd one above it for RTCP), fewer than the 4 lines`}},
		{"rtp ports one", "[sip]\nrtp_ports = \"10000-10002\"", []string{
			`sip.rtp_ports: "10000-10002" holds 1 call (each takes an even port for RTP and the odd one above it for RTCP), fewer than the 4 lines`}},
		{"rtp timeout", "[sip]\nrtp_timeout = 3601", []string{`sip.rtp_timeout: 3601 is out of range (0 to 3600 seconds; 0 never hangs up for want of RTP)`}},
		{"location profile", "[sip]\nlocation_profile = \"site A\"", []string{
			`sip.location_profile: "site A" cannot be a phone-context (want a name such as site-A or redmond.example.com, or a number prefix such as +1425)`}},
		{"location profile number", "[sip]\nlocation_profile = \"+\"", []string{
			`sip.location_profile: "+" cannot be a phone-context (want a name such as site-A or redmond.example.com, or a number prefix such as +1425)`}},
		{"trunking peer", "[sip]\ntrunking_peer = \"gw.example.com:5061\"", []string{
			`sip.trunking_peer: "gw.example.com:5061" is not a host name or IP address (IPv6 goes in brackets)`}},
		{"trunking peer v6", "[sip]\ntrunking_peer = \"2001:db8::1\"", []string{
			`sip.trunking_peer: "2001:db8::1" is not a host name or IP address (IPv6 goes in brackets)`}},
		{"media bypass", "[sip]\nmedia_bypass = 1", []string{`sip.media_bypass: want a boolean (true or false), not an integer (1)`}},
		{"trusted peer", "[sip]\ntrusted_peers = [\"192.0.2.10/32\", \"2001:db8::/32\", \"192.0.2.1\", \"pbx\", \"10.0.0.0/33\"]", []string{
			`sip.trusted_peers[3]: "pbx" is not an IP address or CIDR prefix`,
			`sip.trusted_peers[4]: "10.0.0.0/33" is not an IP address or CIDR prefix`}},

		{"account name missing", "[[accounts]]\nregistrar = \"sip:pbx\"\nuser = \"gw\"", []string{"accounts[0].name: missing"}},
		{"account name duplicate", account + account, []string{`accounts[1].name: "main" is used by accounts[0] too`}},
		{"registrar", "[[accounts]]\nname = \"a\"\nregistrar = \"pbx\"\nuser = \"gw\"", []string{
			`accounts[0].registrar: "pbx" is not a SIP URI (want sip:host or sips:host)`}},
		{"proxies", "[[accounts]]\nname = \"a\"\nregistrar = \"sips:pbx.example.com:5061;transport=tls\"\nproxy = \"http://x\"\noutbound_proxy = \"sip:[::1\"\nuser = \"gw\"", []string{
			`accounts[0].proxy: "http://x" is not a SIP URI (want sip:host or sips:host)`,
			`accounts[0].outbound_proxy: "sip:[::1" is not a SIP URI (want sip:host or sips:host)`}},
		{"user missing", "[[accounts]]\nname = \"a\"\nregistrar = \"sip:pbx\"", []string{"accounts[0].user: missing (the registrar needs it)"}},
		{"no domain", "[[accounts]]\nname = \"a\"\nuser = \"gw\"", []string{"accounts[0].domain: missing (there is no registrar or proxy to take it from)"}},
		{"bad domain", "[[accounts]]\nname = \"a\"\nuser = \"gw\"\ndomain = \"a b\"", []string{`accounts[0].domain: "a b" is not a host name or IP address`}},
		{"expires", "[[accounts]]\nname = \"a\"\nuser = \"gw\"\nregistrar = \"sip:pbx\"\nexpires = 30", []string{"accounts[0].expires: 30 is out of range (60..86400 seconds)"}},
		{"mailbox", "[[accounts]]\nname = \"a\"\nuser = \"gw\"\nregistrar = \"sip:pbx\"\nmwi = true\nmailbox = \"*97\"", []string{
			`accounts[0].mailbox: "*97" is not a SIP URI (want sip:user@host, as in sip:*97@pbx.example.com)`}},
		{"mailbox without mwi", "[[accounts]]\nname = \"a\"\nuser = \"gw\"\nregistrar = \"sip:pbx\"\nmailbox = \"sip:*97@pbx\"", []string{
			"accounts[0].mailbox: set without mwi = true"}},
		{"mwi without a mailbox", "[[accounts]]\nname = \"a\"\nproxy = \"sip:pbx\"\nmwi = true", []string{
			"accounts[0].mwi: no mailbox to subscribe to (set user, or mailbox)"}},

		{"srtp", "[[accounts]]\nname = \"a\"\nproxy = \"sips:pbx\"\nsrtp = \"always\"", []string{
			`accounts[0].srtp: unknown SRTP policy "always" (want rejected, optional, required)`}},
		{"srtp required without tls", "[[accounts]]\nname = \"a\"\nregistrar = \"sips:pbx\"\nuser = \"gw\"\nproxy = \"sip:proxy;transport=tcp\"\nsrtp = \"required\"", []string{
			`accounts[0].srtp: "required" without TLS: SDES puts the media keys in the SDP, which anyone on the path reads unless the signalling is encrypted, and the account's calls go to sip:proxy;transport=tcp, not a sips: URI nor ;transport=tls`}},
		{"srtp required without a server", "[[accounts]]\nname = \"a\"\ndomain = \"example.com\"\nsrtp = \"required\"", []string{
			`accounts[0].srtp: "required" without TLS: SDES puts the media keys in the SDP, which anyone on the path reads unless the signalling is encrypted, and the account's calls go to its domain, without TLS`}},
		{"gateway role types", "[[accounts]]\nname = \"a\"\nproxy = \"sip:pbx\"\npstn = \"yes\"\nregister_gateway = 0", []string{
			`accounts[0].pstn: want a boolean (true or false), not a string ("yes")`,
			`accounts[0].register_gateway: want a boolean (true or false), not an integer (0)`}},

		{"line id", "[[lines]]\nid = 0\nkind = \"fxo\"", []string{"lines[0].id: 0 is not a port number (ports are numbered from 1)"}},
		{"line id duplicate", `
[[lines]]
id = 1
kind = "fxo"
[[lines]]
id = 2
kind = "fxo"
[[lines]]
id = 3
kind = "fxo"
[[lines]]
id = 2
kind = "fxo"
`, []string{"lines[3].id: 2 is used by lines[1] too"}},
		{"line kind", "[[lines]]\nid = 1\nkind = \"pots\"", []string{`lines[0].kind: unknown kind "pots" (want fxs, fxo or bri)`}},
		{"line kind missing", "[[lines]]\nid = 1", []string{`lines[0].kind: missing (want fxs, fxo or bri)`}},
		{"fxs number missing", "[[lines]]\nid = 1\nkind = \"fxs\"", []string{`lines[0].number: missing (an fxs line needs its own number)`}},
		{"number", `
[[lines]]
id = 1
kind = "fxs"
number = "1"
[[lines]]
id = 2
kind = "fxs"
number = "*2#"
[[lines]]
id = 3
kind = "bri"
number = "12a"
[[lines]]
id = 4
kind = "fxo"
number = "+"
`, []string{`lines[2].number: "12a" is not a dialable number`, `lines[3].number: "+" is not a dialable number`}},
		{"number duplicate", "[[lines]]\nid = 1\nkind = \"fxs\"\nnumber = \"1\"\n[[lines]]\nid = 2\nkind = \"fxs\"\nnumber = \"1\"",
			[]string{`lines[1].number: "1" is used by lines[0] too`}},
		{"line account", account + `
[[lines]]
id = 1
kind = "fxs"
number = "1"
account = "main"
[[lines]]
id = 2
kind = "fxs"
number = "2"
account = "mian"
`, []string{`lines[1].account: no account named "mian"`}},
		{"caller id", "[[lines]]\nid = 1\nkind = \"fxo\"\ncaller_id = \"fsk\"", []string{
			`lines[0].caller_id: unknown caller ID mode "fsk" (want auto, bell202, v23, v23-dtas, v23-rpas, v23-lr, dtmf, off)`}},
		{"hotline", "[[lines]]\nid = 1\nkind = \"fxo\"\nhotline = \"911!\"", []string{`lines[0].hotline: "911!" is not a dialable number`}},
		{"warm line without hotline", "[[lines]]\nid = 1\nkind = \"fxo\"\nhotline_delay = 5", []string{`lines[0].hotline_delay: set without a hotline`}},
		{"negative hotline delay", "[[lines]]\nid = 1\nkind = \"fxo\"\nhotline = \"1\"\nhotline_delay = -1", []string{`lines[0].hotline_delay: -1 is negative`}},
		{"dialing", "[[lines]]\nid = 1\nkind = \"fxo\"\ndialing = \"rotary\"", []string{`lines[0].dialing: unknown dialing method "rotary" (want dtmf or pulse)`}},
		{"digit timeouts", "[[lines]]\nid = 1\nkind = \"fxs\"\nnumber = \"1\"\nfirst_digit_timeout = -1\ninter_digit_timeout = 61\ncritical_timeout = 5", []string{
			`lines[0].first_digit_timeout: -1 is out of range (1 to 120 seconds, 0 for the default)`,
			`lines[0].inter_digit_timeout: 61 is out of range (1 to 60 seconds, 0 for the default)`}},
		{"critical after inter", "[[lines]]\nid = 1\nkind = \"fxs\"\nnumber = \"1\"\ninter_digit_timeout = 3", []string{
			`lines[0].critical_timeout: 4 is longer than inter_digit_timeout (3)`}},
		{"echo tail", "[[lines]]\nid = 1\nkind = \"fxo\"\necho_tail = 8\n[[lines]]\nid = 2\nkind = \"fxo\"\necho_tail = 129\necho_canceller = false", []string{
			`lines[0].echo_tail: 8 is out of range (16 to 128 ms)`,
			`lines[1].echo_tail: 129 is out of range (16 to 128 ms)`}},
		{"jitter", "[[lines]]\nid = 1\nkind = \"fxo\"\njitter_min = -1\njitter_max = 0\n[[lines]]\nid = 2\nkind = \"fxo\"\njitter_max = 1001", []string{
			`lines[0].jitter_min: -1 is negative`,
			`lines[0].jitter_max: 0 is out of range (20 to 1000 ms; less than a 20 ms frame leaves no room for jitter)`,
			`lines[1].jitter_max: 1001 is out of range (20 to 1000 ms; less than a 20 ms frame leaves no room for jitter)`}},
		{"jitter min above max", "[[lines]]\nid = 1\nkind = \"fxo\"\njitter_max = 30", []string{
			`lines[0].jitter_min: 40 is above jitter_max (30)`}},
		{"voice types", "[[lines]]\nid = 1\nkind = \"fxo\"\necho_canceller = \"on\"\nplc = 1\njitter_max = 2.5", []string{
			`lines[0].echo_canceller: want a boolean (true or false), not a string ("on")`,
			`lines[0].plc: want a boolean (true or false), not an integer (1)`,
			`lines[0].jitter_max: want an integer, not a float (2.5)`}},

		{"country code", "[routing]\ncountry_code = \"+1\"", []string{`routing.country_code: "+1" is not a country code (1 to 3 digits, as in 1, 44 or 353)`}},
		{"prefixes", "[routing]\nnational_prefix = \"+0\"\ninternational_prefix = \"00 \"", []string{
			`routing.national_prefix: "+0" is not a trunk prefix (digits, as in 0 or 1)`,
			`routing.international_prefix: "00 " is not an international prefix (digits, as in 00 or 011)`}},
		{"national prefix without country code", "[device]\ncountry = \"ITU\"\n[routing]\nnational_prefix = \"0\"", []string{
			`routing.national_prefix: set without a country code (set routing.country_code)`}},
		{"international prefix hides the national one", "[routing]\ninternational_prefix = \"1\"", []string{
			`routing.international_prefix: the national prefix "1" begins with the international prefix "1", so national numbers would read as international`}},
		{"national prefix behind the international one", "[device]\ncountry = \"DE\"\n[routing]\nnational_prefix = \"00\"", []string{
			`routing.national_prefix: the national prefix "00" begins with the international prefix "00", so national numbers would read as international`}},
		{"rewrite", `
[[routing.rewrite]]
strip = -1
[[routing.rewrite]]
match = "9a"
prefix = "0x"
direction = "both"
[[routing.rewrite]]
match = "9"
strip = 2
[[routing.rewrite]]
match = "91"
strip = 1
[[routing.rewrite]]
match = "91"
direction = "in"
[[routing.rewrite]]
match = "+4930"
prefix = "+"
direction = ""
`, []string{
			"routing.rewrite[0].strip: -1 is negative",
			"routing.rewrite[0].match: missing (want the digits the numbers to rewrite begin with)",
			`routing.rewrite[1].match: "9a" is not a dialable number`,
			`routing.rewrite[1].prefix: "0x" is not a dialable number`,
			`routing.rewrite[1].direction: unknown direction "both" (want out, from a line toward SIP, or in)`,
			`routing.rewrite[2].strip: 2 is more than match "9" has (1 character)`,
			`routing.rewrite[3].match: "91" is never used: routing.rewrite[2] ("9") comes first`,
			"routing.rewrite[5].direction: missing (want out or in)"}},
		{"inbound", `
[[routing.inbound]]
match = ""
lines = []
[[routing.inbound]]
match = "555xxxx"
lines = [3, 7]
`, []string{
			"routing.inbound[0].match: missing",
			"routing.inbound[0].lines: missing (want the ids of the lines to ring)",
			"routing.inbound[1].lines[1]: no line with id 7"}},

		{"web listen", "[web]\nlisten = \"localhost:80\"", []string{`web.listen: "localhost:80": "localhost" is not an IP address (IPv6 goes in brackets: [::]:5060)`}},
		{"web listen port", "[web]\nlisten = \":http\"", []string{`web.listen: ":http": "http" is not a port number (1..65535)`}},
		{"web listen port 0", "[web]\nlisten = \":0\"", []string{`web.listen: ":0": "0" is not a port number (1..65535)`}},
		{"control socket", "[control]\nsocket = \"ctl.sock\"", []string{`control.socket: "ctl.sock" is not an absolute path`}},
		{"console device", "[console]\ndevice = \"ttyAMA0\"", []string{`console.device: "ttyAMA0" is not an absolute path`}},
		{"console baud", "[console]\nbaud = 100000", []string{`console.baud: 100000 is not a standard rate (want one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)`}},
		{"board", "[board]\nname = \"\"", []string{"board.name: missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.file))
			if got := problems(t, err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

func TestDigitMaps(t *testing.T) {
	for _, tc := range []struct{ plan, want string }{
		{"[2-9]xxxxxx|1[2-9]xxxxxxxxx|911|*xx|x.T", ""},
		{"(0T | 00x.T)", ""},
		{"[2-9xx", "position 1: unclosed ["},
		{"911|", "empty alternative at the end"},
	} {
		if got := checkDigitMap(tc.plan); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.plan, got, tc.want)
		}
	}
	_, err := Load(writeFile(t, "[[lines]]\nid = 1\nkind = \"fxs\"\nnumber = \"1\"\ndial_plan = \"[2-9xx\"\n"+
		"[[routing.inbound]]\nmatch = \"55|\"\nlines = [1]"))
	want := []string{
		`lines[0].dial_plan: "[2-9xx": position 1: unclosed [`,
		`routing.inbound[0].match: "55|": empty alternative at the end`,
	}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSIPURIs(t *testing.T) {
	for _, tc := range []struct{ uri, host string }{
		{"sip:pbx.example.com", "pbx.example.com"},
		{"SIP:pbx", "pbx"},
		{"sips:gw@pbx.example.com:5061;transport=tls", "pbx.example.com"},
		{"sip:[2001:db8::1]:5060", "2001:db8::1"},
		{"sip:192.0.2.1", "192.0.2.1"},
		{"sip:", ""},
		{"sip:pbx:0", ""},
		{"sip:pbx:x", ""},
		{"sip:-pbx", ""},
		{"sip:[192.0.2.1]", ""},
		{"sip:[::1]x", ""},
		{"tel:+1555", ""},
		{"pbx.example.com", ""},
	} {
		if got := uriHost(tc.uri); got != tc.host {
			t.Errorf("%q: host %q, want %q", tc.uri, got, tc.host)
		}
	}
}

// Every problem is reported at once, in the order of the file, even when the
// sections come in an unusual order.
func TestLoadReportsEveryProblemInFileOrder(t *testing.T) {
	_, err := Load(writeFile(t, `
[web]
listen = "nowhere"

[[lines]]
id = 1
kind = "fxs"
number = "12a"
account = "mian"

[[lines]]
id = 1
kind = "fxs"
colour = "red"
number = "2"

[device]
country = "XX"

[[accounts]]
name = "main"
registrar = "pbx"
`))
	want := []string{
		`web.listen: "nowhere": want host:port`,
		`lines[0].number: "12a" is not a dialable number`,
		`lines[0].account: no account named "mian"`,
		`lines[1].id: 1 is used by lines[0] too`,
		`lines[1].colour: unknown key`,
		`device.country: "XX" is not a supported country (want one of AT, AU, BE, CA, CH, DE, ES, FR, GB, IT, JP, NL, NZ, SE, US, ITU)`,
		`accounts[0].registrar: "pbx" is not a SIP URI (want sip:host or sips:host)`,
		`accounts[0].user: missing (the registrar needs it)`,
	}
	got := problems(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if err.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q, want one problem per line", err.Error())
	}
}

func TestLoadSyntaxError(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"[device]\nname = \"x\n", "line 2, "},
		{"[device]\n\nname = tipring\n", "line 3, column 8: "},
		{"[device]\nname = \"a\"\nname = \"b\"\n", "line 3, "},
		{"[[lines]]\nid = 1\n[[lines]]\nid = = 2\n", "line 4, column 6: "},
	} {
		_, err := Load(writeFile(t, tc.file))
		got := problems(t, err)
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
			t.Errorf("%q: got %q, want one problem starting %q", tc.file, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	b, err := Marshal(Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("[[lines]]\nid = 1\ncolour = 2\n[[routing.inbound]]\nlines = [{a = 1}]"))
	f.Add([]byte("lines = [[1], {x = 2}]\ndevice.name = 1979-05-27T07:32:00Z"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse(data)
		if err == nil {
			if verr := c.Validate(); verr != nil {
				t.Fatalf("parse accepted an invalid config: %v", verr)
			}
			return
		}
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("error %v is not a non-empty Errors", err)
		}
	})
}

func TestLoadIntegerTooLarge(t *testing.T) {
	if strconv.IntSize == 64 {
		t.Skip("int holds every TOML integer here; GOARCH=386 runs this")
	}
	_, err := Load(writeFile(t, "[[lines]]\nid = 4294967297\nkind = \"fxo\""))
	want := []string{"lines[0].id: 4294967297 is too large"}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
