package sdpoa

import (
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

// testKey is a key and salt in a=crypto's inline: form, 30 bytes of base64.
const testKey = "YmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9v"

func TestParseCrypto(t *testing.T) {
	raw, _ := base64.StdEncoding.DecodeString(testKey)
	var key MasterKey
	copy(key.Key[:], raw)
	copy(key.Salt[:], raw[16:])
	withMKI := func(v uint32, n uint8) MasterKey { k := key; k.MKI, k.MKILen = v, n; return k }
	tests := []struct {
		line string
		want crypto // zero: the line is refused
	}{
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey, crypto{1, AES_CM_128_HMAC_SHA1_80, key}},
		{"2 AES_CM_128_HMAC_SHA1_32 inline:" + testKey + "|2^31", crypto{2, AES_CM_128_HMAC_SHA1_32, key}},
		{"2 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^31|1:1", crypto{2, AES_CM_128_HMAC_SHA1_80, withMKI(1, 1)}},
		{"2 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|244:1", crypto{2, AES_CM_128_HMAC_SHA1_80, withMKI(244, 1)}},
		{"7 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1048576|4294967295:4", crypto{7, AES_CM_128_HMAC_SHA1_80, withMKI(1<<32-1, 4)}},
		{"3 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + " -FUTURE_PARAM", crypto{3, AES_CM_128_HMAC_SHA1_80, key}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^48", crypto{1, AES_CM_128_HMAC_SHA1_80, key}},

		{"1 AES_256_CM_HMAC_SHA1_80 inline:" + testKey, crypto{}},          // unknown suite
		{"1 AEAD_AES_128_GCM inline:" + testKey, crypto{}},                 // unknown suite
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey[:36], crypto{}},     // short key
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "QUFB", crypto{}}, // long key
		{"1 AES_CM_128_HMAC_SHA1_80 inline:!!" + testKey[2:], crypto{}},    // not base64
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^49", crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|0", crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|281474976710657", crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^x", crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1:5", crypto{}},   // MKI too long for us
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1:0", crypto{}},   // no such MKI length
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|256:1", crypto{}}, // MKI wider than its length
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^31|1:1|x", crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + " KDR=1", crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|1:1;inline:" + testKey + "|2:1", crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80 uri:https://example.com/key", crypto{}},
		{"1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + testKey, crypto{}},
		{"x AES_CM_128_HMAC_SHA1_80 inline:" + testKey, crypto{}},
		{"1 AES_CM_128_HMAC_SHA1_80", crypto{}},
		{"", crypto{}},
	}
	for _, tt := range tests {
		c, err := parseCrypto(tt.line)
		if tt.want.suite == 0 {
			if err == nil {
				t.Errorf("%q: parsed as %+v, want an error", tt.line, c)
			}
			continue
		}
		if err != nil || c != tt.want {
			t.Errorf("%q: %+v, %v; want %+v", tt.line, c, err, tt.want)
		}
		// What we would write reads back the same.
		if back, err := parseCrypto(c.String()); err != nil || back != c {
			t.Errorf("%q written as %q reads back as %+v, %v", tt.line, c.String(), back, err)
		}
	}
}

