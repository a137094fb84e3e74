package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"tipring/web"
)

// buildTipring builds the binary once per test run.
func buildTipring(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tipring")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// daemon is a "tipring serve" subprocess.
type daemon struct {
	cmd  *exec.Cmd
	sock string
	log  *bytes.Buffer
}

func startDaemon(t *testing.T, bin string, args ...string) *daemon {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "ctl.sock")
	d := &daemon{sock: sock, log: new(bytes.Buffer)}
	d.cmd = exec.Command(bin, append([]string{"serve", "-socket", sock}, args...)...)
	d.cmd.Stderr = d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			return d
		}
	}
	t.Fatalf("no control socket after 10 s; log:\n%s", d.log)
	return nil
}

// cli runs a tipring command in-process against the daemon.
func (d *daemon) cli(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(append(args, "--socket", d.sock), &o, &e)
	return code, o.String(), e.String()
}

func TestServeAndCLI(t *testing.T) {
	bin := buildTipring(t)
	d := startDaemon(t, bin)

	fi, err := os.Stat(d.sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("control socket mode: %v %v", fi.Mode(), err)
	}
	if code, out, errs := d.cli("sim", "offhook", "1"); code != 0 || out != "line 1: phone off-hook\n" {
		t.Fatalf("sim offhook 1: %d %q %q", code, out, errs)
	}
	var out string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var code int
		code, out, _ = d.cli("status")
		if code == 0 && regexpLine(out, `^1\s+fxs\s+1001\s+dial-tone\s+-\s+phone off-hook`) && regexpLine(out, `^3\s+fxo\s+-\s+idle\s`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status:\n%s", out)
		}
	}
	code, out, _ := d.cli("status", "--json")
	var s web.Status
	if err := json.Unmarshal([]byte(out), &s); code != 0 || err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	if s.Board != "sim" || len(s.Lines) != 4 || s.Lines[0].Hook != "off-hook" || s.Lines[1].Hook != "on-hook" || *s.Lines[2].LineVoltage != 48 {
		t.Fatalf("status --json: %+v", s)
	}

	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"sim", "offhook", "1"}, "tipring: line 1 is already off hook\n"},
		{[]string{"sim", "onhook", "9"}, "tipring: line 9: no such line (the board has lines 1 to 4)\n"},
		{[]string{"sim", "dial", "3", "123"}, "tipring: line 3 is fxo: dial is for fxs lines\n"},
		{[]string{"sim", "dial", "1", "12x"}, "tipring: line 1: cannot dial 'x': DTMF digits are 0-9 * # A-D\n"},
		{[]string{"sim", "hangup", "3"}, "tipring: line 3 is idle: no call to hang up\n"},
		{[]string{"sim", "hangup", "3", "--by", "smoke"}, "tipring: unknown hang-up method \"smoke\" (want loop, polarity or busy)\n"},
		{[]string{"sim", "offhook", "one"}, "tipring: \"one\" is not a line number\n"},
		{[]string{"sim", "play", "1", "/nonexistent.wav"}, "tipring: open /nonexistent.wav: no such file or directory\n"},
	} {
		code, _, errs := d.cli(tc.args...)
		if code != 1 || errs != tc.err {
			t.Errorf("%q: exit %d, stderr %q; want 1, %q", tc.args, code, errs, tc.err)
		}
	}

	if code, out, errs := d.cli("sim", "ring", "3", "--cid", "5551234,Alice Smith"); code != 0 || !strings.Contains(out, `ringing, caller ID 5551234 "Alice Smith"`) {
		t.Fatalf("sim ring: %d %q %q", code, out, errs)
	}
	if code, out, _ := d.cli("sim", "list"); code != 0 || !regexpLine(out, `^3\s+fxo\s+exchange\s+ringing`) || !regexpLine(out, `^1\s+fxs\s+phone\s+phone off-hook`) {
		t.Fatalf("sim list:\n%s", out)
	}
	code, out, _ = d.cli("status")
	if !regexpLine(out, `^3\s+fxo\s+-\s+(ringing|idle)\s`) {
		t.Fatalf("status while ringing:\n%s", out)
	}

	// Play a tone into line 1 and record line 2: both work, and a recording
	// has the length asked for.
	dir := t.TempDir()
	tone := make([]int16, 4000)
	for i := range tone {
		tone[i] = int16(8000 * ((i / 4) % 2))
	}
	in, rec := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
	if err := writeWAV(in, tone); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := d.cli("sim", "play", "1", in); code != 0 || out != "line 1: playing "+in+" (0.5 s)\n" {
		t.Fatalf("sim play: %d %q %q", code, out, errs)
	}
	if code, _, errs := d.cli("sim", "record", "2", rec, "--seconds", "0.3"); code != 0 {
		t.Fatalf("sim record: %q", errs)
	}
	if got, err := readWAV(rec); err != nil || len(got) != 2400 {
		t.Fatalf("recording: %d samples, %v", len(got), err)
	}

	// The built binary's exit status, and a clean stop within 2 s.
	if err := exec.Command(bin, "sim", "onhook", "7", "--socket", d.sock).Run(); err == nil || err.(*exec.ExitError).ExitCode() != 1 {
		t.Fatalf("tipring sim onhook 7: %v", err)
	}
	start := time.Now()
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, d.log)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("stopping took %v", el)
	}
	if _, err := os.Stat(d.sock); err == nil {
		t.Fatal("the control socket is left behind")
	}
	for _, want := range []string{`msg="tipring starting"`, `config="built-in defaults"`, `msg=sim line=3 action=ring`, `msg="tipring stopped"`} {
		if !strings.Contains(d.log.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, d.log)
		}
	}
	code, _, errs := d.cli("status")
	if want := "tipring: cannot reach tipring at " + d.sock + ": is \"tipring serve\" running?\n"; code != 1 || errs != want {
		t.Fatalf("status with no daemon: %d %q", code, errs)
	}
}

