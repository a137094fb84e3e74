package sdpoa

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewSessionErrors(t *testing.T) {
	tests := []struct {
		name string
		c    Config
	}{
		{"no address", Config{}},
		{"unspecified address", Config{Local: netip.MustParseAddrPort("0.0.0.0:4000")}},
		{"multicast address", Config{Local: netip.MustParseAddrPort("233.252.0.1:4000")}},
		{"port 0", Config{Local: netip.MustParseAddrPort("192.0.2.10:0")}},
		{"empty codec list", Config{Local: ourAddr, Codecs: []Codec{}}},
		{"G.722", Config{Local: ourAddr, Codecs: []Codec{{PayloadType: 9, Name: "G722", ClockRate: 8000}}}},
		{"PCMU under another number", Config{Local: ourAddr, Codecs: []Codec{{PayloadType: 96, Name: "PCMU", ClockRate: 8000}}}},
		{"PCMA twice", Config{Local: ourAddr, Codecs: []Codec{PCMA, PCMU, PCMA}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := NewSession(tt.c); err == nil {
				t.Fatalf("NewSession(%+v) = %p, want an error", tt.c, s)
			}
		})
	}
}

func TestOffer(t *testing.T) {
	tests := []struct {
		name   string
		local  netip.AddrPort
		codecs []Codec
		conn   string // c= and o= address
		line   string
		attrs  []string
	}{
		{
			name:  "default",
			local: ourAddr,
			conn:  "IN IP4 192.0.2.10",
			line:  "audio 4000 RTP/AVP 0 8 101 13",
			attrs: []string{"rtpmap:0 PCMU/8000", "rtpmap:8 PCMA/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "rtpmap:13 CN/8000", "ptime:20", "sendrecv"},
		},
		{
			name:   "PCMA first",
			local:  ourAddr,
			codecs: []Codec{PCMA, PCMU},
			conn:   "IN IP4 192.0.2.10",
			line:   "audio 4000 RTP/AVP 8 0 101 13",
			attrs:  []string{"rtpmap:8 PCMA/8000", "rtpmap:0 PCMU/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "rtpmap:13 CN/8000", "ptime:20", "sendrecv"},
		},
		{
			name:   "IPv6, PCMA only",
			local:  netip.MustParseAddrPort("[2001:db8::10]:5004"),
			codecs: []Codec{PCMA},
			conn:   "IN IP6 2001:db8::10",
			line:   "audio 5004 RTP/AVP 8 101 13",
			attrs:  []string{"rtpmap:8 PCMA/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "rtpmap:13 CN/8000", "ptime:20", "sendrecv"},
		},
		{
			name:  "IPv4 given as IPv4-mapped IPv6",
			local: netip.MustParseAddrPort("[::ffff:192.0.2.10]:4000"),
			conn:  "IN IP4 192.0.2.10",
			line:  "audio 4000 RTP/AVP 0 8 101 13",
			attrs: []string{"rtpmap:0 PCMU/8000", "rtpmap:8 PCMA/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "rtpmap:13 CN/8000", "ptime:20", "sendrecv"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := newSession(t, tt.local, tt.codecs...).Offer()
			if err != nil {
				t.Fatal(err)
			}
			sd := pionParse(t, body)
			if got := sd.ConnectionInformation.String(); got != tt.conn {
				t.Errorf("c=%s, want %s", got, tt.conn)
			}
			o := sd.Origin
			if got := o.NetworkType + " " + o.AddressType + " " + o.UnicastAddress; got != tt.conn {
				t.Errorf("o= address %s, want %s", got, tt.conn)
			}
			if o.SessionVersion != 1 || o.SessionID >= 1<<63 {
				t.Errorf("o= id %d version %d", o.SessionID, o.SessionVersion)
			}
			if got := mediaLines(sd); !slices.Equal(got, []string{tt.line}) {
				t.Errorf("m= lines %q, want %q", got, tt.line)
			}
			if got := attributes(sd.MediaDescriptions[0]); !slices.Equal(got, tt.attrs) {
				t.Errorf("attributes\n got %q\nwant %q", got, tt.attrs)
			}
		})
	}
}

// exchange has offerer make an offer that answerer answers and offerer accepts.
func exchange(t *testing.T, offerer, answerer *Session) (offered, answered Result) {
	t.Helper()
	offer, err := offerer.Offer()
	if err != nil {
		t.Fatal(err)
	}
	pionParse(t, offer)
	answer, answered, err := answerer.Answer(offer)
	if err != nil {
		t.Fatal(err)
	}
	pionParse(t, answer)
	offered, err = offerer.AcceptAnswer(answer)
	if err != nil {
		t.Fatal(err)
	}
	return offered, answered
}

func TestOfferAnswerBetweenSessions(t *testing.T) {
	a := newSession(t, ourAddr)
	b := newSession(t, peerAddr, PCMA, PCMU)
	ra, rb := exchange(t, a, b)
	want := Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: 101, ComfortNoise: 13, Send: true, Recv: true, PTime: 20 * time.Millisecond}
	if ra != want {
		t.Errorf("offerer's result\n got %+v\nwant %+v", ra, want)
	}
	want.Remote = ourAddr
	if rb != want {
		t.Errorf("answerer's result\n got %+v\nwant %+v", rb, want)
	}
}

// TestDelayedOffer: an INVITE without SDP; we offer in the 200, the peer
// answers in the ACK.
func TestDelayedOffer(t *testing.T) {
	gw := newSession(t, ourAddr)
	peer := newSession(t, peerAddr, PCMA)
	res, peerRes := exchange(t, gw, peer)
	if res.Codec != PCMA || res.Remote != peerAddr || !res.Send || !res.Recv {
		t.Errorf("gateway's result %+v", res)
	}
	if peerRes.Codec != PCMA || peerRes.Remote != ourAddr {
		t.Errorf("peer's result %+v", peerRes)
	}
}

func TestHoldAndResume(t *testing.T) {
	tests := []struct {
		name   string
		holder Direction
		// what the held side, and the holder, may do during the hold
		heldSend, heldRecv, holderSend, holderRecv bool
	}{
		{"sendonly", SendOnly, false, true, true, false},
		{"inactive", Inactive, false, false, false, false},
	}
	for _, tt := range tests {
		for _, weHold := range []bool{true, false} {
			name := tt.name + "/peer holds"
			if weHold {
				name = tt.name + "/we hold"
			}
			t.Run(name, func(t *testing.T) {
				us, peer := newSession(t, ourAddr), newSession(t, peerAddr)
				exchange(t, peer, us)
				holder, held := peer, us
				if weHold {
					holder, held = us, peer
				}
				holder.SetDirection(tt.holder)
				holderRes, heldRes := exchange(t, holder, held)
				if holderRes.Send != tt.holderSend || holderRes.Recv != tt.holderRecv {
					t.Errorf("holder may send %v, receive %v", holderRes.Send, holderRes.Recv)
				}
				if heldRes.Send != tt.heldSend || heldRes.Recv != tt.heldRecv {
					t.Errorf("held side may send %v, receive %v", heldRes.Send, heldRes.Recv)
				}
				// A re-offer from the held side during the hold keeps it.
				heldRes, holderRes = exchange(t, held, holder)
				if holderRes.Send != tt.holderSend || holderRes.Recv != tt.holderRecv ||
					heldRes.Send != tt.heldSend || heldRes.Recv != tt.heldRecv {
					t.Errorf("re-offer from the held side: holder %+v, held %+v", holderRes, heldRes)
				}
				holder.SetDirection(SendRecv)
				holderRes, heldRes = exchange(t, holder, held)
				if !holderRes.Send || !holderRes.Recv || !heldRes.Send || !heldRes.Recv {
					t.Errorf("after resume: holder %+v, held %+v", holderRes, heldRes)
				}
			})
		}
	}
}

// TestLegacyHold: a peer of RFC 2543 vintage holds with c=0.0.0.0 and
// resumes with its address.
func TestLegacyHold(t *testing.T) {
	s := newSession(t, ourAddr)
	offer := func(addr string) []byte {
		return sdpText("v=0", "o=old 7 7 IN IP4 198.51.100.7", "s=-", "c=IN IP4 "+addr, "t=0 0", "m=audio 30000 RTP/AVP 0")
	}
	steps := []struct {
		addr    string
		answer  Direction
		send    bool
		remote  string
		changed bool
	}{
		{"198.51.100.7", SendRecv, true, "198.51.100.7:30000", false},
		{"0.0.0.0", RecvOnly, false, "0.0.0.0:30000", true},
		{"198.51.100.7", SendRecv, true, "198.51.100.7:30000", true},
	}
	for i, step := range steps {
		body, res, err := s.Answer(offer(step.addr))
		if err != nil {
			t.Fatal(err)
		}
		if res.Send != step.send || !res.Recv || res.Remote.String() != step.remote || res.RemoteChanged != step.changed {
			t.Errorf("step %d: result %+v", i, res)
		}
		if _, ok := activeAudio(t, pionParse(t, body)).Attribute(step.answer.String()); !ok {
			t.Errorf("step %d: answer is not %s:\n%s", i, step.answer, body)
		}
	}
}

func TestVersion(t *testing.T) {
	us, peer := newSession(t, ourAddr), newSession(t, peerAddr)
	var origin string // the o= line without its version
	check := func(step string, body []byte, version uint64) {
		t.Helper()
		o := pionParse(t, body).Origin
		if o.SessionVersion != version {
			t.Errorf("%s: version %d, want %d", step, o.SessionVersion, version)
		}
		o.SessionVersion = 0
		if origin == "" {
			origin = o.String()
		} else if o.String() != origin {
			t.Errorf("%s: o=%s, was o=%s", step, o, origin)
		}
	}
	offerAccepted := func(step string, version uint64) {
		t.Helper()
		body, err := us.Offer()
		if err != nil {
			t.Fatal(err)
		}
		check(step, body, version)
		answer, _, err := peer.Answer(body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := us.AcceptAnswer(answer); err != nil {
			t.Fatal(err)
		}
	}
	answered := func(step string, offer []byte, version uint64) {
		t.Helper()
		body, _, err := us.Answer(offer)
		if err != nil {
			t.Fatal(err)
		}
		check(step, body, version)
	}

	offerAccepted("initial offer", 1)
	offerAccepted("same offer again (session refresh)", 1)
	us.SetDirection(SendOnly)
	offerAccepted("hold", 2)
	us.SetDirection(SendRecv)
	offerAccepted("resume", 3)

	pcmuFirst := peerOffer("m=audio 30000 RTP/AVP 0 8")
	answered("answer, one codec where our offer had all", pcmuFirst, 4)
	answered("same offer again", pcmuFirst, 4)
	answered("same answer to an offer from elsewhere", peerOffer("m=audio 31000 RTP/AVP 0", "sendrecv"), 4)
	answered("PCMA first", peerOffer("m=audio 30000 RTP/AVP 8 0"), 5)

	us.SetDirection(Inactive)
	body, err := us.Offer()
	if err != nil {
		t.Fatal(err)
	}
	check("hold offer", body, 6)
	us.CancelOffer()
	body, err = us.Offer()
	if err != nil {
		t.Fatal(err)
	}
	check("the refused hold offer again", body, 6)
}

func TestOfferPending(t *testing.T) {
	s := newSession(t, ourAddr)
	if _, err := s.Offer(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Offer(); !errors.Is(err, ErrOfferPending) {
		t.Errorf("second Offer: %v, want ErrOfferPending", err)
	}
	offer := peerOffer("m=audio 30000 RTP/AVP 0")
	if _, _, err := s.Answer(offer); !errors.Is(err, ErrOfferPending) {
		t.Errorf("Answer during our offer: %v, want ErrOfferPending", err)
	}
	s.CancelOffer()
	if _, _, err := s.Answer(offer); err != nil {
		t.Errorf("Answer after CancelOffer: %v", err)
	}
}

func TestNoOffer(t *testing.T) {
	answer := peerOffer("m=audio 30000 RTP/AVP 0")
	s := newSession(t, ourAddr)
	if _, err := s.AcceptAnswer(answer); !errors.Is(err, ErrNoOffer) {
		t.Errorf("AcceptAnswer before any offer: %v, want ErrNoOffer", err)
	}
	if _, err := s.Offer(); err != nil {
		t.Fatal(err)
	}
	s.CancelOffer()
	if _, err := s.AcceptAnswer(answer); !errors.Is(err, ErrNoOffer) {
		t.Errorf("AcceptAnswer after CancelOffer: %v, want ErrNoOffer", err)
	}
	if _, err := s.Offer(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptAnswer(answer); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Answer(peerOffer("m=audio 30000 RTP/AVP 8")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptAnswer(answer); !errors.Is(err, ErrNoOffer) {
		t.Errorf("AcceptAnswer after the peer's offer: %v, want ErrNoOffer", err)
	}
}

// TestEarlyMediaThenFinal: a 183 and then the 200 carry answers to the
// same offer; the 200's moves the media.
func TestEarlyMediaThenFinal(t *testing.T) {
	s := newSession(t, ourAddr)
	if _, err := s.Offer(); err != nil {
		t.Fatal(err)
	}
	early := peerOffer("m=audio 30000 RTP/AVP 8")
	steps := []struct {
		answer  []byte
		remote  string
		changed bool
	}{
		{early, "198.51.100.7:30000", false},
		{early, "198.51.100.7:30000", false},
		{peerOffer("m=audio 30100 RTP/AVP 8"), "198.51.100.7:30100", true},
	}
	for i, step := range steps {
		res, err := s.AcceptAnswer(step.answer)
		if err != nil {
			t.Fatal(err)
		}
		if res.Remote.String() != step.remote || res.RemoteChanged != step.changed || res.Codec != PCMA {
			t.Errorf("answer %d: %+v", i, res)
		}
	}
}

func TestReofferMovesMedia(t *testing.T) {
	us := newSession(t, ourAddr)
	peer := newSession(t, peerAddr)
	exchange(t, peer, us)
	_, res := exchange(t, peer, us)
	if res.RemoteChanged {
		t.Errorf("unchanged re-offer reported a move: %+v", res)
	}
	peer = newSession(t, netip.MustParseAddrPort("198.51.100.8:32000"))
	_, res = exchange(t, peer, us)
	if !res.RemoteChanged || res.Remote.String() != "198.51.100.8:32000" {
		t.Errorf("re-offer from a new address: %+v", res)
	}
}

func TestAcceptAnswerErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer []byte
		want   error
	}{
		{"not SDP", []byte("nonsense"), ErrMalformed},
		{"two m= lines for one", sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
			"m=audio 30000 RTP/AVP 0", "m=video 0 RTP/AVP 96"), ErrMalformed},
		{"no m= line", sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0"), ErrMalformed},
		{"video for audio", peerOffer("m=video 30000 RTP/AVP 96"), ErrMalformed},
		{"codec we did not offer", peerOffer("m=audio 30000 RTP/AVP 18", "rtpmap:18 G729/8000"), ErrNoCommonCodec},
		{"SRTP for RTP", peerOffer("m=audio 30000 RTP/SAVP 0"), ErrNoCommonCodec},
		{"no c=", sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "t=0 0", "m=audio 30000 RTP/AVP 0"), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, ourAddr)
			if _, err := s.Offer(); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AcceptAnswer(tt.answer); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			// The offer is still out, and a good answer completes it.
			if _, _, err := s.Answer(peerOffer("m=audio 30000 RTP/AVP 0")); !errors.Is(err, ErrOfferPending) {
				t.Errorf("Answer after the bad answer: %v, want ErrOfferPending", err)
			}
			if _, err := s.AcceptAnswer(peerOffer("m=audio 30000 RTP/AVP 0")); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestPeerRejectsAudio: the peer answers our audio with port 0; a later
// offer brings audio back in the same m= line.
func TestPeerRejectsAudio(t *testing.T) {
	s := newSession(t, ourAddr)
	if _, err := s.Offer(); err != nil {
		t.Fatal(err)
	}
	res, err := s.AcceptAnswer(peerOffer("m=audio 0 RTP/AVP 0"))
	if err != nil {
		t.Fatal(err)
	}
	if res != noAudio {
		t.Errorf("result %+v, want no audio", res)
	}
	body, err := s.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if got := mediaLines(pionParse(t, body)); !slices.Equal(got, []string{"audio 4000 RTP/AVP 0 8 101 13"}) {
		t.Errorf("re-offer m= lines %q", got)
	}
}

// TestReofferKeepsStreams: after answering video and audio, our re-offer
// keeps both m= lines in place (RFC 3264 §8), video still at port 0, and the
// peer's telephone-event number.
func TestReofferKeepsStreams(t *testing.T) {
	s := newSession(t, ourAddr)
	offer := sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
		"m=video 30002 RTP/AVP 96", "a=rtpmap:96 H264/90000",
		"m=audio 30000 RTP/AVP 8 96", "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-15")
	if _, _, err := s.Answer(offer); err != nil {
		t.Fatal(err)
	}
	s.SetDirection(SendOnly)
	body, err := s.Offer()
	if err != nil {
		t.Fatal(err)
	}
	sd := pionParse(t, body)
	want := []string{"video 0 RTP/AVP 96", "audio 4000 RTP/AVP 0 8 96 13"}
	if got := mediaLines(sd); !slices.Equal(got, want) {
		t.Fatalf("re-offer m= lines %q, want %q", got, want)
	}
	attrs := attributes(sd.MediaDescriptions[1])
	for _, a := range []string{"rtpmap:96 telephone-event/8000", "fmtp:96 0-15", "sendonly"} {
		if !slices.Contains(attrs, a) {
			t.Errorf("re-offer lacks a=%s: %q", a, attrs)
		}
	}
	answer := sdpText("v=0", "o=peer 1 2 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
		"m=video 0 RTP/AVP 96", "m=audio 30000 RTP/AVP 8 96", "a=rtpmap:96 telephone-event/8000", "a=recvonly")
	res, err := s.AcceptAnswer(answer)
	if err != nil {
		t.Fatal(err)
	}
	if res.Codec != PCMA || res.TelephoneEvent != 96 || !res.Send || res.Recv {
		t.Errorf("result %+v", res)
	}
}

func TestDirectionString(t *testing.T) {
	var got []string
	for _, d := range []Direction{SendRecv, SendOnly, RecvOnly, Inactive, 9} {
		got = append(got, d.String())
	}
	if s := strings.Join(got, " "); s != "sendrecv sendonly recvonly inactive Direction(9)" {
		t.Errorf("got %s", s)
	}
}

// TestReofferPayloadTypeClash: a peer that maps telephone-event and CN onto
// numbers our codecs use does not make our next offer list a number twice.
func TestReofferPayloadTypeClash(t *testing.T) {
	s := newSession(t, ourAddr)
	offer := peerOffer("m=audio 30000 RTP/AVP 0 8 101", "rtpmap:8 telephone-event/8000", "rtpmap:101 CN/8000")
	_, res, err := s.Answer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if res.TelephoneEvent != 8 || res.ComfortNoise != 101 {
		t.Fatalf("result %+v", res)
	}
	body, err := s.Offer()
	if err != nil {
		t.Fatal(err)
	}
	if got := mediaLines(pionParse(t, body)); !slices.Equal(got, []string{"audio 4000 RTP/AVP 0 8 101 13"}) {
		t.Errorf("re-offer m= lines %q", got)
	}
}
