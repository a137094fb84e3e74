package config

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"tipring/telephony/digitmap"
)

// Validate checks the whole configuration and returns every problem as
// Errors, or nil.
func (c *Config) Validate() error {
	var v validator
	v.device(&c.Device)
	v.sip(&c.SIP, len(c.Lines))
	v.accounts(c.Accounts)
	v.lines(c.Lines, c.Accounts)
	v.routing(c)
	if c.Web.Listen != "" {
		if err := checkHostPort(c.Web.Listen, false, false); err != "" {
			v.addf("web.listen", "%q: %s", c.Web.Listen, err)
		}
	}
	if s := c.Control.Socket; s != "" && !filepath.IsAbs(s) {
		v.addf("control.socket", "%q is not an absolute path", s)
	}
	if d := c.Console.Device; d != "" && !filepath.IsAbs(d) {
		v.addf("console.device", "%q is not an absolute path", d)
	}
	if !slices.Contains(baudRates, c.Console.Baud) {
		v.addf("console.baud", "%d is not a standard rate (want one of %s)", c.Console.Baud, joinInts(baudRates))
	}
	if c.Board.Name == "" {
		v.addf("board.name", "missing")
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

var baudRates = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}

var answerModes = []string{"immediate", "polarity"}

var disconnectSigns = []string{"loop", "polarity", "tone"}

var dialingMethods = []string{"dtmf", "pulse"}

var srtpPolicies = []string{"rejected", "optional", "required"}

var callerIDModes = []string{"auto", "bell202", "v23", "v23-dtas", "v23-rpas", "v23-lr", "dtmf", "off"}

type validator struct{ errs Errors }

func (v *validator) addf(key, format string, args ...any) {
	v.errs = append(v.errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) device(d *Device) {
	if d.Name == "" {
		v.addf("device.name", "missing")
	} else if strings.ContainsFunc(d.Name, unicode.IsControl) {
		v.addf("device.name", "%q contains control characters", d.Name)
	}
	if _, ok := countryCodes[d.Country]; !ok {
		v.addf("device.country", "%q is not a supported country (want one of %s)", d.Country, strings.Join(countries(), ", "))
	}
	if d.Timezone == "" {
		v.addf("device.timezone", "missing")
	} else if _, err := time.LoadLocation(d.Timezone); err != nil {
		v.addf("device.timezone", "%q is not a known time zone (want an IANA name like Europe/Berlin)", d.Timezone)
	}
}

func countries() []string {
	cs := slices.Sorted(func(yield func(string) bool) {
		for c := range countryCodes {
			if c != "ITU" && !yield(c) {
				return
			}
		}
	})
	return append(cs, "ITU")
}

func (v *validator) sip(s *SIP, lines int) {
	seen := make(map[string]int)
	tls := false
	for i, l := range s.Listen {
		key := fmt.Sprintf("sip.listen[%d]", i)
		transport, addr, err := SplitListen(l)
		if err != nil {
			v.addf(key, "%q: %v", l, err)
			continue
		}
		tls = tls || transport == "tls"
		norm := transport + ":" + addr
		if j, dup := seen[norm]; dup {
			v.addf(key, "%q is listed in sip.listen[%d] too", l, j)
			continue
		}
		seen[norm] = i
	}
	switch {
	case s.TLSCert == "" && tls:
		v.addf("sip.tls_cert", "missing (a tls listener needs a certificate)")
	case s.TLSCert == "" && s.TLSKey != "":
		v.addf("sip.tls_cert", "missing (sip.tls_key is the private key of a certificate)")
	}
	switch {
	case s.TLSKey == "" && tls:
		v.addf("sip.tls_key", "missing (a tls listener needs a private key)")
	case s.TLSKey == "" && s.TLSCert != "":
		v.addf("sip.tls_key", "missing (sip.tls_cert needs its private key)")
	}
	if s.KeepAlive < 0 || s.KeepAlive > 3600 {
		v.addf("sip.keepalive", "%d is out of range (0 to 3600 seconds; 0 turns keep-alives off)", s.KeepAlive)
	}
	v.rtpPorts(s.RTPPorts, lines)
	if s.RTPTimeout < 0 || s.RTPTimeout > 3600 {
		v.addf("sip.rtp_timeout", "%d is out of range (0 to 3600 seconds; 0 never hangs up for want of RTP)", s.RTPTimeout)
	}
	for i, p := range s.TrustedPeers {
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			v.addf(fmt.Sprintf("sip.trusted_peers[%d]", i), "%q is not an IP address or CIDR prefix", p)
		}
	}
	if lp := s.LocationProfile; lp != "" && !isHostname(lp) && !isGlobalNumberDigits(lp) {
		v.addf("sip.location_profile", "%q cannot be a phone-context (want a name such as site-A or redmond.example.com, or a number prefix such as +1425)", lp)
	}
	if tp := s.TrunkingPeer; tp != "" && !isSIPHost(tp) {
		v.addf("sip.trunking_peer", "%q is not a host name or IP address (IPv6 goes in brackets)", tp)
	}
}

// isGlobalNumberDigits reports whether s is a global number as RFC 3966
// 5.1.5 allows for a phone-context: + then digits, with the visual
// separators - . ( ).
func isGlobalNumberDigits(s string) bool {
	rest, ok := strings.CutPrefix(s, "+")
	return ok && strings.ContainsAny(rest, "0123456789") && strings.Trim(rest, "0123456789-.()") == ""
}

// isSIPHost reports whether s is a host as RFC 3261 25.1 writes it: a
// DNS name, an IPv4 address or an IPv6 address in brackets.
func isSIPHost(s string) bool {
	if v6, ok := strings.CutPrefix(s, "["); ok {
		a, err := netip.ParseAddr(strings.TrimSuffix(v6, "]"))
		return err == nil && a.Is6() && strings.HasSuffix(v6, "]")
	}
	return isHostname(s)
}

// rtpPorts checks sip.rtp_ports, and that it holds a call for each line.
func (v *validator) rtpPorts(s string, lines int) {
	const key = "sip.rtp_ports"
	if s == "" {
		v.addf(key, "missing (want LOW-HIGH, as in 10000-20000)")
		return
	}
	low, high, err := ParsePortRange(s)
	if err != nil {
		v.addf(key, "%q: %v", s, err)
		return
	}
	// RFC 3550 11: RTP on an even port, RTCP on the odd one above it.
	calls := (high - (low + low%2) + 1) / 2
	switch {
	case calls == 0:
		v.addf(key, "%q holds no call (each takes an even port for RTP and the odd one above it for RTCP)", s)
	case calls < lines:
		v.addf(key, "%q holds %s (each takes an even port for RTP and the odd one above it for RTCP), fewer than the %d lines", s, plural(calls, "call"), lines)
	}
}

// ParsePortRange parses a port range "LOW-HIGH" such as sip.rtp_ports,
// "10000-20000": both ports in 1024..65535, LOW below HIGH.
func ParsePortRange(s string) (low, high int, err error) {
	ls, hs, ok := strings.Cut(s, "-")
	if !ok || !isDecimal(ls) || !isDecimal(hs) {
		return 0, 0, errors.New("want LOW-HIGH, as in 10000-20000")
	}
	ports := [2]int{}
	for i, p := range []string{ls, hs} {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1024 || n > 65535 {
			return 0, 0, fmt.Errorf("port %s is outside 1024..65535 (the ports below are for system services)", p)
		}
		ports[i] = n
	}
	low, high = ports[0], ports[1]
	if low >= high {
		return 0, 0, fmt.Errorf("the low port %d is not below the high port %d", low, high)
	}
	return low, high, nil
}

// SplitListen splits a sip.listen entry ("udp:0.0.0.0:5060",
// "tcp:[::]:5060") into its transport (udp, tcp or tls) and its host:port,
// where the host is an IP address. Port 0 lets the system pick a free
// port when the gateway listens.
func SplitListen(s string) (transport, hostport string, err error) {
	transport, hostport, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", errors.New("want transport:host:port")
	}
	switch transport {
	case "udp", "tcp", "tls":
	default:
		return "", "", fmt.Errorf("unknown transport %q (want udp, tcp or tls)", transport)
	}
	if msg := checkHostPort(hostport, true, true); msg != "" {
		return "", "", errors.New(msg)
	}
	return transport, hostport, nil
}

