package rtpstream

import (
	"bytes"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// testKey returns a master key whose bytes start at b.
func testKey(b byte, mki ...byte) MasterKey {
	k := MasterKey{Key: make([]byte, 16), Salt: make([]byte, 14), MKI: mki}
	for i := range k.Key {
		k.Key[i] = b + byte(i)
	}
	for i := range k.Salt {
		k.Salt[i] = b + 100 + byte(i)
	}
	return k
}

// srtpPair keys two ends the way SDES does: each one's local key is the
// other's remote one.
func srtpPair(t *testing.T, profile srtp.ProtectionProfile, a, b MasterKey) (*srtpState, *srtpState) {
	t.Helper()
	var x, y srtpState
	if err := x.set(&SRTP{Profile: profile, Local: a, Remote: b}); err != nil {
		t.Fatal(err)
	}
	if err := y.set(&SRTP{Profile: profile, Local: b, Remote: a}); err != nil {
		t.Fatal(err)
	}
	return &x, &y
}

func rtpPacket(t *testing.T, seq uint16, payload byte) []byte {
	t.Helper()
	b, err := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * FrameSize, SSRC: 0x1234}, Payload: frameOf(payload)[:]}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSRTPRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name    string
		profile srtp.ProtectionProfile
		mki     []byte
		tag     int // bytes the RTP auth tag and MKI add
	}{
		{"80", srtp.ProtectionProfileAes128CmHmacSha1_80, nil, 10},
		{"32", srtp.ProtectionProfileAes128CmHmacSha1_32, nil, 4},
		{"80 with MKI", srtp.ProtectionProfileAes128CmHmacSha1_80, []byte{1}, 11},
		{"32 with 4-byte MKI", srtp.ProtectionProfileAes128CmHmacSha1_32, []byte{0, 0, 0, 244}, 8},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := srtpPair(t, tt.profile, testKey(1, tt.mki...), testKey(50))
			plain := rtpPacket(t, 7, 0x55)
			sealed, err := a.protectRTP(plain)
			if err != nil {
				t.Fatal(err)
			}
			if len(sealed) != len(plain)+tt.tag {
				t.Errorf("SRTP packet of %d bytes for %d, want %d more", len(sealed), len(plain), tt.tag)
			}
			if bytes.Contains(sealed, frameOf(0x55)[:16]) {
				t.Error("the payload went out in the clear")
			}
			opened, err := b.unprotectRTP(onWire(sealed))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(opened, plain) {
				t.Errorf("decrypted\n% x\nwant\n% x", opened, plain)
			}
			// The same packet again is a replay.
			if _, err := b.unprotectRTP(onWire(sealed)); err == nil {
				t.Error("a replayed packet was taken")
			}
			// A packet changed on the way does not authenticate.
			forged, _ := a.protectRTP(rtpPacket(t, 8, 0x55))
			forged = onWire(forged)
			forged[20] ^= 1
			if _, err := b.unprotectRTP(forged); err == nil {
				t.Error("a forged packet was taken")
			}
			// Plain RTP on an SRTP stream does not authenticate either.
			if _, err := b.unprotectRTP(rtpPacket(t, 9, 0x55)); err == nil {
				t.Error("a plain RTP packet was taken")
			}

			report, err := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 0x1234}, rtcp.NewCNAMESourceDescription(0x1234, "x")})
			if err != nil {
				t.Fatal(err)
			}
			sealed, err = a.protectRTCP(report)
			if err != nil {
				t.Fatal(err)
			}
			opened, err = b.unprotectRTCP(onWire(sealed))
			if err != nil || !bytes.Equal(opened, report) {
				t.Errorf("RTCP: %v\n% x\nwant\n% x", err, opened, report)
			}
		})
	}
}

// onWire copies b, as the network would: out of the sender's buffer.
func onWire(b []byte) []byte { return append([]byte(nil), b...) }

