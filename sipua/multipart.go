package sipua

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"slices"
	"strings"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/sdpoa"
)

// A Mediation Server may offer a session several ways at once
// ([MS-OCPSTN] §3.7): a multipart/alternative body of application/sdp
// parts (for ICE of one version or another) and an application/gw-sdp part
// (the gateway's own SDP, for media bypass), each with a Content-ID. The
// answer is one application/sdp body, and ms-accepted-content-id names the
// part it answers. The specification asks nothing more of it: the example
// answers to a gw-sdp part (§4.5.1.2, §4.6.1.2) are application/sdp too,
// and echo neither the bypass ID (x-bypassid, in the part's type and its
// SDP) nor ICE. A part's ICE lines are passed over: the gateway answers as
// a plain RTP endpoint, at the part's c= and m= address.

// errBadMultipart is a multipart body that cannot be read: SIP 400.
var errBadMultipart = errors.New("multipart offer unreadable")

// offerPart is one alternative of an offer.
type offerPart struct {
	body      []byte
	contentID string // with its angle brackets, as the part's header has it
	gateway   bool   // application/gw-sdp
	srtp      bool   // its audio is RTP/SAVP
}

// offerParts reads the offer in an INVITE's body: one application/sdp, or
// the session description parts of a multipart/alternative, in our order
// of preference (see rank). ok is false for any other type of body.
func (u *UA) offerParts(req *sip.Request) (parts []offerPart, ok bool, err error) {
	if isSDP(req) {
		return []offerPart{{body: req.Body()}}, true, nil
	}
	ct := req.ContentType()
	if ct == nil {
		return nil, false, nil
	}
	mt, params, err := mime.ParseMediaType(ct.Value())
	if err != nil || mt != "multipart/alternative" {
		return nil, false, nil
	}
	if params["boundary"] == "" {
		return nil, true, fmt.Errorf("%w: no boundary", errBadMultipart)
	}
	r := multipart.NewReader(bytes.NewReader(req.Body()), params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, true, fmt.Errorf("%w: %w", errBadMultipart, err)
		}
		pt, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || pt != "application/sdp" && pt != "application/gw-sdp" {
			continue // RFC 2046 §5.1.4: an alternative we cannot read
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return nil, true, fmt.Errorf("%w: %w", errBadMultipart, err)
		}
		// The line end before a delimiter is the delimiter's (RFC 2046
		// §5.1.1); an SDP's last line needs its own (RFC 4566 §5).
		if !bytes.HasSuffix(body, []byte("\n")) {
			body = append(body, "\r\n"...)
		}
		parts = append(parts, offerPart{body: body, contentID: strings.TrimSpace(p.Header.Get("Content-ID")),
			gateway: pt == "application/gw-sdp", srtp: isSecure(body)})
	}
	if len(parts) == 0 {
		return nil, true, fmt.Errorf("%w: no session description in it", errBadMultipart)
	}
	// RFC 2046 §5.1.4: the parts go from the plainest to the richest, so
	// among equals the later one is preferred.
	slices.Reverse(parts)
	wantSRTP := slices.ContainsFunc(u.cfg.Accounts, func(a Account) bool { return a.SRTP != sdpoa.EncryptionRejected })
	slices.SortStableFunc(parts, func(a, b offerPart) int {
		return u.rank(a, wantSRTP) - u.rank(b, wantSRTP)
	})
	return parts, true, nil
}

// rank orders the parts of an offer, lowest first: with media bypass the
// gateway's SDP (the client's media straight to us), then SRTP where an
// account wants it, then the rest. Without bypass gw-sdp comes last.
func (u *UA) rank(p offerPart, wantSRTP bool) int {
	r := 0
	if p.gateway != u.cfg.MediaBypass {
		r += 2
	}
	if p.srtp != wantSRTP {
		r++
	}
	return r
}

// isSecure reports whether an SDP offers its audio over SRTP.
func isSecure(body []byte) bool {
	for line := range strings.Lines(string(body)) {
		if m, ok := strings.CutPrefix(line, "m=audio "); ok {
			return strings.Contains(m, "/SAVP")
		}
	}
	return false
}

// answerParts answers the first part of the offer the session accepts and
// returns the answer, what it settled and the part answered. It fails with
// the refusal of the preferred part when none will do.
func answerParts(sess *sdpoa.Session, parts []offerPart) ([]byte, sdpoa.Result, offerPart, error) {
	var first error
	for _, p := range parts {
		body, res, err := sess.Answer(p.body)
		if err == nil {
			return body, res, p, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, sdpoa.Result{}, offerPart{}, first
}
