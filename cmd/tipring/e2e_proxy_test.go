package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tipring/internal/interop"
	"tipring/web"
)

// The proxy end-to-end tests put a real Kamailio between the daemon and
// baresip, as an office's PBX sits between a gateway and the phones: both
// register with digest authentication, every call goes through the proxy,
// and as Kamailio Record-Routes, so does every request within a call. A
// direct call asks none of this of the gateway: answering the proxy's 407
// on its INVITEs, taking the calls sent to the contact it registered, and
// keeping to the dialog's route set in ACK, re-INVITE and BYE. Kamailio's
// log shows which requests it passed on.

// The proxy's domain and the users' passwords. FXS line 1 registers its
// number, fxsNumber; baresip registers farUser, and calls with a display
// name from a second identity, callerUser, which does not register:
// baresip 1.0.0 cannot register an account that has a display name.
const (
	proxyDomain            = "pbx.test"
	lineSecret, farSecret  = "line-1-secret", "far-secret"
	callerUser, callerName = "2001", "Alice Smith"
)

// proxyE2E is a proxy test's gateway: the daemon with FXS line 1, whose
// account registers to Kamailio and places its calls through it, and
// baresip, registered to the same Kamailio and sending its microphone the
// tone farTone.
type proxyE2E struct {
	*e2e
	k       *interop.Kamailio
	farAddr string // where baresip takes SIP, host:port
}

// proxyOpts chooses how the gateway's account reaches Kamailio.
type proxyOpts struct {
	// outboundProxy names Kamailio as the account's outbound proxy too,
	// so the gateway's first requests carry a preloaded Route (RFC 3261
	// 8.1.2); without it, the account's calls go to the registrar.
	outboundProxy bool
}

// newProxyE2E starts Kamailio, baresip and the daemon built at bin, and
// waits until both have registered.
func newProxyE2E(t *testing.T, bin string, opts proxyOpts) *proxyE2E {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), e2eTimeout)
	t.Cleanup(cancel)
	p := &proxyE2E{e2e: &e2e{t: t, ctx: ctx}}
	e := p.e2e
	p.k = interop.StartKamailio(t, interop.KamailioOpts{
		Users:  map[string]string{fxsNumber: lineSecret, farUser: farSecret, callerUser: farSecret},
		Domain: proxyDomain,
	})
	dir := t.TempDir()
	mic := filepath.Join(dir, "mic.wav")
	e.must(interop.WriteWAV(mic, interop.Tone(farTone, toneAmp, 20*time.Second)))
	e.far = interop.StartBaresip(t, interop.BaresipOpts{User: farUser, Password: farSecret, Registrar: p.k, Mic: mic})

	var outbound string
	if opts.outboundProxy {
		outbound = fmt.Sprintf("outbound_proxy = \"sip:%s\"", p.k.Addr())
	}
	conf := filepath.Join(dir, "tipring.toml")
	e.must(os.WriteFile(conf, fmt.Appendf(nil, `
[device]
country = "US"

[sip]
listen = ["udp:127.0.0.1:0"]
rtp_ports = "30000-30999"

[[accounts]]
name = "pbx"
registrar = "sip:%s"
domain = %q
user = %q
password = %q
%s

[[lines]]
id = 1
kind = "fxs"
number = %q
`, p.k.Addr(), proxyDomain, fxsNumber, lineSecret, outbound, fxsNumber), 0o600))
	e.startDaemon(bin, conf)

	var s web.Status
	e.waitFor("the gateway to register", func() bool {
		s = e.status()
		return len(s.SIP.Listen) == 1 && len(s.SIP.Accounts) == 1 && s.SIP.Accounts[0].State == "registered"
	}, func() string { return fmt.Sprintf("%+v", s.SIP) })
	e.gw = strings.TrimPrefix(s.SIP.Listen[0], "udp:")
	if ev := e.event("REGISTER_OK"); ev.Account != p.k.AOR(farUser) {
		t.Fatalf("baresip registered %s, want %s", ev.Account, p.k.AOR(farUser))
	}
	p.farAddr = p.contactAddr(farUser)
	if addr := p.contactAddr(fxsNumber); addr != e.gw {
		t.Fatalf("Kamailio has line 1 at %s, want the gateway's %s", addr, e.gw)
	}
	return p
}

