package ringdetect

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"tipring/dsp/tone"
	"tipring/hal"
)

const ms = time.Millisecond

// timeline parses ringing changes written "on@0 off@2000", times in ms.
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
		case "on":
			e.Kind = hal.EventRingStart
		case "off":
			e.Kind = hal.EventRingStop
		case "rev":
			e.Kind, e.Value = hal.EventPolarity, -1
		default:
			t.Fatalf("bad timeline entry %q", f)
		}
		out = append(out, e)
	}
	return out
}

// cadence writes n cycles of ringing in cadence c (on, off, on, off... ms)
// from at ms, and returns the timeline and when the last burst ended.
func cadence(at int, c []int, n int) (string, int) {
	var b strings.Builder
	end := at
	for range n {
		for i := 0; i < len(c); i += 2 {
			end = at + c[i]
			fmt.Fprintf(&b, " on@%d off@%d", at, end)
			at = end + c[i+1]
		}
	}
	return b.String(), end
}

// show writes signals as "call-start@0 ring-start@0 ring-end@2000", times in
// ms.
func show(ss []Signal) string {
	var b strings.Builder
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%v@%d", s.Kind, s.At/ms)
	}
	return b.String()
}

// detectFrames runs the detector as the frame loop does: each 20 ms, the
// events of the frame, then Tick at its end, up to end.
func detectFrames(d *Detector, evs []hal.Event, end time.Duration) []Signal {
	var out []Signal
	for now := hal.FrameDuration; now <= end; now += hal.FrameDuration {
		for len(evs) > 0 && evs[0].At < now {
			d.Event(evs[0])
			evs = evs[1:]
		}
		d.Tick(now)
		for s, ok := d.Next(); ok; s, ok = d.Next() {
			out = append(out, s)
		}
	}
	return out
}

// detectLate gives every event at once and ticks only at end.
func detectLate(d *Detector, evs []hal.Event, end time.Duration) []Signal {
	for _, e := range evs {
		d.Event(e)
	}
	d.Tick(end)
	var out []Signal
	for s, ok := d.Next(); ok; s, ok = d.Next() {
		out = append(out, s)
	}
	return out
}

