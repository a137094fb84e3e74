package sdpoa

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRealWorldOffers answers offers written the way deployed peers write
// them, from testdata/offers.
func TestRealWorldOffers(t *testing.T) {
	v6 := netip.MustParseAddrPort("[2001:db8::10]:4000")
	tests := []struct {
		file  string
		local netip.AddrPort // zero for ourAddr
		err   error
		want  Result
	}{
		{file: "asterisk.sdp", want: Result{Remote: netip.MustParseAddrPort("203.0.113.5:17218"), Codec: PCMA, TelephoneEvent: 101, ComfortNoise: -1,
			Send: true, Recv: true, PTime: 20 * time.Millisecond, MaxPTime: 150 * time.Millisecond}},
		{file: "asterisk-hold.sdp", want: Result{Remote: netip.MustParseAddrPort("203.0.113.5:17218"), Codec: PCMA, TelephoneEvent: 101, ComfortNoise: -1,
			Recv: true, PTime: 20 * time.Millisecond, MaxPTime: 150 * time.Millisecond}},
		{file: "baresip.sdp", want: Result{Remote: netip.MustParseAddrPort("10.0.0.2:10072"), Codec: PCMU, TelephoneEvent: 101, ComfortNoise: -1,
			Send: true, Recv: true, PTime: 20 * time.Millisecond}},
		{file: "baresip-ipv6.sdp", local: v6, want: Result{Remote: netip.MustParseAddrPort("[2001:db8:10::2]:10090"), Codec: PCMU, TelephoneEvent: 101, ComfortNoise: -1,
			Send: true, Recv: true, PTime: 20 * time.Millisecond}},
		{file: "baresip-ipv6.sdp", err: ErrNoCommonCodec},
		{file: "cisco.sdp", want: Result{Remote: netip.MustParseAddrPort("10.20.30.41:16544"), Codec: PCMU, TelephoneEvent: 101, ComfortNoise: 19,
			Send: true, Recv: true, PTime: 20 * time.Millisecond}},
		{file: "cisco-t38.sdp", err: ErrNoCommonCodec},
		{file: "linphone.sdp", want: Result{Remote: netip.MustParseAddrPort("192.168.1.20:7078"), Codec: PCMU, TelephoneEvent: 100, ComfortNoise: -1,
			Send: true, Recv: true}},
		{file: "microsoft.sdp", want: Result{Remote: netip.MustParseAddrPort("10.1.1.5:51030"), Codec: PCMU, TelephoneEvent: 101, ComfortNoise: 13,
			Send: true, Recv: true, PTime: 20 * time.Millisecond, MaxPTime: 200 * time.Millisecond}},
		{file: "microsoft-srtp.sdp", err: ErrNoCommonCodec},
		{file: "microsoft-avp-srtp.sdp", want: Result{Remote: netip.MustParseAddrPort("10.56.66.167:50016"), Codec: PCMA, TelephoneEvent: 101, ComfortNoise: -1,
			Send: true, Recv: true, MaxPTime: 200 * time.Millisecond}},
		{file: "rfc2543-hold.sdp", want: Result{Remote: netip.MustParseAddrPort("0.0.0.0:49170"), Codec: PCMU, TelephoneEvent: 96, ComfortNoise: -1,
			Recv: true}},
		{file: "rtpengine.sdp", want: Result{Remote: netip.MustParseAddrPort("198.51.100.20:30412"), Codec: PCMU, TelephoneEvent: 101, ComfortNoise: -1,
			Send: true, Recv: true, PTime: 20 * time.Millisecond}},
	}
	files, err := filepath.Glob("testdata/offers/*.sdp")
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			offer, err := os.ReadFile(filepath.Join("testdata/offers", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			local := tt.local
			if !local.IsValid() {
				local = ourAddr
			}
			body, res, err := newSession(t, local).Answer(offer)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if res != tt.want {
				t.Errorf("result\n got %+v\nwant %+v", res, tt.want)
			}
			pionParse(t, body)
		})
	}
	for _, f := range files {
		if !tested[filepath.Base(f)] {
			t.Errorf("%s has no expectations", f)
		}
	}
}

