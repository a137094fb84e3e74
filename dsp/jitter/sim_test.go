package jitter

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// A network carries a sender's packets to the buffer: each packet leaves
// on the sender's clock, is lost, or arrives after a fixed delay plus a
// uniformly random one, perhaps twice. Random delays reorder packets.
type network struct {
	seed   uint64
	frames int     // how many frames the sender sends
	drift  float64 // how much faster the sender's clock runs than the playout clock
	loss   float64 // probability a packet is lost
	dup    float64 // probability a packet arrives twice
	// jitter is the spread of the random delay while frame i is sent.
	jitter func(i int) time.Duration
	// step, if set, is a delay added to frame i's: a path that changed, a
	// sender that stalled.
	step func(i int) time.Duration
	// talk says whether frame i is speech; the others are silent.
	talk func(i int) bool
}

type delivery struct {
	at time.Duration
	p  Packet
}

// simFrame is frame i of the sender's signal: a loud frame in speech, a
// silent one in a pause, with i written in the low nibbles of its first
// eight bytes (µ-law codes 0xf0 to 0xff are within 120 of zero, so the
// frame stays silent or loud).
func simFrame(i int, loud bool) [FrameSize]byte {
	var f [FrameSize]byte
	fill := byte(0xff)
	if loud {
		fill = 0x20
	}
	for k := range f {
		f[k] = fill
	}
	for k := range 8 {
		f[k] = 0xf0 | byte(uint32(i)>>(28-4*k))&0xf
	}
	return f
}

// frameNumber reads back what simFrame wrote.
func frameNumber(f *[FrameSize]byte) int {
	var n uint32
	for k := range 8 {
		n = n<<4 | uint32(f[k]&0xf)
	}
	return int(n)
}

// run sends the network's frames and returns the packets as they arrive,
// and which frames were lost in every copy.
func (n network) run() ([]delivery, []bool) {
	rng := rand.New(rand.NewPCG(n.seed, 1))
	const base = 30 * time.Millisecond
	var out []delivery
	lost := make([]bool, n.frames)
	payloads := make([][FrameSize]byte, n.frames)
	for i := range n.frames {
		payloads[i] = simFrame(i, n.talk(i))
		sent := time.Duration(float64(i) * float64(20*time.Millisecond) / (1 + n.drift))
		p := Packet{SSRC: 0x5eed, Sequence: uint16(1000 + i), Timestamp: uint32(0xfffff000 + i*FrameSize), Payload: payloads[i][:]}
		copies := 1
		if rng.Float64() < n.dup {
			copies = 2
		}
		arrived := false
		for range copies {
			if rng.Float64() < n.loss {
				continue
			}
			arrived = true
			at := sent + base + time.Duration(rng.Float64()*float64(n.jitter(i)))
			if n.step != nil {
				at += n.step(i)
			}
			out = append(out, delivery{at: at, p: p})
		}
		lost[i] = !arrived
	}
	slices.SortStableFunc(out, func(a, b delivery) int { return int(a.at - b.at) })
	return out, lost
}

type simResult struct {
	played   []int           // frame numbers of the Audio frames, in order
	delay    []time.Duration // Counters.Delay at each tick
	counters Counters
}

// play feeds the deliveries to a Buffer and calls Get every 20 ms of the
// playout clock, offset from the sender's by 7 ms, until a second after
// the last arrival.
func play(t *testing.T, c Config, ds []delivery) simResult {
	t.Helper()
	b, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	var r simResult
	var out [FrameSize]byte
	end := ds[len(ds)-1].at + time.Second
	for tick := time.Duration(7 * time.Millisecond); tick < end; tick += 20 * time.Millisecond {
		for len(ds) > 0 && ds[0].at <= tick {
			ds[0].p.Arrival = ds[0].at
			if err := b.Put(ds[0].p); err != nil {
				t.Fatal(err)
			}
			ds = ds[1:]
		}
		if b.Get(&out) == Audio {
			r.played = append(r.played, frameNumber(&out))
		}
		r.delay = append(r.delay, b.Counters().Delay)
	}
	r.counters = b.Counters()
	return r
}

