package interop

import (
	"testing"
	"time"
)

// TestInteropFreeze: a frozen phone's process is stopped, and a thawed one
// runs and answers commands again.
func TestInteropFreeze(t *testing.T) {
	b := StartBaresip(t, BaresipOpts{})
	state := func() string {
		t.Helper()
		pid, err := b.pid()
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := procStat(pid)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := state(); s == "T" {
		t.Fatalf("state %s before Freeze", s)
	}
	if err := b.Freeze(); err != nil {
		t.Fatal(err)
	}
	// SIGSTOP takes effect when the kernel next schedules the process.
	for deadline := time.Now().Add(5 * time.Second); state() != "T"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("state %s after Freeze, want T (stopped)", state())
		}
	}
	if err := b.Thaw(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Command("listcalls", ""); err != nil {
		t.Fatalf("after Thaw: %v", err)
	}
	if s := state(); s == "T" {
		t.Fatalf("state %s after Thaw", s)
	}
}
