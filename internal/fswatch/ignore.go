package fswatch

import (
	"strconv"
	"strings"
)

// ignoredDirs never hold sources a dev server serves from the tree: they are
// dependency caches, VCS internals and build output, and together they are
// most of a project's directories (and so of its inotify watches). The VCS
// lock is watched separately (see vcs.go).
var ignoredDirs = map[string]bool{
	"node_modules": true,
	".git":         true,
	"dist":         true,
	"coverage":     true,
}

// builtinIgnored reports whether rel, a slash-separated path relative to a
// root, is always ignored: any component is one of ignoredDirs, or the last
// component is an editor's temporary or backup file.
func builtinIgnored(rel string) bool {
	for {
		i := strings.IndexByte(rel, '/')
		if i < 0 {
			break
		}
		if ignoredDirs[rel[:i]] {
			return true
		}
		rel = rel[i+1:]
	}
	return ignoredDirs[rel] || editorTemp(rel)
}

// editorTemp matches the scratch files editors create around a save, so a
// save reports the saved file and never the scratch one.
func editorTemp(name string) bool {
	switch {
	case name == "":
		return false
	case strings.HasSuffix(name, "~"): // vim and emacs backups
		return true
	case strings.HasPrefix(name, ".") && (strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") ||
		strings.HasSuffix(name, ".swo") || strings.HasSuffix(name, ".swn")): // vim swap files
		return true
	case strings.HasSuffix(name, "___jb_tmp___") || strings.HasSuffix(name, "___jb_old___"): // JetBrains safe write
		return true
	case strings.HasPrefix(name, ".#"): // emacs lock links
		return true
	case len(name) > 1 && name[0] == '#' && name[len(name)-1] == '#': // emacs auto-save
		return true
	}
	return vimProbe(name)
}

// vimProbe matches the file vim creates to test whether it may write in a
// directory: "4913", or 4913+123·k when that name is taken (vim's
// bufwrite.c).
func vimProbe(name string) bool {
	if len(name) < 4 || len(name) > 6 {
		return false
	}
	n, err := strconv.Atoi(name)
	if err != nil || n < 4913 || strconv.Itoa(n) != name {
		return false
	}
	return (n-4913)%123 == 0
}
