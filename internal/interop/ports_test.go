package interop

import (
	"net"
	"strconv"
	"testing"
)

func TestFreePorts(t *testing.T) {
	// Another test may take a port between freePorts and the bind below;
	// then the check starts over with other ports, a few times at most.
	for range 5 {
		p, err := freePorts(3)
		if err != nil {
			t.Fatal(err)
		}
		if lo, hi := portRange(); p < lo || p+3 > hi {
			t.Errorf("ports %d to %d, want them in [%d, %d)", p, p+2, lo, hi)
		}
		// Taken for UDP or for TCP alone, a port is not free.
		u, err := net.ListenPacket("udp4", "127.0.0.1:"+strconv.Itoa(p+1))
		if err != nil {
			continue
		}
		if portsFree(p, 3) {
			t.Errorf("ports %d to %d free with UDP %d bound", p, p+2, p+1)
		}
		u.Close()
		l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(p+2))
		if err != nil {
			continue
		}
		if portsFree(p, 3) {
			t.Errorf("ports %d to %d free with TCP %d bound", p, p+2, p+2)
		}
		l.Close()
		return
	}
	t.Fatal("other programs kept taking the ports chosen")
}