// checkHostPort checks a listening address "host:port" whose host is an IP
// address (IPv6 in brackets), or empty when allowed, and whose port may be 0
// when allowed, and says what is wrong with it.
func checkHostPort(s string, needHost, anyPort bool) string {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "want host:port"
	}
	host, port := s[:i], s[i+1:]
	if v6, ok := strings.CutPrefix(host, "["); ok && strings.HasSuffix(v6, "]") {
		if a, err := netip.ParseAddr(strings.TrimSuffix(v6, "]")); err != nil || !a.Is6() {
			return fmt.Sprintf("%q is not an IPv6 address", host)
		}
	} else if host == "" {
		if needHost {
			return "missing the host (0.0.0.0 for every interface)"
		}
	} else if a, err := netip.ParseAddr(host); err != nil || a.Is6() {
		return fmt.Sprintf("%q is not an IP address (IPv6 goes in brackets: [::]:5060)", host)
	}
	switch {
	case anyPort && port == "0":
	case anyPort && !isPort(port):
		return fmt.Sprintf("%q is not a port number (1..65535, or 0 for any free port)", port)
	case !isPort(port):
		return fmt.Sprintf("%q is not a port number (1..65535)", port)
	}
	return ""
}

func (v *validator) accounts(accts []Account) {
	names := make(map[string]int)
	for i := range accts {
		a := &accts[i]
		key := func(field string) string { return fmt.Sprintf("accounts[%d].%s", i, field) }
		if a.Name == "" {
			v.addf(key("name"), "missing")
		} else if j, dup := names[a.Name]; dup {
			v.addf(key("name"), "%q is used by accounts[%d] too", a.Name, j)
		} else {
			names[a.Name] = i
		}
		for _, u := range []struct{ field, uri string }{
			{"registrar", a.Registrar}, {"proxy", a.Proxy}, {"outbound_proxy", a.OutboundProxy},
		} {
			if u.uri != "" && uriHost(u.uri) == "" {
				v.addf(key(u.field), "%q is not a SIP URI (want sip:host or sips:host)", u.uri)
			}
		}
		if a.User == "" && a.Registrar != "" {
			v.addf(key("user"), "missing (the registrar needs it)")
		}
		if a.Domain != "" && hostOf(a.Domain) != a.Domain {
			v.addf(key("domain"), "%q is not a host name or IP address", a.Domain)
		} else if a.Domain == "" && a.Registrar == "" && a.Proxy == "" {
			v.addf(key("domain"), "missing (there is no registrar or proxy to take it from)")
		}
		if a.Expires < 60 || a.Expires > 86400 {
			v.addf(key("expires"), "%d is out of range (60..86400 seconds)", a.Expires)
		}
		switch {
		case a.Mailbox != "" && uriHost(a.Mailbox) == "":
			v.addf(key("mailbox"), "%q is not a SIP URI (want sip:user@host, as in sip:*97@pbx.example.com)", a.Mailbox)
		case a.Mailbox != "" && !a.MWI:
			v.addf(key("mailbox"), "set without mwi = true")
		case a.MWI && a.Mailbox == "" && a.User == "":
			v.addf(key("mwi"), "no mailbox to subscribe to (set user, or mailbox)")
		}
		switch a.SRTP {
		case "", "rejected", "optional":
		case "required":
			if srv := a.callServer(); !isTLSURI(srv) {
				to := "its domain, without TLS"
				if srv != "" {
					to = fmt.Sprintf("%s, not a sips: URI nor ;transport=tls", srv)
				}
				v.addf(key("srtp"), "\"required\" without TLS: SDES puts the media keys in the SDP, which anyone on the path reads unless the signalling is encrypted, and the account's calls go to %s", to)
			}
		default:
			v.addf(key("srtp"), "unknown SRTP policy %q (want %s)", a.SRTP, strings.Join(srtpPolicies, ", "))
		}
	}
}

