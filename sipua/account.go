package sipua

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/sdpoa"
)

// Account is a SIP account: an address of record the gateway registers and
// calls from.
type Account struct {
	Name string
	// Registrar is the SIP URI REGISTERs go to; empty means the account
	// does not register. A transport parameter chooses UDP, TCP or TLS;
	// a sips URI, TLS. Without either, DNS may choose (RFC 3263).
	Registrar string
	// Proxy is the SIP URI of the account's domain proxy, which sends
	// the account's calls; its requests are trusted.
	Proxy string
	// OutboundProxy, a SIP URI, receives every request of the account
	// (as a loose route) when set.
	OutboundProxy string
	// User and Domain make the address of record sip:User@Domain; Domain
	// defaults to the registrar's host.
	User   string
	Domain string
	Credentials
	// Expires is the registration lifetime asked for.
	Expires time.Duration
	// MWI subscribes to the account's message-waiting state (RFC 3842):
	// the mailbox at Mailbox, a SIP URI, or else at the address of
	// record.
	MWI     bool
	Mailbox string

	// The gateway role of [MS-OCPSTN], for accounts on a Mediation Server
	// or a SIP trunk behind one:
	//
	// PSTN marks an account whose calls go to the PSTN (a SIP trunk): its
	// INVITEs carry Ms-Call-Source: ms-rtc; other accounts' carry
	// non-ms-rtc (§3.3).
	PSTN bool
	// PhoneContext sends numbers that are not E.164 as
	// sip:DIGITS;phone-context=PROFILE@Domain;user=phone, PROFILE being
	// Config.LocationProfile or else "dialstring" (§3.2, RFC 3966).
	// E.164 numbers (+ and digits) always go as sip:+DIGITS@Domain;user=phone.
	PhoneContext bool
	// HoldInactive holds calls with a=inactive instead of a=sendonly, the
	// one form a Mediation Server knows.
	HoldInactive bool
	// RegisterGateway adds isGateway to the Contact of the account's
	// REGISTERs (every other request and response carries it anyway).
	RegisterGateway bool
	// SRTP is the account's media encryption policy (RFC 4568 SDES).
	SRTP sdpoa.Encryption
}

// check validates the account and fills in its defaults.
func (a *Account) check() error {
	if a.User == "" && a.Registrar != "" {
		return errors.New("no user to register")
	}
	for _, p := range []struct{ what, uri string }{
		{"registrar", a.Registrar}, {"proxy", a.Proxy}, {"outbound proxy", a.OutboundProxy},
	} {
		if p.uri == "" {
			continue
		}
		u, err := parseServerURI(p.uri)
		if err != nil {
			return fmt.Errorf("%s %q: %w", p.what, p.uri, err)
		}
		if a.Domain == "" {
			a.Domain = u.Host
		}
	}
	if a.Domain == "" {
		return errors.New("no domain and no registrar to take it from")
	}
	if a.Mailbox != "" {
		var u sip.Uri
		err := sip.ParseUri(a.Mailbox, &u)
		if s := strings.ToLower(u.Scheme); err != nil || s != "sip" && s != "sips" || u.Host == "" {
			return fmt.Errorf("mailbox %q is not a SIP URI", a.Mailbox)
		}
	}
	if a.MWI && a.Mailbox == "" && a.User == "" {
		return errors.New("message waiting needs a mailbox or a user: the address of record has no user")
	}
	if a.Expires <= 0 {
		a.Expires = time.Hour
	}
	if a.Credentials.Username == "" {
		a.Credentials.Username = a.User
	}
	return nil
}

// parseServerURI parses the URI of a registrar or proxy: sip or sips, and
// with a transport parameter, one the gateway has.
func parseServerURI(s string) (sip.Uri, error) {
	var u sip.Uri
	if err := sip.ParseUri(s, &u); err != nil {
		return u, err
	}
	tp, _ := u.UriParams.Get("transport")
	switch tp = strings.ToLower(tp); {
	case tp != "" && tp != "udp" && tp != "tcp" && tp != "tls":
		return u, fmt.Errorf("transport %q is not udp, tcp or tls", tp)
	case tp == "udp" && u.IsEncrypted():
		return u, errors.New("a sips URI is reached over TLS, not UDP")
	}
	if _, err := locateURI(u); err != nil {
		return u, err
	}
	return u, nil
}

// aor is the account's address of record.
func (a *Account) aor() sip.Uri { return sip.Uri{Scheme: "sip", User: a.User, Host: a.Domain} }
