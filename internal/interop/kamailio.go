package interop

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tipring/internal/testtool"
)

// KamailioOpts configures a Kamailio registrar and proxy.
type KamailioOpts struct {
	// Users maps each user name to its password. Only these users can
	// register and place calls.
	Users map[string]string
	// Domain is the SIP domain of the users and the digest realm. Empty
	// means the server's own address, 127.0.0.1:port (realm 127.0.0.1);
	// a name such as "pbx.test" becomes an alias of the server, which
	// clients then reach as their outbound proxy.
	Domain string
	// Algorithm is the digest algorithm of the challenges: MD5 (the
	// default) or SHA256.
	Algorithm string
	// Expires is the registration lifetime in seconds that the registrar
	// grants at most, and grants when a REGISTER asks for none. Zero
	// means 3600 with no maximum.
	Expires int
}

// Kamailio is a running Kamailio server. Stop and Start must be called from
// the test's goroutine, as they may call t.Fatal; the other methods from any.
type Kamailio struct {
	t      testing.TB
	bin    string
	dir    string
	port   int
	domain string
	proc   *process

	rpcMu sync.Mutex
}

// Contact is one registered contact of a user, as Kamailio's location table
// holds it.
type Contact struct {
	Address   string // the Contact URI
	Expires   int    // seconds left
	CallID    string // Call-ID of the REGISTER that saved it
	CSeq      int    // CSeq of the REGISTER that saved it
	UserAgent string // User-Agent header of that REGISTER, "n/a" without one
}

const (
	kamailioConf = "kamailio.cfg"
	kamailioLog  = "kamailio.log"
	rpcSocket    = "rpc.sock"
)

// errPortInUse reports that a server could not bind its port.
var errPortInUse = errors.New("port in use")

// StartKamailio starts Kamailio on 127.0.0.1, UDP and TCP on one free port,
// with a configuration generated into a temporary directory. The test is
// skipped when Kamailio is not installed (and fails under CI). Kamailio is
// stopped when the test ends; if the test failed, the tail of its log is
// printed.
func StartKamailio(t testing.TB, opts KamailioOpts) *Kamailio {
	t.Helper()
	bin := kamailioPath(t)
	if err := opts.check(); err != nil {
		t.Fatal(err)
	}
	k := &Kamailio{t: t, bin: bin, dir: t.TempDir()}
	logOnFailure(t, "Kamailio", k.logPath()) // runs after the stop below
	t.Cleanup(func() {
		if k.proc != nil {
			k.proc.stop(0)
		}
	})
	var err error
	for range 5 {
		if k.port, err = freePorts(1); err != nil {
			t.Fatal(err)
		}
		k.domain = opts.Domain
		if k.domain == "" {
			k.domain = k.Addr()
		}
		cfg, cerr := kamailioConfig(opts, k.port, k.dir)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if err := os.WriteFile(filepath.Join(k.dir, kamailioConf), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		if err = k.run(); !errors.Is(err, errPortInUse) {
			break
		}
	}
	if err != nil {
		t.Fatalf("kamailio: %v", err)
	}
	return k
}

// kamailioPath finds Kamailio, which Debian installs in /usr/sbin, a
// directory that users' PATH often lacks.
func kamailioPath(t testing.TB) string {
	if p, err := exec.LookPath("/usr/sbin/kamailio"); err == nil {
		return p
	}
	return testtool.Need(t, "kamailio")
}

// Addr returns the host:port Kamailio listens on, for UDP and TCP.
func (k *Kamailio) Addr() string { return fmt.Sprintf("127.0.0.1:%d", k.port) }

// Domain returns the SIP domain of its users: KamailioOpts.Domain, or Addr.
func (k *Kamailio) Domain() string { return k.domain }

// AOR returns the address of record of a user, sip:user@domain.
func (k *Kamailio) AOR(user string) string { return "sip:" + user + "@" + k.domain }

func (k *Kamailio) logPath() string { return filepath.Join(k.dir, kamailioLog) }

// Stop stops Kamailio. Registrations are kept in memory only, so a server
// started again has forgotten them.
//
// Kamailio is killed at once: on SIGTERM it waits for all its children,
// and at times one of them (the TCP main process) takes Kamailio's whole
// exit timeout to go, which gains a test nothing.
func (k *Kamailio) Stop() {
	k.t.Helper()
	if k.proc == nil {
		k.t.Fatal("kamailio: Stop: not running")
	}
	k.proc.stop(0)
	k.proc = nil
}

// Start starts a stopped Kamailio again, on the same port.
func (k *Kamailio) Start() {
	k.t.Helper()
	if k.proc != nil {
		k.t.Fatal("kamailio: Start: already running")
	}
	// The port was ours a moment ago; another test may hold it briefly.
	var err error
	for range 25 {
		if err = k.run(); !errors.Is(err, errPortInUse) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		k.t.Fatalf("kamailio: restart: %v", err)
	}
}

// run starts the process and waits until it answers a JSON-RPC request,
// which its RPC worker can only do once every listener is bound.
func (k *Kamailio) run() error {
	var logStart int64 // this run's part of the log, which restarts append to
	if fi, err := os.Stat(k.logPath()); err == nil {
		logStart = fi.Size()
	}
	// The RPC worker of a server killed a moment ago may still hold the
	// socket its name leads to, and swallow the first request; without
	// the name, requests fail at once until the new server binds it.
	if err := os.Remove(filepath.Join(k.dir, rpcSocket)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	p, err := startProcess(k.logPath(), syscall.SIGTERM, k.bin, "-DD", "-f", filepath.Join(k.dir, kamailioConf))
	if err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err = k.rpc("core.version"); err == nil {
			k.proc = p
			return nil
		}
		if p.exited() {
			p.stop(0) // and any child it left
			if b, _ := os.ReadFile(k.logPath()); strings.Contains(string(b[min(logStart, int64(len(b))):]), "Address already in use") {
				return errPortInUse
			}
			return fmt.Errorf("exited at start-up (%v)", p.err)
		}
		if time.Now().After(deadline) {
			p.stop(0)
			return fmt.Errorf("not ready after 10 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Contacts returns the contacts registered for user, none if it has none.
func (k *Kamailio) Contacts(user string) ([]Contact, error) {
	var r struct {
		Contacts []struct {
			Contact struct {
				Address   string
				Expires   int
				CallID    string `json:"Call-ID"`
				CSeq      int
				UserAgent string `json:"User-Agent"`
			}
		}
	}
	err := k.rpcInto(&r, "ul.lookup", "location", user)
	var rerr *rpcError
	if errors.As(err, &rerr) && strings.Contains(rerr.Message, "not found") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cs []Contact
	for _, c := range r.Contacts {
		c := c.Contact
		cs = append(cs, Contact{c.Address, c.Expires, c.CallID, c.CSeq, c.UserAgent})
	}
	return cs, nil
}
