package telephoneevent

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestMarshalUnmarshal(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
		wire []byte
	}{
		// The example payload of [MS-RTPDT] section 4: digit 1, end, -20 dBm0, 1760 units.
		{"end of digit 1", Event{Code: 1, End: true, Volume: 20, Duration: 1760}, []byte{0x01, 0x94, 0x06, 0xe0}},
		{"start of #", Event{Code: 11, Volume: 10, Duration: 160}, []byte{0x0b, 0x0a, 0x00, 0xa0}},
		{"longest, quietest", Event{Code: 15, End: true, Volume: 63, Duration: 0xffff}, []byte{0x0f, 0xbf, 0xff, 0xff}},
		{"all zero", Event{}, []byte{0, 0, 0, 0}},
		{"flash, not a digit", Event{Code: 16, Volume: 0, Duration: 800}, []byte{0x10, 0x00, 0x03, 0x20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b [Size]byte
			n, err := tt.ev.MarshalTo(b[:])
			if err != nil || n != Size {
				t.Fatalf("MarshalTo = %d, %v; want %d, nil", n, err, Size)
			}
			if !bytes.Equal(b[:], tt.wire) {
				t.Errorf("MarshalTo wrote % x, want % x", b, tt.wire)
			}
			var got Event
			if err := got.Unmarshal(tt.wire); err != nil {
				t.Fatal(err)
			}
			if got != tt.ev {
				t.Errorf("Unmarshal = %+v, want %+v", got, tt.ev)
			}
		})
	}
}

func TestUnmarshalIgnoresReservedBitAndTrailer(t *testing.T) {
	var got Event
	if err := got.Unmarshal([]byte{0x05, 0xc7, 0x01, 0x40, 0xaa, 0xbb}); err != nil {
		t.Fatal(err)
	}
	want := Event{Code: 5, End: true, Volume: 7, Duration: 320}
	if got != want {
		t.Errorf("Unmarshal = %+v, want %+v", got, want)
	}
}

func TestErrors(t *testing.T) {
	var b [Size]byte
	if _, err := (Event{}).MarshalTo(b[:3]); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("MarshalTo into 3 bytes: err = %v, want io.ErrShortBuffer", err)
	}
	if _, err := (Event{Volume: 64}).MarshalTo(b[:]); err == nil {
		t.Error("MarshalTo with volume 64 succeeded")
	}
	for n := range Size {
		var e Event
		if err := e.Unmarshal(b[:n]); !errors.Is(err, ErrTooShort) {
			t.Errorf("Unmarshal of %d bytes: err = %v, want ErrTooShort", n, err)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	var b [Size]byte
	ev := Event{Code: 3, Volume: 10, Duration: 480}
	allocs := testing.AllocsPerRun(100, func() {
		ev.MarshalTo(b[:])
		ev.Unmarshal(b[:])
	})
	if allocs != 0 {
		t.Errorf("MarshalTo and Unmarshal allocate %v times a run", allocs)
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte{0x01, 0x94, 0x06, 0xe0})
	f.Add([]byte{0x0b, 0x4a, 0x00, 0xa0, 0x00})
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Event
		if err := e.Unmarshal(data); err != nil {
			if len(data) >= Size {
				t.Fatalf("Unmarshal of %d bytes failed: %v", len(data), err)
			}
			return
		}
		var b [Size]byte
		if _, err := e.MarshalTo(b[:]); err != nil {
			t.Fatalf("re-marshal %+v: %v", e, err)
		}
		want := [Size]byte(data[:Size])
		want[1] &^= 0x40 // the reserved bit is not kept
		if b != want {
			t.Errorf("round trip of % x gave % x", data[:Size], b)
		}
	})
}
