package interop

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"tipring/internal/testtool"
)

// BaresipOpts configures a baresip phone.
type BaresipOpts struct {
	// User is the user part of the phone's address; default "baresip".
	User string
	// Registrar is the Kamailio the phone registers with, using User and
	// Password, and sends its calls through as outbound proxy. Nil means
	// no registrar: the phone is reached, and reaches others, by URIs
	// with an address and port (peer to peer).
	Registrar *Kamailio
	// Password is the digest password for Registrar.
	Password string
	// Mic names the WAV file (8 kHz mono 16-bit PCM) the phone sends as
	// its microphone in every call, from the call's start; silence
	// follows it. Empty means silence only.
	Mic string
	// MediaEnc is the account's media encryption, SRTP keyed with SDES
	// by baresip's srtp module: "srtp-mand" offers and accepts RTP/SAVP
	// only, "srtp" offers RTP/AVP with a=crypto and falls back to plain
	// RTP when the answer has none. Empty means plain RTP.
	MediaEnc string
}

// Baresip is a running baresip phone, driven through its ctrl_tcp module.
// Its methods may be called from any goroutine.
type Baresip struct {
	user string
	uri  string
	dir  string
	ctrl *ctrlClient
}

// baresipModules is where Debian's baresip-core installs the modules.
const baresipModules = "/usr/lib/baresip/modules"

// micLength is how much audio the microphone file holds: baresip 1.0.0
// hangs up a call when its aufile source reaches the end of the file.
const micLength = 5 * time.Minute

var (
	// passwordChars keeps passwords to what an account line carries
	// unquoted.
	passwordChars = regexp.MustCompile(`^[!#-+\--:=?-~]*$`)
	digitChars    = regexp.MustCompile(`^[0-9*#A-Da-d]+$`)
	audioDir      = regexp.MustCompile(`audio dir=(\w+)`)
)

// StartBaresip starts a baresip phone listening for SIP on 127.0.0.1 and
// creates its account; with a Registrar, the phone then registers, and the
// test can wait for the REGISTER_OK (or REGISTER_FAIL) event. The test is
// skipped when baresip is not installed (and fails under CI). The phone is
// stopped when the test ends; if the test failed, its events and the tail
// of its log are printed.
func StartBaresip(t testing.TB, opts BaresipOpts) *Baresip {
	t.Helper()
	bin := testtool.Need(t, "baresip")
	if _, err := os.Stat(baresipModules); err != nil {
		t.Fatalf("baresip: no modules: %v", err)
	}
	if err := opts.check(); err != nil {
		t.Fatal(err)
	}
	b := &Baresip{user: cmp.Or(opts.User, "baresip"), dir: t.TempDir()}
	if err := writeMic(filepath.Join(b.dir, "mic.wav"), opts.Mic); err != nil {
		t.Fatalf("baresip: microphone: %v", err)
	}
	logPath := filepath.Join(b.dir, "baresip.log")
	logOnFailure(t, "baresip "+b.user, logPath)

	proc, sipPort, err := runBaresip(bin, b.dir, logPath, opts.MediaEnc != "")
	if err != nil {
		t.Fatalf("baresip: %v", err)
	}
	t.Cleanup(func() {
		// Killed at once: an orderly exit would unregister, which can take
		// long, and gains a test nothing.
		proc.stop(0)
	})

	conn, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", sipPort+2))
	if err != nil {
		t.Fatalf("baresip: control connection: %v", err)
	}
	b.ctrl = newCtrlClient(conn)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("baresip %s events: %s", b.user, b.ctrl.eventList())
		}
		b.ctrl.close()
	})

	// The account is created over the control connection, so no event of
	// its registration can precede the connection.
	var account string
	if k := opts.Registrar; k != nil {
		b.uri = k.AOR(b.user)
		account = fmt.Sprintf("<%s>;auth_pass=%s;outbound=\"sip:%s\"", b.uri, opts.Password, k.Addr())
	} else {
		b.uri = fmt.Sprintf("sip:%s@127.0.0.1:%d", b.user, sipPort)
		account = fmt.Sprintf("<%s>;regint=0", b.uri)
	}
	if opts.MediaEnc != "" {
		account += ";mediaenc=" + opts.MediaEnc
	}
	if _, err := b.Command("uanew", account); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	return b
}

