package sipua

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Credentials answer a registrar's or proxy's digest challenge.
type Credentials struct {
	Username string
	Password string
}

// errNoChallenge is returned for a 401 or 407 without a digest challenge
// tipring can answer.
var errNoChallenge = errors.New("no digest challenge with a supported algorithm")

// algorithmRank orders the digest algorithms of RFC 8760 by strength; a
// challenger offering several gets the strongest (RFC 8760 §2.4).
var algorithmRank = map[string]int{"MD5": 1, "SHA-256": 2, "SHA-512-256": 3}

// authorize adds to req the Authorization (for a 401) or
// Proxy-Authorization (for a 407) that answers res's strongest challenge,
// replacing any earlier answer for the same realm. It reports whether the
// challenge was stale, i.e. the credentials were right but the nonce old.
func authorize(req *sip.Request, res *sip.Response, cred Credentials) (stale bool, err error) {
	challengeHdr, answerHdr := "WWW-Authenticate", "Authorization"
	if res.StatusCode == sip.StatusProxyAuthRequired {
		challengeHdr, answerHdr = "Proxy-Authenticate", "Proxy-Authorization"
	}
	var best *digest.Challenge
	for _, h := range res.GetHeaders(challengeHdr) {
		c, err := digest.ParseChallenge(h.Value())
		if err != nil {
			continue // a Basic or malformed challenge: another may do
		}
		c.Algorithm = strings.ToUpper(c.Algorithm)
		if c.Algorithm == "" {
			c.Algorithm = "MD5"
		}
		if algorithmRank[c.Algorithm] == 0 || !digest.CanDigest(c) {
			continue
		}
		if best == nil || algorithmRank[c.Algorithm] > algorithmRank[best.Algorithm] {
			best = c
		}
	}
	if best == nil {
		return false, errNoChallenge
	}
	if len(best.QOP) > 0 && !best.SupportsQOP("auth") {
		// auth-int only: answerable, but we keep to qop=auth.
		return false, fmt.Errorf("%w: qop %s", errNoChallenge, strings.Join(best.QOP, ","))
	}
	c, err := digest.Digest(best, digest.Options{
		Method:   req.Method.String(),
		URI:      req.Recipient.Addr(),
		Username: cred.Username,
		Password: cred.Password,
		Count:    1, // a new nonce each challenge
	})
	if err != nil {
		return false, err
	}
	removeAnswers(req, answerHdr, best.Realm)
	req.AppendHeader(sip.NewHeader(answerHdr, c.String()))
	return best.Stale, nil
}

// removeAnswers drops req's earlier answers to realm's challenges, which a
// new challenge makes void.
func removeAnswers(req *sip.Request, name, realm string) {
	var keep []sip.Header
	for _, h := range req.GetHeaders(name) {
		c, err := digest.ParseCredentials(h.Value())
		if err == nil && c.Realm == realm {
			continue
		}
		keep = append(keep, sip.NewHeader(name, h.Value()))
	}
	for req.RemoveHeader(name) {
	}
	for _, h := range keep {
		req.AppendHeader(h)
	}
}
