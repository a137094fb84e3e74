package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is the whole configuration of the gateway.
type Config struct {
	Device   Device    `toml:"device"`
	SIP      SIP       `toml:"sip"`
	Accounts []Account `toml:"accounts"`
	Lines    []Line    `toml:"lines"`
	Routing  Routing   `toml:"routing"`
	Web      Web       `toml:"web"`
	Control  Control   `toml:"control"`
	Console  Console   `toml:"console"`
	Board    Board     `toml:"board"`
}

// Device is the identity of the box.
type Device struct {
	Name     string `toml:"name"`     // in logs and the SIP User-Agent
	Country  string `toml:"country"`  // ISO 3166 alpha-2 of the tone, ring and caller-ID profile, or "ITU"
	Timezone string `toml:"timezone"` // IANA name
}

// SIP is where the gateway listens for SIP, whom it trusts, and where its
// calls' media goes.
type SIP struct {
	Listen       []string `toml:"listen"`        // "transport:host:port"; see SplitListen
	TLSCert      string   `toml:"tls_cert"`      // PEM file, required with a tls listener; also the client certificate
	TLSKey       string   `toml:"tls_key"`       // PEM file, required with a tls listener
	TLSCA        string   `toml:"tls_ca"`        // PEM CA bundle for verifying servers; "" = the system's roots
	TLSVerify    bool     `toml:"tls_verify"`    // verify TLS servers' certificates
	TrustedPeers []string `toml:"trusted_peers"` // IP addresses or CIDR prefixes
	KeepAlive    int      `toml:"keepalive"`     // seconds between checks of each registrar; 0 = none
	RTPPorts     string   `toml:"rtp_ports"`     // "LOW-HIGH", UDP ports of calls' media; see ParsePortRange
	RTPTimeout   int      `toml:"rtp_timeout"`   // seconds without RTP before an answered call is hung up; 0 = never

	// The gateway role of [MS-OCPSTN]:
	LocationProfile string `toml:"location_profile"` // phone-context of numbers that are not E.164; "" = "dialstring"
	TrunkingPeer    string `toml:"trunking_peer"`    // host named in ms-trunking-peer; see Config.TrunkingPeer
	MediaBypass     bool   `toml:"media_bypass"`     // say Supported: ms-bypass: clients may send media straight to the gateway
}

// Account is a SIP account the gateway registers with and places calls through.
type Account struct {
	Name          string `toml:"name"`           // unique; lines refer to it
	Registrar     string `toml:"registrar"`      // SIP URI; empty means no REGISTER
	Proxy         string `toml:"proxy"`          // SIP URI; optional
	OutboundProxy string `toml:"outbound_proxy"` // SIP URI; optional
	User          string `toml:"user"`
	AuthUser      string `toml:"auth_user"` // see AuthUsername
	Password      Secret `toml:"password"`
	Domain        string `toml:"domain"`  // see SIPDomain
	Expires       int    `toml:"expires"` // registration lifetime in seconds
	MWI           bool   `toml:"mwi"`     // subscribe to the mailbox's message-waiting state (RFC 3842)
	Mailbox       string `toml:"mailbox"` // SIP URI subscribed to; "" = the account's own address

	// The gateway role of [MS-OCPSTN], for a Mediation Server or a SIP
	// trunk behind one:
	PSTN            bool   `toml:"pstn"`             // the account's calls go to the PSTN: Ms-Call-Source: ms-rtc, not non-ms-rtc
	PhoneContext    bool   `toml:"phone_context"`    // numbers that are not E.164 go with phone-context=location_profile
	HoldInactive    bool   `toml:"hold_inactive"`    // hold calls with a=inactive, not a=sendonly
	RegisterGateway bool   `toml:"register_gateway"` // isGateway in the Contact of REGISTERs too
	SRTP            string `toml:"srtp"`             // "rejected", "optional" or "required"; see SRTPPolicy
}

// LineKind is the kind of port a line is.
type LineKind string

// The line kinds.
const (
	FXS LineKind = "fxs" // a phone plugs in here
	FXO LineKind = "fxo" // a PSTN line plugs in here
	BRI LineKind = "bri" // an ISDN basic rate interface
)

