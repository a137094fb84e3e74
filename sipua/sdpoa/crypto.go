package sdpoa

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Suite is an SRTP crypto suite as a=crypto names it (RFC 4568 §6.2).
// The zero Suite means plain RTP.
type Suite uint8

// The suites we offer and accept, in our order of preference. Both use a
// 128-bit AES key in counter mode and a 112-bit salt; they differ in the
// length of the RTP authentication tag (80 or 32 bits).
const (
	AES_CM_128_HMAC_SHA1_80 Suite = 1 + iota
	AES_CM_128_HMAC_SHA1_32
)

var suiteNames = [...]string{"", "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"}

// String returns the suite's SDP name.
func (s Suite) String() string {
	if s != 0 && int(s) < len(suiteNames) {
		return suiteNames[s]
	}
	return "Suite(" + strconv.Itoa(int(s)) + ")"
}

// suiteNamed returns the suite SDP calls name.
func suiteNamed(name string) (Suite, bool) {
	for i, n := range suiteNames[1:] {
		if n == name {
			return Suite(i + 1), true
		}
	}
	return 0, false
}

// SRTP is the keying that SDES (RFC 4568) settled for the audio stream:
// one master key each way. A zero Suite means plain RTP; the keys are
// then zero too.
type SRTP struct {
	Suite  Suite
	Local  MasterKey // ours: it protects the RTP and RTCP we send
	Remote MasterKey // the peer's: it protects what we receive
}

// MasterKey is an SRTP master key and master salt (RFC 3711 §8.2), with
// the master key identifier (MKI) that goes in every packet it protects,
// if the key's owner asked for one.
type MasterKey struct {
	Key    [16]byte
	Salt   [14]byte
	MKI    uint32 // the MKI's value, if MKILen is not 0
	MKILen uint8  // the MKI's length in bytes: 0 (none) to 4
}

// MKIBytes returns the MKI as it appears in packets: MKILen bytes, most
// significant first. It is nil when there is no MKI.
func (k MasterKey) MKIBytes() []byte {
	if k.MKILen == 0 {
		return nil
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], k.MKI)
	return b[4-k.MKILen:]
}

// newMasterKey draws a fresh key and salt.
func newMasterKey() MasterKey {
	var k MasterKey
	rand.Read(k.Key[:])
	rand.Read(k.Salt[:])
	return k
}

// keySaltLen is the length of the key and salt together, what the
// inline: key parameter carries: the same for both suites.
const keySaltLen = 16 + 14

// maxLifetime is the most packets one master key may protect: 2^48 for
// SRTP (RFC 3711 §9.2). A longer lifetime is not a valid one.
const maxLifetime = 1 << 48

// maxMKILen is the longest MKI we handle. RFC 4568 §6.1 allows up to 128
// bytes; every deployed peer we know uses 1 to 4.
const maxMKILen = 4

// crypto is one a=crypto line (RFC 4568 §9.1):
//
//	a=crypto:<tag> <crypto-suite> inline:<key||salt>[|<lifetime>][|<MKI>:<length>] [<session-params>]
type crypto struct {
	tag   uint32
	suite Suite
	key   MasterKey
}

