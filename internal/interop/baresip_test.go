package interop

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBaresipOptsCheck(t *testing.T) {
	for _, tc := range []struct {
		opts BaresipOpts
		want string // in the error; empty: no error
	}{
		{BaresipOpts{}, ""},
		{BaresipOpts{User: "alice", Password: "a-secret!", MediaEnc: "srtp"}, ""},
		{BaresipOpts{MediaEnc: "srtp-mand"}, ""},
		{BaresipOpts{User: "al ice"}, "user"},
		{BaresipOpts{Password: "a;b"}, "password"},
		{BaresipOpts{MediaEnc: "zrtp"}, "media encryption"},
		{BaresipOpts{MediaEnc: "srtp;x=y"}, "media encryption"},
	} {
		err := tc.opts.check()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.opts, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want one about %s", tc.opts, err, tc.want)
		}
	}
}

// TestInteropSRTPPhones: phones with media encryption call each other keyed
// with SDES, and the callee hears the caller. baresip reports the SRTP
// suite when a side has applied the other's key (CALL_MENC). A phone that
// insists on RTP/SAVP refuses the RTP/AVP offer of one that only prefers
// SRTP, a=crypto and all.
func TestInteropSRTPPhones(t *testing.T) {
	for _, tc := range []struct {
		caller, callee string // MediaEnc
		refused        bool
	}{
		{"srtp-mand", "srtp-mand", false},
		{"srtp", "srtp", false},
		{"srtp-mand", "srtp", false},
		{"srtp", "srtp-mand", true},
	} {
		t.Run(tc.caller+" to "+tc.callee, func(t *testing.T) {
			pt := newPhoneTest(t)
			mic := filepath.Join(t.TempDir(), "tone.wav")
			pt.must(WriteWAV(mic, Tone(1004, 8000, 3*time.Second)))
			alice := StartBaresip(t, BaresipOpts{User: "alice", MediaEnc: tc.caller, Mic: mic})
			bob := StartBaresip(t, BaresipOpts{User: "bob", MediaEnc: tc.callee})
			pt.must(alice.Dial(bob.URI()))
			if tc.refused {
				if e := pt.wait(alice, "CALL_CLOSED"); !strings.HasPrefix(e.Param, "488") {
					t.Errorf("alice: call closed with %q, want 488", e.Param)
				}
				return
			}
			pt.wait(bob, "CALL_INCOMING")
			pt.must(bob.Accept())
			pt.wait(alice, "CALL_ESTABLISHED")
			for _, p := range []*Baresip{alice, bob} {
				if e := pt.wait(p, "CALL_MENC"); !strings.Contains(e.Param, "AES_CM_128_HMAC_SHA1_80") {
					t.Errorf("%s: media encryption %q, want AES_CM_128_HMAC_SHA1_80", p.User(), e.Param)
				}
			}
			heard, err := bob.Recording(pt.ctx, time.Second)
			pt.must(err)
			if share := ToneShare(heard[SampleRate/10:], 1004); share < 0.95 {
				t.Errorf("bob heard %.2f of the energy at 1004 Hz, want 0.95 or more", share)
			}
			pt.must(alice.Hangup())
			pt.wait(bob, "CALL_CLOSED")
		})
	}
}
