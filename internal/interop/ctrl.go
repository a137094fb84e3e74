package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is a notification from baresip: a registration, call or media event.
type Event struct {
	Type      string // REGISTER_OK, REGISTER_FAIL, CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED, CALL_DTMF_START, ...
	Class     string // "register", "call", "other", ...
	Account   string // the account's address of record
	Direction string // call events: "incoming" or "outgoing"
	Peer      string // call events: the peer's URI
	CallID    string // call events: the SIP Call-ID
	Param     string // REGISTER_*: the SIP status; CALL_CLOSED: the reason; CALL_DTMF_START: the digit
}

func (e Event) String() string {
	if e.Param == "" {
		return e.Type
	}
	return e.Type + "(" + e.Param + ")"
}

// ctrlMessage is a message of ctrl_tcp: a command's response or an event.
// The "event" member is left out: baresip versions disagree on whether it
// is true or "true", and a type is what marks an event anyway.
type ctrlMessage struct {
	Response bool
	OK       bool
	Data     string
	Token    string

	Type       string
	Class      string
	AccountAOR string `json:"accountaor"`
	Direction  string
	PeerURI    string `json:"peeruri"`
	ID         string
	Param      string
}

// commandTimeout bounds the wait for a command's response, which baresip
// sends as soon as the command has run.
const commandTimeout = 10 * time.Second

// ctrlClient speaks to baresip's ctrl_tcp module: commands as JSON objects
// {"command", "params", "token"} answered by {"response", "ok", "data",
// "token"}, and events pushed as JSON objects with a "type", all framed as
// netstrings. baresip serves one client at a time.
type ctrlClient struct {
	conn    net.Conn
	writeMu sync.Mutex
	done    chan struct{} // closed when reading stops

	mu      sync.Mutex
	events  []Event
	taken   []bool
	changed chan struct{} // closed, and replaced, when events arrive or reading stops
	pending map[string]chan ctrlMessage
	token   int
	err     error // why reading stopped
}

func newCtrlClient(conn net.Conn) *ctrlClient {
	c := &ctrlClient{
		conn:    conn,
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		pending: make(map[string]chan ctrlMessage),
	}
	go c.read()
	return c
}

// read delivers responses to their commands and stores events, until the
// connection fails or closes.
func (c *ctrlClient) read() {
	r := bufio.NewReader(c.conn)
	var err error
	for err == nil {
		var b []byte
		if b, err = readNetstring(r); err != nil {
			break
		}
		var m ctrlMessage
		if err = json.Unmarshal(b, &m); err != nil {
			err = fmt.Errorf("bad message %q: %w", b, err)
			break
		}
		c.deliver(m)
	}
	c.mu.Lock()
	c.err = fmt.Errorf("control connection: %w", err)
	close(c.changed)
	c.mu.Unlock()
	close(c.done)
}

func (c *ctrlClient) deliver(m ctrlMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Response {
		if ch, ok := c.pending[m.Token]; ok {
			delete(c.pending, m.Token)
			ch <- m
		}
		return
	}
	if m.Type == "" {
		return
	}
	c.events = append(c.events, Event{m.Type, m.Class, m.AccountAOR, m.Direction, m.PeerURI, m.ID, m.Param})
	c.taken = append(c.taken, false)
	close(c.changed)
	c.changed = make(chan struct{})
}

// command runs a baresip command and returns its output.
func (c *ctrlClient) command(cmd, params string) (string, error) {
	c.mu.Lock()
	c.token++
	tok := strconv.Itoa(c.token)
	ch := make(chan ctrlMessage, 1)
	c.pending[tok] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, tok)
		c.mu.Unlock()
	}()

	select {
	case <-c.done:
		return "", fmt.Errorf("%s: %w", cmd, c.err)
	default:
	}
	req := map[string]string{"command": cmd, "token": tok}
	if params != "" {
		req["params"] = params
	}
	b, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	c.writeMu.Lock()
	c.conn.SetWriteDeadline(time.Now().Add(commandTimeout))
	_, err = c.conn.Write(appendNetstring(nil, b))
	c.writeMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("%s: %w", cmd, err)
	}
	timer := time.NewTimer(commandTimeout)
	defer timer.Stop()
	select {
	case m := <-ch:
		if !m.OK {
			return m.Data, fmt.Errorf("%s %s: %s", cmd, params, strings.TrimSpace(m.Data))
		}
		return m.Data, nil
	case <-c.done:
		return "", fmt.Errorf("%s: %w", cmd, c.err)
	case <-timer.C:
		return "", fmt.Errorf("%s: no response in %v", cmd, commandTimeout)
	}
}

// waitEvent returns the earliest event of type typ not returned before,
// waiting for one until ctx ends.
func (c *ctrlClient) waitEvent(ctx context.Context, typ string) (Event, error) {
	for {
		c.mu.Lock()
		for i, e := range c.events {
			if e.Type == typ && !c.taken[i] {
				c.taken[i] = true
				c.mu.Unlock()
				return e, nil
			}
		}
		changed, err := c.changed, c.err
		c.mu.Unlock()
		if err != nil {
			return Event{}, fmt.Errorf("no %s event: %w; events so far: %s", typ, err, c.eventList())
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Event{}, fmt.Errorf("no %s event: %w; events so far: %s", typ, ctx.Err(), c.eventList())
		}
	}
}

// eventList returns every event received, for messages.
func (c *ctrlClient) eventList() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var s []string
	for _, e := range c.events {
		if e.Type != "CALL_RTCP" { // statistics every few seconds
			s = append(s, e.String())
		}
	}
	return strings.Join(s, " ")
}

func (c *ctrlClient) close() error {
	err := c.conn.Close()
	<-c.done
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
