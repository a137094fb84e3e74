package sdpoa

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/sdp/v3"
)

func TestAnswer(t *testing.T) {
	pcmuPCMA := []string{"rtpmap:0 PCMU/8000", "rtpmap:8 PCMA/8000"}
	tests := []struct {
		name    string
		codecs  []Codec        // ours; nil for the default PCMU, PCMA
		wish    Direction      // ours
		local   netip.AddrPort // zero for ourAddr
		offer   []byte
		foreign bool     // the answer has an m= line pion cannot read
		lines   []string // m= lines of the answer
		attrs   []string // attributes of its audio stream, if any
		want    Result
	}{
		{
			name:  "offer order wins",
			offer: peerOffer("m=audio 30000 RTP/AVP 8 0 101 13", "rtpmap:8 PCMA/8000", "rtpmap:0 PCMU/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-16", "rtpmap:13 CN/8000", "ptime:20"),
			lines: []string{"audio 4000 RTP/AVP 8 101 13"},
			attrs: []string{"rtpmap:8 PCMA/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "rtpmap:13 CN/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMA, TelephoneEvent: 101, ComfortNoise: 13, Send: true, Recv: true, PTime: 20 * time.Millisecond},
		},
		{
			name:   "our preference does not reorder an offer",
			codecs: []Codec{PCMA, PCMU},
			offer:  peerOffer("m=audio 30000 RTP/AVP 0 8", pcmuPCMA...),
			lines:  []string{"audio 4000 RTP/AVP 0"},
			attrs:  []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:   Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:   "first offered codec we accept",
			codecs: []Codec{PCMA},
			offer:  peerOffer("m=audio 30000 RTP/AVP 18 0 8", "rtpmap:18 G729/8000", "rtpmap:0 PCMU/8000", "rtpmap:8 PCMA/8000"),
			lines:  []string{"audio 4000 RTP/AVP 8"},
			attrs:  []string{"rtpmap:8 PCMA/8000", "ptime:20", "sendrecv"},
			want:   Result{Remote: peerAddr, Codec: PCMA, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "static types without rtpmap",
			offer: peerOffer("m=audio 30000 RTP/AVP 8 13"),
			lines: []string{"audio 4000 RTP/AVP 8 13"},
			attrs: []string{"rtpmap:8 PCMA/8000", "rtpmap:13 CN/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMA, TelephoneEvent: -1, ComfortNoise: 13, Send: true, Recv: true},
		},
		{
			name:  "codec under a dynamic type, name in lower case",
			offer: peerOffer("m=audio 30000 RTP/AVP 98", "rtpmap:98 pcmu/8000"),
			lines: []string{"audio 4000 RTP/AVP 98"},
			attrs: []string{"rtpmap:98 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: Codec{PayloadType: 98, Name: "PCMU", ClockRate: 8000}, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "telephone-event as 96",
			offer: peerOffer("m=audio 30000 RTP/AVP 0 96", "rtpmap:0 PCMU/8000", "rtpmap:96 telephone-event/8000", "fmtp:96 0-15"),
			lines: []string{"audio 4000 RTP/AVP 0 96"},
			attrs: []string{"rtpmap:0 PCMU/8000", "rtpmap:96 telephone-event/8000", "fmtp:96 0-15", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: 96, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "telephone-event at 8 kHz among others",
			offer: peerOffer("m=audio 30000 RTP/AVP 0 110 101", "rtpmap:110 telephone-event/48000", "fmtp:110 0-15", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15"),
			lines: []string{"audio 4000 RTP/AVP 0 101"},
			attrs: []string{"rtpmap:0 PCMU/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: 101, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "telephone-event without events means 0-15",
			offer: peerOffer("m=audio 30000 RTP/AVP 0 101", "rtpmap:101 telephone-event/8000"),
			lines: []string{"audio 4000 RTP/AVP 0 101"},
			attrs: []string{"rtpmap:0 PCMU/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-15", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: 101, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "telephone-event with fewer events",
			offer: peerOffer("m=audio 30000 RTP/AVP 0 101", "rtpmap:101 telephone-event/8000", "fmtp:101 0-9,11,16"),
			lines: []string{"audio 4000 RTP/AVP 0 101"},
			attrs: []string{"rtpmap:0 PCMU/8000", "rtpmap:101 telephone-event/8000", "fmtp:101 0-9,11", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: 101, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "telephone-event without DTMF is left out",
			offer: peerOffer("m=audio 30000 RTP/AVP 0 101 102", "rtpmap:101 telephone-event/8000", "fmtp:101 16", "rtpmap:102 telephone-event/8000", "fmtp:102 bogus"),
			lines: []string{"audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "CN under a dynamic type, CN at 16 kHz ignored",
			offer: peerOffer("m=audio 30000 RTP/AVP 0 118 97", "rtpmap:118 CN/16000", "rtpmap:97 CN/8000"),
			lines: []string{"audio 4000 RTP/AVP 0 97"},
			attrs: []string{"rtpmap:0 PCMU/8000", "rtpmap:97 CN/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: 97, Send: true, Recv: true},
		},
		{
			name: "video first is rejected in place",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
				"m=video 30002 RTP/AVP 96 97", "a=rtpmap:96 H264/90000", "a=rtpmap:97 VP8/90000",
				"m=audio 30000 RTP/AVP 0", "a=sendrecv"),
			lines: []string{"video 0 RTP/AVP 96 97", "audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name: "SRTP stream rejected, plain one taken",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
				"m=audio 30004 RTP/SAVP 0 8", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4",
				"m=audio 30000 RTP/AVP 0 8"),
			lines: []string{"audio 0 RTP/SAVP 0 8", "audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name: "second audio stream rejected",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
				"m=audio 30000 RTP/AVP 8", "m=audio 30010 RTP/AVP 0"),
			lines: []string{"audio 4000 RTP/AVP 8", "audio 0 RTP/AVP 0"},
			attrs: []string{"rtpmap:8 PCMA/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMA, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name: "T.38 alongside audio is rejected in place",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
				"m=audio 30000 RTP/AVP 0", "m=image 30020 udptl t38", "a=T38FaxVersion:0", "a=T38FaxUdpEC:t38UDPRedundancy"),
			foreign: true,
			lines:   []string{"audio 4000 RTP/AVP 0", "image 0 udptl t38"},
			attrs:   []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:    Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "audio disabled by the offerer",
			offer: peerOffer("m=audio 0 RTP/AVP 0"),
			lines: []string{"audio 0 RTP/AVP 0"},
			want:  noAudio,
		},
		{
			name:  "no streams at all",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0"),
			want:  noAudio,
		},
		{
			name: "media c= wins over session c=",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.99", "t=0 0",
				"m=audio 30000 RTP/AVP 0", "c=IN IP4 198.51.100.7"),
			lines: []string{"audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "IPv6",
			local: netip.MustParseAddrPort("[2001:db8::10]:4000"),
			offer: sdpText("v=0", "o=peer 1 1 IN IP6 2001:db8::7", "s=-", "c=IN IP6 2001:db8::7", "t=0 0", "m=audio 30000 RTP/AVP 0"),
			lines: []string{"audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: netip.MustParseAddrPort("[2001:db8::7]:30000"), Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
		{
			name:  "ptime and maxptime reported",
			offer: peerOffer("m=audio 30000 RTP/AVP 0", "ptime:30", "maxptime:40"),
			lines: []string{"audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true, PTime: 30 * time.Millisecond, MaxPTime: 40 * time.Millisecond},
		},
		{
			name: "session-level ptime, fractional",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0", "a=ptime:20.5",
				"m=audio 30000 RTP/AVP 0", "a=maxptime:nonsense"),
			lines: []string{"audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true, PTime: 20500 * time.Microsecond},
		},
		{
			name: "ICE, rtcp, ssrc, bandwidth and unknown attributes are ignored",
			offer: sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "b=AS:80", "t=0 0",
				"a=ice-lite", "a=x-vendor-thing:42",
				"m=audio 30000 RTP/AVP 0", "b=TIAS:64000", "a=rtcp:30001 IN IP4 198.51.100.7", "a=rtcp-mux", "a=ssrc:12345 cname:peer",
				"a=ice-ufrag:abcd", "a=ice-pwd:0123456789abcdef0123", "a=candidate:1 1 UDP 2130706431 198.51.100.7 30000 typ host",
				"a=x-whatever", "a=sendrecv"),
			lines: []string{"audio 4000 RTP/AVP 0"},
			attrs: []string{"rtpmap:0 PCMU/8000", "ptime:20", "sendrecv"},
			want:  Result{Remote: peerAddr, Codec: PCMU, TelephoneEvent: -1, ComfortNoise: -1, Send: true, Recv: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local := tt.local
			if !local.IsValid() {
				local = ourAddr
			}
			s := newSession(t, local, tt.codecs...)
			s.SetDirection(tt.wish)
			body, res, err := s.Answer(tt.offer)
			if err != nil {
				t.Fatal(err)
			}
			if res != tt.want {
				t.Errorf("result\n got %+v\nwant %+v", res, tt.want)
			}
			var ans *sdp.SessionDescription
			if tt.foreign {
				if ans, err = parse(body); err != nil {
					t.Fatalf("cannot parse our answer: %v\n%s", err, body)
				}
			} else {
				ans = pionParse(t, body)
			}
			if got := mediaLines(ans); !slices.Equal(got, tt.lines) {
				t.Errorf("m= lines %q, want %q", got, tt.lines)
			}
			for _, md := range ans.MediaDescriptions {
				if md.MediaName.Port.Value == 0 && len(md.Attributes) > 0 {
					t.Errorf("rejected %s stream has attributes %q", md.MediaName.Media, attributes(md))
				}
				if md.MediaName.Port.Value != 0 {
					if got := attributes(md); !slices.Equal(got, tt.attrs) {
						t.Errorf("audio attributes\n got %q\nwant %q", got, tt.attrs)
					}
				}
			}
			if c := ans.ConnectionInformation; c == nil || c.Address == nil || c.Address.Address != local.Addr().String() {
				t.Errorf("answer's c= is %v, want our address %v", c, local.Addr())
			}
		})
	}
}

func TestAnswerDirection(t *testing.T) {
	tests := []struct {
		name       string
		wish       Direction
		session    string // session-level attribute, if any
		media      string // media-level attribute, if any
		conn       string // connection address; 198.51.100.7 if empty
		answer     Direction
		send, recv bool
	}{
		{name: "sendrecv", answer: SendRecv, send: true, recv: true},
		{name: "none means sendrecv", media: "", answer: SendRecv, send: true, recv: true},
		{name: "peer holds with sendonly", media: "sendonly", answer: RecvOnly, recv: true},
		{name: "peer holds with inactive", media: "inactive", answer: Inactive},
		{name: "peer only listens", media: "recvonly", answer: SendOnly, send: true},
		{name: "peer holds with c=0.0.0.0", conn: "0.0.0.0", answer: RecvOnly, recv: true},
		{name: "c=0.0.0.0 and sendonly", conn: "0.0.0.0", media: "sendonly", answer: RecvOnly, recv: true},
		{name: "session-level sendonly", session: "sendonly", answer: RecvOnly, recv: true},
		{name: "media level wins", session: "inactive", media: "sendrecv", answer: SendRecv, send: true, recv: true},
		{name: "we hold, peer sendrecv", wish: SendOnly, answer: SendOnly, send: true},
		{name: "we hold, peer holds", wish: SendOnly, media: "sendonly", answer: Inactive},
		{name: "we are inactive", wish: Inactive, answer: Inactive},
		{name: "we only listen", wish: RecvOnly, media: "sendrecv", answer: RecvOnly, recv: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := tt.conn
			if conn == "" {
				conn = "198.51.100.7"
			}
			lines := []string{"v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 " + conn, "t=0 0"}
			if tt.session != "" {
				lines = append(lines, "a="+tt.session)
			}
			lines = append(lines, "m=audio 30000 RTP/AVP 0")
			if tt.media != "" {
				lines = append(lines, "a="+tt.media)
			}
			s := newSession(t, ourAddr)
			s.SetDirection(tt.wish)
			body, res, err := s.Answer(sdpText(lines...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Send != tt.send || res.Recv != tt.recv {
				t.Errorf("send %v recv %v, want %v %v", res.Send, res.Recv, tt.send, tt.recv)
			}
			md := activeAudio(t, pionParse(t, body))
			if _, ok := md.Attribute(tt.answer.String()); !ok {
				t.Errorf("answer attributes %q lack %s", attributes(md), tt.answer)
			}
		})
	}
}

func TestAnswerErrors(t *testing.T) {
	tests := []struct {
		name  string
		local netip.AddrPort // zero for ourAddr
		offer []byte
		want  error
	}{
		{"empty", ourAddr, nil, ErrMalformed},
		{"not SDP", ourAddr, []byte("hello, world\r\n"), ErrMalformed},
		{"ends after v=", ourAddr, sdpText("v=0"), ErrMalformed},
		{"bad m= line", ourAddr, peerOffer("m=audio port RTP/AVP 0"), ErrMalformed},
		{"no c= line", ourAddr, sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "t=0 0", "m=audio 30000 RTP/AVP 0"), ErrMalformed},
		{"host name in c=", ourAddr, sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 media.example.com", "t=0 0", "m=audio 30000 RTP/AVP 0"), ErrMalformed},
		{"IPv6 address as IP4", ourAddr, sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 2001:db8::7", "t=0 0", "m=audio 30000 RTP/AVP 0"), ErrMalformed},
		{"multicast with TTL", ourAddr, sdpText("v=0", "o=peer 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 233.252.0.1/127", "t=0 0", "m=audio 30000 RTP/AVP 0"), ErrMalformed},
		{"bad image line", ourAddr, peerOffer("m=image none udptl t38"), ErrMalformed},
		{"codecs we lack", ourAddr, peerOffer("m=audio 30000 RTP/AVP 18 9 101", "rtpmap:18 G729/8000", "rtpmap:9 G722/8000", "rtpmap:101 telephone-event/8000"), ErrNoCommonCodec},
		{"PCMU at 16 kHz", ourAddr, peerOffer("m=audio 30000 RTP/AVP 96", "rtpmap:96 PCMU/16000"), ErrNoCommonCodec},
		{"PCMU stereo", ourAddr, peerOffer("m=audio 30000 RTP/AVP 96", "rtpmap:96 PCMU/8000/2"), ErrNoCommonCodec},
		{"only telephone-event and CN", ourAddr, peerOffer("m=audio 30000 RTP/AVP 101 13", "rtpmap:101 telephone-event/8000"), ErrNoCommonCodec},
		{"SRTP only", ourAddr, peerOffer("m=audio 30000 RTP/SAVP 0 8", "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4"), ErrNoCommonCodec},
		{"DTLS-SRTP", ourAddr, peerOffer("m=audio 30000 UDP/TLS/RTP/SAVPF 0", "fingerprint:sha-256 00:11"), ErrNoCommonCodec},
		{"video only", ourAddr, peerOffer("m=video 30000 RTP/AVP 96", "rtpmap:96 H264/90000"), ErrNoCommonCodec},
		{"T.38 only", ourAddr, peerOffer("m=image 30000 udptl t38", "T38FaxVersion:0"), ErrNoCommonCodec},
		{"IPv6 peer, IPv4 us", ourAddr, sdpText("v=0", "o=peer 1 1 IN IP6 2001:db8::7", "s=-", "c=IN IP6 2001:db8::7", "t=0 0", "m=audio 30000 RTP/AVP 0"), ErrNoCommonCodec},
		{"IPv4 peer, IPv6 us", netip.MustParseAddrPort("[2001:db8::10]:4000"), peerOffer("m=audio 30000 RTP/AVP 0"), ErrNoCommonCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, tt.local)
			body, _, err := s.Answer(tt.offer)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			other := ErrMalformed
			if tt.want == ErrMalformed {
				other = ErrNoCommonCodec
			}
			if errors.Is(err, other) {
				t.Errorf("error %v is also %v", err, other)
			}
			if body != nil {
				t.Errorf("answer %q with the error", body)
			}
			// Nothing changed: a good offer afterwards is the session's first SDP.
			good := peerOffer("m=audio 30000 RTP/AVP 0")
			if tt.local.Addr().Is6() {
				good = sdpText("v=0", "o=peer 1 1 IN IP6 2001:db8::7", "s=-", "c=IN IP6 2001:db8::7", "t=0 0", "m=audio 30000 RTP/AVP 0")
			}
			body, _, err = s.Answer(good)
			if err != nil {
				t.Fatal(err)
			}
			if v := pionParse(t, body).Origin.SessionVersion; v != 1 {
				t.Errorf("version %d after a failed answer, want 1", v)
			}
		})
	}
}

func TestAnswerKeepsParseError(t *testing.T) {
	_, _, err := newSession(t, ourAddr).Answer(peerOffer("m=audio 99999 RTP/AVP 0"))
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "99999") {
		t.Fatalf("error %v, want ErrMalformed naming the bad port", err)
	}
}
