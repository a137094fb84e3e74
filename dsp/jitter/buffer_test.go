package jitter

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// A tick is one 20 ms step of a script: packets arrive, then Get runs.
type tick struct {
	put  []Packet
	want Result
	// frame is the frame number the Audio frame must carry.
	frame int
}

// pkt is frame i of stream ssrc: sequence number and timestamp follow i.
func pkt(ssrc uint32, i int) Packet {
	f := simFrame(i, true)
	return Packet{SSRC: ssrc, Sequence: uint16(100 + i), Timestamp: uint32(5000 + i*FrameSize), Payload: f[:]}
}

// script runs ticks against a Buffer with Min 40 ms, so a stream's first
// frame plays on the third Get after it arrives.
func script(t *testing.T, ticks []tick) *Buffer {
	t.Helper()
	b, err := New(Config{Min: 40 * time.Millisecond, Max: 200 * time.Millisecond, Law: Ulaw})
	if err != nil {
		t.Fatal(err)
	}
	var out [FrameSize]byte
	for n, tk := range ticks {
		for _, p := range tk.put {
			p.Arrival = time.Duration(n)*20*time.Millisecond + time.Millisecond
			if err := b.Put(p); err != nil {
				t.Fatalf("tick %d: Put: %v", n, err)
			}
		}
		got := b.Get(&out)
		if got != tk.want {
			t.Fatalf("tick %d: Get = %v, want %v", n, got, tk.want)
		}
		if got == Audio && frameNumber(&out) != tk.frame {
			t.Fatalf("tick %d: played frame %d, want %d", n, frameNumber(&out), tk.frame)
		}
	}
	return b
}

