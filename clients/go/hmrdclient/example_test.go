package hmrdclient_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/clients/go/hmrdtest"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// startExampleDaemon serves a fake daemon with one project "app" on a
// socket in a fresh directory; stop removes both.
func startExampleDaemon() (fake *hmrdtest.Daemon, sock string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "hmrd-example")
	if err != nil {
		return nil, "", nil, err
	}
	fake = hmrdtest.New("example")
	fake.AddProject(&hmrdv1.Project{Name: "app", Root: "/home/me/app", Modules: 12, LiveModules: 10})
	sock = filepath.Join(dir, "hmrd.sock")
	srv, err := fake.Serve("unix", sock)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	return fake, sock, func() { srv.Stop(); os.RemoveAll(dir) }, nil
}

func ExampleDial() {
	_, sock, stop, err := startExampleDaemon()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	ctx := context.Background()
	c, err := hmrdclient.Dial(ctx, sock) // "" would dial hmrdclient.DefaultSocket()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	projects, err := c.ListProjects(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range projects {
		fmt.Printf("%s %s: %d/%d modules live\n", p.GetName(), p.GetRoot(), p.GetLiveModules(), p.GetModules())
	}

	// Where nothing listens, Dial says so at once.
	_, err = hmrdclient.Dial(ctx, filepath.Join(filepath.Dir(sock), "nobody.sock"))
	fmt.Println(errors.Is(err, hmrdclient.ErrNoDaemon))
	// Output:
	// app /home/me/app: 10/12 modules live
	// true
}

func ExampleClient_Subscribe() {
	fake, sock, stop, err := startExampleDaemon()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	// Two signals happen before we subscribe...
	_, _ = fake.Publish("app", &hmrdv1.Event{Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{
		Updates: []*hmrdv1.ModuleUpdate{{
			Type: hmrdv1.UpdateType_UPDATE_TYPE_JS, Path: "/src/app.js", AcceptedPath: "/src/stuff.js",
			Chain: []string{"/src/stuff.js", "/src/app.js"},
		}},
	}}})
	_, _ = fake.Publish("app", &hmrdv1.Event{Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{
		Reason: "no accept boundary: /src/utils.js → /src/main.js (entry, does not accept)",
		Chain:  []string{"/src/utils.js", "/src/main.js"}, Path: "*",
		Cause: hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY,
	}}})

	ctx := context.Background()
	c, err := hmrdclient.Dial(ctx, sock)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	// ...so resume from seq 0 of the daemon's epoch to get them replayed.
	// A subscriber that has seen nothing leaves Epoch empty and starts live.
	sub := c.Subscribe(ctx, hmrdclient.SubscribeOptions{Project: "app", Epoch: fake.Epoch(), FromSeq: 0})
	defer sub.Close()
	for range 3 { // hello + 2 replayed
		ev, err := sub.Next(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(hmrdclient.Describe(ev))
	}

	// Then live signals follow.
	_, _ = fake.Publish("app", &hmrdv1.Event{Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{Paths: []string{"/src/old.js"}}}})
	ev, err := sub.Next(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hmrdclient.Describe(ev))
	epoch, seq := sub.Position()
	fmt.Println("resume point:", epoch, seq)
	// Output:
	// hello: epoch example, head seq 2, daemon 0.0.0-test, protocol 1, resumed
	// seq 1 update /src/app.js accepts /src/stuff.js (via /src/stuff.js → /src/app.js)
	// seq 2 full-reload: no accept boundary: /src/utils.js → /src/main.js (entry, does not accept)
	// seq 3 prune /src/old.js
	// resume point: example 3
}