// check reports the first unusable option.
func (o BaresipOpts) check() error {
	if u := cmp.Or(o.User, "baresip"); !userName.MatchString(u) {
		return fmt.Errorf("baresip: user %q: want 1 to 64 of A-Z a-z 0-9 + . _ ~ -", u)
	}
	if !passwordChars.MatchString(o.Password) {
		return fmt.Errorf("baresip: password %q: want printable ASCII other than space \" , ; < >", o.Password)
	}
	switch o.MediaEnc {
	case "", "srtp", "srtp-mand":
	default:
		return fmt.Errorf("baresip: media encryption %q: want \"srtp\", \"srtp-mand\" or none", o.MediaEnc)
	}
	return nil
}

// writeMic writes the microphone file: the samples of src, if any, then
// silence up to micLength.
func writeMic(path, src string) error {
	var s []int16
	if src != "" {
		var err error
		if s, err = ReadWAV(src); err != nil {
			return err
		}
	}
	n := int(micLength.Seconds()) * SampleRate
	if len(s) < n {
		s = append(s, make([]int16, n-len(s))...)
	}
	return WriteWAV(path, s)
}

// The configuration loads only what a test needs: G.711 (so that every
// recording is 8 kHz), aufile as the microphone, sndfile to record, menu for
// the commands, ctrl_tcp to drive it, and srtp for an account with media
// encryption. telephone-event is offered by the core in every SDP. No sound
// card: the player is an aubridge device that no source ever joins, so it
// plays nothing; received audio is still decoded, and recorded, packet by
// packet. DNS, never needed for URIs with addresses, would go to loopback.
var baresipTemplate = template.Must(template.New("config").Parse(`# Written by tipring/internal/interop for one test.
poll_method		epoll
sip_listen		127.0.0.1:{{.SIP}}
net_interface		127.0.0.1
dns_server		127.0.0.1:53
call_local_timeout	120
call_max_calls		4
audio_player		aubridge,nowhere
audio_alert		aubridge,nowhere
audio_source		aufile,{{.Dir}}/mic.wav
ausrc_srate		8000
auplay_srate		8000
ausrc_channels		1
auplay_channels		1
rtp_stats		no
module_path		` + baresipModules + `
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
{{if .SRTP}}module			srtp.so
{{end}}module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:{{.Ctrl}}
snd_path		{{.Dir}}
ringback_disabled	yes
`))

// runBaresip starts baresip with its configuration in dir, on new ports
// while other programs take the ones it is given before it binds them. It
// returns the process and the SIP port. With srtp, the srtp module is
// loaded.
func runBaresip(bin, dir, logPath string, srtp bool) (*process, int, error) {
	for range 5 {
		// SIP on UDP and TCP, TLS on the next port (baresip opens it
		// even without a certificate), then the control port.
		port, err := freePorts(3)
		if err != nil {
			return nil, 0, err
		}
		if err := writeBaresipConfig(dir, port, srtp); err != nil {
			return nil, 0, err
		}
		os.Remove(logPath) // the log of an attempt that failed
		p, err := startProcess(logPath, syscall.SIGKILL, bin, "-f", dir)
		if err != nil {
			return nil, 0, err
		}
		// baresip gets ready even when ctrl_tcp could not bind; its log
		// tells.
		log, err := waitLog(p, logPath, "baresip is ready", 10*time.Second)
		if err == nil && !strings.Contains(log, "Address already in use") {
			return p, port, nil
		}
		p.stop(0)
		if !strings.Contains(log, "Address already in use") {
			return nil, 0, err
		}
	}
	return nil, 0, errors.New("ports taken by others in 5 tries")
}

func writeBaresipConfig(dir string, sipPort int, srtp bool) error {
	var b strings.Builder
	err := baresipTemplate.Execute(&b, struct {
		Dir       string
		SIP, Ctrl int
		SRTP      bool
	}{dir, sipPort, sipPort + 2, srtp})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config"), []byte(b.String()), 0o644)
}