// Line is one port of the board.
type Line struct {
	ID       int      `toml:"id"` // the board's port number, from 1
	Kind     LineKind `toml:"kind"`
	Number   string   `toml:"number"`  // the line's own number; for FXO, its PSTN number
	Account  string   `toml:"account"` // the Account.Name calls go through; optional
	Name     string   `toml:"name"`    // display name of calls from this line
	CallerID string   `toml:"caller_id"`
	// SendAnonymous withholds the caller's identity on the line's calls:
	// From anonymous, Privacy: id.
	SendAnonymous bool   `toml:"send_anonymous"`
	DialPlan      string `toml:"dial_plan"`     // digit map
	Hotline       string `toml:"hotline"`       // fxs: number dialled on off-hook; fxo: where PSTN calls go ("" = two-stage)
	HotlineDelay  int    `toml:"hotline_delay"` // seconds without a digit before the hotline is dialled; 0 = at once
	Reversal      bool   `toml:"reversal"`      // fxs: reverse polarity on answer, restore it on disconnect
	Howler        bool   `toml:"howler"`        // fxs: howler for a phone left off hook after a call
	CallWaiting   bool   `toml:"call_waiting"`  // fxs: a call for the line in a call waits (flash takes it) instead of getting 486
	MWI           bool   `toml:"mwi"`           // fxs: the account's waiting messages give stutter dial tone and light the phone's lamp
	Transfer      bool   `toml:"transfer"`      // fxs: hanging up after a flash and a second call transfers the held call
	Conference    bool   `toml:"conference"`    // fxs: a flash with the second call answered makes a three-way conference
	// fxs: seconds of dial tone without a digit before reorder; seconds
	// after a digit before a number still incomplete gets reorder; seconds
	// after a digit before a number that may go on is dialled as it is
	// (the T of a digit map, and the pause that sends a plan-less number).
	FirstDigitTimeout int `toml:"first_digit_timeout"`
	InterDigitTimeout int `toml:"inter_digit_timeout"`
	CriticalTimeout   int `toml:"critical_timeout"`

	Answer         string   `toml:"answer"`          // fxo: when a call out counts as answered: "immediate" or "polarity"
	Disconnect     []string `toml:"disconnect"`      // fxo: far-end hang-up signs heeded: "loop", "polarity", "tone"
	SilenceTimeout int      `toml:"silence_timeout"` // fxo: seconds of silence from the line that end a call; 0 = never
	Dialing        string   `toml:"dialing"`         // fxo: how numbers go to the exchange: "dtmf" or "pulse" (loop disconnect)

	// Voice processing. The echo is the line's own: the far party's voice
	// coming back from the hybrid of the phone or the PSTN line.
	EchoCanceller bool `toml:"echo_canceller"` // cancel the echo in what the line sends
	EchoTail      int  `toml:"echo_tail"`      // milliseconds of echo path the canceller covers, 16 to 128
	PLC           bool `toml:"plc"`            // conceal lost packets (G.711 Appendix I) rather than play silence
	JitterMin     int  `toml:"jitter_min"`     // milliseconds: the jitter buffer's least delay, which it starts with
	JitterMax     int  `toml:"jitter_max"`     // milliseconds: the most delay the jitter buffer adds
}

// Routing says how numbers are written at the site and where incoming SIP
// calls go.
type Routing struct {
	CountryCode         string    `toml:"country_code"`         // see Config.CountryCode
	NationalPrefix      string    `toml:"national_prefix"`      // see Config.NationalPrefix
	InternationalPrefix string    `toml:"international_prefix"` // see Config.InternationalPrefix
	Rewrite             []Rewrite `toml:"rewrite"`              // the first that fits a number's direction applies
	Inbound             []Inbound `toml:"inbound"`              // tried in order before the lines' own numbers
	// LocalCalls: a phone dialling another FXS line's number calls it
	// directly, not through the line's account.
	LocalCalls bool `toml:"local_calls"`
}

// Rewrite changes the numbers that begin with Match, as the number
// manipulation tables of other gateways do: Strip characters come off the
// front, then Prefix goes on. Outgoing rules see the digits a phone dialled;
// incoming ones see the called number in the form the site dials it, after
// E.164 numbers have become national or international numbers.
type Rewrite struct {
	Match     string `toml:"match"`     // prefix of the number
	Strip     int    `toml:"strip"`     // characters removed from the front, at most those of match
	Prefix    string `toml:"prefix"`    // put in front after stripping
	Direction string `toml:"direction"` // "out" (from a line toward SIP) or "in" (from SIP toward a line)
}

// Inbound sends SIP calls to numbers matching a digit map to the first free
// of some lines.
type Inbound struct {
	Match string `toml:"match"` // digit map
	Lines []int  `toml:"lines"` // line ids
}

// Web is the web UI.
type Web struct {
	Listen string `toml:"listen"` // host:port; "" disables the web UI
}

