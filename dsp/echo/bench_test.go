package echo

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkProcess measures one 20 ms frame of one channel, far end and near
// end both busy so that the filter adapts.
func BenchmarkProcess(b *testing.B) {
	for _, tail := range []time.Duration{64 * time.Millisecond, 128 * time.Millisecond} {
		b.Run(fmt.Sprint(tail), func(b *testing.B) {
			const n = 8000
			l := newLine(css(n, -15, 1), echoPath(0, 6, bulkDelay), nil, -70)
			c, err := New(Config{Tail: tail})
			if err != nil {
				b.Fatal(err)
			}
			out := make([]int16, 160)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := c.Process(out, l.sin[i:i+160], l.rin[i:i+160]); err != nil {
					b.Fatal(err)
				}
				i = (i + 160) % (n - 160)
			}
		})
	}
}
