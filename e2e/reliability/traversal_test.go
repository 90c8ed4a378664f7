package reliability

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func marker(t *testing.T, what string) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return what + "-" + hex.EncodeToString(b[:])
}

// A corpus of traversal URLs against the dev server. Canary files lie
// outside the root, secret files inside it; no response may ever carry
// their content, whatever the encoding, query or symlink. Public files
// are the positive control: the same requests find content when it may
// be served.
func TestTraversalCorpus(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	public := marker(t, "PUBLIC")
	writeTree(t, root, map[string]string{
		"index.html":  `<script type="module" src="/src/main.js"></script>`,
		"src/main.js": "export const pub = '" + public + "'\n",
		"src/ok.txt":  public + "\n",
	})

	// Everything below must stay unread. Each file has its own marker.
	secrets := map[string]string{} // marker → where
	plant := func(p string) {
		m := marker(t, "SECRET")
		writeTree(t, filepath.Dir(p), map[string]string{filepath.Base(p): m + "\n"})
		secrets[m] = p
	}
	outside := filepath.Join(tmp, "outside")
	for _, p := range []string{
		filepath.Join(outside, "canary.txt"),
		filepath.Join(outside, "canary.js"),
		filepath.Join(tmp, "app-evil", "canary.txt"), // shares the root's prefix
		filepath.Join(tmp, "canary.txt"),
	} {
		plant(p)
	}
	for _, rel := range []string{
		".env", ".env.local", "src/.env", "id_rsa", "id_ed25519", ".npmrc", "x.pem", "server.key",
		"cert.crt", ".git/config", ".ssh/id_rsa", ".aws/credentials", ".netrc", "src/.hidden.js",
	} {
		plant(filepath.Join(root, rel))
	}
	for link, target := range map[string]string{
		"link-out":          "../outside",
		"link-canary.txt":   "../outside/canary.txt",
		"link-canary.js":    filepath.Join(outside, "canary.js"),
		"link-env.txt":      ".env",
		"link-pem.js":       "x.pem",
		"link-git":          ".git",
		"src/link-up":       "../../outside",
		"src/link-root":     "..",
		"link-evil":         "../app-evil",
		"node_modules/evil": "../../outside",
	} {
		p := filepath.Join(root, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}

	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{http: "auto", roots: []string{root}})
	_, port, _ := net.SplitHostPort(d.httpAddr)

	// Positive controls: content that may be served is found by the
	// same client, and by the /@fs/ form of its real path.
	for _, target := range []string{"/src/main.js", "/src/ok.txt", "/src/ok.txt?raw", "/src/main.js?import", "/@fs" + root + "/src/ok.txt"} {
		if r := rawGet(t, d.httpAddr, target, nil); r.status != 200 || !strings.Contains(string(r.body), public) {
			t.Fatalf("positive control %s: %d %q", target, r.status, r.body)
		}
	}

	// What to reach, and how to spell it.
	targets := []string{"outside/canary.txt", "outside/canary.js", "canary.txt", "app-evil/canary.txt"}
	var corpus []string
	for _, tg := range targets {
		enc := func(s string) string { return strings.ReplaceAll(s, "/", "%2f") }
		corpus = append(corpus,
			"/../"+tg,
			"/src/../../"+tg,
			"/%2e%2e/"+tg,
			"/%2E%2E/"+tg,
			"/.%2e/"+tg,
			"/%2e./"+tg,
			"/..%2f"+enc(tg),
			"/src%2f..%2f..%2f"+enc(tg),
			"/%252e%252e/"+tg,
			"/%252e%252e%252f"+enc(tg),
			"/..\\"+strings.ReplaceAll(tg, "/", "\\"),
			"/%5c..%5c"+strings.ReplaceAll(tg, "/", "%5c"),
			"/%c0%ae%c0%ae/"+tg,
			"/%c0%ae%c0%ae%c0%af"+tg,
			"/%e0%80%ae%e0%80%ae/"+tg,
			"/..%c0%af"+tg,
			"/..%c1%9c"+tg,
			"/%ef%bc%8e%ef%bc%8e/"+tg,
			"/..;/"+tg,
			"//../"+tg,
			"/./../"+tg,
			"/@fs"+tmp+"/"+tg,
			"/@fs"+root+"/../"+tg,
			"/@fs"+root+"/%2e%2e/"+tg,
			"/@fs/"+tmp+"/"+tg,
			"/@fs"+tmp+"/./"+tg,
			"/@id/../../"+tg,
			"/@id/%2e%2e/%2e%2e/"+tg,
			"/@hmrd/../../"+tg,
			"/"+tg+"?raw",
			"/../"+tg+"?raw",
			"/../"+tg+"?url",
			"/../"+tg+"?import",
			"/@fs"+tmp+"/"+tg+"?raw",
			"/@fs"+tmp+"/"+tg+"?import",
			"/@fs"+tmp+"/"+tg+"?url",
			"/@fs"+tmp+"/"+tg+"%00",
			"/../"+tg+"%00.js",
			"http://127.0.0.1:"+port+"/../"+tg,
		)
	}
	secretsIn := []string{".env", ".env.local", "src/.env", "id_rsa", "id_ed25519", ".npmrc", "x.pem", "server.key",
		"cert.crt", ".git/config", ".ssh/id_rsa", ".aws/credentials", ".netrc", "src/.hidden.js"}
	for _, s := range secretsIn {
		corpus = append(corpus,
			"/"+s,
			"/"+s+"?raw",
			"/"+s+"?url",
			"/"+s+"?import",
			"/"+s+"?inline",
			"/"+s+"?raw&import",
			"/"+strings.ToUpper(s),
			"/"+s+".",
			"/"+s+"%20",
			"/"+s+"%00",
			"/"+s+"%00.js",
			"/src/../"+s,
			"/./"+s,
			"//"+s,
			"/"+url.PathEscape(s),
			"/"+strings.ReplaceAll(s, ".", "%2e"),
			"/"+strings.ReplaceAll(s, "/", "%2f"),
			"/"+strings.ReplaceAll(s, "/", "\\"),
			"/@fs"+root+"/"+s,
			"/@fs"+root+"/"+s+"?raw",
			"/@fs"+root+"/src/../"+s,
			"/src/link-root/"+s,
		)
	}
	corpus = append(corpus,
		"/link-out/canary.txt", "/link-out/canary.txt?raw", "/link-out/canary.js?import", "/link-out/",
		"/link-canary.txt", "/link-canary.txt?raw", "/link-canary.js", "/link-canary.js?import", "/link-canary.js?url",
		"/link-env.txt", "/link-env.txt?raw", "/link-pem.js", "/link-pem.js?import", "/link-git/config",
		"/src/link-up/canary.txt", "/src/link-up/canary.js?import", "/src/link-root/.env",
		"/link-evil/canary.txt", "/@fs"+root+"/link-out/canary.txt", "/@fs"+root+"/link-canary.txt?raw",
		"/@fs"+root+"-evil/canary.txt", "/@fs"+root+"%2f..%2foutside/canary.txt",
		"/@id/evil", "/@id/evil/canary.js", "/@id/evil/canary.txt", "/@id/evil?import",
		"/node_modules/evil/canary.js", "/node_modules/evil/canary.txt?raw",
		"/.git/", "/.ssh/", "/src/", "/.env#x", "/.env?", "/.env.map", "/src/main.js.map",
		"/src/main.js?raw=../../outside/canary.txt", "/src/main.js?import&file=/.env",
		"/@hmrd/%2e%2e/.env", "/@hmrd/../.env", "/@hmrd/client.js/../../.env",
	)
	if len(corpus) < 80 {
		t.Fatalf("corpus of %d URLs, want at least 80", len(corpus))
	}
	statuses := map[int]int{}
	for _, target := range corpus {
		for _, headers := range []map[string]string{nil, {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Accept": "text/html"}} {
			r, err := rawRequest(d.httpAddr, "GET", target, headers)
			if err != nil {
				// A request the server closes without answering leaks nothing.
				continue
			}
			statuses[r.status]++
			if r.status >= 500 {
				t.Errorf("GET %s: status %d", target, r.status)
			}
			all := string(r.body)
			for k, vs := range r.header {
				all += k + ": " + strings.Join(vs, ",") + "\n"
			}
			for m, where := range secrets {
				if strings.Contains(all, m) {
					t.Errorf("GET %s (headers %v): status %d leaks the content of %s:\n%.300s", target, headers, r.status, where, r.body)
				}
			}
		}
	}
	t.Logf("%d URLs, each as a subresource and as a navigation: statuses %v", len(corpus), statuses)
}