// Control is the local control API.
type Control struct {
	Socket string `toml:"socket"` // see SocketPath
}

// Console is the maintenance console on a serial port.
type Console struct {
	Device string `toml:"device"` // e.g. /dev/ttyAMA0; "" = no console
	Baud   int    `toml:"baud"`
}

// Board names the board definition the daemon drives.
type Board struct {
	Name string `toml:"name"`
}

// Default returns the configuration used when there is no file: the
// simulated board with two FXS lines (1001, 1002) and two FXO lines, no
// accounts, SIP on UDP and TCP port 5060 with media on UDP ports 10000 to
// 20000, the web UI on port 8080.
func Default() *Config {
	return &Config{
		Device: Device{Name: "tipring", Country: "US", Timezone: "UTC"},
		SIP: SIP{
			Listen:     []string{"udp:0.0.0.0:5060", "tcp:0.0.0.0:5060"},
			TLSVerify:  true,
			KeepAlive:  30,
			RTPPorts:   "10000-20000",
			RTPTimeout: 60,
		},
		Lines: []Line{
			defaultLine(1, FXS, "1001"),
			defaultLine(2, FXS, "1002"),
			defaultLine(3, FXO, ""),
			defaultLine(4, FXO, ""),
		},
		Routing: Routing{LocalCalls: true},
		Web:     Web{Listen: "0.0.0.0:8080"},
		Console: Console{Baud: 115200},
		Board:   Board{Name: "sim"},
	}
}

func defaultLine(id int, kind LineKind, number string) Line {
	l := newLine()
	l.ID, l.Kind, l.Number = id, kind, number
	return l
}

// newLine is what a [[lines]] element starts from.
func newLine() Line {
	return Line{CallerID: "auto", CallWaiting: true, MWI: true, Transfer: true, Conference: true, FirstDigitTimeout: 16, InterDigitTimeout: 10, CriticalTimeout: 4,
		Answer: "immediate", Disconnect: []string{"loop", "polarity", "tone"}, Dialing: "dtmf",
		EchoCanceller: true, EchoTail: 64, PLC: true, JitterMin: 40, JitterMax: 300}
}

// defaultAccount is what an [[accounts]] element starts from.
func defaultAccount() Account {
	return Account{Expires: 3600, RegisterGateway: true}
}

// countryCodes maps each supported device.country to its E.164 country code.
var countryCodes = map[string]string{
	"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "IT": "39",
	"ES": "34", "NL": "31", "BE": "32", "CH": "41", "AT": "43", "SE": "46",
	"AU": "61", "NZ": "64", "JP": "81", "ITU": "",
}

// CountryCode is the E.164 country code of the site: routing.country_code,
// else the code of device.country ("" for ITU).
func (c *Config) CountryCode() string {
	if c.Routing.CountryCode != "" {
		return c.Routing.CountryCode
	}
	return countryCodes[c.Device.Country]
}

// dialPrefixes holds the national (trunk) and international prefixes of the
// numbering plan of each country code in countryCodes. Without a country
// code, the international prefix is the one ITU-T recommends.
var dialPrefixes = map[string]struct{ national, international string }{
	"1": {"1", "011"}, "44": {"0", "00"}, "49": {"0", "00"}, "33": {"0", "00"},
	"39": {"", "00"}, "34": {"", "00"}, "31": {"0", "00"}, "32": {"0", "00"},
	"41": {"0", "00"}, "43": {"0", "00"}, "46": {"0", "00"}, "61": {"0", "0011"},
	"64": {"0", "00"}, "81": {"0", "010"}, "": {"", "00"},
}

// NationalPrefix is the trunk prefix dialled before a national number:
// routing.national_prefix, else the one of the country code ("1" in NANP,
// "0" in most countries, "" in Italy and Spain, without a country code and
// for codes of countries that device.country cannot name).
func (c *Config) NationalPrefix() string {
	if c.Routing.NationalPrefix != "" {
		return c.Routing.NationalPrefix
	}
	return dialPrefixes[c.CountryCode()].national
}

// InternationalPrefix is the prefix dialled before a country code:
// routing.international_prefix, else the one of the country code ("011" in
// NANP, "00" in most of Europe and without a country code, "0011" in
// Australia, "010" in Japan; "" for codes of countries that device.country
// cannot name, which leaves only numbers given with +).
func (c *Config) InternationalPrefix() string {
	if c.Routing.InternationalPrefix != "" {
		return c.Routing.InternationalPrefix
	}
	return dialPrefixes[c.CountryCode()].international
}

