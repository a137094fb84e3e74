package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// fakeBaresip is the far end of a control connection, played by the test.
type fakeBaresip struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func newFakeBaresip(t *testing.T) (*ctrlClient, *fakeBaresip) {
	a, b := net.Pipe()
	c := newCtrlClient(a)
	t.Cleanup(func() { c.close() })
	return c, &fakeBaresip{t, b, bufio.NewReader(b)}
}

// command reads the next command sent to the fake.
func (f *fakeBaresip) command() map[string]string {
	f.t.Helper()
	b, err := readNetstring(f.r)
	if err != nil {
		f.t.Error(err)
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		f.t.Error(err)
	}
	return m
}

func (f *fakeBaresip) send(msg string) {
	f.t.Helper()
	if _, err := f.conn.Write(appendNetstring(nil, []byte(msg))); err != nil {
		f.t.Error(err)
	}
}

func TestCtrlCommand(t *testing.T) {
	c, f := newFakeBaresip(t)
	go func() {
		m := f.command()
		if m["command"] != "dial" || m["params"] != "sip:bob@127.0.0.1" {
			t.Errorf("sent %v, want dial sip:bob@127.0.0.1", m)
		}
		// An event and another command's response come first.
		f.send(`{"event":true,"class":"call","type":"CALL_RINGING","param":"x"}`)
		f.send(`{"response":true,"ok":true,"data":"not yours","token":"other"}`)
		f.send(`{"response":true,"ok":true,"data":"dialled","token":"` + m["token"] + `"}`)
		m = f.command()
		if _, ok := m["params"]; ok || m["command"] != "hold" {
			t.Errorf("sent %v, want hold without params", m)
		}
		f.send(`{"response":true,"ok":false,"data":"command not found (hold)\n","token":"` + m["token"] + `"}`)
	}()
	if out, err := c.command("dial", "sip:bob@127.0.0.1"); err != nil || out != "dialled" {
		t.Errorf("dial: %q, %v; want dialled", out, err)
	}
	if _, err := c.command("hold", ""); err == nil || !strings.Contains(err.Error(), "command not found (hold)") {
		t.Errorf("hold: error %v, want baresip's message", err)
	}
}

func TestCtrlWaitEvent(t *testing.T) {
	c, f := newFakeBaresip(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	go func() {
		for _, d := range "12" {
			f.send(`{"event":"true","class":"call","type":"CALL_DTMF_START","param":"` + string(d) + `","id":"c1","peeruri":"sip:a@b","direction":"incoming","accountaor":"sip:b@b"}`)
			f.send(`{"event":true,"class":"call","type":"CALL_DTMF_END","id":"c1"}`)
		}
	}()
	// Events are returned once each, in order, whatever arrived between.
	for _, want := range []Event{
		{"CALL_DTMF_START", "call", "sip:b@b", "incoming", "sip:a@b", "c1", "1"},
		{"CALL_DTMF_START", "call", "sip:b@b", "incoming", "sip:a@b", "c1", "2"},
		{Type: "CALL_DTMF_END", Class: "call", CallID: "c1"},
		{Type: "CALL_DTMF_END", Class: "call", CallID: "c1"},
	} {
		got, err := c.waitEvent(ctx, want.Type)
		if err != nil || got != want {
			t.Errorf("got %+v, %v; want %+v", got, err, want)
		}
	}

	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.waitEvent(short, "CALL_DTMF_START"); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "CALL_DTMF_START(2)") {
		t.Errorf("error %v, want a cancellation listing the events", err)
	}

	f.send("not json")
	if _, err := c.waitEvent(ctx, "CALL_CLOSED"); err == nil || !strings.Contains(err.Error(), "bad message") {
		t.Errorf("error %v, want one about the bad message", err)
	}
	if _, err := c.command("hangup", ""); err == nil {
		t.Error("command on a failed connection: no error")
	}
}