func TestScripts(t *testing.T) {
	const a, b = 0xaaaa, 0xbbbb
	jump := func(p Packet, marker bool) Packet {
		p.Timestamp += 1 << 20
		p.Marker = marker
		return p
	}
	double := func(i int) Packet {
		p := pkt(a, i)
		f := simFrame(i+1, true)
		p.Payload = append(p.Payload[:FrameSize:FrameSize], f[:]...)
		return p
	}
	tests := []struct {
		name  string
		ticks []tick
		want  Counters
	}{
		{
			name: "in order",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{want: Audio, frame: 1},
				{want: Audio, frame: 2},
				{want: Missing},
			},
			want: Counters{Received: 3, Played: 3, Concealed: 1},
		},
		{
			name: "reordered",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Silence},
				{put: []Packet{pkt(a, 1), pkt(a, 3)}, want: Audio, frame: 0},
				{want: Audio, frame: 1},
				{want: Audio, frame: 2},
				{want: Audio, frame: 3},
			},
			want: Counters{Received: 4, Played: 4},
		},
		{
			name: "duplicates, before and after their turn",
			ticks: []tick{
				{put: []Packet{pkt(a, 0), pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{put: []Packet{pkt(a, 0), pkt(a, 3)}, want: Audio, frame: 1},
			},
			want: Counters{Received: 4, Played: 2, Duplicates: 2},
		},
		{
			name: "lost, then late",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Silence},
				{put: []Packet{pkt(a, 3)}, want: Audio, frame: 0},
				{put: []Packet{pkt(a, 4)}, want: Missing},
				{put: []Packet{pkt(a, 1), pkt(a, 1)}, want: Audio, frame: 2},
			},
			want: Counters{Received: 4, Played: 2, Concealed: 1, Late: 1, Duplicates: 1},
		},
		{
			name: "lost for good",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Silence},
				{want: Audio, frame: 0},
				{want: Missing},
				{want: Audio, frame: 2},
			},
			want: Counters{Received: 2, Played: 2, Concealed: 1, Lost: 1},
		},
		{
			name: "lost at the tail, then the sender carries on",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{want: Silence},
				{want: Audio, frame: 0},
				{want: Missing},
				{put: []Packet{pkt(a, 3)}, want: Missing},
				{want: Audio, frame: 3},
			},
			want: Counters{Received: 2, Played: 2, Concealed: 2, Lost: 2},
		},
		{
			name: "sender pauses",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{want: Silence},
				{want: Audio, frame: 0},
				{want: Missing},
				{want: Missing},
				{want: Missing},
				{want: Silence},
				{want: Silence},
			},
			want: Counters{Received: 1, Played: 1, Concealed: 3},
		},
		{
			name: "40 ms packets",
			ticks: []tick{
				{put: []Packet{double(0)}, want: Silence},
				{want: Silence},
				{put: []Packet{double(2)}, want: Audio, frame: 0},
				{want: Audio, frame: 1},
				{want: Audio, frame: 2},
				{want: Audio, frame: 3},
			},
			want: Counters{Received: 4, Played: 4},
		},
		{
			name: "new SSRC",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{put: []Packet{pkt(b, 500)}, want: Silence},
				{put: []Packet{pkt(b, 501)}, want: Silence},
				{put: []Packet{pkt(b, 502)}, want: Audio, frame: 500},
			},
			want: Counters{Received: 6, Played: 2, Discarded: 2, Resyncs: 1},
		},
		{
			name: "timestamp jump with the marker bit",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{put: []Packet{jump(pkt(a, 3), true)}, want: Silence},
				{put: []Packet{jump(pkt(a, 4), false)}, want: Silence},
				{want: Audio, frame: 3},
				{want: Audio, frame: 4},
			},
			want: Counters{Received: 5, Played: 3, Discarded: 2, Resyncs: 1},
		},
		{
			name: "timestamp jump confirmed by the next packet",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{put: []Packet{jump(pkt(a, 3), false)}, want: Audio, frame: 1},
				{put: []Packet{jump(pkt(a, 4), false)}, want: Silence},
				{put: []Packet{jump(pkt(a, 5), false)}, want: Silence},
				{want: Audio, frame: 4},
				{want: Audio, frame: 5},
			},
			want: Counters{Received: 5, Played: 4, Discarded: 2, Resyncs: 1},
		},
		{
			// The sender stalls for 200 ms, then carries on at its pace
			// where it stopped: playing it would take 240 ms of delay,
			// more than Max. The fifth frame too late starts the
			// timeline again, Min (two frames) ahead of the playout.
			name: "delay step past Max",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{want: Audio, frame: 1},
				{want: Audio, frame: 2},
				{want: Missing},
				{want: Missing},
				{want: Missing},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{put: []Packet{pkt(a, 3)}, want: Silence},
				{put: []Packet{pkt(a, 4)}, want: Silence},
				{put: []Packet{pkt(a, 5)}, want: Silence},
				{put: []Packet{pkt(a, 6)}, want: Silence},
				{put: []Packet{pkt(a, 7)}, want: Silence},
				{put: []Packet{pkt(a, 8)}, want: Silence},
				{put: []Packet{pkt(a, 9)}, want: Audio, frame: 7},
				{want: Audio, frame: 8},
				{want: Audio, frame: 9},
			},
			want: Counters{Received: 6, Played: 6, Concealed: 3, Late: 4, Inserted: 2, Resyncs: 1},
		},
		{
			// The same frames held up and delivered at once: those
			// whose turn passed go, and the rest play once the delay
			// has grown to cover the spread, Max.
			name: "burst after a stall",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{want: Audio, frame: 1},
				{want: Audio, frame: 2},
				{want: Missing},
				{want: Missing},
				{want: Missing},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{put: []Packet{pkt(a, 3), pkt(a, 4), pkt(a, 5), pkt(a, 6), pkt(a, 7), pkt(a, 8), pkt(a, 9), pkt(a, 10), pkt(a, 11), pkt(a, 12), pkt(a, 13), pkt(a, 14), pkt(a, 15)}, want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Silence},
				{want: Audio, frame: 11},
				{want: Audio, frame: 12},
				{want: Audio, frame: 13},
				{want: Audio, frame: 14},
				{want: Audio, frame: 15},
			},
			want: Counters{Received: 8, Played: 8, Concealed: 3, Late: 8, Inserted: 6},
		},
		{
			name: "a lone packet with a wild timestamp",
			ticks: []tick{
				{put: []Packet{pkt(a, 0)}, want: Silence},
				{put: []Packet{pkt(a, 1)}, want: Silence},
				{put: []Packet{pkt(a, 2)}, want: Audio, frame: 0},
				{put: []Packet{jump(pkt(a, 3), false)}, want: Audio, frame: 1},
				{put: []Packet{pkt(a, 4)}, want: Audio, frame: 2},
				{want: Missing},
				{want: Audio, frame: 4},
			},
			want: Counters{Received: 4, Played: 4, Concealed: 1, Lost: 1, Discarded: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := script(t, tt.ticks).Counters()
			c.Delay, c.Target, c.Jitter = 0, 0, 0
			if c != tt.want {
				t.Errorf("counters\n got %+v\nwant %+v", c, tt.want)
			}
		})
	}
}