func (v *validator) lines(lines []Line, accts []Account) {
	ids := make(map[int]int)
	numbers := make(map[string]int)
	for i := range lines {
		l := &lines[i]
		key := func(field string) string { return fmt.Sprintf("lines[%d].%s", i, field) }
		if l.ID < 1 {
			v.addf(key("id"), "%d is not a port number (ports are numbered from 1)", l.ID)
		} else if j, dup := ids[l.ID]; dup {
			v.addf(key("id"), "%d is used by lines[%d] too", l.ID, j)
		} else {
			ids[l.ID] = i
		}
		switch l.Kind {
		case FXS, FXO, BRI:
		case "":
			v.addf(key("kind"), "missing (want fxs, fxo or bri)")
		default:
			v.addf(key("kind"), "unknown kind %q (want fxs, fxo or bri)", l.Kind)
		}
		switch {
		case l.Number == "" && l.Kind == FXS:
			v.addf(key("number"), "missing (an fxs line needs its own number)")
		case l.Number == "":
		case !isDialable(l.Number):
			v.addf(key("number"), "%q is not a dialable number", l.Number)
		default:
			if j, dup := numbers[l.Number]; dup {
				v.addf(key("number"), "%q is used by lines[%d] too", l.Number, j)
			} else {
				numbers[l.Number] = i
			}
		}
		if l.Account != "" && !slices.ContainsFunc(accts, func(a Account) bool { return a.Name == l.Account }) {
			v.addf(key("account"), "no account named %q", l.Account)
		}
		if !slices.Contains(callerIDModes, l.CallerID) {
			v.addf(key("caller_id"), "unknown caller ID mode %q (want %s)", l.CallerID, strings.Join(callerIDModes, ", "))
		}
		if l.DialPlan != "" {
			if msg := checkDigitMap(l.DialPlan); msg != "" {
				v.addf(key("dial_plan"), "%q: %s", l.DialPlan, msg)
			}
		}
		if l.Hotline != "" && !isDialable(l.Hotline) {
			v.addf(key("hotline"), "%q is not a dialable number", l.Hotline)
		}
		if l.HotlineDelay < 0 {
			v.addf(key("hotline_delay"), "%d is negative", l.HotlineDelay)
		} else if l.HotlineDelay > 0 && l.Hotline == "" {
			v.addf(key("hotline_delay"), "set without a hotline")
		}
		v.digitTimeouts(key, l)
		if !slices.Contains(answerModes, l.Answer) {
			v.addf(key("answer"), "unknown answer detection %q (want %s)", l.Answer, strings.Join(answerModes, " or "))
		}
		for _, d := range l.Disconnect {
			if !slices.Contains(disconnectSigns, d) {
				v.addf(key("disconnect"), "unknown disconnect sign %q (want any of %s)", d, strings.Join(disconnectSigns, ", "))
			}
		}
		if l.SilenceTimeout < 0 {
			v.addf(key("silence_timeout"), "%d is negative", l.SilenceTimeout)
		}
		if !slices.Contains(dialingMethods, l.Dialing) {
			v.addf(key("dialing"), "unknown dialing method %q (want %s)", l.Dialing, strings.Join(dialingMethods, " or "))
		}
		v.voice(key, l)
	}
}

