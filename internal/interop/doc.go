// Package interop runs real SIP software on loopback for tests: Kamailio as
// registrar and proxy, baresip as the far-end phone. Tests of other packages
// import it; each server is started by the test, lives in the test's
// temporary directory, listens on 127.0.0.1 only, and is killed when the test
// ends. A missing program skips the test on a developer's machine and fails
// it under CI (see internal/testtool); .ci/deps installs the Debian packages
// kamailio and baresip-core.
//
// A test registers two phones and calls from one to the other:
//
//	k := interop.StartKamailio(t, interop.KamailioOpts{
//		Users: map[string]string{"alice": "a-secret", "bob": "b-secret"},
//	})
//	alice := interop.StartBaresip(t, interop.BaresipOpts{User: "alice", Password: "a-secret", Registrar: k, Mic: "testdata/tone.wav"})
//	bob := interop.StartBaresip(t, interop.BaresipOpts{User: "bob", Password: "b-secret", Registrar: k})
//	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
//	defer cancel()
//	for _, p := range []*interop.Baresip{alice, bob} {
//		if _, err := p.WaitEvent(ctx, "REGISTER_OK"); err != nil {
//			t.Fatal(err)
//		}
//	}
//	if err := alice.Dial(bob.URI()); err != nil {
//		t.Fatal(err)
//	}
//	if _, err := bob.WaitEvent(ctx, "CALL_INCOMING"); err != nil {
//		t.Fatal(err)
//	}
//	if err := bob.Accept(); err != nil {
//		t.Fatal(err)
//	}
//	heard, err := bob.Recording(ctx, time.Second) // 8 kHz samples of the call so far
//
// Tone makes a microphone's signal (WriteWAV stores it); ToneShare and
// LevelDB measure what was heard: how much of it is the tone sent, and how
// loud. FrameToneShare measures the share 20 ms frame by frame, so that a
// frame a jitter buffer inserted or repeated, which breaks the tone's
// phase, does not count against it.
//
// A gateway under test takes alice's place: it registers as "alice" with
// registrar and outbound proxy k.Addr() in domain k.Domain(), and
// k.Contacts("alice") shows what it registered. Without a registrar, a phone
// is called by its URI directly (BaresipOpts.Registrar nil).
//
// # Kamailio
//
// Kamailio 5.6 runs with a generated configuration: one domain, usrloc in
// memory, digest authentication with qop=auth of REGISTER (401) and of every
// other dialog-forming request (407), Record-Route, calls routed to the
// registered contacts and 404 for users without one, RFC 3581 rport as the
// core does it. The users' HA1 values are written into the configuration and
// loaded into an htable at start-up, where pv_auth_check finds them: no
// database, no db_text files with their version table, and any password
// works. Kamailio's auth module can challenge with SHA-256 (its "algorithm"
// parameter); baresip 1.0.0 cannot answer that and reports REGISTER_FAIL
// "Function not implemented". Contacts reads the location table over the
// jsonrpcs module's Unix datagram socket. Stop and Start restart the server on
// its port, having forgotten every registration. The routing script logs
// every request it takes, and Requests reads them back: which requests of a
// call went through the proxy, and from where to where.
//
// # baresip
//
// baresip 1.0.0 runs with a generated configuration loading only the g711,
// aufile, aubridge, sndfile, menu and ctrl_tcp modules, and srtp for a
// phone whose BaresipOpts.MediaEnc keys its media; SIP listens on UDP
// and TCP (TLS on the next port), the control socket two ports above. The
// Go client speaks ctrl_tcp's protocol: JSON commands and responses matched
// by token, and pushed events, each framed as a netstring. Commands are
// baresip's menu commands (dial, accept, hangup, sndcode, hold, resume,
// transfer); hold, resume, transfer and sndcode exist only during a call.
// Every SDP offers PCMU, PCMA and telephone-event (RFC 4733). The microphone
// is a WAV file played from the start of each call; what the phone hears is
// recorded by sndfile as 8 kHz mono 16-bit PCM WAV (G.711's rate, so nothing
// needs resampling), one file per call. The recording holds received packets
// only: gaps in the stream leave no silence in it, and it stops at the
// call's first re-INVITE (see RecordingPath). An account with a display
// name cannot register: baresip 1.0.0 reports REGISTER_FAIL "Function not
// implemented" without sending a REGISTER. A second account of the phone's
// with regint=0 (the "uanew" command) calls with a name all the same.
package interop
