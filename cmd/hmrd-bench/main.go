// Command hmrd-bench is hmrd's end-to-end performance tool. It generates a
// synthetic project (a tree of JS and TS modules with fan-out, some of
// them self-accepting), starts a real `hmrd serve` on it, subscribes over
// gRPC and over the WebSocket bridge, edits random leaves and mid-level
// modules, and reports save → signal latency, cold start, resident memory
// and CPU time per edit, checking that every save yields exactly one
// signal. With --compare vite it runs Vite's dev server on an identical
// copy of the tree and measures the same edits in the same run, edit by
// edit; with --fanout it measures publish → receive latency at 1,000
// WebSocket and 50 gRPC subscribers of one project.
//
// Every figure is measured from outside the daemon, through its public
// interfaces and /proc, so the benchmark measures what a user gets and
// needs no hooks in hmrd. Everything listens on 127.0.0.1 or a unix socket
// in a temp dir; children run in their own process groups and are killed
// on exit, error or interrupt. Generated projects are cached (generation
// of 50k files takes about a minute on slow filesystems) under
// $XDG_CACHE_HOME/hmrd-bench, keyed by every generator parameter, and the
// edits a run makes are undone at its end.
//
// Usage:
//
//	go run ./cmd/hmrd-bench [--modules N] [--edits N] [--compare vite] [--json FILE]
//	go run ./cmd/hmrd-bench --fanout [--ws-subs 1000] [--grpc-subs 50]
//
// See docs/performance.md for the method and the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	modules    int
	edits      int
	warmup     int
	compare    string
	fanout     bool
	hmrdBin    string
	cacheDir   string
	jsonPath   string
	seed       uint64
	branching  int
	tsPercent  int
	acceptPct  int
	settle     time.Duration
	timeout    time.Duration
	startLimit time.Duration
	keep       bool
	breakdown  bool

	wsSubs       int
	grpcSubs     int
	fanoutEvents int
	fanoutRate   float64
	fanoutEdits  int
	fanoutReader string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("hmrd-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	fs.IntVar(&c.modules, "modules", 10000, "modules in the generated project (1000, 10000, 50000, …)")
	fs.IntVar(&c.edits, "edits", 60, "edits to measure (per system)")
	fs.IntVar(&c.warmup, "warmup", 3, "edits before the measured ones (checked for one signal, not in the latency figures)")
	fs.StringVar(&c.compare, "compare", "", `compare with another dev server: "vite"`)
	fs.BoolVar(&c.fanout, "fanout", false, "fan-out mode: many subscribers on one project")
	fs.StringVar(&c.hmrdBin, "hmrd", "", "hmrd binary to run (default: build ./cmd/hmrd into a temp dir)")
	fs.StringVar(&c.cacheDir, "cache", filepath.Join(cache, "hmrd-bench"), "cache `dir` for generated projects and the Vite install")
	fs.StringVar(&c.jsonPath, "json", "", "also write every figure as JSON to `file`")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the project generator and the edit plan")
	fs.IntVar(&c.branching, "branching", 8, "children per module (the tree's fan-out)")
	fs.IntVar(&c.tsPercent, "ts", 20, "percent of modules written in TypeScript")
	fs.IntVar(&c.acceptPct, "accept", 10, "percent of modules below depth 1 that self-accept (depth 1 always does)")
	fs.DurationVar(&c.settle, "settle", 300*time.Millisecond, "wait after each edit's signal, to catch duplicates")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "give up waiting for an edit's signal after this")
	fs.DurationVar(&c.startLimit, "start-timeout", 3*time.Minute, "give up on a server's cold start after this")
	fs.BoolVar(&c.keep, "keep", false, "keep the temp dir (logs, sockets) for inspection")
	fs.BoolVar(&c.breakdown, "breakdown", false, "read hmrd's Status after every edit for a per-edit in-daemon latency (adds CPU to the daemon)")
	fs.IntVar(&c.wsSubs, "ws-subs", 1000, "fan-out: WebSocket subscribers")
	fs.IntVar(&c.grpcSubs, "grpc-subs", 50, "fan-out: gRPC subscribers")
	fs.IntVar(&c.fanoutEvents, "fanout-events", 200, "fan-out: SendCustom signals to publish")
	fs.Float64Var(&c.fanoutRate, "fanout-rate", 20, "fan-out: SendCustom signals per second")
	fs.IntVar(&c.fanoutEdits, "fanout-edits", 20, "fan-out: edits to publish before the custom signals")
	defReader := "websocket"
	if epollReaderAvailable {
		defReader = "epoll"
	}
	fs.StringVar(&c.fanoutReader, "fanout-reader", defReader, `fan-out: how the WebSocket subscribers read: "epoll" (one lean RFC 6455 reader for all, Linux) or "websocket" (coder/websocket, a goroutine each)`)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case c.compare != "" && c.compare != "vite":
		return nil, fmt.Errorf("--compare %q: only vite is supported", c.compare)
	case c.compare != "" && c.fanout:
		return nil, errors.New("--compare and --fanout are separate runs")
	case c.edits < 1 || c.warmup < 0:
		return nil, errors.New("--edits must be ≥ 1, --warmup ≥ 0")
	case c.fanout && (c.wsSubs < 0 || c.grpcSubs < 0 || c.wsSubs+c.grpcSubs == 0):
		return nil, errors.New("--fanout needs subscribers")
	case c.fanoutReader != "epoll" && c.fanoutReader != "websocket":
		return nil, fmt.Errorf("--fanout-reader %q: epoll or websocket", c.fanoutReader)
	case c.fanoutReader == "epoll" && !epollReaderAvailable:
		return nil, errors.New("--fanout-reader epoll needs Linux")
	case c.fanout && (c.fanoutRate <= 0 || c.fanoutEvents < 0 || c.fanoutEdits < 0):
		return nil, errors.New("--fanout-rate must be > 0, --fanout-events and --fanout-edits ≥ 0")
	}
	return c, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hmrd-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A second interrupt does not wait for graceful shutdown.
	go func() {
		<-ctx.Done()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		killAll()
		os.Exit(130)
	}()
	err = run(ctx, cfg, os.Args[1:])
	killAll() // nothing should be left; make sure of it
	if err != nil {
		fmt.Fprintln(os.Stderr, "hmrd-bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "hmrd-bench: "+format+"\n", args...)
}

func run(ctx context.Context, cfg *config, args []string) (err error) {
	nofile, err := raiseNoFile(uint64(cfg.wsSubs+cfg.grpcSubs)*2 + 1024)
	if err != nil {
		return err
	}
	res := &Result{
		Tool:    "hmrd-bench",
		Started: time.Now().UTC().Truncate(time.Second),
		Command: strings.TrimSpace("hmrd-bench " + strings.Join(args, " ")),
		Machine: machineInfo(),
	}
	res.Machine.NoFile = nofile
	res.Params = Params{Edits: cfg.edits, Warmup: cfg.warmup, Seed: cfg.seed, Settle: cfg.settle.String(), Timeout: cfg.timeout.String()}

	spec := Spec{Modules: cfg.modules, Branching: cfg.branching, PerDir: 100, TSPercent: cfg.tsPercent, AcceptPercent: cfg.acceptPct, Seed: cfg.seed}
	proj, err := Generate(spec)
	if err != nil {
		return err
	}
	res.Project = &ProjectInfo{Spec: spec, Key: spec.Key(), Counts: proj.Counts()}

	tmp, err := os.MkdirTemp("", "hmrd-bench-*")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer func() {
		if cfg.keep {
			logf("kept %s", tmp)
			return
		}
		os.RemoveAll(tmp)
	}()

	genStart := time.Now()
	hTree, fresh, err := OpenTree(cfg.cacheDir, proj, "hmrd", logf)
	if err != nil {
		return err
	}
	res.Project.HmrdDir = hTree.Dir
	var vTree *Tree
	if cfg.compare == "vite" {
		var vfresh bool
		vTree, vfresh, err = OpenTree(cfg.cacheDir, proj, "vite", logf)
		if err != nil {
			return err
		}
		fresh = fresh || vfresh
		res.Project.ViteDir = vTree.Dir
	}
	if fresh {
		res.Project.GenerateSeconds = time.Since(genStart).Seconds()
	}

	bin := cfg.hmrdBin
	if bin == "" {
		logf("building ./cmd/hmrd")
		if bin, err = buildHmrd(ctx, tmp); err != nil {
			return err
		}
	} else if bin, err = filepath.Abs(bin); err != nil {
		return fmt.Errorf("--hmrd: %w", err)
	}

	if cfg.fanout {
		err = runFanout(ctx, cfg, res, bin, hTree, tmp)
	} else {
		err = runEdits(ctx, cfg, res, bin, hTree, vTree, tmp)
	}
	if err != nil {
		return err
	}
	res.Machine.LoadAvgEnd = loadAvg()
	res.Targets = evaluateTargets(res)
	writeTable(os.Stdout, res)
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, res); err != nil {
			return err
		}
		logf("wrote %s", cfg.jsonPath)
	}
	return nil
}

