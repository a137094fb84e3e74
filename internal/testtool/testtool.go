// Package testtool lets tests use outside programs (espeak-ng, minimodem,
// kamailio...) without hiding their absence: a test that needs a missing tool
// is skipped on a developer's machine and fails under CI, where .ci/run
// installs every tool the tests name.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of the named program, skipping the test when it is
// not installed, or failing it when the CI environment variable is set.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; .ci/run must install it", name)
	}
	t.Skipf("%s is not installed (make deps installs it)", name)
	return ""
}