// Account returns the account with the given name, or nil.
func (c *Config) Account(name string) *Account {
	for i := range c.Accounts {
		if c.Accounts[i].Name == name {
			return &c.Accounts[i]
		}
	}
	return nil
}

// Line returns the line with the given id, or nil.
func (c *Config) Line(id int) *Line {
	for i := range c.Lines {
		if c.Lines[i].ID == id {
			return &c.Lines[i]
		}
	}
	return nil
}

// AuthUsername is the user name for digest authentication: auth_user, else user.
func (a *Account) AuthUsername() string {
	if a.AuthUser != "" {
		return a.AuthUser
	}
	return a.User
}

// SIPDomain is the domain of the account's address of record: domain, else
// the registrar's host, else the proxy's host.
func (a *Account) SIPDomain() string {
	if a.Domain != "" {
		return a.Domain
	}
	if h := uriHost(a.Registrar); h != "" {
		return h
	}
	return uriHost(a.Proxy)
}

// TrunkingPeer is the host the gateway names itself by in the
// ms-trunking-peer header of its INVITEs and their 200s: sip.trunking_peer,
// else device.name when that is a host name (as the default "tipring" is),
// else "": a name such as "Attic GW" cannot go in the header, so the
// header is left out.
func (c *Config) TrunkingPeer() string {
	if c.SIP.TrunkingPeer != "" {
		return c.SIP.TrunkingPeer
	}
	if isHostname(c.Device.Name) {
		return c.Device.Name
	}
	return ""
}

// SRTPPolicy is the account's media encryption: srtp, else "optional"
// when the account's calls are signalled over TLS (the server their
// INVITEs go to first has a sips URI or ;transport=tls), else "rejected".
// SDES carries the media keys in the SDP, so they are secret only when the
// signalling is encrypted.
func (a *Account) SRTPPolicy() string {
	switch {
	case a.SRTP != "":
		return a.SRTP
	case isTLSURI(a.callServer()):
		return "optional"
	}
	return "rejected"
}

// callServer is the SIP URI the account's INVITEs go to first:
// outbound_proxy, else proxy, else registrar; "" when there is none and
// calls go to the account's domain.
func (a *Account) callServer() string {
	switch {
	case a.OutboundProxy != "":
		return a.OutboundProxy
	case a.Proxy != "":
		return a.Proxy
	}
	return a.Registrar
}

// SocketPath is the control socket: control.socket, else
// $XDG_RUNTIME_DIR/tipring.sock when XDG_RUNTIME_DIR is set, else
// /run/tipring/ctl.sock.
func (c *Control) SocketPath() string {
	if c.Socket != "" {
		return c.Socket
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "tipring.sock")
	}
	return "/run/tipring/ctl.sock"
}

// uriHost returns the host of a sip: or sips: URI
// ("sip:user@host:5060;transport=tcp"), or "" when s is not one.
func uriHost(s string) string {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !(strings.EqualFold(scheme, "sip") || strings.EqualFold(scheme, "sips")) {
		return ""
	}
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	return hostOf(rest)
}

// isTLSURI reports whether the SIP URI s is reached over TLS: a sips URI,
// or one with ;transport=tls.
func isTLSURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return false
	}
	if strings.EqualFold(scheme, "sips") {
		return true
	}
	rest, _, _ = strings.Cut(rest, "?")
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:] // the user part may have parameters of its own
	}
	_, params, _ := strings.Cut(rest, ";")
	for p := range strings.SplitSeq(params, ";") {
		if k, v, _ := strings.Cut(p, "="); strings.EqualFold(k, "transport") && strings.EqualFold(v, "tls") {
			return true
		}
	}
	return false
}

// hostOf returns the host of "host", "host:port", "[v6]" or "[v6]:port", or
// "" when that is not a valid host with an optional valid port.
func hostOf(hp string) string {
	host, port := hp, ""
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return ""
		}
		host, port = hp[1:end], hp[end+1:]
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return ""
		}
		if port != "" && !strings.HasPrefix(port, ":") {
			return ""
		}
		port = strings.TrimPrefix(port, ":")
	} else {
		if i := strings.IndexByte(hp, ':'); i >= 0 {
			host, port = hp[:i], hp[i+1:]
		}
		if !isHostname(host) {
			return ""
		}
	}
	if port != "" && !isPort(port) {
		return ""
	}
	return host
}

// isHostname reports whether s is a DNS name or an IPv4 address.
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// isPort reports whether s is a decimal port number 1..65535.
func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535 && s[0] != '+' && s[0] != '-'
}
