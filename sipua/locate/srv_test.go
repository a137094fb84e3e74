package locate

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// Within a priority, each server comes first about as often as its share
// of the weights says; a lower priority always comes after.
func TestSRVWeights(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		first   []float64 // the chance of each record to come first
	}{
		// RFC 2782: weight 0 has a small chance, 1/(sum+1).
		{"zero ten thirty", []int{0, 10, 30}, []float64{1.0 / 41, 10.0 / 41, 30.0 / 41}},
		// Without weight 0, exactly the shares: the RFC 3263 §4.1 example.
		{"one two", []int{1, 2}, []float64{1.0 / 3, 2.0 / 3}},
		{"thirty ten", []int{30, 10}, []float64{3.0 / 4, 1.0 / 4}},
		// No weights: uniform.
		{"zeros", []int{0, 0, 0, 0}, []float64{0.25, 0.25, 0.25, 0.25}},
		// Only the first of the records of weight 0 takes the draw of 0.
		{"zeros and five", []int{0, 0, 5}, []float64{1.0 / 6, 0, 5.0 / 6}},
	}
	var zone []string
	for i, tt := range tests {
		for j, w := range tt.weights {
			zone = append(zone,
				fmt.Sprintf("_sip._udp.w%d.test. 300 IN SRV 10 %d 5060 h%d.w%d.test.", i, w, j, i),
				fmt.Sprintf("h%d.w%d.test. 300 IN A 192.0.2.%d", j, i, 10+j))
		}
		zone = append(zone,
			fmt.Sprintf("_sip._udp.w%d.test. 300 IN SRV 20 100 5060 backup.w%d.test.", i, i),
			fmt.Sprintf("backup.w%d.test. 300 IN A 192.0.2.99", i))
	}
	addr := serve(t, newZone(t, zone...))

	const draws = 10000
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := testResolver(addr)
			r.Transports = []Transport{UDP}
			uri := URI{Scheme: "sip", Host: fmt.Sprintf("w%d.test", i)}
			firsts := make(map[string]int)
			for range draws {
				ts, err := r.Lookup(context.Background(), uri)
				if err != nil {
					t.Fatal(err)
				}
				if len(ts) != len(tt.weights)+1 {
					t.Fatalf("%d targets, want %d", len(ts), len(tt.weights)+1)
				}
				if last := ts[len(ts)-1].Host; last != fmt.Sprintf("backup.w%d.test", i) {
					t.Fatalf("last target %s, want the one of priority 20", last)
				}
				firsts[ts[0].Host]++
			}
			for j, p := range tt.first {
				host := fmt.Sprintf("h%d.w%d.test", j, i)
				got := float64(firsts[host]) / draws
				// Five standard deviations of the share of draws.
				if tol := 5 * math.Sqrt(p*(1-p)/draws); math.Abs(got-p) > tol {
					t.Errorf("%s (weight %d) first in %.4f of lookups, want %.4f ± %.4f",
						host, tt.weights[j], got, p, tol)
				}
			}
		})
	}
}
