package daemon_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/daemon"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// occupy listens on a free loopback port, held until the test ends.
func occupy(t *testing.T) (net.Listener, int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, l.Addr().(*net.TCPAddr).Port
}

func portOf(t *testing.T, u string) int {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(pu.Port())
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return p
}

// getPage fetches u and returns its body, failing on anything but 200.
func getPage(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, body)
	}
	return string(body)
}

// Every project has its own dev server: the first at --http, moved past a
// busy port, the next on a later port, each serving its own root.
func TestDevServerPerProject(t *testing.T) {
	_, busy := occupy(t)
	other := filepath.Join(shortTemp(t), "other")
	writeFile(t, filepath.Join(other, "index.html"), "<p>other project</p>\n")
	td := startDaemon(t, func(c *daemon.Config) {
		c.HTTPAddr = "127.0.0.1:" + strconv.Itoa(busy)
		c.Roots = append(c.Roots, other)
	})
	ds := td.d.DevServers()
	if len(ds) != 2 {
		t.Fatalf("dev servers %+v, want 2", ds)
	}
	first, second := portOf(t, ds[0].URL), portOf(t, ds[1].URL)
	if len(ds[0].BusyPorts) == 0 || ds[0].BusyPorts[0] != busy || first <= busy {
		t.Errorf("first dev server %+v: want it moved past busy port %d", ds[0], busy)
	}
	if second <= first {
		t.Errorf("second dev server on %d, want a port after %d", second, first)
	}
	if body := getPage(t, ds[0].URL+"src/dep.js"); !strings.Contains(body, "const n = 1") {
		t.Errorf("first project serves %q", body)
	}
	if body := getPage(t, ds[1].URL); !strings.Contains(body, "other project") {
		t.Errorf("second project serves %q", body)
	}
	list, err := td.proj.ListProjects(ctxT(t), &hmrdv1.ListProjectsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range list.GetProjects() {
		if p.GetHttpUrl() != ds[i].URL {
			t.Errorf("project %s: http_url %q, want %q", p.GetName(), p.GetHttpUrl(), ds[i].URL)
		}
	}
}

// A project added over gRPC is served by the daemon on the next port, and
// stops being served when it is removed; a strict port that is busy fails
// the add and leaves no project behind.
func TestAddProjectServesIt(t *testing.T) {
	td := startDaemon(t, func(c *daemon.Config) { c.HTTPAddr = "127.0.0.1:0" })
	ctx := ctxT(t)
	extra := filepath.Join(shortTemp(t), "extra")
	writeFile(t, filepath.Join(extra, "index.html"), "<p>extra project</p>\n")

	_, busy := occupy(t)
	_, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: extra,
		DevServer: &hmrdv1.DevServerOptions{Addr: "127.0.0.1:" + strconv.Itoa(busy), StrictPort: true}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("strict busy port: %v, want InvalidArgument saying the port is in use", err)
	}
	if list, _ := td.proj.ListProjects(ctx, &hmrdv1.ListProjectsRequest{}); len(list.GetProjects()) != 1 {
		t.Fatalf("after a failed add: %v", list.GetProjects())
	}

	resp, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: extra,
		DevServer: &hmrdv1.DevServerOptions{Addr: "127.0.0.1:" + strconv.Itoa(busy)}})
	if err != nil {
		t.Fatal(err)
	}
	u := resp.GetProject().GetHttpUrl()
	if u == "" || portOf(t, u) <= busy {
		t.Fatalf("added project at %q, want a port after busy %d", u, busy)
	}
	if body := getPage(t, u); !strings.Contains(body, "extra project") {
		t.Errorf("added project serves %q", body)
	}
	if _, err := td.proj.RemoveProject(ctx, &hmrdv1.RemoveProjectRequest{Project: resp.GetProject().GetName()}); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/")); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after the project was removed", u)
	}
	for _, l := range td.d.Listeners() {
		if strings.HasPrefix(u, "http://"+strings.TrimPrefix(l, "http:")+"/") {
			t.Errorf("listener %s still listed", l)
		}
	}
}

// Without a dev server by default (--http off), an added project gets one
// only when the request names an address.
func TestAddProjectHTTPOff(t *testing.T) {
	td := startDaemon(t, nil)
	ctx := ctxT(t)
	a := filepath.Join(shortTemp(t), "a")
	b := filepath.Join(shortTemp(t), "b")
	writeFile(t, filepath.Join(a, "index.html"), "<p>a</p>\n")
	writeFile(t, filepath.Join(b, "index.html"), "<p>b</p>\n")
	ra, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: a})
	if err != nil || ra.GetProject().GetHttpUrl() != "" {
		t.Fatalf("default add with --http off: %v, %v", ra, err)
	}
	rb, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: b, DevServer: &hmrdv1.DevServerOptions{Addr: "127.0.0.1:0"}})
	if err != nil || rb.GetProject().GetHttpUrl() == "" {
		t.Fatalf("add with an address: %v, %v", rb, err)
	}
	if body := getPage(t, rb.GetProject().GetHttpUrl()); !strings.Contains(body, "<p>b</p>") {
		t.Errorf("served %q", body)
	}
	// An address other machines can reach needs --allow-host, as --http.
	c := filepath.Join(shortTemp(t), "c")
	writeFile(t, filepath.Join(c, "index.html"), "<p>c</p>\n")
	_, err = td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: c, DevServer: &hmrdv1.DevServerOptions{Addr: "0.0.0.0:0"}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "--allow-host") {
		t.Fatalf("add with a public address: %v", err)
	}
}

// A project added with its dev server off (a bundler's, say, on a daemon
// that serves others) is not native ESM: importing a .vue file is the
// bundler's business, not an error; the same project with a dev server
// has the standing error, naming what would compile it.
func TestAddProjectWithoutDevServerCompilesNothing(t *testing.T) {
	td := startDaemon(t, func(c *daemon.Config) { c.HTTPAddr = "127.0.0.1:0" })
	ctx := ctxT(t)
	for _, c := range []struct {
		addr      string
		wantError bool
	}{{"off", false}, {"127.0.0.1:0", true}} {
		root := filepath.Join(shortTemp(t), "vue")
		writeFile(t, filepath.Join(root, "index.html"), `<script type="module" src="/src/main.js"></script>`)
		writeFile(t, filepath.Join(root, "src/main.js"), "import App from './App.vue'\nconsole.log(App)\n")
		writeFile(t, filepath.Join(root, "src/App.vue"), "<template><p>hi</p></template>\n")
		resp, err := td.proj.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: root, DevServer: &hmrdv1.DevServerOptions{Addr: c.addr}})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{Project: resp.GetProject().GetName()})
		if err != nil {
			t.Fatal(err)
		}
		hello := recvEvent(t, sub).GetHello()
		if got := strings.Contains(fmt.Sprint(hello.GetErrors()), "UNSUPPORTED_FILE"); got != c.wantError {
			t.Errorf("dev server %q: UNSUPPORTED_FILE among the standing errors = %v, want %v:\n%v", c.addr, got, c.wantError, hello.GetErrors())
		}
	}
}