// User returns the user part of the phone's address (BaresipOpts.User).
func (b *Baresip) User() string { return b.user }

// URI returns the URI that reaches the phone: its address of record at the
// registrar, or without one its own sip:user@127.0.0.1:port.
func (b *Baresip) URI() string { return b.uri }

// Command runs a baresip command (see its /help: "dial", "accept",
// "listcalls", "answermode", ...) and returns what it printed.
func (b *Baresip) Command(cmd, params string) (string, error) {
	out, err := b.ctrl.command(cmd, params)
	if err != nil {
		return out, fmt.Errorf("baresip %s: %w", b.user, err)
	}
	return out, nil
}

// WaitEvent returns the earliest event of type typ that no WaitEvent has
// returned yet, waiting for one until ctx ends.
func (b *Baresip) WaitEvent(ctx context.Context, typ string) (Event, error) {
	e, err := b.ctrl.waitEvent(ctx, typ)
	if err != nil {
		return e, fmt.Errorf("baresip %s: %w", b.user, err)
	}
	return e, nil
}

// Dial calls uri.
func (b *Baresip) Dial(uri string) error {
	_, err := b.Command("dial", uri)
	return err
}

// Accept answers the incoming call.
func (b *Baresip) Accept() error {
	_, err := b.Command("accept", "")
	return err
}

// Hangup ends the current call, or rejects the incoming one.
func (b *Baresip) Hangup() error {
	_, err := b.Command("hangup", "")
	return err
}

// SendDTMF sends digits (0-9, *, #, A-D) as RFC 4733 telephone-events, one
// after the other.
func (b *Baresip) SendDTMF(digits string) error {
	if !digitChars.MatchString(digits) {
		return fmt.Errorf("baresip %s: DTMF digits %q: want 0-9 * # A-D", b.user, digits)
	}
	_, err := b.Command("sndcode", digits)
	return err
}

// Hold puts the current call on hold: a re-INVITE offering a=sendonly.
func (b *Baresip) Hold() error {
	_, err := b.Command("hold", "")
	return err
}

// Resume takes the current call off hold: a re-INVITE offering a=sendrecv.
func (b *Baresip) Resume() error {
	_, err := b.Command("resume", "")
	return err
}

// Transfer asks the peer of the current call to call uri instead (a REFER,
// RFC 3515).
func (b *Baresip) Transfer(uri string) error {
	_, err := b.Command("transfer", uri)
	return err
}

// AudioDir returns the direction of the current call's audio as baresip
// applies it: "sendrecv", "sendonly", "recvonly" or "inactive".
func (b *Baresip) AudioDir() (string, error) {
	out, err := b.Command("audio_debug", "")
	if err != nil {
		return "", err
	}
	m := audioDir.FindStringSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("baresip %s: no audio direction in %q", b.user, out)
	}
	return m[1], nil
}

// RecordingPath returns the WAV file (8 kHz mono 16-bit PCM) of what the
// phone heard in its latest call. baresip names the files by the second the
// call's audio started, so of two calls started within a second only the
// later is kept. Recording stops at the call's first re-INVITE: baresip
// 1.0.0 drops the recorder from the receiving side when it updates the
// stream (hold, resume).
func (b *Baresip) RecordingPath() (string, error) {
	files, err := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if err != nil {
		return "", err
	}
	if len(files) == 0 {
		return "", fmt.Errorf("baresip %s: no call recorded", b.user)
	}
	return slices.Max(files), nil // the names sort by time
}

// Recording returns what the phone heard in its latest call, waiting until
// the recording holds at least d of audio or ctx ends. A call in progress
// can be measured: what was received so far is on disk.
func (b *Baresip) Recording(ctx context.Context, d time.Duration) ([]int16, error) {
	want := int(d.Seconds() * SampleRate)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		path, err := b.RecordingPath()
		var s []int16
		if err == nil {
			s, err = ReadWAV(path)
		}
		if err == nil && len(s) >= want {
			return s, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("%v of audio recorded", time.Duration(len(s))*time.Second/SampleRate)
			}
			return s, errors.Join(fmt.Errorf("baresip %s: waiting for %v of recording: %w", b.user, d, ctx.Err()), err)
		}
	}
}