func TestMKIBytes(t *testing.T) {
	tests := []struct {
		k    MasterKey
		want []byte
	}{
		{MasterKey{}, nil},
		{MasterKey{MKI: 1, MKILen: 1}, []byte{1}},
		{MasterKey{MKI: 244, MKILen: 2}, []byte{0, 244}},
		{MasterKey{MKI: 0x01020304, MKILen: 4}, []byte{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		if got := tt.k.MKIBytes(); string(got) != string(tt.want) {
			t.Errorf("%d:%d: % x, want % x", tt.k.MKI, tt.k.MKILen, got, tt.want)
		}
	}
}

func newPolicySession(t testing.TB, p Encryption) *Session {
	t.Helper()
	s, err := NewSession(Config{Local: ourAddr, Encryption: p})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attrValues returns the values of md's attributes named key.
func attrValues(md *sdp.MediaDescription, key string) []string {
	var v []string
	for _, a := range md.Attributes {
		if a.Key == key {
			v = append(v, a.Value)
		}
	}
	return v
}

func TestOfferSRTP(t *testing.T) {
	tests := []struct {
		policy     Encryption
		proto      string
		suites     []string // tag and suite of each a=crypto line
		encryption []string
	}{
		{EncryptionRejected, "RTP/AVP", nil, nil},
		{EncryptionOptional, "RTP/AVP", []string{"1 AES_CM_128_HMAC_SHA1_80", "2 AES_CM_128_HMAC_SHA1_32"}, []string{"optional"}},
		{EncryptionRequired, "RTP/SAVP", []string{"1 AES_CM_128_HMAC_SHA1_80", "2 AES_CM_128_HMAC_SHA1_32"}, []string{"required"}},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			s := newPolicySession(t, tt.policy)
			body, err := s.Offer()
			if err != nil {
				t.Fatal(err)
			}
			md := activeAudio(t, pionParse(t, body))
			if proto := strings.Join(md.MediaName.Protos, "/"); proto != tt.proto {
				t.Errorf("transport %s, want %s", proto, tt.proto)
			}
			var suites []string
			keys := map[string]bool{}
			for _, v := range attrValues(md, "crypto") {
				c, err := parseCrypto(v)
				if err != nil {
					t.Fatalf("our a=crypto:%s: %v", v, err)
				}
				if c.key.MKILen != 0 {
					t.Errorf("a=crypto:%s has an MKI", v)
				}
				suites = append(suites, strings.Join(strings.Fields(v)[:2], " "))
				keys[strings.Fields(v)[2]] = true
			}
			if strings.Join(suites, ",") != strings.Join(tt.suites, ",") {
				t.Errorf("a=crypto lines %q, want %q", suites, tt.suites)
			}
			if len(keys) != len(suites) {
				t.Errorf("the suites share a key")
			}
			if got := attrValues(md, "encryption"); strings.Join(got, ",") != strings.Join(tt.encryption, ",") {
				t.Errorf("a=encryption %q, want %q", got, tt.encryption)
			}
			// A re-offer keeps the keys, and so is the same SDP.
			s.CancelOffer()
			again, err := s.Offer()
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(body) {
				t.Errorf("re-offer differs:\n%s\nfirst:\n%s", again, body)
			}
			// Another session has other keys.
			if tt.suites != nil {
				other, _ := newPolicySession(t, tt.policy).Offer()
				for _, v := range attrValues(activeAudio(t, pionParse(t, other)), "crypto") {
					if keys[strings.Fields(v)[2]] {
						t.Errorf("two sessions offer the same key")
					}
				}
			}
		})
	}
}

func TestAnswerSRTP(t *testing.T) {
	line80 := "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey
	line32 := "crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + testKey
	unknown := "crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + testKey + testKey[:20]
	tests := []struct {
		name   string
		policy Encryption
		offer  []byte
		err    error
		mline  string // the answer's audio m= line
		crypto string // tag and suite of its a=crypto line, "" for none
		enc    string // its a=encryption
		suite  Suite
	}{
		{name: "plain offer, optional", policy: EncryptionOptional, offer: peerOffer("m=audio 30000 RTP/AVP 0"),
			mline: "audio 4000 RTP/AVP 0"},
		{name: "plain offer, required", policy: EncryptionRequired, offer: peerOffer("m=audio 30000 RTP/AVP 0"),
			err: ErrNoCommonCodec},
		{name: "SAVP, rejected", policy: EncryptionRejected, offer: peerOffer("m=audio 30000 RTP/SAVP 0", line80),
			err: ErrNoCommonCodec},
		{name: "SAVP, optional", policy: EncryptionOptional, offer: peerOffer("m=audio 30000 RTP/SAVP 0", line80, line32),
			mline: "audio 4000 RTP/SAVP 0", crypto: "1 AES_CM_128_HMAC_SHA1_80", suite: AES_CM_128_HMAC_SHA1_80},
		{name: "SAVP, first line unusable", policy: EncryptionRequired, offer: peerOffer("m=audio 30000 RTP/SAVP 0", unknown, line32),
			mline: "audio 4000 RTP/SAVP 0", crypto: "2 AES_CM_128_HMAC_SHA1_32", suite: AES_CM_128_HMAC_SHA1_32},
		{name: "SAVP, no usable line", policy: EncryptionOptional, offer: peerOffer("m=audio 30000 RTP/SAVP 0", unknown),
			err: ErrNoCommonCodec},
		{name: "SAVP without keys", policy: EncryptionRequired, offer: peerOffer("m=audio 30000 RTP/SAVP 0"),
			err: ErrNoCommonCodec},
		{name: "SAVP beside AVP, rejected", policy: EncryptionRejected,
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
				"m=audio 30000 RTP/SAVP 0", "a="+line80, "m=audio 30002 RTP/AVP 0"),
			mline: "audio 0 RTP/SAVP 0,audio 4000 RTP/AVP 0"},
		{name: "AVP with keys, rejected", policy: EncryptionRejected, offer: peerOffer("m=audio 30000 RTP/AVP 0", line80, "encryption:optional"),
			mline: "audio 4000 RTP/AVP 0", enc: "rejected"},
		{name: "AVP with keys, optional", policy: EncryptionOptional, offer: peerOffer("m=audio 30000 RTP/AVP 0", line32, line80),
			mline: "audio 4000 RTP/AVP 0", crypto: "2 AES_CM_128_HMAC_SHA1_32", suite: AES_CM_128_HMAC_SHA1_32},
		{name: "AVP with keys required, rejected", policy: EncryptionRejected, offer: peerOffer("m=audio 30000 RTP/AVP 0", line80, "encryption:required"),
			err: ErrNoCommonCodec},
		{name: "AVP with keys required, optional", policy: EncryptionOptional, offer: peerOffer("m=audio 30000 RTP/AVP 0", line80, "encryption:required"),
			mline: "audio 4000 RTP/AVP 0", crypto: "1 AES_CM_128_HMAC_SHA1_80", enc: "optional", suite: AES_CM_128_HMAC_SHA1_80},
		{name: "AVP with unusable keys, optional", policy: EncryptionOptional, offer: peerOffer("m=audio 30000 RTP/AVP 0", unknown),
			mline: "audio 4000 RTP/AVP 0"},
		{name: "AVP with unusable keys, required", policy: EncryptionRequired, offer: peerOffer("m=audio 30000 RTP/AVP 0", unknown),
			err: ErrNoCommonCodec},
		{name: "peer rejects encryption, required", policy: EncryptionRequired, offer: peerOffer("m=audio 30000 RTP/AVP 0", line80, "encryption:rejected"),
			err: ErrNoCommonCodec},
		{name: "peer rejects encryption, optional", policy: EncryptionOptional, offer: peerOffer("m=audio 30000 RTP/AVP 0", line80, "encryption:rejected"),
			mline: "audio 4000 RTP/AVP 0", enc: "optional"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, res, err := newPolicySession(t, tt.policy).Answer(tt.offer)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			sd := pionParse(t, body)
			if got := strings.Join(mediaLines(sd), ","); got != tt.mline {
				t.Errorf("m= lines %q, want %q", got, tt.mline)
			}
			md := activeAudio(t, sd)
			lines := attrValues(md, "crypto")
			if tt.crypto == "" {
				if len(lines) != 0 || res.SRTP != (SRTP{}) {
					t.Fatalf("a=crypto %q, SRTP %+v in a plain answer", lines, res.SRTP)
				}
			} else {
				if len(lines) != 1 || !strings.HasPrefix(lines[0], tt.crypto+" ") {
					t.Fatalf("a=crypto %q, want one line %s", lines, tt.crypto)
				}
				c, err := parseCrypto(lines[0])
				if err != nil {
					t.Fatal(err)
				}
				if res.SRTP.Suite != tt.suite || res.SRTP.Local != c.key || res.SRTP.Remote.Key == res.SRTP.Local.Key {
					t.Errorf("SRTP %+v for our line %+v", res.SRTP, c)
				}
				if raw, _ := base64.StdEncoding.DecodeString(testKey); string(res.SRTP.Remote.Key[:]) != string(raw[:16]) || string(res.SRTP.Remote.Salt[:]) != string(raw[16:]) {
					t.Errorf("remote key %+v is not the offer's", res.SRTP.Remote)
				}
			}
			if got := strings.Join(attrValues(md, "encryption"), ","); got != tt.enc {
				t.Errorf("a=encryption %q, want %q", got, tt.enc)
			}
		})
	}
}

