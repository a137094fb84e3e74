package locate

import (
	"cmp"
	"slices"

	"github.com/miekg/dns"
)

// orderSRV puts SRV records in the order to try them (RFC 2782): by
// priority, lowest first, and within a priority by weighted random draws.
func (r *Resolver) orderSRV(srvs []*dns.SRV) {
	slices.SortStableFunc(srvs, func(a, b *dns.SRV) int { return cmp.Compare(a.Priority, b.Priority) })
	for i := 0; i < len(srvs); {
		j := i + 1
		for j < len(srvs) && srvs[j].Priority == srvs[i].Priority {
			j++
		}
		r.drawByWeight(srvs[i:j])
		i = j
	}
}

// drawByWeight orders records of one priority by the draw of RFC 2782:
// with those of weight 0 at the front of the records left, draw a number
// from 0 to the sum of their weights and take next the first record whose
// running sum of weights reaches it. Two departures: without records of
// weight 0, the draw starts at 1, else the first record would come next
// with an extra chance of 1/(sum+1); and records that all weigh 0 come in
// uniform random order, not always the first first.
func (r *Resolver) drawByWeight(srvs []*dns.SRV) {
	slices.SortStableFunc(srvs, func(a, b *dns.SRV) int {
		return cmp.Compare(min(a.Weight, 1), min(b.Weight, 1))
	})
	for ; len(srvs) > 1; srvs = srvs[1:] {
		sum := 0
		for _, v := range srvs {
			sum += int(v.Weight)
		}
		k := 0
		if sum == 0 {
			k = r.intN(len(srvs))
		} else {
			lo := 0 // a draw of 0 takes the first record of weight 0
			if srvs[0].Weight > 0 {
				lo = 1
			}
			n := lo + r.intN(sum+1-lo)
			for run := int(srvs[0].Weight); run < n; run += int(srvs[k].Weight) {
				k++
			}
		}
		// Move the drawn record to the front, keeping the order of the
		// rest so those of weight 0 stay in front of the others.
		v := srvs[k]
		copy(srvs[1:k+1], srvs[:k])
		srvs[0] = v
	}
}
