package interop

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
)

// Ports are picked at random below the kernel's ephemeral range, so that no
// socket bound to port 0 and no outgoing connection of another test can be
// handed the same number between our check and the server's bind. Two tests
// picking the same number is left to chance and caught by the servers' bind
// errors, on which the callers retry with new numbers.
const (
	portFloor     = 20000
	ephemeralBase = 32768 // Linux's default ip_local_port_range start
)

// portRange returns the range [lo, hi) the harness picks ports from.
func portRange() (lo, hi int) {
	start := ephemeralBase
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var end int
		if _, err := fmt.Sscan(string(b), &start, &end); err == nil && start-portFloor < 1000 {
			// The ephemeral range reaches down low: use the space above it.
			return end + 1, 65536
		}
	}
	return portFloor, start
}

// freePorts returns the first of n consecutive port numbers that were free on
// 127.0.0.1 for both UDP and TCP at the moment of the check.
func freePorts(n int) (int, error) {
	lo, hi := portRange()
	if hi-lo < 10*n {
		return 0, fmt.Errorf("no room for ports: range [%d, %d)", lo, hi)
	}
	for range 100 {
		p := lo + rand.IntN(hi-lo-n)
		if portsFree(p, n) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("no %d free consecutive ports found in [%d, %d)", n, lo, hi)
}

// portsFree reports whether ports p to p+n-1 can be bound for UDP and TCP.
func portsFree(p, n int) bool {
	for i := range n {
		addr := fmt.Sprintf("127.0.0.1:%d", p+i)
		u, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return false
		}
		l, err := net.Listen("tcp4", addr)
		u.Close()
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}
