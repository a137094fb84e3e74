package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/web"
)

// TestInteropServeRegisters runs the daemon with an account registering to
// a real Kamailio: "tipring status" shows the account registered, Kamailio
// holds the gateway's contact, and the contact is gone once the daemon has
// stopped.
func TestInteropServeRegisters(t *testing.T) {
	k := interop.StartKamailio(t, interop.KamailioOpts{
		Users: map[string]string{"gw": "gw-secret"}, Domain: "pbx.test", Expires: 60,
	})
	bin := buildTipring(t)
	conf := filepath.Join(t.TempDir(), "tipring.toml")
	err := os.WriteFile(conf, fmt.Appendf(nil, `
[sip]
listen = ["udp:127.0.0.1:0"]

[[accounts]]
name = "office"
registrar = "sip:%s"
domain = %q
user = "gw"
password = "gw-secret"
expires = 120
`, k.Addr(), k.Domain()), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, bin, "-config", conf)

	var s web.Status
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code, out, errs := d.cli("status", "--json")
		if code != 0 {
			t.Fatalf("status --json: exit %d: %s", code, errs)
		}
		s = web.Status{}
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("status --json: %v\n%s", err, out)
		}
		if len(s.SIP.Accounts) == 1 && s.SIP.Accounts[0].State == "registered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not registered after 10 s: %+v\nlog:\n%s", s.SIP, d.log)
		}
	}
	if len(s.SIP.Listen) != 1 || !strings.HasPrefix(s.SIP.Listen[0], "udp:127.0.0.1:") || s.SIP.Listen[0] == "udp:127.0.0.1:0" {
		t.Fatalf("listening on %q, want the port picked for udp:127.0.0.1:0", s.SIP.Listen)
	}
	addr := strings.TrimPrefix(s.SIP.Listen[0], "udp:")
	a := s.SIP.Accounts[0]
	if a.Name != "office" || a.Registrar != "sip:"+k.Addr() || !strings.Contains(a.Contact, "@"+addr) {
		t.Errorf("account %+v, want office at sip:%s with a contact at %s", a, k.Addr(), addr)
	}
	// Kamailio caps the lifetime at 60 s.
	if a.ExpiresIn == nil || time.Duration(*a.ExpiresIn) > 60*time.Second {
		t.Errorf("expires in %v, want Kamailio's 60 s at most", a.ExpiresIn)
	}
	contacts, err := k.Contacts("gw")
	if err != nil {
		t.Fatal(err)
	}
	if len(contacts) != 1 || !strings.Contains(contacts[0].Address, "@"+addr) {
		t.Fatalf("Kamailio's location table has %+v, want the gateway's contact at %s", contacts, addr)
	}

	code, out, errs := d.cli("status")
	row := `^office\s+` + regexp.QuoteMeta("sip:"+k.Addr()) + `\s+registered\s+` + regexp.QuoteMeta("udp:"+k.Addr()) + `\s+as ` + regexp.QuoteMeta(a.Contact) + `, expires in `
	if code != 0 || !regexpLine(out, row) || !strings.Contains(out, "SIP: listening on udp:"+addr+";") {
		t.Fatalf("status: exit %d %s\n%s", code, errs, out)
	}

	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, d.log)
	}
	if contacts, err := k.Contacts("gw"); err != nil || len(contacts) != 0 {
		t.Fatalf("after the daemon stopped, Kamailio has %+v (%v), want no contact\nlog:\n%s", contacts, err, d.log)
	}
}