// parseCrypto reads the value of an a=crypto attribute. It fails for a
// line that does not parse and for one we cannot use: an unknown suite,
// more than one key, an MKI longer than maxMKILen, session parameters.
func parseCrypto(value string) (crypto, error) {
	fields := strings.Fields(value)
	if len(fields) < 3 {
		return crypto{}, fmt.Errorf("a=crypto:%s: want a tag, a suite and key parameters", value)
	}
	tag, err := strconv.ParseUint(fields[0], 10, 32)
	// RFC 4568 §9.1: the tag is 1 to 9 digits.
	if err != nil || len(fields[0]) > 9 {
		return crypto{}, fmt.Errorf("a=crypto:%s: tag %q is not a number of up to 9 digits", value, fields[0])
	}
	c := crypto{tag: uint32(tag)}
	var ok bool
	if c.suite, ok = suiteNamed(fields[1]); !ok {
		return c, fmt.Errorf("a=crypto:%d: suite %s is not one we know", tag, fields[1])
	}
	// RFC 4568 §6.3.7: a session parameter we do not understand makes the
	// line invalid unless it starts with "-". We implement none of them.
	for _, p := range fields[3:] {
		if !strings.HasPrefix(p, "-") {
			return c, fmt.Errorf("a=crypto:%d: session parameter %s is not supported", tag, p)
		}
	}
	// Several keys (RFC 4568 §6.1, separated by ";") would need one
	// context per MKI; peers send one.
	if strings.Contains(fields[2], ";") {
		return c, fmt.Errorf("a=crypto:%d: more than one key", tag)
	}
	params, ok := strings.CutPrefix(fields[2], "inline:")
	if !ok {
		return c, fmt.Errorf("a=crypto:%d: key method of %q is not inline", tag, fields[2])
	}
	parts := strings.Split(params, "|")
	if len(parts) > 3 {
		return c, fmt.Errorf("a=crypto:%d: key parameters %q have too many fields", tag, params)
	}
	keySalt, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil || len(keySalt) != keySaltLen {
		return c, fmt.Errorf("a=crypto:%d: key %q is not %d bytes of base64", tag, parts[0], keySaltLen)
	}
	copy(c.key.Key[:], keySalt)
	copy(c.key.Salt[:], keySalt[len(c.key.Key):])
	rest := parts[1:]
	// The lifetime, if any, comes first and has no colon; the MKI has one.
	if len(rest) > 0 && !strings.Contains(rest[0], ":") {
		if err := checkLifetime(rest[0]); err != nil {
			return c, fmt.Errorf("a=crypto:%d: %w", tag, err)
		}
		rest = rest[1:]
	}
	if len(rest) > 0 {
		v, l, _ := strings.Cut(rest[0], ":")
		n, err := strconv.ParseUint(l, 10, 8)
		if err != nil || n < 1 || n > 128 {
			return c, fmt.Errorf("a=crypto:%d: MKI length %q is not 1 to 128", tag, l)
		}
		if n > maxMKILen {
			return c, fmt.Errorf("a=crypto:%d: MKI of %d bytes, we handle up to %d", tag, n, maxMKILen)
		}
		mki, err := strconv.ParseUint(v, 10, int(8*n))
		if err != nil {
			return c, fmt.Errorf("a=crypto:%d: MKI %q does not fit %d bytes", tag, v, n)
		}
		c.key.MKI, c.key.MKILen = uint32(mki), uint8(n)
	}
	return c, nil
}

// checkLifetime reads a key lifetime, decimal or a power of two such as
// "2^31" (RFC 4568 §6.1), and fails if it is not a valid one. Keeping to
// it is the sender's duty: it must rekey by re-INVITE before the key runs
// out, and a lifetime within the limit is what SRTP allows anyway.
func checkLifetime(s string) error {
	var n uint64
	if exp, ok := strings.CutPrefix(s, "2^"); ok {
		e, err := strconv.ParseUint(exp, 10, 8)
		if err != nil || e > 48 {
			return fmt.Errorf("lifetime %q is not a power of two up to 2^48", s)
		}
		n = 1 << e
	} else {
		var err error
		if n, err = strconv.ParseUint(s, 10, 64); err != nil {
			return fmt.Errorf("lifetime %q is not a number", s)
		}
	}
	if n == 0 || n > maxLifetime {
		return fmt.Errorf("lifetime %s is not 1 to 2^48 packets", s)
	}
	return nil
}

// String writes c as the value of an a=crypto attribute, without lifetime:
// the default, SRTP's maximum, is what we mean.
func (c crypto) String() string {
	var keySalt [keySaltLen]byte
	copy(keySalt[:], c.key.Key[:])
	copy(keySalt[len(c.key.Key):], c.key.Salt[:])
	s := strconv.FormatUint(uint64(c.tag), 10) + " " + c.suite.String() + " inline:" + base64.StdEncoding.EncodeToString(keySalt[:])
	if c.key.MKILen > 0 {
		s += "|" + strconv.FormatUint(uint64(c.key.MKI), 10) + ":" + strconv.Itoa(int(c.key.MKILen))
	}
	return s
}

// encryption reads the a=encryption attribute ([MS-SDPEXT]) of
// stream md, else of the session: "optional", "required", "rejected", or
// "" if there is none or its value is unknown.
func encryption(sd *sdp.SessionDescription, md *sdp.MediaDescription) string {
	v, ok := md.Attribute("encryption")
	if !ok {
		v, _ = sd.Attribute("encryption")
	}
	switch v = strings.ToLower(strings.TrimSpace(v)); v {
	case "optional", "required", "rejected":
		return v
	}
	return ""
}

