package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"tipring/config"
)

func TestConfigCheckOK(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ok.toml")
	if err := os.WriteFile(path, []byte("[device]\nname = \"attic\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := runConfig([]string{"check", path}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if out.String() != path+": ok\n" || errb.Len() != 0 {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
}

func TestConfigCheckProblems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.toml")
	file := "[[lines]]\nid = 1\nkind = \"fxs\"\nnumber = \"12a\"\ncolour = 1\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := runConfig([]string{"check", path}, &out, &errb); !errors.Is(err, errReported) {
		t.Fatalf("got %v, want errReported", err)
	}
	want := path + ": lines[0].number: \"12a\" is not a dialable number\n" +
		path + ": lines[0].colour: unknown key\n"
	if errb.String() != want || out.Len() != 0 {
		t.Errorf("stderr %q, want %q; stdout %q", errb.String(), want, out.String())
	}
}

func TestConfigCheckMissingFile(t *testing.T) {
	var out, errb bytes.Buffer
	err := runConfig([]string{"check", filepath.Join(t.TempDir(), "none.toml")}, &out, &errb)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want not-exist", err)
	}
}

func TestConfigCheckUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if err := runConfig([]string{"check"}, &out, &errb); !errors.Is(err, errReported) {
		t.Fatalf("got %v", err)
	}
	if errb.String() != "usage: tipring config check FILE\n" {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestConfigDefaultLoadsAsDefault(t *testing.T) {
	var out, errb bytes.Buffer
	if err := runConfig([]string{"default"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tipring.toml")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, config.Default()) {
		t.Errorf("printed default loads as %+v", c)
	}
}