func TestPutBadPayload(t *testing.T) {
	b, err := New(DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, FrameSize - 1, FrameSize + 1, 7 * FrameSize} {
		if err := b.Put(Packet{Payload: make([]byte, n)}); !errors.Is(err, ErrPayloadSize) {
			t.Errorf("Put of %d bytes: %v, want ErrPayloadSize", n, err)
		}
	}
	if c := b.Counters(); c.Received != 0 || c.Discarded != 1+1+1+1+7 {
		t.Errorf("counters %+v, want 11 discarded", c)
	}
}

func TestNewBadConfig(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []Config{
		{Min: -ms, Max: 100 * ms},
		{Min: 100 * ms, Max: 50 * ms},
		{Min: 0, Max: 2 * time.Second},
		{Min: 0, Max: 100 * ms, Law: 2},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
}

func TestSilent(t *testing.T) {
	tests := []struct {
		law    Law
		code   byte
		silent bool
	}{
		{Ulaw, 0xff, true},
		{Ulaw, 0x7f, true},
		{Ulaw, 0xf8, true},  // ±56: −48 dBm0
		{Ulaw, 0xf4, false}, // ±88: −44 dBm0
		{Ulaw, 0x20, false},
		{Alaw, 0xd5, true},
		{Alaw, 0x55, true},
		{Alaw, 0xd1, true},  // ±72
		{Alaw, 0xd0, false}, // ±88
		{Alaw, 0xa5, false},
	}
	for _, tt := range tests {
		var f [FrameSize]byte
		for i := range f {
			f[i] = tt.code
		}
		if got := tt.law.silent(&f); got != tt.silent {
			t.Errorf("%v frame of %#02x: silent %v, want %v (|x| = %d)", tt.law, tt.code, got, tt.silent, magnitude[tt.law][tt.code])
		}
	}
}

// TestSilenceCode checks Get writes each law's silence.
func TestSilenceCode(t *testing.T) {
	for _, law := range []Law{Ulaw, Alaw} {
		b, err := New(Config{Max: 100 * time.Millisecond, Law: law})
		if err != nil {
			t.Fatal(err)
		}
		var out [FrameSize]byte
		if r := b.Get(&out); r != Silence || out[0] != silenceCode[law] || out[FrameSize-1] != silenceCode[law] {
			t.Errorf("%v: Get = %v, out[0] = %#02x", law, r, out[0])
		}
	}
}

// A reader that left the buffer unread flushes what queued meanwhile: the
// next packet starts the stream again, after the minimum delay.
func TestFlush(t *testing.T) {
	b, err := New(Config{Min: 40 * time.Millisecond, Max: 200 * time.Millisecond, Law: Ulaw})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		p := pkt(1, i)
		p.Arrival = time.Duration(i) * 20 * time.Millisecond
		b.Put(p)
	}
	b.Flush()
	var out [FrameSize]byte
	if got := b.Get(&out); got != Silence {
		t.Errorf("Get after Flush = %v, want Silence", got)
	}
	if c := b.Counters(); c.Discarded != 8 || c.Played != 0 {
		t.Errorf("counters %+v, want the 8 queued frames discarded", c)
	}
	var kinds []Result
	for i := 8; i < 12; i++ {
		p := pkt(1, i)
		p.Arrival = time.Duration(i) * 20 * time.Millisecond
		b.Put(p)
		kinds = append(kinds, b.Get(&out))
	}
	if want := []Result{Silence, Silence, Audio, Audio}; !slices.Equal(kinds, want) || frameNumber(&out) != 9 {
		t.Errorf("after Flush: %v ending with frame %d, want %v ending with frame 9", kinds, frameNumber(&out), want)
	}
}
