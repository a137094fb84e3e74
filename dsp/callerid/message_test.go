package callerid

import (
	"bytes"
	"errors"
	"testing"
)

func TestFrame(t *testing.T) {
	tests := []struct {
		m    Message
		want []byte
	}{
		{Message{Time: Time{1, 2, 3, 4}, Number: "12"},
			append(append([]byte{0x80, 14, 0x01, 8}, "01020304\x02\x0212"...), 0x78)},
		{Message{Format: SDMF, Time: Time{1, 2, 3, 4}, NumberReason: ReasonPrivate},
			append(append([]byte{0x04, 9}, "01020304P"...), 0x19)},
		{Message{NumberReason: ReasonOutOfArea, NameReason: ReasonPrivate},
			[]byte{0x80, 6, 0x04, 1, 'O', 0x08, 1, 'P', 0xcd}},
		{Message{VMWI: VMWIOn}, []byte{0x82, 3, 0x0b, 1, 0xff, 0x70}},
	}
	for _, tt := range tests {
		got, err := tt.m.Frame()
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("%+v: got % x, %v; want % x", tt.m, got, err, tt.want)
		}
		back, err := ParseFrame(got)
		if err != nil || back != tt.m {
			t.Errorf("% x parses as %+v, %v; want %+v", got, back, err, tt.m)
		}
	}
}

func TestFrameRefuses(t *testing.T) {
	tests := []struct {
		m    Message
		want error
	}{
		{Message{}, ErrInvalid},
		{Message{Time: Time{13, 1, 0, 0}, Number: "1"}, ErrInvalid},
		{Message{Number: "1", NumberReason: ReasonPrivate}, ErrInvalid},
		{Message{NumberReason: 'X'}, ErrInvalid},
		{Message{Number: "123456789012345678901"}, ErrInvalid},
		{Message{Name: "tab\there"}, ErrInvalid},
		{Message{Format: SDMF, Number: "1"}, ErrInvalid},
		{Message{Format: SDMF, Time: Time{1, 1, 1, 1}, Number: "1", Name: "N"}, ErrFormat},
		{Message{Format: SDMF, Time: Time{1, 1, 1, 1}}, ErrInvalid},
		{Message{VMWI: VMWIOn, Number: "1"}, ErrInvalid},
		{Message{VMWI: VMWIOn, Format: SDMF}, ErrFormat},
		{Message{VMWI: 7}, ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := tt.m.Frame(); !errors.Is(err, tt.want) {
			t.Errorf("%+v: error %v, want %v", tt.m, err, tt.want)
		}
	}
	if _, err := (Generator{Standard: V23}).Encode(Message{Format: SDMF, Time: Time{1, 1, 1, 1}, Number: "1"}); !errors.Is(err, ErrFormat) {
		t.Errorf("V.23 SDMF: error %v", err)
	}
}

func TestParseFrameRefuses(t *testing.T) {
	good := []byte{0x82, 3, 0x0b, 1, 0xff, 0x70}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", []byte{0x80, 0}, ErrInvalid},
		{"length", []byte{0x80, 5, 0x7b}, ErrInvalid},
		{"checksum", []byte{0x82, 3, 0x0b, 1, 0xff, 0x71}, ErrChecksum},
		{"type", []byte{0x81, 0, 0x7f}, ErrInvalid},
		{"parameter overrun", []byte{0x80, 2, 0x02, 5, 0x77}, ErrInvalid},
		{"bad time", append(append([]byte{0x80, 10, 0x01, 8}, "0102030x"...), 0x00), ErrInvalid},
		{"mwi without indicator", []byte{0x82, 0, 0x7e}, ErrInvalid},
	}
	for _, tt := range tests {
		if tt.name == "bad time" {
			tt.b[len(tt.b)-1] = checksum(tt.b[:len(tt.b)-1])
		}
		if _, err := ParseFrame(tt.b); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := ParseFrame(good); err != nil {
		t.Errorf("good frame: %v", err)
	}
}

func TestParseTime(t *testing.T) {
	if tm, err := ParseTime("12311259"); err != nil || tm != (Time{12, 31, 12, 59}) {
		t.Errorf("got %+v, %v", tm, err)
	}
	for _, s := range []string{"", "1231125", "00011200", "12312400", "1231a259"} {
		if _, err := ParseTime(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func FuzzParseFrame(f *testing.F) {
	for _, m := range testMessages {
		b, _ := m.Frame()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseFrame(b)
		if err != nil {
			return
		}
		// Whatever parses must survive checking without a panic, and a
		// message that can be framed again must parse back the same.
		if again, err := m.Frame(); err == nil {
			if back, err := ParseFrame(again); err != nil || back != m {
				t.Errorf("% x: %+v reframed as % x parses as %+v, %v", b, m, again, back, err)
			}
		}
	})
}

func FuzzDecoders(f *testing.F) {
	s, _ := Bell202.Encode(testMessages[0])
	f.Add(int16Bytes(s[len(s)-2000:]))
	f.Add([]byte{0x7f, 0xff, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := make([]int16, len(b)/2)
		for i := range s {
			s[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
		}
		Decode(s)
		for _, std := range []Standard{Bell202, V23} {
			r := NewReceiver(std)
			for x := s; len(x) > 0; {
				n, ok := r.Process(x)
				if ok {
					r.Message()
				}
				x = x[n:]
			}
		}
	})
}

func int16Bytes(s []int16) []byte {
	b := make([]byte, 2*len(s))
	for i, v := range s {
		b[2*i], b[2*i+1] = byte(v), byte(uint16(v)>>8)
	}
	return b
}
