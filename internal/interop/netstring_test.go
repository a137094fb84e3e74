package interop

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadNetstring(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // netstrings read before the error
		err  string   // in the final error; "EOF" for a clean end
	}{
		{"", nil, "EOF"},
		{"5:hello,", []string{"hello"}, "EOF"},
		{"0:,3:a,b,", []string{"", "a,b"}, "EOF"},
		{`11:{"ok":true},`, []string{`{"ok":true}`}, "EOF"},
		{"5:hello", nil, "unexpected EOF"},
		{"5:hello;", nil, "want ','"},
		{"12", nil, "unexpected EOF"},
		{":x,", nil, "no length"},
		{"01:a,", nil, "leading zero"},
		{"-1:a,", nil, "byte '-'"},
		{" 1:a,", nil, "byte ' '"},
		{"99999999999:a,", nil, "longer than"},
		{"1:a,x", []string{"a"}, "byte 'x'"},
		{"1:a,2", []string{"a"}, "unexpected EOF"},
	} {
		r := bufio.NewReader(strings.NewReader(tc.in))
		var got []string
		var err error
		for {
			var b []byte
			if b, err = readNetstring(r); err != nil {
				break
			}
			got = append(got, string(b))
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: read %q then %v; want %q then an error with %q", tc.in, got, err, tc.want, tc.err)
		}
		if tc.err == "EOF" && err != io.EOF {
			t.Errorf("%q: ended with %v, want io.EOF", tc.in, err)
		}
	}
}

// FuzzReadNetstring reads what the control socket could send: any bytes must
// give netstrings or an error, never a panic, and every netstring read must
// survive re-framing.
func FuzzReadNetstring(f *testing.F) {
	for _, s := range []string{"5:hello,", "0:,", "3:abc,2:de,", "01:a,", "9:short,", "99999999999:", `2:{},`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		for {
			b, err := readNetstring(r)
			if err != nil {
				if errors.Is(err, io.EOF) && r.Buffered() > 0 {
					t.Fatalf("io.EOF with %d bytes unread", r.Buffered())
				}
				return
			}
			again, err := readNetstring(bufio.NewReader(bytes.NewReader(appendNetstring(nil, b))))
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("re-framed %q read back as %q, %v", b, again, err)
			}
		}
	})
}