// voice checks a line's voice processing keys, in milliseconds.
func (v *validator) voice(key func(string) string, l *Line) {
	// The tails dsp/echo models.
	if l.EchoTail < 16 || l.EchoTail > 128 {
		v.addf(key("echo_tail"), "%d is out of range (16 to 128 ms)", l.EchoTail)
	}
	if l.JitterMin < 0 {
		v.addf(key("jitter_min"), "%d is negative", l.JitterMin)
	}
	switch {
	case l.JitterMax < 20 || l.JitterMax > 1000:
		v.addf(key("jitter_max"), "%d is out of range (20 to 1000 ms; less than a 20 ms frame leaves no room for jitter)", l.JitterMax)
	case l.JitterMin > l.JitterMax:
		v.addf(key("jitter_min"), "%d is above jitter_max (%d)", l.JitterMin, l.JitterMax)
	}
}

// digitTimeouts checks a line's dialling timers, in seconds (0: the
// default): the wait for a number that may be complete is no longer than
// for one that is not.
func (v *validator) digitTimeouts(key func(string) string, l *Line) {
	for _, t := range []struct {
		name string
		secs int
		max  int
	}{
		{"first_digit_timeout", l.FirstDigitTimeout, 120},
		{"inter_digit_timeout", l.InterDigitTimeout, 60},
		{"critical_timeout", l.CriticalTimeout, 60},
	} {
		if t.secs < 0 || t.secs > t.max {
			v.addf(key(t.name), "%d is out of range (1 to %d seconds, 0 for the default)", t.secs, t.max)
		}
	}
	if l.CriticalTimeout > 0 && l.InterDigitTimeout > 0 && l.CriticalTimeout > l.InterDigitTimeout {
		v.addf(key("critical_timeout"), "%d is longer than inter_digit_timeout (%d)", l.CriticalTimeout, l.InterDigitTimeout)
	}
}

