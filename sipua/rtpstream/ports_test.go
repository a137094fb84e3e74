package rtpstream

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
)

func TestNewPortRange(t *testing.T) {
	tests := []struct {
		first, last int
		firstPort   int // 0: an error
		pairs       int
	}{
		{10000, 19999, 10000, 5000},
		{10000, 10001, 10000, 1},
		{10001, 10004, 10002, 1},
		{10001, 10003, 10002, 1},
		{65534, 65535, 65534, 1},
		{10001, 10002, 0, 0},
		{10000, 10000, 0, 0},
		{2000, 1000, 0, 0},
		{0, 100, 0, 0},
		{60000, 65536, 0, 0},
	}
	for _, tt := range tests {
		r, err := NewPortRange(tt.first, tt.last)
		if tt.firstPort == 0 {
			if err == nil {
				t.Errorf("NewPortRange(%d, %d) succeeded", tt.first, tt.last)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewPortRange(%d, %d): %v", tt.first, tt.last, err)
			continue
		}
		if r.Len() != tt.pairs {
			t.Errorf("NewPortRange(%d, %d) holds %d pairs, want %d", tt.first, tt.last, r.Len(), tt.pairs)
		}
		if p, err := r.Allocate(); err != nil || p != tt.firstPort {
			t.Errorf("NewPortRange(%d, %d): first port %d, %v; want %d", tt.first, tt.last, p, err, tt.firstPort)
		}
	}
}

func TestAllocateRelease(t *testing.T) {
	r, err := NewPortRange(20000, 20007)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{20000, 20002, 20004, 20006} {
		if p, err := r.Allocate(); err != nil || p != want {
			t.Fatalf("Allocate = %d, %v; want %d", p, err, want)
		}
	}
	if p, err := r.Allocate(); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("Allocate on a full range = %d, %v; want ErrNoPorts", p, err)
	}
	// Releasing what is not ours changes nothing.
	for _, p := range []int{19998, 20001, 20008, 30000, -2} {
		r.Release(p)
	}
	if _, err := r.Allocate(); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("a bad Release freed a port: %v", err)
	}
	r.Release(20004)
	if p, err := r.Allocate(); err != nil || p != 20004 {
		t.Fatalf("Allocate after Release(20004) = %d, %v", p, err)
	}
	// Round robin: after 20004 comes 20006, then 20000.
	r.Release(20000)
	r.Release(20006)
	for _, want := range []int{20006, 20000} {
		if p, err := r.Allocate(); err != nil || p != want {
			t.Fatalf("Allocate = %d, %v; want %d", p, err, want)
		}
	}
}

func TestAllocateConcurrent(t *testing.T) {
	r, err := NewPortRange(30000, 30199)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := make(map[int]bool)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 10 {
				p, err := r.Allocate()
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[p] {
					t.Errorf("port %d handed out twice", p)
				}
				seen[p] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if _, err := r.Allocate(); !errors.Is(err, ErrNoPorts) {
		t.Errorf("101st Allocate of 100 pairs: %v", err)
	}
}

func TestOpenExhaustion(t *testing.T) {
	ports, err := NewPortRange(44100, 44103)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(ports, Options{Local: loopback})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ports, Options{Local: loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if c, err := Open(ports, Options{Local: loopback}); !errors.Is(err, ErrNoPorts) {
		if err == nil {
			c.Close()
		}
		t.Fatalf("third Open on two pairs: %v, want ErrNoPorts", err)
	}
	port := a.LocalAddr().Port()
	a.Close()
	c, err := Open(ports, Options{Local: loopback})
	if err != nil {
		t.Fatalf("Open after a Close: %v", err)
	}
	defer c.Close()
	if c.LocalAddr().Port() != port {
		t.Errorf("reopened on port %d, want the released %d", c.LocalAddr().Port(), port)
	}
}

func TestOpenSkipsBusyPort(t *testing.T) {
	ports, err := NewPortRange(44200, 44205)
	if err != nil {
		t.Fatal(err)
	}
	// Another program holds the RTCP port of the first pair.
	busy, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 44201)))
	if err != nil {
		t.Skipf("cannot take port 44201 for the test: %v", err)
	}
	defer busy.Close()
	s, err := Open(ports, Options{Local: loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.LocalAddr().Port(); got != 44202 {
		t.Errorf("opened on port %d, want 44202", got)
	}
	// The busy pair was given back: all but the stream's are free.
	if n := allocateAll(ports); n != 2 {
		t.Errorf("%d pairs free, want 2", n)
	}
}

// allocateAll allocates every free pair and returns how many there were.
func allocateAll(r *PortRange) int {
	n := 0
	for {
		if _, err := r.Allocate(); err != nil {
			return n
		}
		n++
	}
}
