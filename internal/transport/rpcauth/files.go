package rpcauth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File names in the state directory.
const (
	TokenFile = "grpc-token"
	CertFile  = "grpc-cert.pem"
	KeyFile   = "grpc-key.pem"
)

// minTokenLen bounds what a token file may hold: a token that short is
// guessable. Generated tokens have 64 hex digits (256 bits).
const minTokenLen = 32

// EnsureDir creates the state directory with mode 0700 (a directory that
// exists is used as it is: each secret file in it is checked on its own).
func EnsureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state directory %s: %w", dir, err)
	}
	return nil
}

// Token returns the token kept in path, creating the file with a new
// random token (mode 0600) when it does not exist. An existing file must be
// a regular file readable by its owner only, holding one token of at least
// 32 printable characters.
func Token(path string) (string, error) {
	tok, err := ReadToken(path, true)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return tok, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	created, err := createPrivate(path, []byte(hex.EncodeToString(b[:])+"\n"))
	if err != nil {
		return "", err
	}
	if !created { // another daemon created it first: use that one
		return ReadToken(path, true)
	}
	return hex.EncodeToString(b[:]), nil
}

// ReadToken reads a token file: one line, surrounding space ignored. With
// private set, the file must also be a regular file that only its owner
// can read or write (a daemon's own file); a client reading a copy it was
// given is not that strict.
func ReadToken(path string, private bool) (string, error) {
	if private {
		if err := checkPrivate(path); err != nil {
			return "", err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if err := ValidToken(tok); err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	return tok, nil
}

// ValidToken checks that tok can be a token: long enough, and only
// printable ASCII without spaces (it travels in a header).
func ValidToken(tok string) error {
	if len(tok) < minTokenLen {
		return fmt.Errorf("the token must be at least %d characters long", minTokenLen)
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c <= ' ' || c >= 0x7f {
			return errors.New("the token must be printable ASCII without spaces")
		}
	}
	return nil
}

// checkPrivate refuses a file that is not a regular file (a symlink
// could point anywhere) or that other users can access.
func checkPrivate(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file: remove it and start again to create a new one", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s is accessible by other users (mode %04o): run chmod 600 %s, or remove it to create a new one", path, perm, path)
	}
	return nil
}

// createPrivate writes data to path with mode 0600 unless path exists
// (then created is false). The content is complete before the name
// appears: it is written to a temporary file that is then linked in
// place, so a daemon starting at the same time never reads half a file.
func createPrivate(path string, data []byte) (created bool, err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*") // mode 0600
	if err != nil {
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	return true, nil
}
