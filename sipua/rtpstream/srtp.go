package rtpstream

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// SRTP keys a stream with SRTP (RFC 3711), as SDES (RFC 4568) negotiated
// it: the protection profile and the master key of each direction.
type SRTP struct {
	// Profile is srtp.ProtectionProfileAes128CmHmacSha1_80 or
	// srtp.ProtectionProfileAes128CmHmacSha1_32.
	Profile srtp.ProtectionProfile
	Local   MasterKey // protects the RTP and RTCP we send
	Remote  MasterKey // protects what we receive
}

// MasterKey is an SRTP master key and master salt (RFC 3711 §8.2), and the
// master key identifier that goes in each packet it protects, nil if none.
type MasterKey struct {
	Key, Salt, MKI []byte
}

func (k MasterKey) equal(o MasterKey) bool {
	return bytes.Equal(k.Key, o.Key) && bytes.Equal(k.Salt, o.Salt) && bytes.Equal(k.MKI, o.MKI)
}

func (k MasterKey) clone() MasterKey {
	return MasterKey{Key: slices.Clone(k.Key), Salt: slices.Clone(k.Salt), MKI: slices.Clone(k.MKI)}
}

// maxMKILen is the longest MKI RFC 4568 §9.2 allows.
const maxMKILen = 128

// maxDatagram bounds the packets we take in and send out, SRTP or not.
const maxDatagram = 1500

// keyedContext is an SRTP context and the key it was made from.
type keyedContext struct {
	profile srtp.ProtectionProfile
	key     MasterKey
	ctx     *srtp.Context
}

// replayWindow is how many packets back SRTP replay protection reaches
// (RFC 3711 §3.3.2 asks at least 64): 1.28 s of 20 ms packets, more than
// any jitter buffer waits.
const replayWindow = 64

// rekeyed returns c if it already runs profile with key, else a new
// context for them, with replay protection if it is to receive.
func (c keyedContext) rekeyed(profile srtp.ProtectionProfile, key MasterKey, receive bool) (keyedContext, error) {
	if c.ctx != nil && c.profile == profile && c.key.equal(key) {
		return c, nil
	}
	if len(key.MKI) > maxMKILen {
		return c, fmt.Errorf("rtpstream: SRTP MKI of %d bytes, at most %d", len(key.MKI), maxMKILen)
	}
	var opts []srtp.ContextOption
	if receive {
		opts = append(opts, srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
	}
	if len(key.MKI) > 0 {
		opts = append(opts, srtp.MasterKeyIndicator(key.MKI))
	}
	ctx, err := srtp.CreateContext(key.Key, key.Salt, profile, opts...)
	if err != nil {
		return c, fmt.Errorf("rtpstream: SRTP: %w", err)
	}
	return keyedContext{profile: profile, key: key.clone(), ctx: ctx}, nil
}

// srtpState is a stream's SRTP: one context for what we send, one for
// what we receive. A context lives as long as its key, through hold and
// plain-RTP spells: a key that started a second context would repeat its
// keystream. The stream's mu guards the fields; each buffer belongs to
// one goroutine.
type srtpState struct {
	on         bool // SetRemote gave keys
	send, recv keyedContext

	sendHeader, recvHeader rtp.Header        // parsed headers, kept to spare allocations
	sealed                 [maxDatagram]byte // writer goroutine: the packet being sent
	openedRTP              [maxDatagram]byte // RTP reader goroutine: the packet received
	openedRTCP             [maxDatagram]byte // RTCP reader goroutine: the packet received
}

// set takes the keys SetRemote gives, nil for plain RTP. On error nothing
// changes.
func (st *srtpState) set(k *SRTP) error {
	if k == nil {
		st.on = false
		return nil
	}
	if k.Profile != srtp.ProtectionProfileAes128CmHmacSha1_80 && k.Profile != srtp.ProtectionProfileAes128CmHmacSha1_32 {
		return fmt.Errorf("rtpstream: SRTP profile %v is not supported", k.Profile)
	}
	send, err := st.send.rekeyed(k.Profile, k.Local, false)
	if err != nil {
		return err
	}
	recv, err := st.recv.rekeyed(k.Profile, k.Remote, true)
	if err != nil {
		return err
	}
	st.send, st.recv, st.on = send, recv, true
	return nil
}

// protectRTP returns RTP packet b as SRTP, or b itself on a plain stream.
// The result lives in st.sealed until the next call. Writer goroutine.
func (st *srtpState) protectRTP(b []byte) ([]byte, error) {
	if !st.on {
		return b, nil
	}
	return st.send.ctx.EncryptRTP(st.sealed[:0], b, &st.sendHeader)
}

// protectRTCP returns compound RTCP packet b as SRTCP, or b itself on a
// plain stream. Writer goroutine.
func (st *srtpState) protectRTCP(b []byte) ([]byte, error) {
	if !st.on {
		return b, nil
	}
	return st.send.ctx.EncryptRTCP(st.sealed[:0], b, nil)
}

// unprotectRTP checks and decrypts SRTP packet b, or returns it as it is
// on a plain stream. It fails for a packet that does not authenticate, is
// a replay or is not SRTP at all. RTP reader goroutine.
func (st *srtpState) unprotectRTP(b []byte) ([]byte, error) {
	if !st.on {
		return b, nil
	}
	return st.recv.ctx.DecryptRTP(st.openedRTP[:0], b, &st.recvHeader)
}

// unprotectRTCP is unprotectRTP for SRTCP. RTCP reader goroutine.
func (st *srtpState) unprotectRTCP(b []byte) ([]byte, error) {
	if !st.on {
		return b, nil
	}
	return st.recv.ctx.DecryptRTCP(st.openedRTCP[:0], b, nil)
}
