package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretsAreRedacted(t *testing.T) {
	c := full()
	const pw = "s3cr=t"
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, c.Accounts[0]))
	}
	var b bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&b, nil), slog.NewJSONHandler(&b, nil)} {
		l := slog.New(h)
		l.Info("loaded", "config", c, "account", c.Accounts[0], "password", c.Accounts[0].Password)
		l.Info("loaded", slog.Any("config", *c))
	}
	outs = append(outs, b.String())
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	for _, out := range outs {
		if strings.Contains(out, pw) {
			t.Errorf("password shown in %s", out)
		}
	}
	if !strings.Contains(b.String(), "[redacted]") {
		t.Errorf("log output does not mark the redaction: %s", b.String())
	}
	if string(c.Accounts[0].Password) != `s3cr=t"pass` {
		t.Error("string(Secret) must give the password")
	}
}

func TestDerivedDefaults(t *testing.T) {
	c := full()
	if got := c.CountryCode(); got != "49" {
		t.Errorf("CountryCode %q, want the configured 49", got)
	}
	c.Routing.CountryCode = ""
	c.Device.Country = "CH"
	if got := c.CountryCode(); got != "41" {
		t.Errorf("CountryCode %q, want 41 from CH", got)
	}
	c.Device.Country = "ITU"
	if got := c.CountryCode(); got != "" {
		t.Errorf("CountryCode %q, want none for ITU", got)
	}

	main, trunk := c.Account("main"), c.Account("trunk")
	if main.AuthUsername() != "gw-auth" || trunk.AuthUsername() != "+4930123" {
		t.Errorf("AuthUsername %q %q", main.AuthUsername(), trunk.AuthUsername())
	}
	if main.SIPDomain() != "example.com" || trunk.SIPDomain() != "192.0.2.10" {
		t.Errorf("SIPDomain %q %q", main.SIPDomain(), trunk.SIPDomain())
	}
	main.Domain = ""
	if main.SIPDomain() != "pbx.example.com" {
		t.Errorf("SIPDomain %q, want the registrar's host", main.SIPDomain())
	}
	if c.Account("nope") != nil || c.Line(2).Kind != FXO || c.Line(9) != nil {
		t.Error("Account or Line lookup wrong")
	}
}

func TestSocketPath(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	if got := (&Control{}).SocketPath(); got != "/run/tipring/ctl.sock" {
		t.Errorf("got %q", got)
	}
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if got := (&Control{}).SocketPath(); got != "/run/user/1000/tipring.sock" {
		t.Errorf("got %q", got)
	}
	if got := (&Control{Socket: "/tmp/t.sock"}).SocketPath(); got != "/tmp/t.sock" {
		t.Errorf("got %q", got)
	}
}

func TestSplitListen(t *testing.T) {
	tr, hp, err := SplitListen("tcp:[::]:5060")
	if tr != "tcp" || hp != "[::]:5060" || err != nil {
		t.Errorf("got %q %q %v", tr, hp, err)
	}
}

func TestDialPrefixes(t *testing.T) {
	for _, tc := range []struct {
		country, countryCode, national, international string
		wantNational, wantInternational               string
	}{
		{country: "US", wantNational: "1", wantInternational: "011"},
		{country: "CA", wantNational: "1", wantInternational: "011"},
		{country: "GB", wantNational: "0", wantInternational: "00"},
		{country: "DE", wantNational: "0", wantInternational: "00"},
		{country: "IT", wantNational: "", wantInternational: "00"},
		{country: "ES", wantNational: "", wantInternational: "00"},
		{country: "AU", wantNational: "0", wantInternational: "0011"},
		{country: "JP", wantNational: "0", wantInternational: "010"},
		{country: "ITU", wantNational: "", wantInternational: "00"},
		{country: "GB", countryCode: "1", wantNational: "1", wantInternational: "011"},
		{country: "GB", countryCode: "353", wantNational: "", wantInternational: ""},
		{country: "ITU", countryCode: "353", national: "0", international: "00", wantNational: "0", wantInternational: "00"},
		{country: "US", national: "8", international: "810", wantNational: "8", wantInternational: "810"},
	} {
		c := Default()
		c.Device.Country = tc.country
		c.Routing = Routing{CountryCode: tc.countryCode, NationalPrefix: tc.national, InternationalPrefix: tc.international}
		if np, ip := c.NationalPrefix(), c.InternationalPrefix(); np != tc.wantNational || ip != tc.wantInternational {
			t.Errorf("%+v: prefixes %q and %q, want %q and %q", tc, np, ip, tc.wantNational, tc.wantInternational)
		}
	}
	for country, cc := range countryCodes {
		if _, ok := dialPrefixes[cc]; !ok {
			t.Errorf("no dialling prefixes for %s's country code %q", country, cc)
		}
	}
}
