package mediation

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"

	"github.com/emiago/sipgo/sip"
)

// Invite is what a call of the server to the gateway offers.
type Invite struct {
	// To is the number called: the user of the Request-URI and To, with
	// user=phone. From is the caller's.
	To, From string
	// Host is the domain of To and From; "example.com" if empty.
	Host string
	// Offers are the session descriptions offered: one goes as an
	// application/sdp body, several as a multipart/alternative whose parts
	// are named <part1>, <part2>... in Content-ID.
	Offers []Offer
	// EarlyMedia asks for early media in an unreliable 183
	// (Supported: ms-early-media).
	EarlyMedia bool
	// CallSource is the Ms-Call-Source header, left out if empty.
	CallSource string
	// Headers are added as they are.
	Headers []sip.Header
}

// An Offer is one session description of an Invite.
type Offer struct {
	// Gateway makes it application/gw-sdp, the SDP for media bypass.
	Gateway bool
	SDP     []byte
}

// NewInvite builds the INVITE of inv, as a Mediation Server sends it.
func (s *Server) NewInvite(inv Invite) (*sip.Request, error) {
	host := inv.Host
	if host == "" {
		host = "example.com"
	}
	phone := func(user string) sip.Uri {
		u := sip.Uri{Scheme: "sip", User: user, Host: host, UriParams: sip.NewParams()}
		u.UriParams.Add("user", "phone")
		return u
	}
	req := sip.NewRequest(sip.INVITE, phone(inv.To))
	from := &sip.FromHeader{Address: phone(inv.From), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: phone(inv.To), Params: sip.NewParams()})
	callID := sip.CallIDHeader(sip.GenerateTagN(24))
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	req.AppendHeader(s.contact())
	req.AppendHeader(sip.NewHeader("Supported", "replaces"))
	if inv.EarlyMedia {
		req.AppendHeader(sip.NewHeader("Supported", "ms-early-media"))
	}
	if inv.CallSource != "" {
		req.AppendHeader(sip.NewHeader("Ms-Call-Source", inv.CallSource))
	}
	req.AppendHeader(sip.NewHeader("User-Agent", "RTCC/3.0.0.0 MediationServer"))
	for _, h := range inv.Headers {
		req.AppendHeader(h)
	}
	switch len(inv.Offers) {
	case 0:
	case 1:
		setBody(req, "application/sdp", inv.Offers[0].SDP)
	default:
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for i, o := range inv.Offers {
			h := textproto.MIMEHeader{}
			h.Set("Content-Type", "application/sdp")
			if o.Gateway {
				h.Set("Content-Type", "application/gw-sdp")
			}
			h.Set("Content-ID", fmt.Sprintf("<part%d>", i+1))
			h.Set("Content-Disposition", "session; handling=optional")
			p, err := w.CreatePart(h)
			if err != nil {
				return nil, err
			}
			p.Write(o.SDP)
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		setBody(req, "multipart/alternative; boundary="+w.Boundary(), body.Bytes())
	}
	return req, nil
}

func setBody(req *sip.Request, contentType string, body []byte) {
	ct := sip.ContentTypeHeader(contentType)
	req.AppendHeader(&ct)
	req.SetBody(body)
}