// FuzzAnswer feeds the answerer arbitrary offers under each SRTP policy.
// Whatever comes in, it must not panic, must fail only with its two errors,
// and an answer must match the offer line for line, with at most one live
// stream keyed as the Result says, and be the same when the offer comes
// again.
func FuzzAnswer(f *testing.F) {
	files, err := filepath.Glob("testdata/offers/*.sdp")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		offer, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(offer, uint8(EncryptionRejected))
		f.Add(offer, uint8(EncryptionOptional))
	}
	f.Add(peerOffer("m=audio 30000 RTP/AVP 0 101", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15,16-255"), uint8(EncryptionRejected))
	f.Add(sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
		"m=video 30002 RTP/AVP 96", "m=audio 0 RTP/AVP 0", "m=audio 30000 RTP/AVP 8", "m=image 30004 udptl t38"), uint8(EncryptionRejected))
	f.Add(peerOffer("m=audio 30000 RTP/SAVP 0", "crypto:1 AES_CM_128_HMAC_SHA1_32 inline:"+testKey+"|2^20|1:4",
		"crypto:2 AES_CM_128_HMAC_SHA1_80 inline:"+testKey), uint8(EncryptionRequired))
	f.Add(peerOffer("m=audio 30000 RTP/AVP 0", "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"+testKey+" -X", "encryption:required"), uint8(EncryptionOptional))
	f.Fuzz(func(t *testing.T, offer []byte, policy uint8) {
		s, err := NewSession(Config{Local: ourAddr, Encryption: Encryption(policy % 3)})
		if err != nil {
			t.Fatal(err)
		}
		body, res, err := s.Answer(offer)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNoCommonCodec) {
				t.Fatalf("error %v is neither ErrMalformed nor ErrNoCommonCodec", err)
			}
			return
		}
		offered, err := parse(offer)
		if err != nil {
			t.Fatalf("answered an offer that does not parse: %v", err)
		}
		answered, err := parse(body)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, body)
		}
		if len(answered.MediaDescriptions) != len(offered.MediaDescriptions) {
			t.Fatalf("answer has %d m= lines, offer %d", len(answered.MediaDescriptions), len(offered.MediaDescriptions))
		}
		live := 0
		for i, md := range answered.MediaDescriptions {
			if md.MediaName.Media != offered.MediaDescriptions[i].MediaName.Media {
				t.Fatalf("m= line %d is %s, offer's %s", i, md.MediaName.Media, offered.MediaDescriptions[i].MediaName.Media)
			}
			if md.MediaName.Port.Value == 0 {
				continue
			}
			live++
			if md.MediaName.Media != "audio" || md.MediaName.Port.Value != int(ourAddr.Port()) {
				t.Fatalf("live stream %q", mediaLines(answered))
			}
			lines := cryptoLines(md)
			switch {
			case res.SRTP.Suite == 0 && len(lines) != 0:
				t.Fatalf("a=crypto %q in a plain answer", lines)
			case res.SRTP.Suite != 0 && len(lines) != 1:
				t.Fatalf("SRTP answered with a=crypto %q", lines)
			case res.SRTP.Suite != 0:
				if c, err := parseCrypto(lines[0]); err != nil || c.suite != res.SRTP.Suite || c.key != res.SRTP.Local {
					t.Fatalf("our a=crypto:%s (%v) is not the Result's %+v", lines[0], err, res.SRTP)
				}
			}
		}
		if live > 1 || (live == 1) != res.Remote.IsValid() {
			t.Fatalf("%d live streams, result %+v", live, res)
		}
		again, res2, err := s.Answer(offer)
		if err != nil {
			t.Fatalf("the same offer again: %v", err)
		}
		res.RemoteChanged = false
		if !bytes.Equal(again, body) || res2 != res {
			t.Fatalf("the same offer again gave\n%s%+v\nafter\n%s%+v", again, res2, body, res)
		}
	})
}
