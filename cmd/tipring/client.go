package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"

	"tipring/config"
	"tipring/web"
)

// client talks to a running daemon over its control socket.
type client struct {
	path string
	http *http.Client
}

// socketFlag adds -socket to a command's flags.
func socketFlag(fs *flag.FlagSet) *string {
	return fs.String("socket", "", "control socket `path` of the daemon (default: $TIPRING_SOCKET, the socket of "+systemConfig+", or the built-in default)")
}

// newClient returns a client for the socket at path, or at the socket the
// daemon would use by default.
func newClient(path string) *client {
	if path == "" {
		path = os.Getenv("TIPRING_SOCKET")
	}
	if path == "" {
		cfg := config.Default()
		if c, err := config.Load(systemConfig); err == nil {
			cfg = c
		}
		path = cfg.Control.SocketPath()
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	return &client{path: path, http: &http.Client{Transport: tr}}
}

// do sends a request to the API and decodes a JSON answer into out, or
// returns the API's error as one line.
func (c *client) do(method, route, ctype string, body []byte, out any) error {
	req, err := http.NewRequest(method, "http://tipring"+route, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.reachErr(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e web.Error
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("%s %s: %s", method, route, resp.Status)
	}
	if b, ok := out.(*[]byte); ok {
		*b = data
		return nil
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

func (c *client) reachErr(err error) error {
	if errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("cannot reach tipring at %s: permission denied (the socket belongs to the user running \"tipring serve\")", c.path)
	}
	return fmt.Errorf("cannot reach tipring at %s: is \"tipring serve\" running?", c.path)
}

func (c *client) getJSON(route string, out any) error {
	return c.do(http.MethodGet, route, "", nil, out)
}

func (c *client) postJSON(route string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	return c.do(http.MethodPost, route, "application/json", body, out)
}
