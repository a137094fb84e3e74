package interop

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// Freeze stops the phone's process (SIGSTOP), as if it had hung or lost its
// network: it sends nothing, RTP included, and answers nothing until Thaw.
// Commands wait meanwhile, and fail after their timeout; events queue up.
func (b *Baresip) Freeze() error { return b.signal(syscall.SIGSTOP) }

// Thaw lets a frozen phone run on (SIGCONT). It handles what came
// meanwhile, such as the retransmissions of a request.
func (b *Baresip) Thaw() error { return b.signal(syscall.SIGCONT) }

func (b *Baresip) signal(sig syscall.Signal) error {
	pid, err := b.pid()
	if err != nil {
		return fmt.Errorf("baresip %s: %w", b.user, err)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("baresip %s: %v: %w", b.user, sig, err)
	}
	return nil
}

// pid finds the phone's process, which StartBaresip keeps to itself, in
// Linux's /proc: a child of this process, started as "baresip -f DIR" with
// the phone's own directory.
func (b *Baresip) pid() (int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	want := []byte("\x00-f\x00" + b.dir + "\x00")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue // not a process
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.HasSuffix(cmdline, want) {
			continue // gone meanwhile, or another program
		}
		if _, ppid, err := procStat(pid); err == nil && ppid == os.Getpid() {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no process started with -f %s", b.dir)
}

// procStat reads a process's state and parent from /proc/PID/stat, whose
// second field, the command name in parentheses, may itself hold spaces and
// parentheses: the state and the parent follow the last ')'.
func procStat(pid int) (state string, ppid int, err error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, err
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return "", 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	if _, err := fmt.Sscan(string(stat[i+1:]), &state, &ppid); err != nil {
		return "", 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return state, ppid, nil
}