func (v *validator) routing(c *Config) {
	r := &c.Routing
	if cc := r.CountryCode; cc != "" && (len(cc) > 3 || !isDecimal(cc) || cc[0] == '0') {
		v.addf("routing.country_code", "%q is not a country code (1 to 3 digits, as in 1, 44 or 353)", cc)
	}
	v.prefixes(c)
	for i, rw := range r.Rewrite {
		key := fmt.Sprintf("routing.rewrite[%d]", i)
		switch {
		case rw.Match == "":
			v.addf(key+".match", "missing (want the digits the numbers to rewrite begin with)")
		case !isDialable(rw.Match):
			v.addf(key+".match", "%q is not a dialable number", rw.Match)
		default:
			// A rule after one that matches every number it does never applies.
			for j, prev := range r.Rewrite[:i] {
				if prev.Direction == rw.Direction && prev.Match != "" && strings.HasPrefix(rw.Match, prev.Match) {
					v.addf(key+".match", "%q is never used: routing.rewrite[%d] (%q) comes first", rw.Match, j, prev.Match)
					break
				}
			}
		}
		if rw.Strip < 0 {
			v.addf(key+".strip", "%d is negative", rw.Strip)
		} else if rw.Match != "" && rw.Strip > len(rw.Match) {
			v.addf(key+".strip", "%d is more than match %q has (%s)", rw.Strip, rw.Match, plural(len(rw.Match), "character"))
		}
		if p := rw.Prefix; p != "" && p != "+" && !isDialable(p) {
			v.addf(key+".prefix", "%q is not a dialable number", p)
		}
		switch rw.Direction {
		case "out", "in":
		case "":
			v.addf(key+".direction", "missing (want out or in)")
		default:
			v.addf(key+".direction", "unknown direction %q (want out, from a line toward SIP, or in)", rw.Direction)
		}
	}
	lines := c.Lines
	for i, in := range r.Inbound {
		key := fmt.Sprintf("routing.inbound[%d]", i)
		if in.Match == "" {
			v.addf(key+".match", "missing")
		} else if msg := checkDigitMap(in.Match); msg != "" {
			v.addf(key+".match", "%q: %s", in.Match, msg)
		}
		if len(in.Lines) == 0 {
			v.addf(key+".lines", "missing (want the ids of the lines to ring)")
		}
		for j, id := range in.Lines {
			if !slices.ContainsFunc(lines, func(l Line) bool { return l.ID == id }) {
				v.addf(fmt.Sprintf("%s.lines[%d]", key, j), "no line with id %d", id)
			}
		}
	}
}

// prefixes checks routing.national_prefix and routing.international_prefix,
// and that the prefixes in effect can be told apart.
func (v *validator) prefixes(c *Config) {
	r := &c.Routing
	ok := true
	switch np := r.NationalPrefix; {
	case np == "":
	case !isDecimal(np):
		v.addf("routing.national_prefix", "%q is not a trunk prefix (digits, as in 0 or 1)", np)
		ok = false
	case c.CountryCode() == "":
		v.addf("routing.national_prefix", "set without a country code (set routing.country_code)")
		ok = false
	}
	if ip := r.InternationalPrefix; ip != "" && !isDecimal(ip) {
		v.addf("routing.international_prefix", "%q is not an international prefix (digits, as in 00 or 011)", ip)
		ok = false
	}
	if !ok {
		return
	}
	// The international prefix is looked for first, so a national prefix
	// that begins with it is never seen.
	np, ip := c.NationalPrefix(), c.InternationalPrefix()
	if np != "" && ip != "" && strings.HasPrefix(np, ip) {
		key := "routing.international_prefix"
		if r.NationalPrefix != "" {
			key = "routing.national_prefix"
		}
		v.addf(key, "the national prefix %q begins with the international prefix %q, so national numbers would read as international", np, ip)
	}
}

// isDialable reports whether s is digits with an optional leading +; * and #
// are allowed for service codes.
func isDialable(s string) bool {
	s = strings.TrimPrefix(s, "+")
	return s != "" && strings.Trim(s, "0123456789*#") == ""
}

// checkDigitMap checks a digit map ("[2-9]xxxxxx|911|x.T") by parsing it
// as the lines will, and says what is wrong with it.
func checkDigitMap(s string) string {
	if _, err := digitmap.Parse(s); err != nil {
		return err.Error()
	}
	return ""
}

// isDecimal reports whether s is one or more decimal digits.
func isDecimal(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// plural returns "1 call", "2 calls".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