// TestServeTLS checks a tls listener serves sip.tls_cert.
func TestServeTLS(t *testing.T) {
	pki := newTestPKI(t)
	conf := filepath.Join(t.TempDir(), "tipring.toml")
	err := os.WriteFile(conf, fmt.Appendf(nil, "[sip]\nlisten = [\"tls:127.0.0.1:0\"]\ntls_cert = %q\ntls_key = %q\n", pki.cert, pki.key), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, buildTipring(t), "-config", conf)
	var s web.Status
	code, out, errs := d.cli("status", "--json")
	if err := json.Unmarshal([]byte(out), &s); code != 0 || err != nil {
		t.Fatalf("status --json: %v %s\n%s", err, errs, out)
	}
	if len(s.SIP.Listen) != 1 || !strings.HasPrefix(s.SIP.Listen[0], "tls:127.0.0.1:") {
		t.Fatalf("listening on %q, want tls on 127.0.0.1\nlog:\n%s", s.SIP.Listen, d.log)
	}
	roots := x509.NewCertPool()
	roots.AddCert(pki.caCert)
	c, err := tls.Dial("tcp", strings.TrimPrefix(s.SIP.Listen[0], "tls:"), &tls.Config{RootCAs: roots, ServerName: "gw.test"})
	if err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	defer c.Close()
	if got := c.ConnectionState().PeerCertificates[0]; !got.Equal(pki.leaf) {
		t.Errorf("served %q, want sip.tls_cert", got.Subject)
	}
}

func TestServeRefusesBadConfigAndSecondInstance(t *testing.T) {
	bin := buildTipring(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[device]\ncountry = \"XX\"\n[[lines]]\nid = 1\nkind = \"fxs\"\nnumber = \"12a\"\n"), 0o600)
	out, err := exec.Command(bin, "serve", "-config", bad, "-socket", filepath.Join(dir, "s")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "device.country") || !strings.Contains(string(out), "lines[0].number") {
		t.Fatalf("serve with a bad config: %v\n%s", err, out)
	}

	d := startDaemon(t, bin)
	out, err = exec.Command(bin, "serve", "-socket", d.sock).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is in use: is another tipring running?") {
		t.Fatalf("second serve: %v\n%s", err, out)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"sim", "-h"}, {"sim", "dial", "-h"}, {"status", "-h"}, {"serve", "-h"}} {
		var o, e bytes.Buffer
		if code := run(args, &o, &e); code != 0 || !strings.Contains(e.String(), "usage: tipring") {
			t.Errorf("%q: exit %d, stderr %q", args, code, e.String())
		}
	}
	var o, e bytes.Buffer
	if code := run([]string{"sim", "dial", "1"}, &o, &e); code != 1 || !strings.Contains(e.String(), "usage: tipring sim dial N DIGITS") {
		t.Errorf("sim dial with too few arguments: %d %q", code, e.String())
	}
}

// regexpLine reports whether a line of text matches expr.
func regexpLine(text, expr string) bool {
	return regexp.MustCompile("(?m)" + expr).MatchString(text)
}
