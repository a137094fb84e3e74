package hookswitch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"tipring/hal"
)

const ms = time.Millisecond

// timeline parses hook changes written "off@0 on@1000", times in ms.
func timeline(t testing.TB, s string) []hal.Event {
	t.Helper()
	var out []hal.Event
	for _, f := range strings.Fields(s) {
		kind, at, ok := strings.Cut(f, "@")
		n, err := strconv.Atoi(at)
		if !ok || err != nil {
			t.Fatalf("bad timeline entry %q", f)
		}
		e := hal.Event{At: time.Duration(n) * ms}
		switch kind {
		case "off":
			e.Kind = hal.EventHookOff
		case "on":
			e.Kind = hal.EventHookOn
		case "ring":
			e.Kind = hal.EventRingStart
		default:
			t.Fatalf("bad timeline entry %q", f)
		}
		out = append(out, e)
	}
	return out
}

// train writes n dial pulses from at ms, each a break of brk ms and a make
// of mk ms.
func train(at, n, brk, mk int) string {
	var b strings.Builder
	for range n {
		fmt.Fprintf(&b, " on@%d off@%d", at, at+brk)
		at += brk + mk
	}
	return b.String()
}

// show writes actions as "off-hook@0 5@1160 flash@2000", times in ms.
func show(as []Action) string {
	var b strings.Builder
	for i, a := range as {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a.Kind == Digit {
			b.WriteByte(a.Digit)
		} else {
			b.WriteString(a.Kind.String())
		}
		fmt.Fprintf(&b, "@%d", a.At/ms)
	}
	return b.String()
}

// decodeFrames runs the decoder as the frame loop does: each 20 ms, the
// events of the frame, then Tick at its end, up to end.
func decodeFrames(d *Decoder, evs []hal.Event, end time.Duration) []Action {
	var out []Action
	for now := hal.FrameDuration; now <= end; now += hal.FrameDuration {
		for len(evs) > 0 && evs[0].At < now {
			d.Event(evs[0])
			evs = evs[1:]
		}
		d.Tick(now)
		for a, ok := d.Next(); ok; a, ok = d.Next() {
			out = append(out, a)
		}
	}
	return out
}

// decodeLate gives every event at once and ticks only at end.
func decodeLate(d *Decoder, evs []hal.Event, end time.Duration) []Action {
	for _, e := range evs {
		d.Event(e)
	}
	d.Tick(end)
	var out []Action
	for a, ok := d.Next(); ok; a, ok = d.Next() {
		out = append(out, a)
	}
	return out
}

