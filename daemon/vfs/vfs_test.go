package vfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestMemSymlinks(t *testing.T) {
	m := NewMem()
	m.WriteFile("/ws/packages/ui/index.js", []byte("export {}"))
	m.Symlink("../../packages/ui", "/ws/app/node_modules/ui")
	m.Symlink("/nowhere", "/ws/broken")
	m.Symlink("loop", "/ws/loop")

	got, err := m.RealPath("/ws/app/node_modules/ui/index.js")
	if err != nil || got != "/ws/packages/ui/index.js" {
		t.Fatalf("RealPath = %q, %v", got, err)
	}
	data, err := m.ReadFile("/ws/app/node_modules/ui/index.js")
	if err != nil || string(data) != "export {}" {
		t.Fatalf("ReadFile through link = %q, %v", data, err)
	}
	if _, err := m.Stat("/ws/broken"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat broken link: %v, want ErrNotExist", err)
	}
	if _, err := m.Stat("/ws/loop"); err == nil {
		t.Fatal("Stat of a symlink loop succeeded")
	}
	ents, err := m.ReadDir("/ws/app/node_modules")
	if err != nil || len(ents) != 1 || ents[0].Name() != "ui" || ents[0].Type()&fs.ModeSymlink == 0 {
		t.Fatalf("ReadDir = %v, %v", ents, err)
	}
	m.Remove("/ws/packages")
	if _, err := m.ReadFile("/ws/app/node_modules/ui/index.js"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after Remove: %v", err)
	}
}

func TestOSMatchesMem(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pkg", "a.js"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("pkg", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	var fsys FS = OS{}
	real, err := fsys.RealPath(filepath.Join(dir, "link", "a.js"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(filepath.Join(dir, "pkg", "a.js"))
	if real != want {
		t.Fatalf("RealPath = %q, want %q", real, want)
	}
}
