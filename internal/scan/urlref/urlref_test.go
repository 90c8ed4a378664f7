package urlref

import "testing"

func TestIsLocal(t *testing.T) {
	for u, want := range map[string]bool{
		"./a.css": true, "/src/x.js": true, "a.png": true, "a:b": false, "data:image/png;base64,x": false,
		"http://x/y": false, "https://x": false, "//cdn/x.js": false, "#frag": false, "": false,
		"blob:abc": false, ":x": true, "1a:b": true, "a+b:c": false, "c:\\x": false, "a/b:c": true,
	} {
		if got := IsLocal(u); got != want {
			t.Errorf("IsLocal(%q) = %v, want %v", u, got, want)
		}
	}
}
