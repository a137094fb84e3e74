package interop

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is an outside server run in the foreground in its own process
// group, with its output appended to a log file.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd.Wait returns
	err  error         // cmd.Wait's result, set before done closes
}

// startProcess runs name with args, appending stdout and stderr to logPath.
// deathSig is what the process receives should the test binary die without
// running its cleanups (a test timeout): SIGTERM for servers that stop their
// own children, SIGKILL for the others.
func startProcess(logPath string, deathSig syscall.Signal, name string, args ...string) (*process, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child holds its own descriptor
	cmd := exec.Command(name, args...)
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: deathSig}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, gives the process grace to exit, then kills its whole
// process group, so that no child it forked outlives the test. Without
// grace, it kills at once.
func (p *process) stop(grace time.Duration) {
	pgid := p.cmd.Process.Pid // Setpgid: the group is named after the leader
	if grace > 0 && !p.exited() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
		}
	}
	syscall.Kill(-pgid, syscall.SIGKILL) // ESRCH when the group is gone already
	<-p.done
}

// logTail returns the last n lines of the file at path.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	lines = lines[max(0, len(lines)-n):]
	return string(bytes.Join(lines, []byte("\n")))
}

// logOnFailure prints the tail of a server's log when the test has failed.
func logOnFailure(t testing.TB, what, path string) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last lines of the %s log %s:\n%s", what, path, logTail(path, 60))
		}
	})
}

// waitLog polls the log at path until it contains want, the process exits, or
// the timeout passes. It returns the log's contents.
func waitLog(p *process, path, want string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return string(b), nil
		}
		if p.exited() {
			return string(b), fmt.Errorf("exited (%v) before logging %q", p.err, want)
		}
		if time.Now().After(deadline) {
			return string(b), errors.New("timed out waiting for " + want)
		}
		<-tick.C
	}
}
