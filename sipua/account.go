package sipua

import (
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Account is a SIP account: an address of record the gateway registers and
// calls from.
type Account struct {
	Name string
	// Registrar is the SIP URI REGISTERs go to; empty means the account
	// does not register. A transport parameter chooses UDP or TCP.
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
}

// check validates the account and fills in its defaults.
func (a *Account) check() error {
	if a.User == "" {
		return errors.New("no user")
	}
	if a.Registrar != "" {
		var u sip.Uri
		if err := sip.ParseUri(a.Registrar, &u); err != nil {
			return fmt.Errorf("registrar %q: %w", a.Registrar, err)
		}
		if a.Domain == "" {
			a.Domain = u.Host
		}
	}
	for _, p := range []struct{ what, uri string }{{"proxy", a.Proxy}, {"outbound proxy", a.OutboundProxy}} {
		var u sip.Uri
		if p.uri == "" {
			continue
		}
		if err := sip.ParseUri(p.uri, &u); err != nil {
			return fmt.Errorf("%s %q: %w", p.what, p.uri, err)
		}
		if a.Domain == "" {
			a.Domain = u.Host
		}
	}
	if a.Domain == "" {
		return errors.New("no domain and no registrar to take it from")
	}
	if a.Expires <= 0 {
		a.Expires = time.Hour
	}
	if a.Credentials.Username == "" {
		a.Credentials.Username = a.User
	}
	return nil
}

// aor is the account's address of record.
func (a *Account) aor() sip.Uri { return sip.Uri{Scheme: "sip", User: a.User, Host: a.Domain} }
