package sipua

import (
	"strings"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
)

// The gateway role of [MS-OCPSTN], which the gateway always plays: the
// headers and URI forms a Mediation Server, or a SIP trunk behind one,
// expects of a gateway to the PSTN.

// isGatewayParam is the Contact parameter that marks a gateway (§2.2.1):
// every Contact the gateway sends carries it (§3.1).
const isGatewayParam = "isGateway"

// The values of Ms-Call-Source (§2.2.3): where a call comes from.
const (
	callSourceRTC    = "ms-rtc"     // the Microsoft network: our calls on a PSTN account
	callSourceNonRTC = "non-ms-rtc" // elsewhere: the other accounts' calls
)

// statusDeclineEverywhere is the answer to a call that loops back (§3.3),
// with the reason phrase of the example of §4.3.1.3.
const statusDeclineEverywhere = 605

// hasParam reports whether params has name, in any case: peers write
// isGateway as they please.
func hasParam(params sip.HeaderParams, name string) bool {
	for _, kv := range params {
		if strings.EqualFold(kv.K, name) {
			return true
		}
	}
	return false
}

// PeerIsGateway reports whether the peer's Contact carries isGateway
// (§3.1): a Mediation Server, or another gateway.
func (c *Call) PeerIsGateway() bool {
	c.dlg.mu.Lock()
	defer c.dlg.mu.Unlock()
	return c.dlg.peerGateway
}

// CallSource is the Ms-Call-Source of an incoming call's INVITE (§3.3):
// "ms-rtc", "non-ms-rtc", or "" when it has none.
func (c *Call) CallSource() string {
	if !c.Incoming {
		return ""
	}
	if h := c.invite.GetHeader("Ms-Call-Source"); h != nil {
		return strings.TrimSpace(h.Value())
	}
	return ""
}

// RejectLoop refuses an incoming call that is a loop of another (§3.3): one
// with an Ms-Call-Source for a line that is alerting in another dialog. It
// answers 605, which the proxy turns into 480 for the caller. The 605 of
// §4.3.1.3 also has an Ms-client-diagnostics header, but it is a client's:
// the specification defines neither the header nor its codes, so the
// gateway sends none.
func (c *Call) RejectLoop() error {
	if !c.Incoming || c.State() != CallOffered {
		return errCallState
	}
	if err := c.sendFinal(c.response(statusDeclineEverywhere, "Decline Everywhere")); err != nil {
		return err
	}
	c.end(q850.CallRejected)
	return nil
}

// EarlyMedia reports whether an incoming call's caller takes its early
// media from an unreliable 183 (ms-early-media, §3.4): then Ringing sends
// the 183 with the SDP answer instead of 180, and the line's ringback must
// go in-band, as audio.
func (c *Call) EarlyMedia() bool { return c.msEarly }

// Called is the number an incoming call is for and its phone-context
// (§3.2, RFC 3966 §5.1.5), if any: "dialstring", "enterprise", a location
// profile, or a domain. The number comes from the Request-URI when it has
// one, else from To; context is empty for a global (E.164) number or a
// URI without phone-context.
func (c *Call) Called() (number, context string) { return c.called, c.calledContext }

// splitPhoneContext splits the user part of a URI into the number and its
// phone-context parameter (RFC 3966 §5.1.5): "2160;phone-context=dialstring"
// is 2160 in the context dialstring. Other parameters are dropped.
func splitPhoneContext(user string) (number, context string) {
	number, params, _ := strings.Cut(user, ";")
	for p := range strings.SplitSeq(params, ";") {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "phone-context") {
			context = v
		}
	}
	return number, context
}

// isE164 reports whether n is a global number: + and up to 15 digits.
func isE164(n string) bool {
	digits, ok := strings.CutPrefix(n, "+")
	return ok && len(digits) > 0 && len(digits) <= 15 && strings.Trim(digits, "0123456789") == ""
}

// isDialString reports whether n is a number dialled on a phone: digits, *
// and #.
func isDialString(n string) bool { return n != "" && strings.Trim(n, "0123456789*#") == "" }

// profile is the phone-context of the gateway's numbers that are not E.164:
// its location profile, else "dialstring" (§3.2).
func (u *UA) profile() string {
	if u.cfg.LocationProfile != "" {
		return u.cfg.LocationProfile
	}
	return "dialstring"
}

// phoneURI is the URI a number dialled on acct goes to: an E.164 number as
// sip:+CC...@Domain;user=phone; other numbers, on a PhoneContext account,
// in the context of the location profile (§3.2); anything else as
// sip:number@Domain.
func (u *UA) phoneURI(acct *Account, number string) sip.Uri {
	uri := sip.Uri{Scheme: "sip", User: number, Host: acct.Domain}
	switch {
	case isE164(number):
	case acct.PhoneContext && isDialString(number):
		uri.User += ";phone-context=" + u.profile()
	default:
		return uri
	}
	uri.UriParams = sip.NewParams()
	uri.UriParams.Add("user", "phone")
	return uri
}

// assertedIdentity is the P-Asserted-Identity of our 200 to an incoming
// call (§3.2): the number asked for, at the host of the Request-URI, E.164
// as it is, any other in the context of our location profile. It is nil
// when the call is for a name rather than a number.
func (c *Call) assertedIdentity() sip.Header {
	host := c.invite.Recipient.Host
	if c.invite.Recipient.User == "" {
		host = c.invite.To().Address.Host
	}
	uri := sip.Uri{Scheme: "sip", User: c.called, Host: host, UriParams: sip.NewParams()}
	switch {
	case isE164(c.called):
	case isDialString(c.called):
		uri.User += ";phone-context=" + c.ua.profile()
	default:
		return nil
	}
	uri.UriParams.Add("user", "phone")
	return sip.NewHeader("P-Asserted-Identity", "<"+uri.String()+">")
}

// trunkingPeer adds ms-trunking-peer naming the gateway (§2.2.7) to an
// INVITE or its 200, when it has a name to give.
func (u *UA) trunkingPeer(m interface{ AppendHeader(sip.Header) }) {
	if u.cfg.TrunkingPeer == "" {
		return
	}
	v := u.cfg.TrunkingPeer
	if u.cfg.UserAgent != "" {
		v += `;User-Agent="` + nameEscaper.Replace(u.cfg.UserAgent) + `"`
	}
	m.AppendHeader(sip.NewHeader("ms-trunking-peer", v))
}

// bypassSupported says in an INVITE or its 200 that the gateway takes
// media bypass (§3.6), when it is configured to.
func (u *UA) bypassSupported(m interface{ AppendHeader(sip.Header) }) {
	if u.cfg.MediaBypass {
		m.AppendHeader(sip.NewHeader("Supported", "ms-bypass"))
	}
}

// callSource is the Ms-Call-Source of the INVITEs of acct (§3.3).
func callSource(acct *Account) string {
	if acct.PSTN {
		return callSourceRTC
	}
	return callSourceNonRTC
}
