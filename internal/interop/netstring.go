package interop

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// baresip's ctrl_tcp frames each JSON message as a netstring
// (D. J. Bernstein): the decimal length, ':', the bytes, ','.

// maxNetstring bounds what is accepted from the socket; baresip's own
// messages are a few kilobytes.
const maxNetstring = 1 << 20

// appendNetstring appends b framed as a netstring to dst.
func appendNetstring(dst, b []byte) []byte {
	dst = fmt.Appendf(dst, "%d:", len(b))
	dst = append(dst, b...)
	return append(dst, ',')
}

// readNetstring reads one netstring from r. It returns io.EOF only when r
// ends cleanly between netstrings.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	n, digits := 0, 0
	for {
		c, err := r.ReadByte()
		if err == io.EOF && digits > 0 {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		if c == ':' {
			break
		}
		switch {
		case c < '0' || c > '9':
			return nil, fmt.Errorf("netstring: length has byte %q", c)
		case digits == 1 && n == 0:
			return nil, errors.New("netstring: length has a leading zero")
		}
		n = 10*n + int(c-'0')
		digits++
		if n > maxNetstring {
			return nil, fmt.Errorf("netstring: longer than %d bytes", maxNetstring)
		}
	}
	if digits == 0 {
		return nil, errors.New("netstring: no length")
	}
	b := make([]byte, n+1)
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if b[n] != ',' {
		return nil, fmt.Errorf("netstring: %d bytes followed by %q, want ','", n, b[n])
	}
	return b[:n], nil
}
