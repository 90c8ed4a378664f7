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

// Lstat follows the directories of a path but not its last element, on
// both implementations alike.
func TestLstat(t *testing.T) {
	dir := t.TempDir()
	mustOS := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOS(os.MkdirAll(filepath.Join(dir, "pkg"), 0o755))
	mustOS(os.WriteFile(filepath.Join(dir, "pkg", "a.js"), []byte("x"), 0o644))
	mustOS(os.Symlink("pkg", filepath.Join(dir, "dirlink")))
	mustOS(os.Symlink("pkg/a.js", filepath.Join(dir, "filelink")))
	mustOS(os.Symlink("nowhere", filepath.Join(dir, "broken")))

	m := NewMem()
	m.WriteFile(dir+"/pkg/a.js", []byte("x"))
	m.Symlink("pkg", dir+"/dirlink")
	m.Symlink("pkg/a.js", dir+"/filelink")
	m.Symlink("nowhere", dir+"/broken")

	cases := []struct {
		name     string
		link     bool
		dir      bool
		notExist bool
	}{
		{name: "/pkg/a.js"},
		{name: "/dirlink/a.js"}, // the directory link is followed
		{name: "/dirlink", link: true},
		{name: "/filelink", link: true},
		{name: "/broken", link: true}, // a broken link is still a link
		{name: "/pkg", dir: true},
		{name: "/missing", notExist: true},
		{name: "/broken/a.js", notExist: true},
		{name: "/pkg/a.js/x", notExist: true},
	}
	for _, impl := range []struct {
		name string
		fs   FS
	}{{"os", OS{}}, {"mem", m}} {
		for _, c := range cases {
			fi, err := impl.fs.Lstat(dir + c.name)
			if c.notExist {
				if err == nil {
					t.Errorf("%s: Lstat(%s) succeeded, want an error", impl.name, c.name)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: Lstat(%s): %v", impl.name, c.name, err)
				continue
			}
			if got := fi.Mode()&fs.ModeSymlink != 0; got != c.link {
				t.Errorf("%s: Lstat(%s) symlink = %v, want %v", impl.name, c.name, got, c.link)
			}
			if fi.IsDir() != c.dir {
				t.Errorf("%s: Lstat(%s) dir = %v, want %v", impl.name, c.name, fi.IsDir(), c.dir)
			}
		}
	}
}

// ReadFileLimit returns content up to the limit, and only the description
// for directories and larger files, on both implementations alike.
func TestReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"small.js": "12345", "big.js": "1234567890", "empty.js": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := NewMem()
	m.WriteFile(dir+"/small.js", []byte("12345"))
	m.WriteFile(dir+"/big.js", []byte("1234567890"))
	m.WriteFile(dir+"/empty.js", nil)
	m.MkdirAll(dir + "/sub")

	cases := []struct {
		name     string
		data     string
		nilData  bool
		dir      bool
		size     int64
		notExist bool
	}{
		{name: "small.js", data: "12345", size: 5},
		{name: "empty.js", data: "", size: 0},
		{name: "big.js", nilData: true, size: 10},
		{name: "sub", nilData: true, dir: true},
		{name: "missing.js", notExist: true},
	}
	for _, impl := range []struct {
		name string
		fs   FS
	}{{"os", OS{}}, {"mem", m}} {
		for _, c := range cases {
			data, info, err := impl.fs.ReadFileLimit(dir+"/"+c.name, 8)
			if c.notExist {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s %s: err = %v, want ErrNotExist", impl.name, c.name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", impl.name, c.name, err)
				continue
			}
			if info.IsDir() != c.dir || (!c.dir && info.Size() != c.size) {
				t.Errorf("%s %s: dir %v size %d, want %v %d", impl.name, c.name, info.IsDir(), info.Size(), c.dir, c.size)
			}
			if (data == nil) != c.nilData || string(data) != c.data {
				t.Errorf("%s %s: data %q (nil %v), want %q (nil %v)", impl.name, c.name, data, data == nil, c.data, c.nilData)
			}
		}
	}
}