func TestDecoder(t *testing.T) {
	rKey := Timing{PulseBreakMin: 20 * ms, PulseBreakMax: 40 * ms, DigitGap: 300 * ms, FlashMin: 70 * ms, FlashMax: 900 * ms}
	for _, tc := range []struct {
		name    string
		timing  *Timing // DefaultTiming if nil
		initial hal.Hook
		events  string
		end     int // ms
		want    string
	}{
		{name: "lift", events: "off@100", end: 2000, want: "off-hook@100"},
		{name: "already off hook", initial: hal.OffHook, end: 2000, want: ""},
		{name: "digit 1", events: "off@0" + train(1000, 1, 60, 40), end: 3000, want: "off-hook@0 1@1060"},
		{name: "digits 2 5 0",
			events: "off@0" + train(1000, 2, 60, 40) + train(1900, 5, 60, 40) + train(3100, 10, 60, 40), end: 6000,
			want: "off-hook@0 2@1160 5@2360 0@4060"},
		{name: "fast slow dials",
			events: "off@0" + train(1000, 3, 30, 20) + train(2000, 3, 110, 60), end: 4000,
			want: "off-hook@0 3@1130 3@2450"},
		{name: "eleven pulses are no digit", events: "off@0" + train(1000, 11, 60, 40) + train(3000, 1, 60, 40), end: 5000,
			want: "off-hook@0 1@3060"},
		{name: "bounce in a digit", events: "off@0" + train(1000, 2, 60, 40) + " on@1200 off@1210" + train(1250, 1, 60, 40), end: 3000,
			want: "off-hook@0 3@1310"},
		{name: "bounce between digits", events: "off@0" + train(1000, 1, 60, 40) + " on@1200 off@1215" + train(1800, 1, 60, 40), end: 3000,
			want: "off-hook@0 1@1060 1@1860"},
		{name: "break min and max are pulses", events: "off@0" + train(1000, 1, 20, 40) + train(2000, 1, 120, 40), end: 3000,
			want: "off-hook@0 1@1020 1@2120"},
		{name: "just short of a pulse, just long", events: "off@0" + train(1000, 1, 19, 40) + train(2000, 1, 121, 40), end: 3000,
			want: "off-hook@0"},
		{name: "between pulse and flash", events: "off@0 on@1000 off@1149", end: 3000, want: "off-hook@0"},
		{name: "flash", events: "off@0 on@1000 off@1500", end: 3000, want: "off-hook@0 flash@1000"},
		{name: "flash min and max", events: "off@0 on@1000 off@1150 on@2000 off@2900", end: 4000,
			want: "off-hook@0 flash@1000 flash@2000"},
		{name: "just too long for a flash", events: "off@0 on@1000 off@1901", end: 3000,
			want: "off-hook@0 hang-up@1000 off-hook@1901"},
		{name: "hang up", events: "off@0 on@1000", end: 3000, want: "off-hook@0 hang-up@1000"},
		{name: "hang up, lift again", events: "off@0 on@1000 off@2500 on@4000", end: 6000,
			want: "off-hook@0 hang-up@1000 off-hook@2500 hang-up@4000"},
		{name: "flash right after a digit", events: "off@0" + train(1000, 4, 60, 40) + " on@1400 off@1900", end: 3000,
			want: "off-hook@0 4@1360 flash@1400"},
		{name: "hang up right after a digit", events: "off@0" + train(1000, 4, 60, 40) + " on@1400", end: 3000,
			want: "off-hook@0 4@1360 hang-up@1400"},
		{name: "flash after a digit ended", events: "off@0" + train(1000, 4, 60, 40) + " on@2000 off@2500", end: 3000,
			want: "off-hook@0 4@1360 flash@2000"},
		{name: "lost events", events: "off@0 off@50 on@1000 on@1100 off@1400", end: 3000,
			want: "off-hook@0 flash@1000"},
		{name: "other events", events: "ring@0 off@10", end: 1000, want: "off-hook@10"},
		{name: "R key with default timing is a 1", events: "off@0 on@1000 off@1100", end: 3000,
			want: "off-hook@0 1@1100"},
		{name: "R key with its timing is a flash", timing: &rKey, events: "off@0 on@1000 off@1100", end: 3000,
			want: "off-hook@0 flash@1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			timing := DefaultTiming
			if tc.timing != nil {
				timing = *tc.timing
			}
			evs := timeline(t, tc.events)
			end := time.Duration(tc.end) * ms
			for _, run := range []struct {
				name   string
				decode func(*Decoder, []hal.Event, time.Duration) []Action
			}{{"frames", decodeFrames}, {"late", decodeLate}} {
				d, err := New(timing, tc.initial)
				if err != nil {
					t.Fatal(err)
				}
				if got := show(run.decode(d, evs, end)); got != tc.want {
					t.Errorf("%s: got  %q\nwant %q", run.name, got, tc.want)
				}
			}
		})
	}
}

func TestQueueKeepsNewest(t *testing.T) {
	d, err := New(DefaultTiming, hal.OffHook)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		d.Event(hal.Event{Kind: hal.EventHookOn, At: time.Duration(i) * time.Second})
		d.Event(hal.Event{Kind: hal.EventHookOff, At: time.Duration(i)*time.Second + 500*ms})
	}
	var got []Action
	for a, ok := d.Next(); ok; a, ok = d.Next() {
		got = append(got, a)
	}
	if len(got) != queueCap || got[0].At != 4*time.Second || got[queueCap-1].At != 19*time.Second {
		t.Fatalf("got %d actions, %v ... %v", len(got), got[0], got[len(got)-1])
	}
}

