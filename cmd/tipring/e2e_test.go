package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tipring/dsp/dtmf"
	"tipring/internal/interop"
	"tipring/web"
)

// The end-to-end tests run the real daemon on the simulated board with a
// real baresip as the SIP phone at the far end, gateway to phone with no
// proxy between them, and drive the board's phones and exchange lines with
// "tipring sim". Every check of audio measures what was heard.

// e2eTimeout bounds each end-to-end test. A call takes a few seconds of
// line signalling (ringing, dialling); the rest is slack for a loaded
// machine running the race detector.
const e2eTimeout = 30 * time.Second

// baresip's number, which the board's lines dial; the number of FXS line
// 1; and a PSTN number, of the caller on FXO line 2 or the party it calls.
const (
	farUser   = "2000"
	fxsNumber = "1001"
	pstnNum   = "5551234"
)

// The tones of the audio checks, at -15 dBFS: the ITU-T test tone from the
// board's lines, and one well apart from it, and from every DTMF frequency,
// from baresip.
const (
	lineTone = 1004
	farTone  = 440
	toneAmp  = 8000
)

// e2eOpts adds keys to the daemon's configuration.
type e2eOpts struct {
	sip string // in [sip]
	fxo string // in the FXO line's [[lines]]
	// farMic is what baresip's microphone plays from the start of each
	// call; nil is silence.
	farMic []int16
}

// e2e is one end-to-end test's gateway: the daemon with an FXS line 1
// (number 1001) and an FXO line 2 whose PSTN callers reach baresip, and
// baresip, which the gateway's account calls directly and which calls the
// gateway at its address. Calls for seven-digit numbers go out on line 2.
type e2e struct {
	t   *testing.T
	ctx context.Context // ends with the test or at e2eTimeout
	d   *daemon
	log *daemonLog
	far *interop.Baresip
	gw  string // the gateway's SIP address, host:port
}

// newE2E starts baresip, then the daemon built at bin.
func newE2E(t *testing.T, bin string, opts e2eOpts) *e2e {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), e2eTimeout)
	t.Cleanup(cancel)
	e := &e2e{t: t, ctx: ctx}
	dir := t.TempDir()
	bo := interop.BaresipOpts{User: farUser}
	if opts.farMic != nil {
		bo.Mic = filepath.Join(dir, "mic.wav")
		e.must(interop.WriteWAV(bo.Mic, opts.farMic))
	}
	e.far = interop.StartBaresip(t, bo)
	_, farAddr, _ := strings.Cut(e.far.URI(), "@") // sip:user@host:port

	conf := filepath.Join(dir, "tipring.toml")
	e.must(os.WriteFile(conf, fmt.Appendf(nil, `
[device]
country = "US"

[sip]
listen = ["udp:127.0.0.1:0"]
rtp_ports = "30000-30999"
%s

[[accounts]]
name = "direct"
proxy = "sip:%s"
domain = "127.0.0.1"
user = "gw"

[[lines]]
id = 1
kind = "fxs"
number = %q

[[lines]]
id = 2
kind = "fxo"
hotline = %q
%s

[[routing.inbound]]
match = "[2-9]xxxxxx"
lines = [2]
`, opts.sip, farAddr, fxsNumber, farUser, opts.fxo), 0o600))
	e.startDaemon(bin, conf)
	e.gw = e.listening("udp")
	return e
}

// listening waits for the daemon to listen for SIP on its one transport,
// and returns the address, host:port.
func (e *e2e) listening(transport string) string {
	e.t.Helper()
	var s web.Status
	e.waitFor("the gateway to listen for SIP", func() bool { s = e.status(); return len(s.SIP.Listen) == 1 },
		func() string { return fmt.Sprintf("listening on %q", s.SIP.Listen) })
	addr, ok := strings.CutPrefix(s.SIP.Listen[0], transport+":")
	if !ok {
		e.t.Fatalf("listening on %s, want %s", s.SIP.Listen[0], transport)
	}
	return addr
}