// TestSRTPBetweenSessions: two sessions key each other, each one's local
// key the other's remote one, and keep their keys over a re-offer.
func TestSRTPBetweenSessions(t *testing.T) {
	for _, pair := range [][2]Encryption{
		{EncryptionOptional, EncryptionOptional},
		{EncryptionOptional, EncryptionRequired},
		{EncryptionRequired, EncryptionOptional},
		{EncryptionRequired, EncryptionRequired},
	} {
		a, b := newPolicySession(t, pair[0]), newPolicySession(t, pair[1])
		ra, rb := exchange(t, a, b)
		if ra.SRTP.Suite != AES_CM_128_HMAC_SHA1_80 || ra.SRTP.Local != rb.SRTP.Remote || ra.SRTP.Remote != rb.SRTP.Local {
			t.Fatalf("%v offering to %v: keys do not cross:\n%+v\n%+v", pair[0], pair[1], ra.SRTP, rb.SRTP)
		}
		// Either side re-offers: the keys stay.
		ra2, rb2 := exchange(t, a, b)
		rb3, ra3 := exchange(t, b, a)
		if ra2.SRTP != ra.SRTP || rb2.SRTP != rb.SRTP || ra3.SRTP != ra.SRTP || rb3.SRTP != rb.SRTP {
			t.Errorf("%v and %v: re-offers changed the keys", pair[0], pair[1])
		}
	}
	// Optional with Rejected is plain RTP both ways.
	ra, rb := exchange(t, newPolicySession(t, EncryptionOptional), newPolicySession(t, EncryptionRejected))
	if ra.SRTP.Suite != 0 || rb.SRTP.Suite != 0 {
		t.Errorf("optional with rejected: %v and %v", ra.SRTP.Suite, rb.SRTP.Suite)
	}
}

