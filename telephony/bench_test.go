package telephony

import (
	"context"
	"math"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/rtpstream"
)

// benchLines is how many lines the benchmarks keep in calls: a full board.
const benchLines = 8

// callsUp starts a gateway with benchLines FXS lines, each in an answered
// call to the far end, which echoes every frame back. The phones talk: a
// tone for as long as a benchmark may last.
func callsUp(b *testing.B, paced bool, v Voice) *rig {
	kinds := make([]hal.Kind, benchLines)
	for i := range kinds {
		kinds[i] = hal.KindFXS
	}
	r := newRig(b, sim.Opts{Country: "US", Ports: kinds, Paced: paced}, func(_ *sim.Board, p []Port) []Port {
		for i := range p {
			p[i].Voice = v
		}
		return p
	}, Options{})
	for n := 1; n <= benchLines; n++ {
		r.b.FXS(n).OffHook()
		r.b.FXS(n).Dial("2000#", false)
	}
	for range benchLines {
		far := r.farCall()
		far.Answer()
		loopBack(b, far)
	}
	r.until("every line talking", 10*time.Second, func() bool {
		lines, _ := r.e.Status()
		return !slices.ContainsFunc(lines, func(l LineStatus) bool { return l.Activity != "talking" })
	})
	voice := make([]int16, 2*time.Minute/time.Second*hal.SampleRate)
	for i := range voice {
		voice[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/hal.SampleRate))
	}
	for n := 1; n <= benchLines; n++ {
		r.b.Play(n, voice)
	}
	return r
}

// loopBack sends back what the far end of c receives, every 20 ms.
func loopBack(b *testing.B, c *sipua.Call) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	b.Cleanup(func() { cancel(); wg.Wait() })
	wg.Go(func() {
		t := time.NewTicker(hal.FrameDuration)
		defer t.Stop()
		var f [rtpstream.FrameSize]byte
		s := c.Stream()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.Receive(&f)
				s.Send(&f)
			}
		}
	})
}

// BenchmarkEngineTick is one frame of the engine with every line in a
// call: the simulated board's transfer, each line's state machine, DTMF
// detection, G.711 both ways, the jitter buffer and loss concealment, RTP
// out; with and without each line's echo canceller (64 ms tail).
func BenchmarkEngineTick(b *testing.B) {
	for _, c := range []struct {
		name  string
		voice Voice
	}{
		{"echo=off", Voice{}},
		{"echo=64ms", Voice{EchoTail: 64 * time.Millisecond}},
	} {
		b.Run(c.name, func(b *testing.B) {
			r := callsUp(b, false, c.voice)
			b.ReportAllocs()
			for b.Loop() {
				r.step(1)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1000/float64(b.N), "µs/tick")
		})
	}
}

// BenchmarkEngineLateness runs the engine in real time on the board's
// 20 ms bus for a minute with every line in a call, on two cores kept busy
// by two other processes, while the gateway's own heap churns so that the
// collector runs; it reports how late the ticks ended after the bus
// delivered their frame: the worst, and the 99.9th percentile. The other
// processes run at nice 19, as an appliance's background jobs would: at
// the same priority as the gateway they would take half its CPU.
func BenchmarkEngineLateness(b *testing.B) {
	const run = time.Minute
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	r := callsUp(b, true, Voice{EchoTail: 64 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for range 2 {
		hog := exec.CommandContext(ctx, "nice", "-n", "19", "sh", "-c", "while :; do :; done")
		if err := hog.Start(); err != nil {
			b.Fatal(err)
		}
		wg.Go(func() { hog.Wait() })
	}
	wg.Go(func() { churn(ctx) })
	frames := int(run / hal.FrameDuration)
	bus := make([]time.Time, frames) // when the bus delivered each frame
	end := make([]time.Time, frames) // when the engine was done with it
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gcs := ms.NumGC
	b.ResetTimer()
	for range b.N {
		for i := range frames {
			if err := r.e.pcm.Transfer(r.e.rx, r.e.tx); err != nil {
				b.Fatal(err)
			}
			bus[i] = time.Now()
			r.e.frame(bus[i], bus[i])
			end[i] = time.Now()
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	// A frame is due at the bus's schedule, which no delivery precedes:
	// the earliest delivery, less its place in the schedule, is its origin.
	origin := bus[0]
	for i, t := range bus {
		if o := t.Add(-time.Duration(i) * hal.FrameDuration); o.Before(origin) {
			origin = o
		}
	}
	lat := make([]time.Duration, frames)
	for i, t := range end {
		lat[i] = t.Sub(origin.Add(time.Duration(i) * hal.FrameDuration))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "worst-ms")
	b.ReportMetric(float64(lat[len(lat)*999/1000].Microseconds())/1000, "p99.9-ms")
	b.ReportMetric(float64(r.b.Overruns()), "overruns")
	b.ReportMetric(float64(ms.NumGC-gcs), "GCs")
}

// churn makes garbage as a busy gateway's SIP and web sides would, only
// far more of it: 16 MB a second, 4 MB of it live, so the collector runs
// every few hundred milliseconds.
func churn(ctx context.Context) {
	var kept [64][]byte
	t := time.NewTicker(4 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		buf := make([]byte, 64<<10)
		buf[i%len(buf)] = byte(i)
		kept[i%len(kept)] = buf
	}
}