// startDaemon runs "tipring serve" from bin with the configuration file
// conf, as startDaemon does, but with its log readable while it runs.
func (e *e2e) startDaemon(bin, conf string) {
	e.t.Helper()
	sock := filepath.Join(e.t.TempDir(), "ctl.sock")
	e.log = &daemonLog{changed: make(chan struct{})}
	cmd := exec.Command(bin, "serve", "-socket", sock, "-config", conf)
	cmd.Stderr = e.log
	e.must(cmd.Start())
	e.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if e.t.Failed() {
			e.t.Logf("daemon log:\n%s", e.log)
		}
	})
	e.d = &daemon{cmd: cmd, sock: sock}
	// The control socket listens before the daemon says it is starting.
	e.waitLog(0, `msg="tipring starting"`)
}

// daemonLog is what the daemon logged, to be read while it logs more.
type daemonLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed, and replaced, at every write
}

func (l *daemonLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.buf.Write(p)
}

func (l *daemonLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// size returns how much has been logged: where the next line begins.
func (l *daemonLog) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Len()
}

// waitLog waits until the daemon has logged want past offset from.
func (e *e2e) waitLog(from int, want string) {
	e.t.Helper()
	for {
		e.log.mu.Lock()
		found := bytes.Contains(e.log.buf.Bytes()[from:], []byte(want))
		changed := e.log.changed
		e.log.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-e.ctx.Done():
			e.t.Fatalf("waiting for the daemon to log %s: %v", want, e.ctx.Err())
		}
	}
}

func (e *e2e) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// cli runs a tipring command against the daemon and returns its output,
// failing the test if the command fails.
func (e *e2e) cli(args ...string) string {
	e.t.Helper()
	code, out, errs := e.d.cli(args...)
	if code != 0 {
		e.t.Fatalf("tipring %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

func (e *e2e) sim(args ...string) string {
	e.t.Helper()
	return e.cli(append([]string{"sim"}, args...)...)
}

func (e *e2e) status() web.Status {
	e.t.Helper()
	var s web.Status
	out := e.cli("status", "--json")
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		e.t.Fatalf("status --json: %v\n%s", err, out)
	}
	return s
}

// simLine returns line n as "tipring sim list --json" shows it.
func (e *e2e) simLine(n int) web.SimLine {
	e.t.Helper()
	var lines []web.SimLine
	out := e.sim("list", "--json")
	if err := json.Unmarshal([]byte(out), &lines); err != nil {
		e.t.Fatalf("sim list --json: %v\n%s", err, out)
	}
	for _, l := range lines {
		if l.ID == n {
			return l
		}
	}
	e.t.Fatalf("sim list --json has no line %d:\n%s", n, out)
	return web.SimLine{}
}

// waitFor polls cond until it holds, failing the test with what if it
// does not by the test's deadline; show describes what was seen instead.
func (e *e2e) waitFor(what string, cond func() bool, show func() string) {
	e.t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-e.ctx.Done():
			e.t.Fatalf("waiting for %s: %v; %s", what, e.ctx.Err(), show())
		}
	}
}

// waitActivity waits until line n's activity, as "tipring status --json"
// shows it, is want.
func (e *e2e) waitActivity(n int, want string) {
	e.t.Helper()
	var l web.LineStatus
	e.waitFor(fmt.Sprintf("line %d to be %s", n, want), func() bool {
		l = e.status().Lines[n-1]
		return l.Activity == want
	}, func() string { return fmt.Sprintf("line %d is %+v", n, l) })
}

// waitExchange waits until the exchange behind FXO line n is in state want.
func (e *e2e) waitExchange(n int, want string) {
	e.t.Helper()
	var x *web.SimExchange
	e.waitFor(fmt.Sprintf("the exchange of line %d to be %s", n, want), func() bool {
		x = e.simLine(n).Exchange
		return x.State == want
	}, func() string { return fmt.Sprintf("the exchange is %+v", x) })
}

// event waits for baresip's next event of type typ.
func (e *e2e) event(typ string) interop.Event {
	e.t.Helper()
	ev, err := e.far.WaitEvent(e.ctx, typ)
	e.must(err)
	return ev
}

// noEvent fails the test if baresip has had an event of type typ not
// waited for yet.
func (e *e2e) noEvent(typ, when string) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if ev, err := e.far.WaitEvent(ctx, typ); err == nil {
		e.t.Errorf("%s: baresip had %v", when, ev)
	}
}

// play plays samples into line n: the phone's or the far party's voice.
func (e *e2e) play(n int, samples []int16) {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "play.wav")
	e.must(interop.WriteWAV(path, samples))
	e.sim("play", fmt.Sprint(n), path)
}

