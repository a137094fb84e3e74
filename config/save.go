package config

import (
	"bytes"
	"io"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// rename is os.Rename; tests make it fail to play a crash before it.
var rename = os.Rename

// Save validates c and writes it to path atomically: the file at path is
// either the old one or the new one, never a mix, even across a power cut.
// The old file is kept as path+".bak". The file gets mode 0600 because it
// holds passwords. An invalid c is refused with Errors and nothing is written.
func Save(path string, c *Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	data, err := Marshal(c)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := writeSync(tmp, data); err != nil {
		return err
	}
	if err := backup(path); err != nil {
		return err
	}
	if err := rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// Marshal returns c as a TOML file.
func Marshal(c *Config) ([]byte, error) {
	var b bytes.Buffer
	enc := toml.NewEncoder(&b)
	enc.Indent = "" // a flat file is easier to edit by hand
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeSync(f *os.File, data []byte) error {
	// CreateTemp makes the file 0600 already; say so in case umask or the
	// implementation ever differ.
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// backup makes path+".bak" a copy of the file at path, if there is one.
func backup(path string) error {
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		return nil // keep whatever backup there is
	}
	bak := path + ".bak"
	if err := os.Remove(bak); err != nil && !os.IsNotExist(err) {
		return err
	}
	if os.Link(path, bak) == nil {
		return nil
	}
	// Some file systems (FAT, as on a Pi's boot partition) have no hard links.
	return copyFile(path, bak)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
