package main

import (
	"testing"
	"time"

	"tipring/web"
)

func TestStatusCallDetail(t *testing.T) {
	for _, tc := range []struct {
		c    *web.CallStatus
		want string
	}{
		{nil, "-"},
		{&web.CallStatus{Direction: "out", Peer: "2001", State: "ringing"}, "ringing to 2001"},
		{&web.CallStatus{Direction: "out", Peer: "2001", State: "ringing", Held: true}, "ringing to 2001 (held)"},
		{&web.CallStatus{Direction: "in", Peer: "1001", State: "active", Gateway: true, Held: true, Codec: "PCMA",
			PacketsSent: 500, PacketsReceived: 498, Lost: 2, Jitter: web.Millis(3400 * time.Microsecond), Concealed: 12,
			Buffer: web.Millis(60 * time.Millisecond), ERLE: 31.3},
			"active from 1001 (gateway, held) PCMA, RTP 500 out 498 in 2 lost, jitter 3 ms, buffer 60 ms, 12 concealed, ERLE 31 dB"},
		{&web.CallStatus{Direction: "in", Peer: "+14255550100", State: "active", Gateway: true, Codec: "PCMU",
			SRTP: "AES_CM_128_HMAC_SHA1_80", SRTPFailed: 3, PacketsSent: 50, PacketsReceived: 49},
			"active from +14255550100 (gateway) PCMU, SRTP (AES_CM_128_HMAC_SHA1_80) 50 out 49 in 0 lost, jitter 0 ms, buffer 0 ms, 0 concealed, 3 failed authentication"},
		// No ERLE: nothing measured yet, or the canceller is off.
		{&web.CallStatus{Direction: "out", State: "active", Codec: "PCMU", Buffer: web.Millis(40 * time.Millisecond)},
			"active to - PCMU, RTP 0 out 0 in 0 lost, jitter 0 ms, buffer 40 ms, 0 concealed"},
	} {
		if got := callDetail(tc.c); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}