// raiseNoFile raises the soft RLIMIT_NOFILE to at least need (and to the
// hard limit when that is higher), raising the hard limit too if it must
// and may. Children inherit it, so the daemon can hold as many sockets as
// the benchmark opens.
func raiseNoFile(need uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit: %w", err)
	}
	if lim.Max < need {
		lim.Max = need // works as root; otherwise Setrlimit says so
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("raise RLIMIT_NOFILE to %d: %w", need, err)
	}
	return lim.Cur, nil
}

// runEdits is the default mode: edits measured on hmrd (and Vite).
func runEdits(ctx context.Context, cfg *config, res *Result, bin string, hTree, vTree *Tree, tmp string) (err error) {
	// Whatever happens, the cached trees end pristine; the servers are
	// stopped first (defers run last-in first-out) so they see no restore.
	defer func() {
		if rerr := hTree.Restore(); rerr != nil && err == nil {
			err = rerr
		}
		if vTree != nil {
			if rerr := vTree.Restore(); rerr != nil && err == nil {
				err = rerr
			}
		}
	}()
	want := len(hTree.Project.Modules)

	var viteDir, viteVer string
	if vTree != nil {
		// Install before anything is measured, so npm competes with nothing.
		if viteDir, viteVer, err = ensureVite(ctx, cfg.cacheDir, logf); err != nil {
			return err
		}
	}

	logf("starting hmrd on %d modules", want)
	h, err := startHmrd(ctx, bin, hTree.Dir, tmp, want, cfg.startLimit)
	if err != nil {
		return err
	}
	defer func() {
		if serr := h.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	hr := &ServerResult{Name: "hmrd", Version: h.version, Revision: binaryRevision(bin), Pid: h.proc.Pid(),
		Cold: ColdStart{FirstAnswerMs: ms(h.FirstAnswer), GraphedMs: ms(h.Graphed), Modules: h.Modules, Live: h.Live, Watches: h.Watches}}
	res.Hmrd = hr
	if hr.MemStart, hr.Processes, err = treeMem(h.proc.Pid()); err != nil {
		return err
	}

	subCtx, cancelSubs := context.WithCancel(ctx)
	defer cancelSubs()
	grpcLog := subscribeGRPC(subCtx, h.client, h.project, "hmrd-grpc")
	wsLog, err := subscribeWS(subCtx, h, "hmrd-ws")
	if err != nil {
		return err
	}
	hTarget := newEditTarget("hmrd", hTree, grpcLog, wsLog)
	// The daemon's own view of each batch (first file event → publish),
	// read after the edit settled so the read perturbs no measurement.
	inDaemon := map[int]batchStat{}
	statusAfter := func(k int) error {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		st, err := h.client.Status(sctx)
		if err != nil {
			return fmt.Errorf("status after edit %d: %w", k, err)
		}
		for _, ps := range st.GetProjects() {
			if ps.GetProject().GetName() == h.project {
				inDaemon[k] = batchStat{seq: ps.GetLastSignal().GetSeq(), latency: ps.GetLastLatency().AsDuration()}
			}
		}
		return nil
	}
	if cfg.breakdown {
		hTarget.after = statusAfter
	}
	targets := []*editTarget{hTarget}
	if err := waitReady(ctx, 10*time.Second, grpcLog, wsLog); err != nil {
		return err
	}

	var v *viteServer
	var vr *ServerResult
	if vTree != nil {
		logf("starting vite %s on a copy", viteVer)
		if v, err = startVite(ctx, viteDir, viteVer, vTree.Dir, tmp, cfg.startLimit); err != nil {
			return err
		}
		defer func() {
			if serr := v.Stop(); serr != nil && err == nil {
				err = serr
			}
		}()
		if err := v.populate(ctx, vTree.Project, cfg.startLimit); err != nil {
			return fmt.Errorf("populate vite's graph: %w; log:\n%s", err, v.proc.logTail(2000))
		}
		if err := v.fetchToken(ctx); err != nil {
			return err
		}
		vr = &ServerResult{Name: "vite", Version: v.version, Pid: v.proc.Pid(),
			Cold: ColdStart{ListeningMs: ms(v.Listening), GraphedMs: ms(v.Graphed), Modules: v.Requested, Crawled: v.Crawled}}
		res.Vite = vr
		if vr.MemStart, vr.Processes, err = treeMem(v.proc.Pid()); err != nil {
			return err
		}
		viteLog, err := subscribeVite(subCtx, v, "vite-ws")
		if err != nil {
			return err
		}
		if err := waitReady(ctx, 10*time.Second, viteLog); err != nil {
			return err
		}
		targets = append(targets, newEditTarget("vite", vTree, viteLog))
	}

	// Let start-up work (Vite's dependency scan, GC) finish before the
	// first save; signals that still arrive count as "before first save".
	if err := sleepCtx(ctx, time.Second); err != nil {
		return err
	}
	cpuStart := make([]time.Duration, len(targets))
	pids := []int{h.proc.Pid()}
	if v != nil {
		pids = append(pids, v.proc.Pid())
	}
	for j, pid := range pids {
		if cpuStart[j], err = treeCPU(pid); err != nil {
			return err
		}
	}
	editsStart, pressure := time.Now(), startPressure()

	// The warm-up edits come first in the same plan (JIT, caches and
	// first-use paths of both servers), then the measured ones.
	plan := EditPlan(hTree.Project, cfg.warmup+cfg.edits, cfg.seed)
	logf("editing: %d warm-up + %d measured edits per system, alternating %s", cfg.warmup, cfg.edits, targetNames(targets))
	for k, i := range plan {
		if k == cfg.warmup {
			// CPU per edit covers the measured edits only.
			for j, pid := range pids {
				if cpuStart[j], err = treeCPU(pid); err != nil {
					return err
				}
			}
			editsStart = time.Now()
			pressure = startPressure()
		}
		for _, t := range targets {
			if err := t.edit(ctx, k, i, k < cfg.warmup, cfg.timeout, cfg.settle); err != nil {
				return err
			}
		}
		if (k+1)%10 == 0 {
			logf("  %d/%d", k+1, len(plan))
		}
	}
	res.Params.EditSeconds = time.Since(editsStart).Seconds()
	res.Params.CPUPressure = pressure.percent()
	plan = plan[cfg.warmup:]

	results := []*ServerResult{hr, vr}
	for j, pid := range pids {
		r := results[j]
		cpu, err := treeCPU(pid)
		if err != nil {
			return err
		}
		r.CPUTotalMs = ms(cpu - cpuStart[j])
		r.CPUPerEditMs = ms((cpu - cpuStart[j]) / time.Duration(len(plan)))
		if r.MemEnd, r.Processes, err = treeMem(pid); err != nil {
			return err
		}
		r.RSSPerModule = float64(r.MemEnd.RSS) / float64(want)
		r.Edits = len(plan)
	}
	for j, t := range targets {
		for _, a := range t.accountings() {
			transport := "websocket"
			if strings.HasSuffix(a.Subscriber, "grpc") {
				transport = "grpc"
			}
			results[j].Subscribers = append(results[j].Subscribers, SubResult{
				Name: a.Subscriber, Transport: transport, Latency: Summarize(a.Latencies()), Accounting: a,
			})
		}
	}
	hr.Breakdown = breakdown(hr, inDaemon)
	// Without --breakdown, one Status at the end: the daemon's median
	// over its last 64 batches (the warm-up edits included).
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	st, err := h.client.Status(sctx)
	cancel()
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	for _, ps := range st.GetProjects() {
		hr.Breakdown.InDaemonMedianMs = ms(ps.GetMedianLatency().AsDuration())
	}
	if vr != nil {
		res.Ratios = computeRatios(hr, vr)
	}
	return nil
}

// batchStat is what Status said about the last batch after an edit.
type batchStat struct {
	seq     uint64
	latency time.Duration
}

// breakdown splits hmrd's save → signal latency into the part before the
// daemon saw the file event (kernel, inotify, fsnotify), the part inside
// it (read, scan, propagate, publish: Status's last_latency), and
// delivery (publish → receive, from Event.time).
func breakdown(hr *ServerResult, inDaemon map[int]batchStat) *Breakdown {
	b := &Breakdown{}
	for _, sub := range hr.Subscribers {
		a := sub.Accounting
		switch sub.Transport {
		case "grpc":
			b.DeliveryGRPC = Summarize(a.DeliveryLatencies())
			b.SaveToPublish = Summarize(a.PublishLatencies())
			var in, before []time.Duration
			for _, o := range a.Outcomes {
				st, ok := inDaemon[o.Edit]
				// Only when the last batch is this save's one signal.
				if o.Warmup || !o.Published || o.Signals != 1 || !ok || st.seq != o.Seq {
					continue
				}
				in = append(in, st.latency)
				before = append(before, o.Publish-st.latency)
			}
			b.InDaemon = Summarize(in)
			b.SaveToEvent = Summarize(before)
		case "websocket":
			b.DeliveryWS = Summarize(a.DeliveryLatencies())
		}
	}
	return b
}

func targetNames(ts []*editTarget) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return strings.Join(names, "/")
}

// waitReady waits until every subscriber got its first message (Hello,
// or Vite's connected), so no save happens before anyone listens.
func waitReady(ctx context.Context, timeout time.Duration, logs ...*sigLog) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for _, l := range logs {
		select {
		case <-l.ready:
			if err := l.failure(); err != nil {
				return err
			}
		case <-t.C:
			return fmt.Errorf("%s: not connected within %v", l.name, timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