func constant(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

// talkspurts alternates 1.2 s of speech with 0.8 s of silence.
func talkspurts(i int) bool { return i%100 < 60 }

func TestNetworkScenarios(t *testing.T) {
	const minute = 3000 // frames
	tests := []struct {
		name string
		net  network
		// bounds on the result
		maxLate, minDropped, maxDropped, minInserted, maxInserted uint64
		minDelay, maxDelay                                        time.Duration // mean Delay over the last half
	}{
		{
			name:    "clean",
			net:     network{frames: minute, jitter: constant(0), talk: talkspurts},
			maxLate: 0, maxDropped: 0, maxInserted: 0,
			minDelay: 40 * time.Millisecond, maxDelay: 60 * time.Millisecond,
		},
		{
			name:    "40 ms jitter, 5 % loss, duplicates",
			net:     network{frames: minute, loss: 0.05, dup: 0.02, jitter: constant(40 * time.Millisecond), talk: talkspurts},
			maxLate: minute / 50, maxDropped: 10, maxInserted: 10,
			minDelay: 35 * time.Millisecond, maxDelay: 70 * time.Millisecond,
		},
		{
			name:    "sender 0.5 % fast",
			net:     network{frames: 2 * minute, drift: 0.005, loss: 0.05, dup: 0.02, jitter: constant(40 * time.Millisecond), talk: talkspurts},
			maxLate: minute / 25, minDropped: 25, maxDropped: 45, maxInserted: 15,
			minDelay: 35 * time.Millisecond, maxDelay: 70 * time.Millisecond,
		},
		{
			name:    "sender 0.5 % slow",
			net:     network{frames: 2 * minute, drift: -0.005, loss: 0.05, dup: 0.02, jitter: constant(40 * time.Millisecond), talk: talkspurts},
			maxLate: minute / 25, maxDropped: 15, minInserted: 25, maxInserted: 45,
			minDelay: 35 * time.Millisecond, maxDelay: 70 * time.Millisecond,
		},
		{
			name:    "sender 0.1 % fast, never silent",
			net:     network{frames: 2 * minute, drift: 0.001, jitter: constant(10 * time.Millisecond), talk: func(int) bool { return true }},
			maxLate: 0, minDropped: 4, maxDropped: 10, maxInserted: 2,
			minDelay: 40 * time.Millisecond, maxDelay: 80 * time.Millisecond,
		},
		{
			name:    "sender 0.1 % fast, always silent",
			net:     network{frames: 2 * minute, drift: 0.001, jitter: constant(10 * time.Millisecond), talk: func(int) bool { return false }},
			maxLate: 0, minDropped: 4, maxDropped: 10, maxInserted: 2,
			minDelay: 40 * time.Millisecond, maxDelay: 65 * time.Millisecond,
		},
		{
			name:    "jitter beyond Max",
			net:     network{frames: minute, loss: 0.05, jitter: constant(time.Second), talk: talkspurts},
			maxLate: minute, maxDropped: 100, maxInserted: 100,
			minDelay: 250 * time.Millisecond, maxDelay: 360 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.net.seed = 1
			ds, lost := tt.net.run()
			r := play(t, DefaultConfig, ds)
			c := r.counters
			t.Logf("%+v", c)
			checkOrder(t, r.played)
			checkLost(t, r.played, lost, c)
			if c.Late > tt.maxLate {
				t.Errorf("Late = %d, want at most %d", c.Late, tt.maxLate)
			}
			if c.Dropped < tt.minDropped || c.Dropped > tt.maxDropped {
				t.Errorf("Dropped = %d, want %d to %d", c.Dropped, tt.minDropped, tt.maxDropped)
			}
			if c.Inserted < tt.minInserted || c.Inserted > tt.maxInserted {
				t.Errorf("Inserted = %d, want %d to %d", c.Inserted, tt.minInserted, tt.maxInserted)
			}
			if d := mean(r.delay[len(r.delay)/2:]); d < tt.minDelay || d > tt.maxDelay {
				t.Errorf("mean delay over the second half = %v, want %v to %v", d, tt.minDelay, tt.maxDelay)
			}
			// Jitter, even past Max, is no step in the delay.
			if c.Resyncs != 0 {
				t.Errorf("Resyncs = %d, want 0", c.Resyncs)
			}
			seen := make(map[uint16]bool)
			var dups uint64
			for _, d := range ds {
				if seen[d.p.Sequence] {
					dups++
				}
				seen[d.p.Sequence] = true
			}
			if c.Duplicates > dups || c.Duplicates+c.Late < dups {
				t.Errorf("Duplicates = %d with Late = %d, the network duplicated %d", c.Duplicates, c.Late, dups)
			}
		})
	}
}

