package sipua

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// TestPartyOf reads callers as the INVITEs of phones, PBXs and Mediation
// Servers give them: withheld identities in either anonymous form
// ([MS-OCPSTN] §3.5 and RFC 3323) are private with no number, so that the
// phone's caller ID shows "private".
func TestPartyOf(t *testing.T) {
	for _, tt := range []struct {
		name, from string
		headers    []sip.Header
		want       Party
	}{
		{"plain", `"Alice" <sip:2001@example.com>`, nil, Party{Number: "2001", Name: "Alice"}},
		{"phone-context", `<sip:2160;phone-context=redmond@example.com;user=phone>`, nil, Party{Number: "2160"}},
		{"anonymous at a phone domain, MS-OCPSTN", `<sip:anonymous@example.com;user=phone>`, nil, Party{Private: true}},
		{"anonymous.invalid, RFC 3323", `"Anonymous" <sip:anonymous@anonymous.invalid>`, nil, Party{Name: "Anonymous", Private: true}},
		{"Privacy: id, identity asserted", `"Anonymous" <sip:anonymous@anonymous.invalid>`,
			[]sip.Header{sip.NewHeader("P-Asserted-Identity", `"Bob" <sip:+15555550100@example.com;user=phone>`), sip.NewHeader("Privacy", "id")},
			Party{Number: "+15555550100", Name: "Bob", Private: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "1001", Host: "127.0.0.1"})
			var uri sip.Uri
			params := sip.NewParams()
			name, err := sip.ParseAddressValue(tt.from, &uri, &params)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tt.headers {
				req.AppendHeader(h)
			}
			if got := partyOf(name, uri, req); got != tt.want {
				t.Errorf("partyOf(%s) = %+v, want %+v", tt.from, got, tt.want)
			}
		})
	}
}