func TestDetector(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events string
		end    int // ms
		want   string
	}{
		{name: "north america", events: "on@0 off@2000 on@6000 off@8000", end: 20000,
			want: "call-start@0 ring-start@0 ring-end@2000 ring-start@6000 ring-end@8000 abandoned@8000"},
		{name: "uk double ring", events: "on@0 off@400 on@600 off@1000 on@3000 off@3400 on@3600 off@4000", end: 12000,
			want: "call-start@0 ring-start@0 ring-end@400 ring-start@600 ring-end@1000 ring-start@3000 ring-end@3400 ring-start@3600 ring-end@4000 abandoned@4000"},
		{name: "still ringing", events: "on@0 off@2000 on@6000", end: 7000,
			want: "call-start@0 ring-start@0 ring-end@2000 ring-start@6000"},
		{name: "spike", events: "on@0 off@149", end: 10000, want: ""},
		{name: "shortest ring", events: "on@0 off@150 on@400 off@800", end: 2000,
			want: "call-start@0 ring-start@0 ring-end@150 ring-start@400 ring-end@800"},
		{name: "spike in a pause", events: "on@0 off@2000 on@4000 off@4100 on@6000 off@8000", end: 9000,
			want: "call-start@0 ring-start@0 ring-end@2000 ring-start@6000 ring-end@8000"},
		{name: "dropout", events: "on@0 off@1000 on@1099 off@2000", end: 3000,
			want: "call-start@0 ring-start@0 ring-end@2000"},
		{name: "shortest pause", events: "on@0 off@1000 on@1100 off@2000", end: 3000,
			want: "call-start@0 ring-start@0 ring-end@1000 ring-start@1100 ring-end@2000"},
		{name: "spikes close together make a burst", events: "on@0 off@100 on@150 off@250", end: 3000,
			want: "alert@0"},
		{name: "too long to start a call", events: "on@0 off@3001 on@7000 off@8000", end: 9000,
			want: "call-start@7000 ring-start@7000 ring-end@8000"},
		{name: "longest first burst", events: "on@0 off@3000", end: 4000,
			want: "call-start@0 ring-start@0 ring-end@3000"},
		{name: "a long burst in a call counts", events: "on@0 off@2000 on@6000 off@10000", end: 11000,
			want: "call-start@0 ring-start@0 ring-end@2000 ring-start@6000 ring-end@10000"},
		{name: "ring-pulse alert", events: "on@0 off@250 on@2000 off@2400 on@2600 off@3000", end: 4000,
			want: "alert@0 call-start@2000 ring-start@2000 ring-end@2400 ring-start@2600 ring-end@3000"},
		{name: "alert then a short ring", events: "on@0 off@250 on@2000 off@2250", end: 3000,
			want: "alert@0 call-start@2000 ring-start@2000 ring-end@2250"},
		{name: "alert and no ringing", events: "on@0 off@300", end: 10000,
			want: "alert@0 abandoned@300"},
		{name: "alert then too long", events: "on@0 off@300 on@2000 off@5500", end: 8000,
			want: "alert@0 abandoned@300"},
		{name: "longest alert", events: "on@0 off@350", end: 1000, want: "alert@0"},
		{name: "first burst too long for an alert", events: "on@0 off@360", end: 1000,
			want: "call-start@0 ring-start@0 ring-end@360"},
		{name: "short first ring of a cadence", events: "on@0 off@300 on@799 off@1100 on@1400 off@1700", end: 2000,
			want: "call-start@0 ring-start@0 ring-end@300 ring-start@799 ring-end@1100 ring-start@1400 ring-end@1700"},
		{name: "alert gap", events: "on@0 off@300 on@800 off@1100", end: 2000,
			want: "alert@0 call-start@800 ring-start@800 ring-end@1100"},
		{name: "spike after a short first burst", events: "on@0 off@300 on@400 off@450", end: 2000,
			want: "alert@0"},
		{name: "longest pause", events: "on@0 off@1000 on@7000 off@8000", end: 9000,
			want: "call-start@0 ring-start@0 ring-end@1000 ring-start@7000 ring-end@8000"},
		{name: "caller gave up, called again", events: "on@0 off@1000 on@7001 off@8000", end: 9000,
			want: "call-start@0 ring-start@0 ring-end@1000 abandoned@1000 call-start@7001 ring-start@7001 ring-end@8000"},
		{name: "lost events", events: "on@0 on@500 off@2000 off@2500 on@6000 off@8000", end: 9000,
			want: "call-start@0 ring-start@0 ring-end@2000 ring-start@6000 ring-end@8000"},
		{name: "stray stop", events: "off@0", end: 9000, want: ""},
		{name: "other events", events: "rev@0 on@100 off@1100", end: 2000,
			want: "call-start@100 ring-start@100 ring-end@1100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBoth(t, DefaultOpts, tc.events, tc.end, tc.want)
		})
	}
}

// checkBoth runs a timeline with ticks each frame and with one tick at the
// end, and checks that both give want.
func checkBoth(t *testing.T, o Opts, events string, end int, want string) {
	t.Helper()
	evs := timeline(t, events)
	for _, run := range []struct {
		name   string
		detect func(*Detector, []hal.Event, time.Duration) []Signal
	}{{"frames", detectFrames}, {"late", detectLate}} {
		d, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(run.detect(d, evs, time.Duration(end)*ms)); got != want {
			t.Errorf("%s: got  %q\nwant %q", run.name, got, want)
		}
	}
}

// TestCountries rings with the cadence of every tone plan: each is a call,
// with every burst reported, and none an alert.
func TestCountries(t *testing.T) {
	for _, cc := range tone.Countries() {
		t.Run(cc, func(t *testing.T) {
			p, _ := tone.Lookup(cc)
			events, last := cadence(1000, p.Ring, 3)
			var want strings.Builder
			want.WriteString("call-start@1000")
			for _, f := range strings.Fields(events) {
				kind, at, _ := strings.Cut(f, "@")
				fmt.Fprintf(&want, " ring-%s@%s", map[string]string{"on": "start", "off": "end"}[kind], at)
			}
			fmt.Fprintf(&want, " abandoned@%d", last)
			checkBoth(t, DefaultOpts, events, last+10000, want.String())
		})
	}
}

