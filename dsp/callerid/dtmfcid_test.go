package callerid

import (
	"testing"
)

func TestDTMFDigits(t *testing.T) {
	tests := []struct {
		std  Standard
		m    Message
		want string
	}{
		{DTMF, Message{Number: "0301234567"}, "A0301234567C"},
		{DTMF, Message{NumberReason: ReasonPrivate}, "B10C"},
		{DTMF, Message{NumberReason: ReasonOutOfArea}, "B00C"},
		{DTMFDenmark, Message{Number: "33123456"}, "A33123456#"},
		{DTMFDenmark, Message{NumberReason: ReasonPrivate}, "D1#"},
		{DTMFDenmark, Message{NumberReason: ReasonOutOfArea}, "D2#"},
		{DTMFIndia, Message{Number: "9812345678"}, "D9812345678C"},
		{DTMFIndia, Message{NumberReason: ReasonPrivate}, "B10C"},
		{DTMFBrazil, Message{Number: "1134567890"}, "A1134567890C"},
	}
	for _, tt := range tests {
		got, err := tt.std.Digits(tt.m)
		if err != nil || got != tt.want {
			t.Errorf("%v %+v: got %q, %v; want %q", tt.std, tt.m, got, err, tt.want)
		}
	}
	for _, m := range []Message{{}, {Number: "12a"}, {Number: "1", Name: "X"}, {VMWI: VMWIOn}, {Number: "123456789012345678901"}} {
		if d, err := DTMF.Digits(m); err == nil {
			t.Errorf("%+v: got %q, want an error", m, d)
		}
	}
}

func TestDTMFRoundTrip(t *testing.T) {
	tests := []struct {
		std, want Standard // Brazil sends the ETSI digits and decodes as DTMF
		m         Message
	}{
		{DTMF, DTMF, Message{Number: "0301234567"}},
		{DTMF, DTMF, Message{NumberReason: ReasonPrivate}},
		{DTMF, DTMF, Message{NumberReason: ReasonOutOfArea}},
		{DTMFDenmark, DTMFDenmark, Message{Number: "33123456"}},
		{DTMFDenmark, DTMFDenmark, Message{NumberReason: ReasonPrivate}},
		{DTMFDenmark, DTMFDenmark, Message{NumberReason: ReasonOutOfArea}},
		{DTMFIndia, DTMFIndia, Message{Number: "9812345678"}},
		{DTMFBrazil, DTMF, Message{Number: "1134567890"}},
	}
	for _, tt := range tests {
		s, err := tt.std.Encode(tt.m)
		if err != nil {
			t.Fatal(err)
		}
		want := tt.m
		want.Standard = tt.want
		for _, blocks := range [][]int{{160}, {1, 77}, {len(s)}} {
			r := NewDTMFReceiver()
			var got []Message
			x := s
			for i := 0; len(x) > 0; i++ {
				b := x[:min(blocks[i%len(blocks)], len(x))]
				x = x[len(b):]
				for len(b) > 0 {
					n, ok := r.Process(b)
					if ok {
						got = append(got, r.Message())
					}
					b = b[n:]
				}
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("%v %+v blocks %v: got %+v", tt.std, tt.m, blocks, got)
			}
		}
	}
}
