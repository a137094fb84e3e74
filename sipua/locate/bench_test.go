package locate

import (
	"context"
	"testing"
)

// A lookup answered from the cache: what each request costs once the
// domain's records are known.
func BenchmarkLookupCached(b *testing.B) {
	addr := serve(b, newZone(b, testZone...))
	for _, bm := range []struct {
		name string
		uri  URI
	}{
		{"naptr", URI{Scheme: "sip", Host: "example.com"}},          // 3 SRV names, 2 hosts, 8 targets
		{"srv", URI{Scheme: "sip", Host: "srv.test"}},               // 3 SRV names, 2 hosts, 4 targets
		{"address", URI{Scheme: "sip", Host: "a.test", Port: 5060}}, // 3 targets
		{"numeric", URI{Scheme: "sip", Host: "192.0.2.1"}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			r := &Resolver{Server: addr}
			ctx := context.Background()
			if _, err := r.Lookup(ctx, bm.uri); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Lookup(ctx, bm.uri); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