func TestTimingValidate(t *testing.T) {
	if err := DefaultTiming.Validate(); err != nil {
		t.Fatalf("DefaultTiming: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Timing)
		want   string
	}{
		{"negative break", func(t *Timing) { t.PulseBreakMin = -ms }, "PulseBreakMin -1ms is negative"},
		{"pulse max below min", func(t *Timing) { t.PulseBreakMax = 10 * ms }, "PulseBreakMax 10ms is less than PulseBreakMin 20ms"},
		{"flash overlaps pulses", func(t *Timing) { t.FlashMin = 100 * ms }, "FlashMin 100ms is not above PulseBreakMax 120ms"},
		{"flash equals pulse max", func(t *Timing) { t.FlashMin = 120 * ms }, "FlashMin 120ms is not above PulseBreakMax 120ms"},
		{"flash max below min", func(t *Timing) { t.FlashMax = 140 * ms }, "FlashMax 140ms is less than FlashMin 150ms"},
		{"no digit gap", func(t *Timing) { t.DigitGap = 0 }, "DigitGap 0s is not positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			timing := DefaultTiming
			tc.change(&timing)
			d, err := New(timing, hal.OnHook)
			if d != nil || !errors.Is(err, ErrTiming) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, %v; want an ErrTiming saying %q", d, err, tc.want)
			}
		})
	}
}

func TestBadInitialHook(t *testing.T) {
	if d, err := New(DefaultTiming, hal.Hook(7)); d != nil || err == nil || err.Error() != "hookswitch: no hook state 7" {
		t.Fatalf("New with hook 7: %v, %v", d, err)
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Action{Kind: OffHook, At: 20 * ms}.String(), "off-hook @20ms"},
		{Action{Kind: Digit, Digit: '7', At: time.Second}.String(), "digit 7 @1s"},
		{Kind(9).String(), "Kind(9)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// dialFrames is a minute of a phone lifted, dialled, flashed and hung up,
// over and over, cut into frames: the events of each and its end time.
func dialFrames(t testing.TB) (frames [][]hal.Event, ends []time.Duration) {
	var s strings.Builder
	for c := range 6 {
		at := c * 10000
		fmt.Fprintf(&s, "off@%d%s%s on@%d off@%d on@%d ", at, train(at+1000, 10, 60, 40), train(at+3000, 7, 60, 40), at+5000, at+5500, at+7000)
	}
	evs := timeline(t, s.String())
	for now := hal.FrameDuration; now <= time.Minute; now += hal.FrameDuration {
		n := 0
		for n < len(evs) && evs[n].At < now {
			n++
		}
		frames, ends = append(frames, evs[:n]), append(ends, now)
		evs = evs[n:]
	}
	return frames, ends
}

func TestNoAllocation(t *testing.T) {
	d, err := New(DefaultTiming, hal.OnHook)
	if err != nil {
		t.Fatal(err)
	}
	frames, ends := dialFrames(t)
	actions := 0
	i := 0
	allocs := testing.AllocsPerRun(len(frames)-1, func() {
		for _, e := range frames[i] {
			d.Event(e)
		}
		d.Tick(ends[i])
		for _, ok := d.Next(); ok; _, ok = d.Next() {
			actions++
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations a frame", allocs)
	}
	if want := 6 * 5; actions != want { // off-hook, 0, 7, flash, hang-up
		t.Errorf("%d actions, want %d", actions, want)
	}
}

// BenchmarkFrame is the decoder's work in one 20 ms frame of a phone being
// dialled.
func BenchmarkFrame(b *testing.B) {
	d, err := New(DefaultTiming, hal.OnHook)
	if err != nil {
		b.Fatal(err)
	}
	frames, ends := dialFrames(b)
	b.ReportAllocs()
	var base time.Duration
	i := 0
	for b.Loop() {
		for _, e := range frames[i] {
			e.At += base
			d.Event(e)
		}
		d.Tick(ends[i] + base)
		for _, ok := d.Next(); ok; _, ok = d.Next() {
		}
		if i++; i == len(frames) {
			i, base = 0, base+time.Minute
		}
	}
}
