package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/hal"
	"tipring/sipua"
	"tipring/telephony"
)

func newAPI(t *testing.T, withSim bool) http.Handler {
	t.Helper()
	b, err := sim.New(sim.Opts{Ports: []hal.Kind{hal.KindFXS, hal.KindFXO}, Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := telephony.New(b.PCM(), []telephony.Port{{ID: 1, FXS: b.FXS(1)}, {ID: 2, FXO: b.FXO(2)}}, telephony.Options{Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	a := &API{Board: "sim", Engine: e, Sim: b, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if !withSim {
		a.Board, a.Sim = "pi4", nil
	}
	return a.Handler()
}

func TestAPIErrors(t *testing.T) {
	h := newAPI(t, true)
	for _, tc := range []struct {
		method, path, ctype, body string
		code                      int
		err                       string
	}{
		{"GET", "/v1/nothing", "", "", 404, "no API at GET /v1/nothing"},
		{"POST", "/v1/sim/lines/x/offhook", "", "", 400, `line "x": not a line number`},
		{"POST", "/v1/sim/lines/5/offhook", "", "", 404, "line 5: no such line (the board has lines 1 to 2)"},
		{"POST", "/v1/sim/lines/1/explode", "", "", 400, `unknown action "explode"`},
		{"POST", "/v1/sim/lines/1/onhook", "", "", 409, "line 1 is already on hook"},
		{"POST", "/v1/sim/lines/1/dial", "application/json", `{"digits":`, 400, "bad request body: unexpected EOF"},
		{"POST", "/v1/sim/lines/1/dial", "application/json", `{"digitz":"1"}`, 400, `bad request body: json: unknown field "digitz"`},
		{"POST", "/v1/sim/lines/2/ring", "application/json", `{"caller_id":{}}`, 400, "line 2: caller ID without a number: give one, or the reason private or unavailable"},
		{"POST", "/v1/sim/lines/1/play", "audio/L16", "abc", 400, "audio is not whole 16-bit samples"},
		{"POST", "/v1/sim/lines/1/record?seconds=-1", "", "", 400, `seconds="-1": want a positive number`},
		{"POST", "/v1/sim/lines/1/record?seconds=9999", "", "", 400, "line 1: recording of 79992000 samples: want 1 to 4800000"},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		want := `{"error":` + quote(tc.err) + "}\n"
		if w.Code != tc.code || w.Body.String() != want {
			t.Errorf("%s %s: %d %s; want %d %s", tc.method, tc.path, w.Code, w.Body, tc.code, want)
		}
	}
}

func TestAPIWithoutSim(t *testing.T) {
	w := httptest.NewRecorder()
	newAPI(t, false).ServeHTTP(w, httptest.NewRequest("GET", "/v1/sim/lines", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), `board \"pi4\" is real hardware`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

func TestCallStatusJSON(t *testing.T) {
	for _, tc := range []struct {
		in   telephony.CallStatus
		want string
	}{
		{telephony.CallStatus{Incoming: true, Peer: "1001", State: sipua.CallActive, Gateway: true, Codec: "PCMU",
			PacketsSent: 500, PacketsReceived: 498, Lost: 2, Jitter: 3 * time.Millisecond, Concealed: 12,
			Delay: 60 * time.Millisecond, ERLE: 31.26},
			`{"direction":"in","peer":"1001","state":"active","gateway":true,"codec":"PCMU","rtp_sent":500,"rtp_received":498,` +
				`"rtp_lost":2,"jitter_ms":3,"concealed_frames":12,"buffer_ms":60,"erle_db":31.3}`},
		{telephony.CallStatus{Peer: "+14255550100", State: sipua.CallActive, Codec: "PCMU",
			SRTP: "AES_CM_128_HMAC_SHA1_32", SRTPFailed: 1},
			`{"direction":"out","peer":"+14255550100","state":"active","codec":"PCMU","srtp":"AES_CM_128_HMAC_SHA1_32","srtp_failed":1,` +
				`"rtp_sent":0,"rtp_received":0,"rtp_lost":0,"jitter_ms":0,"concealed_frames":0,"buffer_ms":0}`},
		// No ERLE measured, or the canceller off: the key is left out.
		{telephony.CallStatus{Peer: "2001", State: sipua.CallRinging, Delay: 42500 * time.Microsecond},
			`{"direction":"out","peer":"2001","state":"ringing","rtp_sent":0,"rtp_received":0,` +
				`"rtp_lost":0,"jitter_ms":0,"concealed_frames":0,"buffer_ms":42.5}`},
	} {
		b, err := json.Marshal(callStatus(&tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("got  %s\nwant %s", b, tc.want)
		}
	}
}
