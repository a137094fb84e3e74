package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// full is a configuration with every key set to something other than its default.
func full() *Config {
	c := Default()
	c.Device = Device{Name: "attic \"gw\"", Country: "DE", Timezone: "Europe/Berlin"}
	c.SIP = SIP{
		Listen:       []string{"udp:0.0.0.0:5060", "tls:[::]:5061"},
		TLSCert:      "/etc/tipring/cert.pem",
		TLSKey:       "/etc/tipring/key.pem",
		TLSCA:        "/etc/tipring/ca.pem",
		TrustedPeers: []string{"192.0.2.10/32", "2001:db8::1"},
		RTPPorts:     "16384-16387",
		RTPTimeout:   300,

		LocationProfile: "site-A",
		TrunkingPeer:    "gw.example.com",
		MediaBypass:     true,
	}
	c.Accounts = []Account{{
		Name: "main", Registrar: "sip:pbx.example.com", Proxy: "sip:proxy.example.com",
		OutboundProxy: "sips:edge.example.com:5061", User: "gw", AuthUser: "gw-auth",
		Password: "s3cr=t\"pass", Domain: "example.com", Expires: 600,
		SRTP: "rejected",
	}, {
		Name: "trunk", Proxy: "sips:192.0.2.10", User: "+4930123", Expires: 3600,
		PSTN: true, PhoneContext: true, HoldInactive: true, SRTP: "required",
	}}
	c.Lines = []Line{
		{ID: 1, Kind: FXS, Number: "21", Account: "main", Name: "Kitchen", CallerID: "v23-rpas",
			DialPlan: "[2-9]xxxxxx|110|112|x.T", Hotline: "112", HotlineDelay: 5, Reversal: true, Howler: true,
			Answer: "immediate", Disconnect: []string{"loop"}, Dialing: "dtmf",
			EchoTail: 16, JitterMin: 0, JitterMax: 1000},
		{ID: 2, Kind: FXO, Number: "+4930123", Account: "trunk", CallerID: "off", Answer: "polarity",
			Disconnect: []string{"polarity", "tone"}, SilenceTimeout: 30, Dialing: "pulse",
			EchoCanceller: true, EchoTail: 128, PLC: true, JitterMin: 60, JitterMax: 120},
	}
	c.Routing = Routing{
		CountryCode: "49", NationalPrefix: "0", InternationalPrefix: "00",
		Rewrite: []Rewrite{{Match: "0", Strip: 1, Direction: "out"}, {Match: "030123", Strip: 6, Prefix: "2", Direction: "in"}},
		Inbound: []Inbound{{Match: "30123x", Lines: []int{2, 1}}},
	}
	c.Web.Listen = ""
	c.Control.Socket = "/run/ctl.sock"
	c.Console = Console{Device: "/dev/ttyAMA0", Baud: 9600}
	c.Board.Name = "v1"
	return c
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for name, c := range map[string]*Config{"default": Default(), "full": full()} {
		path := filepath.Join(t.TempDir(), "tipring.toml")
		if err := Save(path, c); err != nil {
			t.Fatal(name, err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(name, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("%s: loaded %+v\nsaved %+v", name, got, c)
		}
	}
}

func TestSaveModeAndBackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := os.WriteFile(path, []byte("# the first file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, Default()); err != nil {
		t.Fatal(err)
	}
	assertFile(t, path+".bak", "# the first file\n")
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.Device.Name = "second"
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	assertFile(t, path+".bak", string(first))
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	assertOnly(t, filepath.Dir(path), "tipring.toml", "tipring.toml.bak")
}

func TestSaveWithoutOldFileMakesNoBackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := Save(path, Default()); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, filepath.Dir(path), "tipring.toml")
}

func TestSaveWithoutOldFileKeepsOldBackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := os.WriteFile(path+".bak", []byte("# older\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, Default()); err != nil {
		t.Fatal(err)
	}
	assertFile(t, path+".bak", "# older\n")
}

func TestSaveRefusesInvalidConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := os.WriteFile(path, []byte("# old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.Lines[1].Number = "12a"
	c.Board.Name = ""
	err := Save(path, c)
	want := []string{`lines[1].number: "12a" is not a dialable number`, "board.name: missing"}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	assertFile(t, path, "# old\n")
	assertOnly(t, filepath.Dir(path), "tipring.toml")
}

// A crash after the new file is written but before it is renamed into place
// leaves the old file whole and loadable.
func TestSaveCrashBeforeRename(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tipring.toml")
	old := full()
	if err := Save(path, old); err != nil {
		t.Fatal(err)
	}
	oldBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	crash := errors.New("power cut")
	var tmp string
	rename = func(from, to string) error {
		tmp = from
		return crash
	}
	defer func() { rename = os.Rename }()
	if err := Save(path, Default()); !errors.Is(err, crash) {
		t.Fatalf("Save: %v, want the injected failure", err)
	}
	if filepath.Dir(tmp) != filepath.Dir(path) {
		t.Errorf("temp file %s is not beside %s", tmp, path)
	}
	assertFile(t, path, string(oldBytes))
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, old) {
		t.Errorf("loaded %+v, want the old config", got)
	}
	assertOnly(t, filepath.Dir(path), "tipring.toml", "tipring.toml.bak")
}

func TestSaveFileHoldsPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := Save(path, full()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `password = "s3cr=t\"pass"`) {
		t.Errorf("saved file lacks the password:\n%s", b)
	}
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Errorf("%s holds %q, want %q", path, b, want)
	}
}

// assertOnly checks that dir holds exactly the named files: no temp file left over.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
