package interop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Kamailio's jsonrpcs module reads JSON-RPC 2.0 requests from a Unix datagram
// socket and answers each with one datagram to the sender's address.

// rpcError is an error object of a JSON-RPC response.
type rpcError struct {
	Code    int
	Message string
}

func (e *rpcError) Error() string { return fmt.Sprintf("%s (%d)", e.Message, e.Code) }

// rpc calls method and returns the result.
func (k *Kamailio) rpc(method string, params ...any) (json.RawMessage, error) {
	k.rpcMu.Lock()
	defer k.rpcMu.Unlock()
	if params == nil {
		params = []any{}
	}
	req, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
	if err != nil {
		return nil, err
	}
	local := filepath.Join(k.dir, "rpc-client.sock")
	os.Remove(local) // left by a client that did not get to close
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: local, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	defer c.Close() // removes the socket file
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.WriteToUnix(req, &net.UnixAddr{Name: filepath.Join(k.dir, rpcSocket), Net: "unixgram"}); err != nil {
		return nil, err
	}
	buf := make([]byte, 1<<16)
	n, _, err := c.ReadFromUnix(buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	var resp struct {
		Result json.RawMessage
		Error  *rpcError
	}
	if err := json.Unmarshal(buf[:n], &resp); err != nil {
		return nil, fmt.Errorf("%s: bad response: %w", method, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("%s: %w", method, resp.Error)
	}
	if resp.Result == nil {
		return nil, errors.New(method + ": response without result")
	}
	return resp.Result, nil
}

// rpcInto calls method and decodes the result into v.
func (k *Kamailio) rpcInto(v any, method string, params ...any) error {
	r, err := k.rpc(method, params...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(r, v); err != nil {
		return fmt.Errorf("%s: bad result: %w", method, err)
	}
	return nil
}