func TestSRTPPlain(t *testing.T) {
	var st srtpState
	plain := rtpPacket(t, 1, 0x55)
	for name, f := range map[string]func([]byte) ([]byte, error){
		"protectRTP": st.protectRTP, "unprotectRTP": st.unprotectRTP, "protectRTCP": st.protectRTCP, "unprotectRTCP": st.unprotectRTCP,
	} {
		if out, err := f(plain); err != nil || !bytes.Equal(out, plain) {
			t.Errorf("%s on a plain stream changed the packet: %v", name, err)
		}
	}
}

// TestSRTPRekey: a context lasts as long as its key. The same keys again,
// or after a spell of plain RTP, keep it; a new key of one side makes a new
// context on that side only.
func TestSRTPRekey(t *testing.T) {
	p := srtp.ProtectionProfileAes128CmHmacSha1_80
	var st srtpState
	keys := &SRTP{Profile: p, Local: testKey(1), Remote: testKey(50)}
	if err := st.set(keys); err != nil {
		t.Fatal(err)
	}
	send, recv := st.send.ctx, st.recv.ctx
	st.set(nil)
	if st.on {
		t.Fatal("still on after plain RTP was set")
	}
	if err := st.set(&SRTP{Profile: p, Local: testKey(1), Remote: testKey(50)}); err != nil {
		t.Fatal(err)
	}
	if st.send.ctx != send || st.recv.ctx != recv {
		t.Error("the same keys made new contexts")
	}
	if err := st.set(&SRTP{Profile: p, Local: testKey(1), Remote: testKey(60)}); err != nil {
		t.Fatal(err)
	}
	if st.send.ctx != send || st.recv.ctx == recv {
		t.Error("a new remote key: want a new receive context and the same send context")
	}
	if err := st.set(&SRTP{Profile: p, Local: testKey(1, 1), Remote: testKey(60)}); err != nil {
		t.Fatal(err)
	}
	if st.send.ctx == send {
		t.Error("an MKI for the local key kept its context")
	}
	// The caller's slices may change after set: the state kept copies.
	k := testKey(70)
	if err := st.set(&SRTP{Profile: p, Local: k, Remote: testKey(60)}); err != nil {
		t.Fatal(err)
	}
	send = st.send.ctx
	k.Key[0] ^= 0xff
	if err := st.set(&SRTP{Profile: p, Local: testKey(70), Remote: testKey(60)}); err != nil || st.send.ctx != send {
		t.Errorf("the key kept was changed by its caller: %v", err)
	}
}

func TestSRTPSetErrors(t *testing.T) {
	p := srtp.ProtectionProfileAes128CmHmacSha1_80
	short := testKey(1)
	short.Salt = short.Salt[:10]
	for name, k := range map[string]*SRTP{
		"GCM profile":     {Profile: srtp.ProtectionProfileAeadAes128Gcm, Local: testKey(1), Remote: testKey(2)},
		"no profile":      {Local: testKey(1), Remote: testKey(2)},
		"short key":       {Profile: p, Local: MasterKey{Key: make([]byte, 8), Salt: make([]byte, 14)}, Remote: testKey(2)},
		"short salt":      {Profile: p, Local: testKey(1), Remote: short},
		"MKI of 129":      {Profile: p, Local: testKey(1, make([]byte, 129)...), Remote: testKey(2)},
		"no remote key":   {Profile: p, Local: testKey(1)},
		"nothing at all":  {Profile: p},
		"32 with no keys": {Profile: srtp.ProtectionProfileAes128CmHmacSha1_32},
	} {
		var st srtpState
		st.set(&SRTP{Profile: p, Local: testKey(1), Remote: testKey(2)})
		send, recv := st.send.ctx, st.recv.ctx
		if err := st.set(k); err == nil {
			t.Errorf("%s: no error", name)
		}
		if !st.on || st.send.ctx != send || st.recv.ctx != recv {
			t.Errorf("%s: the failed set changed the state", name)
		}
	}
}