func TestReset(t *testing.T) {
	d, err := New(DefaultOpts)
	if err != nil {
		t.Fatal(err)
	}
	// A call rings and is answered during its second burst; the exchange
	// stops ringing. Then the next call rings.
	var got []Signal
	for _, step := range []struct {
		events string
		end    int
		reset  bool
	}{
		{"on@0 off@2000 on@6000", 6500, true},
		{"off@6520", 7000, false},
		{"on@9000 off@11000", 12000, false},
	} {
		evs := timeline(t, step.events)
		for _, e := range evs {
			d.Event(e)
		}
		d.Tick(time.Duration(step.end) * ms)
		if step.reset {
			d.Reset()
		}
		for s, ok := d.Next(); ok; s, ok = d.Next() {
			got = append(got, s)
		}
	}
	if want := "call-start@9000 ring-start@9000 ring-end@11000"; show(got) != want {
		t.Errorf("got  %q\nwant %q", show(got), want)
	}
}

func TestOptsValidate(t *testing.T) {
	if err := DefaultOpts.Validate(); err != nil {
		t.Fatalf("DefaultOpts: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(*Opts)
		want   string
	}{
		{"no min burst", func(o *Opts) { o.MinBurst = 0 }, "MinBurst 0s is not positive"},
		{"alert shorter than a ring", func(o *Opts) { o.AlertMax = 100 * ms }, "AlertMax 100ms is less than MinBurst 150ms"},
		{"max burst too short", func(o *Opts) { o.MaxBurst = 350 * ms }, "MaxBurst 350ms is not above AlertMax 350ms"},
		{"no min pause", func(o *Opts) { o.MinPause = -ms }, "MinPause -1ms is not positive"},
		{"alert gap too short", func(o *Opts) { o.AlertGap = 100 * ms }, "AlertGap 100ms is not above MinPause 100ms"},
		{"max pause too short", func(o *Opts) { o.MaxPause = 400 * ms }, "MaxPause 400ms is not above AlertGap 500ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOpts
			tc.change(&o)
			d, err := New(o)
			if d != nil || !errors.Is(err, ErrOpts) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, %v; want an ErrOpts saying %q", d, err, tc.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Signal{Kind: CallStart, At: 20 * ms}.String(), "call-start @20ms"},
		{Signal{Kind: Abandoned, At: time.Second}.String(), "abandoned @1s"},
		{Kind(0).String(), "Kind(0)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestQueueKeepsNewest(t *testing.T) {
	d, err := New(DefaultOpts)
	if err != nil {
		t.Fatal(err)
	}
	events, _ := cadence(0, []int{1000, 1000}, 10) // 1 + 2*10 signals
	for _, e := range timeline(t, events) {
		d.Event(e)
	}
	d.Tick(time.Minute)
	var got []Signal
	for s, ok := d.Next(); ok; s, ok = d.Next() {
		got = append(got, s)
	}
	if len(got) != queueCap || got[queueCap-1].Kind != Abandoned || got[0].At != 5*time.Second {
		t.Fatalf("got %v", got)
	}
}

// ringFrames is a minute of calls rung with the North American cadence,
// each abandoned after three rings, cut into frames: the events of each and
// its end time.
func ringFrames(t testing.TB) (frames [][]hal.Event, ends []time.Duration) {
	var s strings.Builder
	for at := 0; at < 60000; at += 30000 {
		events, _ := cadence(at, []int{2000, 4000}, 3)
		s.WriteString(events)
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
	d, err := New(DefaultOpts)
	if err != nil {
		t.Fatal(err)
	}
	frames, ends := ringFrames(t)
	signals := 0
	i := 0
	allocs := testing.AllocsPerRun(len(frames)-1, func() {
		for _, e := range frames[i] {
			d.Event(e)
		}
		d.Tick(ends[i])
		for _, ok := d.Next(); ok; _, ok = d.Next() {
			signals++
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations a frame", allocs)
	}
	if want := 2 * (1 + 2*3 + 1); signals != want {
		t.Errorf("%d signals, want %d", signals, want)
	}
}

// BenchmarkFrame is the detector's work in one 20 ms frame of a ringing
// line.
func BenchmarkFrame(b *testing.B) {
	d, err := New(DefaultOpts)
	if err != nil {
		b.Fatal(err)
	}
	frames, ends := ringFrames(b)
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