// TestReofferNewKey: a peer that re-offers a new key gets a new one of ours
// too; the same key again keeps ours.
func TestReofferNewKey(t *testing.T) {
	s := newPolicySession(t, EncryptionOptional)
	offer := func(key string, mki string) []byte {
		return peerOffer("m=audio 30000 RTP/SAVP 0", "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"+key+mki)
	}
	_, first, err := s.Answer(offer(testKey, ""))
	if err != nil {
		t.Fatal(err)
	}
	_, same, err := s.Answer(offer(testKey, ""))
	if err != nil {
		t.Fatal(err)
	}
	if same.SRTP != first.SRTP {
		t.Errorf("the same offer again changed the keys")
	}
	otherKey := "cXV4cXV4cXV4cXV4cXV4cXV4cXV4cXV4cXV4cXV4"
	_, rekeyed, err := s.Answer(offer(otherKey, ""))
	if err != nil {
		t.Fatal(err)
	}
	if rekeyed.SRTP.Remote == first.SRTP.Remote || rekeyed.SRTP.Local.Key == first.SRTP.Local.Key {
		t.Errorf("a new key of the peer's kept ours: %+v after %+v", rekeyed.SRTP, first.SRTP)
	}
	// The same key with an MKI: ours gets one too, and so a new key.
	_, tagged, err := s.Answer(offer(otherKey, "|7:2"))
	if err != nil {
		t.Fatal(err)
	}
	if tagged.SRTP.Local.MKILen != 2 || tagged.SRTP.Local.MKI != 1 || tagged.SRTP.Local.Key == rekeyed.SRTP.Local.Key {
		t.Errorf("an MKI of the peer's: ours %+v after %+v", tagged.SRTP.Local, rekeyed.SRTP.Local)
	}
	// Our next offer carries the key in use.
	body, err := s.Offer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCrypto(attrValues(activeAudio(t, pionParse(t, body)), "crypto")[0])
	if err != nil || c.key.Key != tagged.SRTP.Local.Key {
		t.Errorf("re-offer has key %+v, %v; in use %+v", c.key, err, tagged.SRTP.Local)
	}
}