// checkOrder checks the frames played come in order, each once.
func checkOrder(t *testing.T, played []int) {
	t.Helper()
	for i := 1; i < len(played); i++ {
		if played[i] <= played[i-1] {
			t.Fatalf("frame %d played after frame %d", played[i], played[i-1])
		}
	}
}

// checkLost checks every frame between the first and the last played was
// played, lost by the network, late or dropped, and that Lost counts the
// ones lost, and perhaps frames so late the buffer forgot it concealed
// them.
func checkLost(t *testing.T, played []int, lost []bool, c Counters) {
	t.Helper()
	first, last := played[0], played[len(played)-1]
	var missing, netLost uint64
	j := 0
	for i := first; i <= last; i++ {
		if played[j] == i {
			j++
			continue
		}
		missing++
		if lost[i] {
			netLost++
		}
	}
	if c.Lost < netLost || c.Lost > netLost+c.Late {
		t.Errorf("Lost = %d, the network lost %d of the frames played around", c.Lost, netLost)
	}
	if missing > netLost+c.Late+c.Dropped {
		t.Errorf("%d frames not played, only %d lost, %d late and %d dropped", missing, netLost, c.Late, c.Dropped)
	}
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// TestDelayFollowsJitter checks the delay grows soon after the jitter
// does and comes back down, slowly, once it calms.
func TestDelayFollowsJitter(t *testing.T) {
	// 30 s calm, 30 s with 120 ms of jitter, 60 s calm again.
	phase := func(i int) int { return min(i/1500, 2) }
	jitter := [3]time.Duration{5 * time.Millisecond, 120 * time.Millisecond, 5 * time.Millisecond}
	n := network{
		seed: 2, frames: 6000, loss: 0.01, dup: 0.01, talk: talkspurts,
		jitter: func(i int) time.Duration { return jitter[phase(i)] },
	}
	ds, lost := n.run()
	r := play(t, DefaultConfig, ds)
	t.Logf("%+v", r.counters)
	checkOrder(t, r.played)
	checkLost(t, r.played, lost, r.counters)
	if r.counters.Resyncs != 0 {
		t.Errorf("Resyncs = %d, want 0", r.counters.Resyncs)
	}
	// The playout clock's tick i is 7 ms after the sender sends frame i,
	// so phase(i) is the jitter at tick i give or take a delay.
	for _, tt := range []struct {
		from, to time.Duration // seconds into the call
		min, max time.Duration
	}{
		{10 * time.Second, 30 * time.Second, 40 * time.Millisecond, 60 * time.Millisecond},
		{35 * time.Second, 60 * time.Second, 120 * time.Millisecond, 160 * time.Millisecond},
		{90 * time.Second, 120 * time.Second, 40 * time.Millisecond, 60 * time.Millisecond},
	} {
		d := mean(r.delay[tt.from/(20*time.Millisecond) : tt.to/(20*time.Millisecond)])
		t.Logf("%v-%v: %v", tt.from, tt.to, d)
		if d < tt.min || d > tt.max {
			t.Errorf("mean delay from %v to %v = %v, want %v to %v", tt.from, tt.to, d, tt.min, tt.max)
		}
	}
	// Growing from 40 to 120 ms takes 4 frames inserted; shrinking back
	// 4 dropped, a second apart.
	if r.counters.Late > 60 {
		t.Errorf("Late = %d, want at most 60 (one 98th percentile window's worth)", r.counters.Late)
	}
	// How long the delay took to come down: to within a frame of Min.
	settled := 60 * time.Second
	for i := int(60 * time.Second / (20 * time.Millisecond)); i < len(r.delay); i++ {
		if r.delay[i] < DefaultConfig.Min+20*time.Millisecond {
			settled = time.Duration(i) * 20 * time.Millisecond
			break
		}
	}
	t.Logf("settled %v", settled)
	if settled < 62*time.Second || settled > 75*time.Second {
		t.Errorf("delay back within a frame of Min at %v, want 62 to 75 s", settled)
	}
}

// TestDelayStep checks the buffer follows a lasting rise in the network's
// delay, past Max or not, losing no more than a few frames of speech and
// coming back to the delay the jitter calls for, and that brief spikes,
// however late, do not make it restart its timeline.
func TestDelayStep(t *testing.T) {
	const at = 500 // the frame the change starts with, 10 s into the call
	ms := time.Millisecond
	step := func(d time.Duration) func(int) time.Duration {
		return func(i int) time.Duration {
			if i < at {
				return 0
			}
			return d
		}
	}
	tests := []struct {
		name   string
		step   func(i int) time.Duration
		jitter time.Duration
		loss   float64
		// maxLost bounds the frames of speech from at on that arrived
		// but were not played.
		maxLost  int
		resyncs  uint64
		maxDelay time.Duration // mean Delay over the last 10 s
	}{
		// The buffer waits for five frames too late to resync on the
		// fifth: four go, and one more when jitter delays the fifth.
		{name: "500 ms step", step: step(500 * ms), maxLost: 4, resyncs: 1, maxDelay: 60 * ms},
		{name: "500 ms step, 40 ms jitter, 2 % loss", step: step(500 * ms), jitter: 40 * ms, loss: 0.02, maxLost: 5, resyncs: 1, maxDelay: 80 * ms},
		{name: "200 ms step", step: step(200 * ms), maxLost: 4, resyncs: 1, maxDelay: 60 * ms},
		// Past the reach of the ring, the step reads as a timestamp jump.
		{name: "1 s step", step: step(time.Second), maxLost: 1, resyncs: 1, maxDelay: 60 * ms},
		{
			name: "a lone packet 500 ms late",
			step: func(i int) time.Duration {
				if i != at {
					return 0
				}
				return 500 * ms
			},
			maxLost: 1, maxDelay: 60 * ms,
		},
		{
			// The 25 frames held up arrive with the 26th, all but two too
			// late to play. The spread of their transits grows the delay
			// to Max; it comes down a frame a pause, the first one in
			// speech, since no frame was dropped for ten seconds before.
			name: "a 500 ms stall, then a burst",
			step: func(i int) time.Duration {
				if i < at || i >= at+25 {
					return 0
				}
				return time.Duration(at+25-i) * 20 * ms
			},
			maxLost: 24, maxDelay: 160 * ms,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := network{seed: 3, frames: 1500, loss: tt.loss, jitter: constant(tt.jitter), step: tt.step, talk: talkspurts}
			ds, lost := n.run()
			r := play(t, DefaultConfig, ds)
			c := r.counters
			t.Logf("%+v", c)
			checkOrder(t, r.played)
			played := make(map[int]bool, len(r.played))
			for _, i := range r.played {
				played[i] = true
			}
			unplayed := 0
			for i := at; i < n.frames; i++ {
				if talkspurts(i) && !played[i] && !lost[i] {
					unplayed++
				}
			}
			if unplayed > tt.maxLost {
				t.Errorf("%d frames of speech from %d on arrived but were not played, want at most %d", unplayed, at, tt.maxLost)
			}
			if c.Resyncs != tt.resyncs {
				t.Errorf("Resyncs = %d, want %d", c.Resyncs, tt.resyncs)
			}
			tail := r.delay[len(r.delay)-500:]
			if d := mean(tail); d > tt.maxDelay {
				t.Errorf("mean delay over the last 10 s = %v, want at most %v", d, tt.maxDelay)
			}
			t.Logf("%d frames of speech not played, mean delay over the last 10 s %v", unplayed, mean(tail))
		})
	}
}
