package sipua

import (
	"slices"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestRepairVias(t *testing.T) {
	for _, tt := range []struct{ name, via, want string }{
		{"quoted last, [MS-OCPSTN] 4.6.2.1",
			`SIP/2.0/TLS 172.29.106.3:5061;branch=z9hG4bKD300E89E.BA307C3A;branched=TRUE;ms-internal-info="aaKlz4lwQeqhL-R5X7wnN8hEhuJwK6MHw6hbkIPAAA"`,
			`SIP/2.0/TLS 172.29.106.3:5061;branch=z9hG4bKD300E89E.BA307C3A;branched=TRUE;ms-internal-info="aaKlz4lwQeqhL-R5X7wnN8hEhuJwK6MHw6hbkIPAAA"`},
		{"quoted in the middle",
			`SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1;ms-internal-info="a;b=\"c\"";hidden;received=10.0.0.2`,
			`SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1;ms-internal-info="a;b=\"c\"";hidden;received=10.0.0.2`},
		{"nothing quoted",
			`SIP/2.0/TLS 10.56.64.148:4031;ms-received-port=4031;ms-received-cid=500`,
			`SIP/2.0/TLS 10.56.64.148:4031;ms-received-port=4031;ms-received-cid=500`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := "INVITE sip:1@example.com SIP/2.0\r\nVia: " + tt.via +
				"\r\nVia: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK2\r\nFrom: <sip:2@example.com>;tag=1\r\nTo: <sip:1@example.com>\r\n" +
				"Call-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
			m, err := sip.ParseMessage([]byte(msg))
			if err != nil {
				t.Fatal(err)
			}
			req := m.(*sip.Request)
			repairVias(req)
			res := sip.NewResponseFromRequest(req, 200, "OK", nil)
			vias := res.GetHeaders("Via")
			if len(vias) != 2 {
				t.Fatalf("%d Vias, want 2", len(vias))
			}
			if got := vias[0].Value(); got != tt.want {
				t.Errorf("Via %s\nwant %s", got, tt.want)
			}
			if got, want := vias[1].Value(), "SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK2"; got != want {
				t.Errorf("second Via %s, want %s", got, want)
			}
		})
	}
}

// FuzzRepairVias: any Via sipgo reads is repaired without a panic, one
// without quotes is left as it is, and a repaired Via reads back, through
// sipgo and repairVias, as it went. (Whitespace is left out: sipgo's Via
// reader has troubles of its own with it.)
func FuzzRepairVias(f *testing.F) {
	f.Add(`SIP/2.0/TLS 172.29.106.3:5061;branch=z9hG4bKD300E89E.BA307C3A;branched=TRUE;ms-internal-info="aaKlz4lwQeqhL-R5X7wnN8hEhuJwK6MHw6hbkIPAAA"`)
	f.Add(`SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1;ms-internal-info="a;b=\"c\"";hidden;received=10.0.0.2`)
	f.Add(`SIP/2.0/UDP 10.0.0.1;x="unclosed;branch=z9hG4bK1`)
	f.Add(`SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;y="q"`)
	read := func(via string) *sip.Request {
		m, err := sip.ParseMessage([]byte("OPTIONS sip:1@example.com SIP/2.0\r\nVia: " + via +
			"\r\nFrom: <sip:2@example.com>;tag=1\r\nTo: <sip:1@example.com>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"))
		if err != nil {
			return nil
		}
		req, _ := m.(*sip.Request)
		return req
	}
	f.Fuzz(func(t *testing.T, via string) {
		if strings.ContainsAny(via, "\r\n \t") {
			return
		}
		req := read(via)
		if req == nil {
			return
		}
		before := headerValues(req.GetHeaders("Via"))
		repairVias(req)
		once := headerValues(req.GetHeaders("Via"))
		if !strings.Contains(via, `"`) && !slices.Equal(before, once) {
			t.Errorf("%q without quotes repaired to %q", before, once)
		}
		again := read(strings.Join(once, ", "))
		if again == nil {
			return // sipgo cannot read what it printed: not ours to mend
		}
		repairVias(again)
		if twice := headerValues(again.GetHeaders("Via")); !slices.Equal(once, twice) {
			t.Errorf("repaired %q, read back as %q", once, twice)
		}
	})
}