// record returns d of what the gateway sends to line n from now on.
func (e *e2e) record(n int, d time.Duration) []int16 {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "rec.wav")
	e.sim("record", fmt.Sprint(n), path, "--seconds", fmt.Sprint(d.Seconds()))
	s, err := interop.ReadWAV(path)
	e.must(err)
	return s
}

// recordWhile returns d of what the gateway sends to line n, from before
// act runs.
func (e *e2e) recordWhile(n int, d time.Duration, act func()) []int16 {
	e.t.Helper()
	path := filepath.Join(e.t.TempDir(), "rec.wav")
	args := []string{"sim", "record", fmt.Sprint(n), path, "--seconds", fmt.Sprint(d.Seconds())}
	from := e.log.size()
	done := make(chan string, 1)
	go func() {
		code, _, errs := e.d.cli(args...)
		if code != 0 {
			errs = fmt.Sprintf("tipring %s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
		done <- errs
	}()
	// The daemon logs the recording once it runs.
	e.waitLog(from, fmt.Sprintf("msg=sim line=%d action=record", n))
	act()
	if errs := <-done; errs != "" {
		e.t.Fatal(errs)
	}
	s, err := interop.ReadWAV(path)
	e.must(err)
	return s
}

// farHears plays samples into line n and returns the second of them that
// baresip heard, from half a second into them: past where the stream
// carried them from.
func (e *e2e) farHears(n int, samples []int16) []int16 {
	e.t.Helper()
	before, err := e.far.Recording(e.ctx, 0) // the call so far
	e.must(err)
	from := len(before)
	e.play(n, samples)
	s, err := e.far.Recording(e.ctx, time.Duration(from)*time.Second/interop.SampleRate+1500*time.Millisecond)
	e.must(err)
	return s[from+interop.SampleRate/2 : from+3*interop.SampleRate/2]
}

// checkTone checks that s is the tone of f Hz sent at toneAmp: its energy
// at f, and its level, which G.711 leaves within half a dB and the lines
// neither raise nor lower.
func checkTone(t *testing.T, who string, s []int16, f float64) {
	t.Helper()
	// Frame by frame: a frame a jitter buffer repeats or fills under load
	// breaks the tone's phase, which a whole-second measure would count
	// as other sound.
	if share := interop.FrameToneShare(s, f); share < 0.9 {
		t.Errorf("%s heard %.2f of the energy at %v Hz, frame by frame, want 0.9 or more", who, share, f)
	}
	want := interop.LevelDB(interop.Tone(f, toneAmp, time.Second))
	if got := interop.LevelDB(s); math.Abs(got-want) > 1 {
		t.Errorf("%s heard %.1f dBFS, want %.1f dBFS ± 1", who, got, want)
	}
}

// phoneCallsFar takes the phone on FXS line 1 off hook and dials baresip,
// which answers. It returns baresip's event of the call coming in.
func (e *e2e) phoneCallsFar() interop.Event {
	e.t.Helper()
	e.sim("offhook", "1")
	e.waitActivity(1, "dial-tone")
	e.sim("dial", "1", farUser+"#")
	in := e.event("CALL_INCOMING")
	e.must(e.far.Accept())
	e.event("CALL_ESTABLISHED")
	e.waitActivity(1, "talking")
	return in
}

// TestE2EPhoneCallsOut: the phone on FXS line 1 dials baresip's number,
// baresip answers, each hears the other's tone, and the phone hangs up.
func TestE2EPhoneCallsOut(t *testing.T) {
	e := newE2E(t, buildTipring(t), e2eOpts{farMic: interop.Tone(farTone, toneAmp, 20*time.Second)})
	if in := e.phoneCallsFar(); !strings.HasPrefix(in.Peer, "sip:"+fxsNumber+"@") {
		t.Errorf("baresip: call from %q, want from %s", in.Peer, fxsNumber)
	}
	heard := e.record(1, 1200*time.Millisecond)
	checkTone(t, "the phone", heard[interop.SampleRate/5:], farTone)
	checkTone(t, "baresip", e.farHears(1, interop.Tone(lineTone, toneAmp, 3*time.Second)), lineTone)

	e.sim("onhook", "1")
	e.event("CALL_CLOSED")
	e.waitActivity(1, "idle")
}

// TestE2ECallToPhone: baresip calls the number of FXS line 1 with a
// display name; the phone rings and shows baresip's number and name,
// decoded from the line's caller ID signal, and answering connects the
// call.
func TestE2ECallToPhone(t *testing.T) {
	e := newE2E(t, buildTipring(t), e2eOpts{farMic: interop.Tone(farTone, toneAmp, 20*time.Second)})
	// baresip's account has no display name: the call goes out from a
	// second identity of the phone's that has one.
	const user, name = "2001", "Alice Smith"
	_, farAddr, _ := strings.Cut(e.far.URI(), "@")
	_, err := e.far.Command("uanew", fmt.Sprintf(`"%s" <sip:%s@%s>;regint=0`, name, user, farAddr))
	e.must(err)
	_, err = e.far.Command("uafind", "sip:"+user+"@"+farAddr)
	e.must(err)
	e.must(e.far.Dial("sip:" + fxsNumber + "@" + e.gw))

	e.waitActivity(1, "ringing")
	var p *web.SimPhone
	e.waitFor("the phone to ring", func() bool { p = e.simLine(1).Phone; return p.Ringing },
		func() string { return fmt.Sprintf("the phone is %+v", p) })
	e.waitFor("the phone to show a caller ID", func() bool { p = e.simLine(1).Phone; return p.CallerID != nil },
		func() string { return fmt.Sprintf("the phone is %+v", p) })
	if got, want := *p.CallerID, (web.CallerID{Number: user, Name: name}); got != want {
		t.Errorf("the phone shows caller ID %+v, want %+v", got, want)
	}

	e.sim("offhook", "1")
	e.event("CALL_ESTABLISHED")
	e.waitActivity(1, "talking")
	checkTone(t, "the phone", e.record(1, 1200*time.Millisecond)[interop.SampleRate/5:], farTone)
	e.must(e.far.Hangup())
	e.waitActivity(1, "cleared")
}

// TestE2EPSTNCallToPhone: a PSTN caller rings FXO line 2 with caller ID;
// the line calls baresip with the caller's number, and baresip's answer
// answers the PSTN call: each hears the other.
func TestE2EPSTNCallToPhone(t *testing.T) {
	e := newE2E(t, buildTipring(t), e2eOpts{farMic: interop.Tone(farTone, toneAmp, 20*time.Second)})
	e.sim("ring", "2", "--cid", pstnNum+",Bob")
	in := e.event("CALL_INCOMING")
	if !strings.HasPrefix(in.Peer, "sip:"+pstnNum+"@") {
		t.Errorf("baresip: call from %q, want from %s", in.Peer, pstnNum)
	}
	if from, err := e.far.Peer(); err != nil || !strings.HasPrefix(from, "Bob <sip:"+pstnNum+"@") {
		t.Errorf("baresip: call from %q (%v), want from Bob <sip:%s@...>", from, err, pstnNum)
	}
	e.must(e.far.Accept())
	e.event("CALL_ESTABLISHED")
	e.waitExchange(2, "connected")
	e.waitActivity(2, "talking")
	checkTone(t, "baresip", e.farHears(2, interop.Tone(lineTone, toneAmp, 3*time.Second)), lineTone)
	checkTone(t, "the PSTN caller", e.record(2, 1200*time.Millisecond)[interop.SampleRate/5:], farTone)

	e.must(e.far.Hangup())
	e.waitExchange(2, "idle")
	e.waitActivity(2, "idle")
}

// TestE2ECallToPSTN: baresip calls a PSTN number; FXO line 2 seizes the
// exchange line and dials the number, and on a line set to wait for the
// answer's polarity reversal, the call is answered only with it.
func TestE2ECallToPSTN(t *testing.T) {
	e := newE2E(t, buildTipring(t), e2eOpts{fxo: `answer = "polarity"`})
	e.must(e.far.Dial("sip:" + pstnNum + "@" + e.gw))
	var x *web.SimExchange
	e.waitFor("the exchange to take the number", func() bool { x = e.simLine(2).Exchange; return x.Dialed == pstnNum },
		func() string { return fmt.Sprintf("the exchange is %+v", x) })
	// The exchange rings the called party once the number is complete:
	// by then a gateway that answered without waiting would have.
	e.waitExchange(2, "ringback")
	if l := e.status().Lines[1]; l.Activity != "progress" {
		t.Errorf("line 2 is %s while the called party rings, want progress", l.Activity)
	}
	e.noEvent("CALL_ESTABLISHED", "before the called party answered")

	e.sim("answer", "2", "--reverse")
	e.event("CALL_ESTABLISHED")
	e.waitActivity(2, "talking")
	checkTone(t, "baresip", e.farHears(2, interop.Tone(lineTone, toneAmp, 3*time.Second)), lineTone)
	e.must(e.far.Hangup())
	e.waitExchange(2, "idle")
}

// e2eCall is how a test call reaches the talking state on FXO line 2.
type e2eCall func(e *e2e)

// pstnCaller: a PSTN caller rings line 2, which calls baresip; baresip
// answers once the line holds the call, as a person does some time after
// the phone rings.
func pstnCaller(e *e2e) {
	e.t.Helper()
	e.sim("ring", "2", "--cid", pstnNum)
	e.event("CALL_INCOMING")
	e.waitFor("line 2 to hold its call", func() bool { return e.status().Lines[1].Call != nil },
		func() string { return fmt.Sprintf("line 2 is %+v", e.status().Lines[1]) })
	e.must(e.far.Accept())
	e.event("CALL_ESTABLISHED")
	e.waitExchange(2, "connected")
	e.waitActivity(2, "talking")
}

// pstnCallee: baresip calls a PSTN number through line 2, whose called
// party answers with a polarity reversal; the line waits for it
// (answer = "polarity").
func pstnCallee(e *e2e) {
	e.t.Helper()
	e.must(e.far.Dial("sip:" + pstnNum + "@" + e.gw))
	var x *web.SimExchange
	e.waitFor("the exchange to take the number", func() bool { x = e.simLine(2).Exchange; return x.Dialed == pstnNum },
		func() string { return fmt.Sprintf("the exchange is %+v", x) })
	e.waitActivity(2, "progress")
	e.sim("answer", "2", "--reverse")
	e.event("CALL_ESTABLISHED")
	e.waitActivity(2, "talking")
}

// TestE2EDisconnectSupervision: each sign of the PSTN far end hanging up
// that an FXO line heeds ends the SIP call and frees the line, in calls
// both ways; so do silence on the line and a SIP peer that stops sending
// RTP.
func TestE2EDisconnectSupervision(t *testing.T) {
	const answer = `answer = "polarity"`
	bin := buildTipring(t)
	for _, tc := range []struct {
		name   string
		opts   e2eOpts
		call   e2eCall
		by     string // the exchange hangs up: sim hangup --by
		freeze bool   // baresip stops, sending no more RTP
		sign   string // what the daemon logs of the sign it saw
	}{
		// In "caller" calls the PSTN party called, in "callee" calls it
		// was called.
		{"caller/loop", e2eOpts{}, pstnCaller, "loop", false, `msg="PSTN far end hung up" line=2 sign="loop current drop"`},
		{"caller/polarity", e2eOpts{}, pstnCaller, "polarity", false, `msg="PSTN far end hung up" line=2 sign="polarity reversal"`},
		{"caller/busy", e2eOpts{}, pstnCaller, "busy", false, `msg="PSTN far end hung up" line=2 sign="busy tone"`},
		{"caller/silence", e2eOpts{fxo: "silence_timeout = 2"}, pstnCaller, "", false, `msg="PSTN far end hung up" line=2 sign=silence`},
		{"caller/rtp-timeout", e2eOpts{sip: "rtp_timeout = 2"}, pstnCaller, "", true, `msg="no RTP; hanging up"`},
		{"callee/loop", e2eOpts{fxo: answer}, pstnCallee, "loop", false, `msg="PSTN far end hung up" line=2 sign="loop current drop"`},
		{"callee/polarity", e2eOpts{fxo: answer}, pstnCallee, "polarity", false, `msg="PSTN far end hung up" line=2 sign="polarity reversal"`},
		{"callee/busy", e2eOpts{fxo: answer}, pstnCallee, "busy", false, `msg="PSTN far end hung up" line=2 sign="busy tone"`},
		{"callee/silence", e2eOpts{fxo: answer + "\nsilence_timeout = 2"}, pstnCallee, "", false, `msg="PSTN far end hung up" line=2 sign=silence`},
		{"callee/rtp-timeout", e2eOpts{sip: "rtp_timeout = 2", fxo: answer}, pstnCallee, "", true, `msg="no RTP; hanging up"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.farMic = interop.Tone(farTone, toneAmp, 20*time.Second)
			e := newE2E(t, bin, tc.opts)
			tc.call(e)
			// The call is up, and stays up while nothing ends it: the
			// PSTN party hears baresip for most of a second.
			checkTone(t, "the PSTN party", e.record(2, 800*time.Millisecond)[interop.SampleRate/5:], farTone)
			e.noEvent("CALL_CLOSED", "before the far end hung up")
			if l := e.status().Lines[1]; l.Activity != "talking" {
				t.Fatalf("line 2 is %s before the far end hung up, want talking", l.Activity)
			}

			from := e.log.size()
			switch {
			case tc.by != "":
				e.sim("hangup", "2", "--by", tc.by)
			case tc.freeze:
				e.must(e.far.Freeze())
			}
			e.waitLog(from, tc.sign)
			if tc.freeze {
				// baresip answers the BYE's retransmissions once it runs.
				e.must(e.far.Thaw())
			}
			e.event("CALL_CLOSED")
			e.waitActivity(2, "idle")
			e.waitExchange(2, "idle")
		})
	}
}

// holdAndResume has baresip, in a call of the phone on FXS line 1 whose
// offer it has yet to see, hold the call and resume it: the phone hears
// baresip, then silence, then baresip again.
func (e *e2e) holdAndResume() {
	t := e.t
	t.Helper()
	e.event("CALL_REMOTE_SDP") // the INVITE's offer
	// What was under way when the direction changed plays out within the
	// first fifth of a second.
	const settle = interop.SampleRate / 5
	checkTone(t, "the phone", e.record(1, 1200*time.Millisecond)[settle:], farTone)

	e.must(e.far.Hold())
	e.event("CALL_REMOTE_SDP") // the gateway's answer
	heard := e.record(1, 1200*time.Millisecond)[settle:]
	if level := interop.LevelDB(heard); level > -60 {
		t.Errorf("the phone, held, hears %.1f dBFS (%.2f of it at %d Hz), want silence", level, interop.ToneShare(heard, farTone), farTone)
	}

	e.must(e.far.Resume())
	e.event("CALL_REMOTE_SDP")
	checkTone(t, "the phone, resumed", e.record(1, 1200*time.Millisecond)[settle:], farTone)
}

// TestE2EHold: baresip holds a call of the phone on FXS line 1 and
// resumes it: the phone hears baresip, then silence, then baresip again.
func TestE2EHold(t *testing.T) {
	e := newE2E(t, buildTipring(t), e2eOpts{farMic: interop.Tone(farTone, toneAmp, 20*time.Second)})
	e.phoneCallsFar()
	e.holdAndResume()
	e.sim("onhook", "1")
	e.event("CALL_CLOSED")
}

// TestE2EDTMF: a digit the phone on FXS line 1 keys in a call reaches
// baresip as an RFC 4733 event, and a digit baresip sends that way is
// played to the phone as DTMF.
func TestE2EDTMF(t *testing.T) {
	e := newE2E(t, buildTipring(t), e2eOpts{})
	e.phoneCallsFar()

	e.sim("dial", "1", "5")
	if ev := e.event("CALL_DTMF_START"); ev.Param != "5" {
		t.Errorf("baresip got digit %q, want 5", ev.Param)
	}
	e.event("CALL_DTMF_END")
	e.noEvent("CALL_DTMF_START", "after the phone keyed one digit")

	heard := e.recordWhile(1, time.Second, func() { e.must(e.far.SendDTMF("7")) })
	if got := dtmfDigits(heard); got != "7" {
		t.Errorf("the phone heard DTMF %q, want 7", got)
	}
}

// dtmfDigits returns the DTMF digits in s, as a telephone line's receiver
// hears them.
func dtmfDigits(s []int16) string {
	d := dtmf.NewDetector(dtmf.ATT)
	var got string
	// Silence after s ends a digit still sounding.
	s = append(s, make([]int16, interop.SampleRate/5)...)
	for f := range slices.Chunk(s, 160) {
		d.Process(f)
		for ev, ok := d.Next(); ok; ev, ok = d.Next() {
			if ev.Kind == dtmf.DigitStart {
				got += string(ev.Digit)
			}
		}
	}
	return got
}
