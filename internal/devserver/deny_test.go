package devserver

import (
	"strings"
	"testing"
)

// secretFiles are private keys and credentials a project tree may hold;
// none is ever served, by any URL form or query.
var secretFiles = map[string]string{
	"id_rsa":                    "CANARY_ID_RSA",
	"id_rsa.pub":                "CANARY_ID_RSA_PUB",
	"keys/id_ed25519":           "CANARY_ID_ED25519",
	"keys/id_ed25519_sk":        "CANARY_ID_ED25519_SK",
	"deploy/ID_RSA_deploy":      "CANARY_ID_RSA_DEPLOY",
	"tls/server.key":            "CANARY_KEY",
	"tls/bundle.p12":            "CANARY_P12",
	"tls/bundle.pfx":            "CANARY_PFX",
	"tls/server.pem":            "CANARY_PEM",
	"tls/server.crt":            "CANARY_CRT",
	".npmrc":                    "CANARY_NPMRC",
	".netrc":                    "CANARY_NETRC",
	".pypirc":                   "CANARY_PYPIRC",
	".aws/credentials":          "CANARY_AWS",
	".ssh/id_ecdsa":             "CANARY_SSH",
	".env":                      "CANARY_ENV",
	".env.production":           "CANARY_ENV_PROD",
	"src/app.js":                "export const app = 1\n",
	"node_modules/.pnpm/.ssh/x": "CANARY_PNPM_SSH",
}

func TestSecretsNeverServed(t *testing.T) {
	f := newFixture(t, newFakeService(), secretFiles)
	if r := f.get(t, "/src/app.js"); r.status != 200 {
		t.Fatalf("control /src/app.js: %d", r.status)
	}
	for name := range secretFiles {
		if name == "src/app.js" {
			continue
		}
		for _, target := range []string{
			"/" + name, "/@fs" + f.root + "/" + name,
		} {
			for _, q := range []string{"", "?raw", "?url", "?import", "?import&raw", "?url&inline", "?t=1"} {
				r := f.get(t, target+q)
				if r.status != 403 && r.status != 404 {
					t.Errorf("GET %s%s: status %d, want 403 or 404", target, q, r.status)
				}
				if strings.Contains(r.body, "CANARY") {
					t.Errorf("GET %s%s: body leaks the file: %q", target, q, r.body)
				}
				if !strings.Contains(r.body, "never served") {
					t.Errorf("GET %s%s: body %q does not say why", target, q, r.body)
				}
				if strings.Contains(r.body, f.parent) {
					t.Errorf("GET %s%s: body names an absolute path: %q", target, q, r.body)
				}
			}
		}
	}
}

func TestDeniedNames(t *testing.T) {
	for _, name := range []string{
		"id_rsa", "id_rsa.pub", "ID_RSA", "id_dsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519.pub",
		".netrc", ".pypirc", ".aws", ".ssh", ".npmrc", ".env", ".env.local", "x.key", "x.p12", "x.pfx", "x.pem", "x.crt",
	} {
		if !deniedName(name, "", 1) {
			t.Errorf("deniedName(%q) = false", name)
		}
	}
	for _, name := range []string{"id.js", "ids.ts", "identity.js", "rsa.js", "netrc.md", "aws.ts", "ssh.js", "env.ts", "keys"} {
		if deniedName(name, "", 1) {
			t.Errorf("deniedName(%q) = true", name)
		}
	}
}