// cryptoLines returns the values of md's a=crypto attributes.
func cryptoLines(md *sdp.MediaDescription) []string {
	var lines []string
	for _, a := range md.Attributes {
		if a.Key == "crypto" {
			lines = append(lines, a.Value)
		}
	}
	return lines
}

// isSAVP reports whether md's transport is RTP/SAVP, which carries SRTP
// only (RFC 3711 §12), rather than RTP/AVP.
func isSAVP(md *sdp.MediaDescription) bool {
	return strings.EqualFold(strings.Join(md.MediaName.Protos, "/"), "RTP/SAVP")
}

// chooseCrypto decides how to key our answer to the peer's audio stream md
// under policy p: with the first of its a=crypto lines we can use, or
// (ok false) in plain RTP. A stream that must be SRTP, by RTP/SAVP or
// a=encryption:required, and that we cannot or will not key, fails with
// ErrNoCommonCodec: the stream is refused.
func chooseCrypto(sd *sdp.SessionDescription, md *sdp.MediaDescription, p Encryption) (c crypto, ok bool, err error) {
	enc := encryption(sd, md)
	insists := isSAVP(md) || enc == "required"
	var why error // why the first line we could not use is of no use
	// A peer that says a=encryption:rejected will not encrypt, keys or not.
	if enc != "rejected" {
		for _, line := range cryptoLines(md) {
			if c, err = parseCrypto(line); err == nil {
				ok = true
				break
			}
			if why == nil {
				why = err
			}
		}
	}
	switch {
	case p == EncryptionRejected && insists:
		return crypto{}, false, fmt.Errorf("%w: the peer requires SRTP, our policy rejects it", ErrNoCommonCodec)
	case p == EncryptionRejected:
		return crypto{}, false, nil
	case ok:
		return c, true, nil
	case (insists || p == EncryptionRequired) && why != nil:
		return crypto{}, false, fmt.Errorf("%w: no SRTP key we can use: %w", ErrNoCommonCodec, why)
	case insists || p == EncryptionRequired:
		return crypto{}, false, fmt.Errorf("%w: no SRTP keys (a=crypto) where we require SRTP", ErrNoCommonCodec)
	}
	return crypto{}, false, nil
}

// acceptCrypto reads the peer's answer to the a=crypto lines we offered
// under policy p: the keys of the line it took, its own and ours, or a
// zero SRTP for plain RTP. An answer without keys to our offer under
// EncryptionRequired fails with ErrNoCommonCodec; keys that do not answer
// ours fail with ErrMalformed.
func acceptCrypto(sd *sdp.SessionDescription, md *sdp.MediaDescription, offered []crypto, p Encryption) (SRTP, error) {
	lines := cryptoLines(md)
	// A peer that says a=encryption:rejected will not encrypt, keys or not,
	// whatever the transport: Microsoft's peers answer RTP/SAVP so.
	rejected := encryption(sd, md) == "rejected"
	if isSAVP(md) && !rejected && len(lines) == 0 {
		return SRTP{}, fmt.Errorf("%w: the answer is RTP/SAVP without keys", ErrNoCommonCodec)
	}
	if rejected || len(lines) == 0 {
		if p == EncryptionRequired {
			return SRTP{}, fmt.Errorf("%w: the answer has no SRTP keys, our policy requires SRTP", ErrNoCommonCodec)
		}
		return SRTP{}, nil
	}
	if len(offered) == 0 {
		return SRTP{}, fmt.Errorf("%w: the answer has SRTP keys, our offer had none", ErrMalformed)
	}
	// RFC 4568 §7.1.2: the answer holds one a=crypto line, with the tag of
	// the offer's line it accepts and that line's suite.
	c, err := parseCrypto(lines[0])
	if err != nil {
		return SRTP{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	for _, o := range offered {
		if o.tag == c.tag && o.suite == c.suite {
			return SRTP{Suite: c.suite, Local: o.key, Remote: c.key}, nil
		}
	}
	return SRTP{}, fmt.Errorf("%w: the answer's a=crypto:%d %s matches none of our lines", ErrMalformed, c.tag, c.suite)
}