func TestAcceptAnswerSRTP(t *testing.T) {
	answer := func(mline string, attrs ...string) []byte { return peerOffer(mline, attrs...) }
	line1 := "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey
	tests := []struct {
		name   string
		policy Encryption
		answer []byte
		err    error
		suite  Suite
	}{
		{"plain, optional", EncryptionOptional, answer("m=audio 30000 RTP/AVP 0"), nil, 0},
		{"plain, required", EncryptionRequired, answer("m=audio 30000 RTP/AVP 0"), ErrNoCommonCodec, 0},
		{"tag 1", EncryptionOptional, answer("m=audio 30000 RTP/AVP 0", line1), nil, AES_CM_128_HMAC_SHA1_80},
		{"tag 2", EncryptionRequired, answer("m=audio 30000 RTP/SAVP 0", "crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"+testKey+"|2^31|1:1"), nil, AES_CM_128_HMAC_SHA1_32},
		{"SAVP to our AVP", EncryptionOptional, answer("m=audio 30000 RTP/SAVP 0", line1), nil, AES_CM_128_HMAC_SHA1_80},
		{"SAVP without keys", EncryptionOptional, answer("m=audio 30000 RTP/SAVP 0"), ErrNoCommonCodec, 0},
		{"SAVP, encryption rejected", EncryptionOptional, answer("m=audio 30000 RTP/SAVP 0", line1, "encryption:rejected"), nil, 0},
		{"tag we did not offer", EncryptionOptional, answer("m=audio 30000 RTP/AVP 0", "crypto:3 AES_CM_128_HMAC_SHA1_80 inline:"+testKey), ErrMalformed, 0},
		{"suite of another tag", EncryptionOptional, answer("m=audio 30000 RTP/AVP 0", "crypto:1 AES_CM_128_HMAC_SHA1_32 inline:"+testKey), ErrMalformed, 0},
		{"bad key", EncryptionOptional, answer("m=audio 30000 RTP/AVP 0", "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc"), ErrMalformed, 0},
		{"keys we did not ask for", EncryptionRejected, answer("m=audio 30000 RTP/AVP 0", line1), ErrMalformed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newPolicySession(t, tt.policy)
			body, err := s.Offer()
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.AcceptAnswer(tt.answer)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if res.SRTP.Suite != tt.suite {
				t.Fatalf("suite %v, want %v", res.SRTP.Suite, tt.suite)
			}
			if tt.suite == 0 {
				return
			}
			// Our key is the one we offered with that suite.
			for _, v := range attrValues(activeAudio(t, pionParse(t, body)), "crypto") {
				c, _ := parseCrypto(v)
				if c.suite == tt.suite && c.key != res.SRTP.Local {
					t.Errorf("local key %+v, offered %+v", res.SRTP.Local, c.key)
				}
			}
		})
	}
}

// TestMicrosoftSRTP answers the offers of Microsoft's Mediation Server in
// [MS-OCPSTN] 4: keys on RTP/SAVP with a=encryption:required, and keys on
// RTP/AVP with a=encryption:optional, each first line with an MKI.
func TestMicrosoftSRTP(t *testing.T) {
	avp, err := os.ReadFile("testdata/offers/microsoft-avp-srtp.sdp")
	if err != nil {
		t.Fatal(err)
	}
	savp, err := os.ReadFile("testdata/offers/microsoft-srtp.sdp")
	if err != nil {
		t.Fatal(err)
	}
	avpRequired := []byte(strings.Replace(string(avp), "a=encryption:optional", "a=encryption:required", 1))
	tests := []struct {
		name   string
		offer  []byte
		policy Encryption
		err    error
		mline  string
		crypto string // the answer's a=crypto line up to the key
		mki    string // and after it
		enc    string
	}{
		{"AVP optional, rejected", avp, EncryptionRejected, nil, "RTP/AVP 8 101", "", "", "rejected"},
		{"AVP optional, optional", avp, EncryptionOptional, nil, "RTP/AVP 8 101", "2 AES_CM_128_HMAC_SHA1_80", "|1:1", "optional"},
		{"AVP required, rejected", avpRequired, EncryptionRejected, ErrNoCommonCodec, "", "", "", ""},
		{"AVP required, required", avpRequired, EncryptionRequired, nil, "RTP/AVP 8 101", "2 AES_CM_128_HMAC_SHA1_80", "|1:1", "required"},
		{"SAVP required, optional", savp, EncryptionOptional, nil, "RTP/SAVP 0 101 13", "2 AES_CM_128_HMAC_SHA1_80", "|1:1", "optional"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, res, err := newPolicySession(t, tt.policy).Answer(tt.offer)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			md := activeAudio(t, pionParse(t, body))
			if got := strings.Join(md.MediaName.Protos, "/") + " " + strings.Join(md.MediaName.Formats, " "); got != tt.mline {
				t.Errorf("m= line %q, want %q", got, tt.mline)
			}
			lines := attrValues(md, "crypto")
			switch {
			case tt.crypto == "" && len(lines) != 0:
				t.Errorf("a=crypto %q in a plain answer", lines)
			case tt.crypto != "" && (len(lines) != 1 || !strings.HasPrefix(lines[0], tt.crypto+" inline:") || !strings.HasSuffix(lines[0], tt.mki)):
				t.Errorf("a=crypto %q, want %s inline:...%s", lines, tt.crypto, tt.mki)
			case tt.crypto != "" && (res.SRTP.Remote.MKI != 1 || res.SRTP.Remote.MKILen != 1):
				t.Errorf("remote key %+v, want MKI 1 of 1 byte", res.SRTP.Remote)
			}
			if got := strings.Join(attrValues(md, "encryption"), ","); got != tt.enc {
				t.Errorf("a=encryption %q, want %q", got, tt.enc)
			}
		})
	}
}