// contactHost is the host:port of a SIP URI.
var contactHost = regexp.MustCompile(`@([^;>]+)`)

// contactAddr returns where Kamailio's one contact of user is, host:port.
func (p *proxyE2E) contactAddr(user string) string {
	p.t.Helper()
	cs, err := p.k.Contacts(user)
	p.must(err)
	if len(cs) != 1 {
		p.t.Fatalf("Kamailio has contacts %+v for %s, want one", cs, user)
	}
	m := contactHost.FindStringSubmatch(cs[0].Address)
	if m == nil {
		p.t.Fatalf("contact %q of %s has no host", cs[0].Address, user)
	}
	return m[1]
}

// who names the party at addr, host:port.
func (p *proxyE2E) who(addr string) string {
	switch addr {
	case p.gw:
		return "gateway"
	case p.farAddr:
		return "baresip"
	}
	return addr
}

// checkRequests checks the requests of call callID that Kamailio took,
// each as "METHOD from→to", against want; it waits a while for them, as
// Kamailio logs a request as it takes it. The "to" of a request within
// the dialog is the party whose contact its Request-URI is; that of the
// call's INVITE, to an address of record, is the proxy's domain. A
// request sent again, as an INVITE is with the answer to the proxy's
// challenge or a request retransmitted under load, counts once.
func (p *proxyE2E) checkRequests(callID string, want ...string) {
	p.t.Helper()
	var got []string
	var all []interop.Request
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var err error
		all, err = p.k.Requests()
		p.must(err)
		got = got[:0]
		var last interop.Request
		for _, r := range all {
			if r.CallID == callID && r != last {
				to := r.URI
				if m := contactHost.FindStringSubmatch(r.URI); m != nil {
					to = p.who(m[1])
				}
				got = append(got, r.Method+" "+p.who(r.Source)+"→"+to)
			}
			last = r
		}
		if strings.Join(got, ", ") == strings.Join(want, ", ") {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			p.t.Errorf("Kamailio passed on %q in call %s, want %q; all it took: %+v", got, callID, want, all)
			return
		}
	}
}

// TestE2EProxyPhoneCallsOut: the phone on FXS line 1 dials baresip's
// number; the gateway's INVITE goes to Kamailio as outbound proxy, which
// challenges it and routes it to baresip. A first call is given up while
// baresip rings, and the CANCEL reaches it. In the second each hears the
// other's tone, and the phone's hang-up reaches baresip through Kamailio,
// by the route set the call's Record-Route made rather than the preloaded
// one.
func TestE2EProxyPhoneCallsOut(t *testing.T) {
	p := newProxyE2E(t, buildTipring(t), proxyOpts{outboundProxy: true})
	p.sim("offhook", "1")
	p.waitActivity(1, "dial-tone")
	p.sim("dial", "1", farUser+"#")
	abandoned := p.event("CALL_INCOMING")
	p.sim("onhook", "1")
	p.event("CALL_CLOSED")
	p.waitActivity(1, "idle")
	// The INVITE's 487 is acknowledged hop by hop (RFC 3261 17.1.1.3).
	p.checkRequests(abandoned.CallID, "INVITE gateway→pbx.test", "CANCEL gateway→pbx.test", "ACK gateway→pbx.test")

	in := p.phoneCallsFar()
	if want := "sip:" + fxsNumber + "@" + proxyDomain; in.Peer != want {
		t.Errorf("baresip: call from %q, want from %s", in.Peer, want)
	}
	checkTone(t, "the phone", p.record(1, 1200*time.Millisecond)[interop.SampleRate/5:], farTone)
	checkTone(t, "baresip", p.farHears(1, interop.Tone(lineTone, toneAmp, 3*time.Second)), lineTone)

	p.sim("onhook", "1")
	p.event("CALL_CLOSED")
	p.waitActivity(1, "idle")
	p.checkRequests(in.CallID, "INVITE gateway→pbx.test", "ACK gateway→baresip", "BYE gateway→baresip")
}

// TestE2EProxyCallToPhone: baresip calls line 1's address of record at
// Kamailio, which sends the call to the gateway's registered contact; the
// phone rings, shows the caller's number and name, answers, and each hears
// the other. baresip hangs up that call; in a second call the phone does.
func TestE2EProxyCallToPhone(t *testing.T) {
	p := newProxyE2E(t, buildTipring(t), proxyOpts{})
	caller := fmt.Sprintf(`"%s" <sip:%s@%s>;auth_pass=%s;outbound="sip:%s";regint=0`,
		callerName, callerUser, proxyDomain, farSecret, p.k.Addr())
	_, err := p.far.Command("uanew", caller)
	p.must(err)
	_, err = p.far.Command("uafind", "sip:"+callerUser+"@"+proxyDomain)
	p.must(err)

	p.must(p.far.Dial(p.k.AOR(fxsNumber)))
	var ph *web.SimPhone
	p.waitFor("the phone to show a caller ID", func() bool { ph = p.simLine(1).Phone; return ph.CallerID != nil },
		func() string { return fmt.Sprintf("the phone is %+v", ph) })
	if got, want := *ph.CallerID, (web.CallerID{Number: callerUser, Name: callerName}); got != want {
		t.Errorf("the phone shows caller ID %+v, want %+v", got, want)
	}
	p.sim("offhook", "1")
	call := p.event("CALL_ESTABLISHED")
	p.waitActivity(1, "talking")
	checkTone(t, "the phone", p.record(1, 1200*time.Millisecond)[interop.SampleRate/5:], farTone)
	checkTone(t, "baresip", p.farHears(1, interop.Tone(lineTone, toneAmp, 3*time.Second)), lineTone)
	p.must(p.far.Hangup())
	p.event("CALL_CLOSED")
	p.waitActivity(1, "cleared")
	p.checkRequests(call.CallID, "INVITE baresip→pbx.test", "ACK baresip→gateway", "BYE baresip→gateway")
	p.sim("onhook", "1")
	p.waitActivity(1, "idle")

	p.must(p.far.Dial(p.k.AOR(fxsNumber)))
	p.waitActivity(1, "ringing")
	p.sim("offhook", "1")
	call = p.event("CALL_ESTABLISHED")
	p.waitActivity(1, "talking")
	p.sim("onhook", "1")
	p.event("CALL_CLOSED")
	p.waitActivity(1, "idle")
	p.checkRequests(call.CallID, "INVITE baresip→pbx.test", "ACK baresip→gateway", "BYE gateway→baresip")
}

// TestE2EProxyHoldDTMF: in a call of the phone on FXS line 1 through
// Kamailio, baresip holds and resumes the call by re-INVITEs that reach the
// gateway through the proxy, and digits go both ways as RFC 4733 events;
// baresip hangs up.
func TestE2EProxyHoldDTMF(t *testing.T) {
	p := newProxyE2E(t, buildTipring(t), proxyOpts{})
	in := p.phoneCallsFar()
	p.holdAndResume()

	p.sim("dial", "1", "5")
	if ev := p.event("CALL_DTMF_START"); ev.Param != "5" {
		t.Errorf("baresip got digit %q, want 5", ev.Param)
	}
	p.event("CALL_DTMF_END")
	p.noEvent("CALL_DTMF_START", "after the phone keyed one digit")
	heard := p.recordWhile(1, time.Second, func() { p.must(p.far.SendDTMF("7")) })
	if got := dtmfDigits(heard); got != "7" {
		t.Errorf("the phone heard DTMF %q, want 7", got)
	}

	p.must(p.far.Hangup())
	p.event("CALL_CLOSED")
	p.waitActivity(1, "cleared")
	p.checkRequests(in.CallID, "INVITE gateway→pbx.test", "ACK gateway→baresip",
		"INVITE baresip→gateway", "ACK baresip→gateway", // hold
		"INVITE baresip→gateway", "ACK baresip→gateway", // resume
		"BYE baresip→gateway")
}
