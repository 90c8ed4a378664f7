package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// FanoutResult is the fan-out mode's figures.
type FanoutResult struct {
	WSSubs           int         `json:"websocket_subscribers"`
	GRPCSubs         int         `json:"grpc_subscribers"`
	WSReader         string      `json:"websocket_reader"` // epoll or websocket (--fanout-reader)
	ConnectSeconds   float64     `json:"connect_seconds"`
	Cold             ColdStart   `json:"cold_start"`
	Edits            int         `json:"edits_published"`
	Customs          int         `json:"customs_published"`
	RateWanted       float64     `json:"custom_rate_wanted_per_s"`
	RateAchieved     float64     `json:"custom_rate_achieved_per_s"`
	FirstSeq         uint64      `json:"first_seq"`
	LastSeq          uint64      `json:"last_seq"`
	DrainSeconds     float64     `json:"drain_seconds"`
	Rows             []FanoutRow `json:"latency"`
	Missing          int         `json:"missing"`
	Duplicates       int         `json:"duplicates"`
	OutOfOrder       int         `json:"out_of_order"`
	SubscribersShort int         `json:"subscribers_short"` // subscribers missing at least one seq
	SubscriberErrors []string    `json:"subscriber_errors,omitempty"`
	MemIdle          Mem         `json:"daemon_mem_after_start"`
	MemSubscribed    Mem         `json:"daemon_mem_subscribed"`
	MemEnd           Mem         `json:"daemon_mem_end"`
	CPUPublishMs     float64     `json:"daemon_cpu_publish_phase_ms"`
	BenchCPUMs       float64     `json:"bench_cpu_publish_phase_ms"` // the subscribers' side, same machine
	PublishSeconds   float64     `json:"publish_phase_seconds"`
	// Completion is, per signal, publish → the last subscriber's receive:
	// how long one signal takes to reach everyone.
	Completion     Dist    `json:"publish_to_last_subscriber"`
	PerSignalCPUUs float64 `json:"daemon_cpu_per_signal_us"`
	StatusSubs     int     `json:"subscribers_in_status"`
}

// FanoutRow is publish → receive latency of one transport and signal kind
// over every (subscriber, signal) pair.
type FanoutRow struct {
	Transport string `json:"transport"`
	Kind      string `json:"kind"` // all, custom, update
	Latency   Dist   `json:"publish_to_receive"`
	// WorstP99 is the highest per-subscriber p99: one slow subscriber
	// hides in the pooled figure, not here.
	WorstP99 float64 `json:"worst_subscriber_p99_ms"`
}

func (f *FanoutResult) row(transport, kind string) *FanoutRow {
	for i := range f.Rows {
		if f.Rows[i].Transport == transport && f.Rows[i].Kind == kind {
			return &f.Rows[i]
		}
	}
	return nil
}

// received is one event at one subscriber.
type received struct {
	at  time.Time
	raw []byte        // WebSocket: the frame, parsed after the run
	ev  *hmrdv1.Event // gRPC: already decoded by the client
}

// fanSub is one fan-out subscriber. Frames are kept raw and decoded after
// the run so that 1,000 readers cost little CPU while latency is measured
// (the benchmark shares the machine's two cores with the daemon).
type fanSub struct {
	name      string
	transport string
	mu        sync.Mutex
	got       []received
	lastSeq   atomic.Uint64
	ready     chan struct{}
	once      sync.Once
	err       atomic.Pointer[error]
}

func newFanSub(name, transport string) *fanSub {
	return &fanSub{name: name, transport: transport, ready: make(chan struct{})}
}

func (s *fanSub) add(r received, seq uint64) {
	s.mu.Lock()
	s.got = append(s.got, r)
	s.mu.Unlock()
	if seq > s.lastSeq.Load() {
		s.lastSeq.Store(seq)
	}
	s.once.Do(func() { close(s.ready) })
}

func (s *fanSub) fail(err error) {
	s.err.CompareAndSwap(nil, &err)
	s.once.Do(func() { close(s.ready) })
}

// quickSeq finds a signal frame's seq without decoding it (protojson
// writes uint64 as a string: "seq":"12"); 0 for Hello and Heartbeat,
// which repeat the head seq rather than carry one.
func quickSeq(frame []byte) uint64 {
	if bytes.Contains(frame, []byte(`"heartbeat"`)) || bytes.Contains(frame, []byte(`"hello"`)) {
		return 0
	}
	_, rest, ok := bytes.Cut(frame, []byte(`"seq":"`))
	if !ok {
		return 0
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return 0
	}
	n, _ := strconv.ParseUint(string(rest[:end]), 10, 64)
	return n
}

func runFanout(ctx context.Context, cfg *config, res *Result, bin string, tree *Tree, tmp string) (err error) {
	defer func() {
		if rerr := tree.Restore(); rerr != nil && err == nil {
			err = rerr
		}
	}()
	want := len(tree.Project.Modules)
	logf("starting hmrd on %d modules", want)
	h, err := startHmrd(ctx, bin, tree.Dir, tmp, want, cfg.startLimit)
	if err != nil {
		return err
	}
	defer func() {
		if serr := h.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	f := &FanoutResult{WSSubs: cfg.wsSubs, GRPCSubs: cfg.grpcSubs, WSReader: cfg.fanoutReader, RateWanted: cfg.fanoutRate,
		Cold: ColdStart{FirstAnswerMs: ms(h.FirstAnswer), GraphedMs: ms(h.Graphed), Modules: h.Modules, Live: h.Live, Watches: h.Watches}}
	res.Fanout = f
	res.Hmrd = &ServerResult{Name: "hmrd", Version: h.version, Revision: binaryRevision(bin), Pid: h.proc.Pid(), Cold: f.Cold}
	if f.MemIdle, _, err = treeMem(h.proc.Pid()); err != nil {
		return err
	}

	subCtx, cancelSubs := context.WithCancel(ctx)
	defer cancelSubs()
	logf("connecting %d WebSocket and %d gRPC subscribers", cfg.wsSubs, cfg.grpcSubs)
	connStart := time.Now()
	subs, clients, err := connectFanout(subCtx, h, cfg.wsSubs, cfg.grpcSubs, cfg.fanoutReader)
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	if err != nil {
		return err
	}
	readyBy := time.After(2 * time.Minute)
	for _, s := range subs {
		select {
		case <-s.ready:
			if e := s.err.Load(); e != nil {
				return fmt.Errorf("subscriber %s: %w", s.name, *e)
			}
		case <-readyBy:
			return fmt.Errorf("subscriber %s: no Hello within 2 minutes", s.name)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.ConnectSeconds = time.Since(connStart).Seconds()

	st, err := h.client.Status(ctx)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	f.StatusSubs = len(st.GetSubscribers())
	head0 := st.GetProjects()[0].GetProject().GetHeadSeq()
	f.FirstSeq = head0 + 1
	if f.MemSubscribed, _, err = treeMem(h.proc.Pid()); err != nil {
		return err
	}
	pressure := startPressure()
	phaseStart := time.Now()
	cpu0, err := treeCPU(h.proc.Pid())
	if err != nil {
		return err
	}
	self0, err := readCPU(os.Getpid())
	if err != nil {
		return err
	}

	// Edits first: each is its own batch (250 ms apart, well beyond the
	// watcher's settle window), then custom signals at a fixed rate.
	logf("publishing %d edits, then %d custom signals at %.0f/s", cfg.fanoutEdits, cfg.fanoutEvents, cfg.fanoutRate)
	plan := EditPlan(tree.Project, cfg.fanoutEdits, cfg.seed)
	revs := map[int]int{}
	for _, i := range plan {
		if err := tree.Journal(i); err != nil {
			return err
		}
		revs[i]++
		m := &tree.Project.Modules[i]
		if err := os.WriteFile(tree.Path(i), tree.Project.Source(m, revs[i]), 0o644); err != nil {
			return fmt.Errorf("edit %s: %w", m.File, err)
		}
		f.Edits++
		if err := sleepCtx(ctx, 250*time.Millisecond); err != nil {
			return err
		}
	}
	interval := time.Duration(float64(time.Second) / cfg.fanoutRate)
	tick := time.NewTicker(interval)
	pubStart := time.Now()
	for k := range cfg.fanoutEvents {
		select {
		case <-tick.C:
		case <-ctx.Done():
			tick.Stop()
			return ctx.Err()
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := h.client.SendCustom(cctx, h.project, "hmrd-bench", fmt.Sprintf(`{"i":%d}`, k))
		cancel()
		if err != nil {
			tick.Stop()
			return fmt.Errorf("send custom %d: %w", k, err)
		}
		f.Customs++
	}
	tick.Stop()
	if f.Customs > 1 {
		f.RateAchieved = float64(f.Customs-1) / time.Since(pubStart).Seconds()
	}

	// The last seq: after the edits' signals too (an edit that signalled
	// nothing would show up as missing everywhere, which is what it is).
	if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
		return err
	}
	st, err = h.client.Status(ctx)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	f.LastSeq = st.GetProjects()[0].GetProject().GetHeadSeq()
	if got, want := f.LastSeq-head0, uint64(f.Edits+f.Customs); got != want {
		logf("warning: %d signals published for %d edits + %d customs", got, f.Edits, f.Customs)
	}
	drainStart := time.Now()
	drainBy := drainStart.Add(30 * time.Second)
	for _, s := range subs {
		for s.lastSeq.Load() < f.LastSeq && time.Now().Before(drainBy) && s.err.Load() == nil {
			if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
				return err
			}
		}
	}
	f.DrainSeconds = time.Since(drainStart).Seconds()
	cpu1, err := treeCPU(h.proc.Pid())
	if err != nil {
		return err
	}
	self1, err := readCPU(os.Getpid())
	if err != nil {
		return err
	}
	f.PublishSeconds = time.Since(phaseStart).Seconds()
	f.BenchCPUMs = ms(self1 - self0)
	f.CPUPublishMs = ms(cpu1 - cpu0)
	res.Params.CPUPressure = pressure.percent()
	if n := f.LastSeq - head0; n > 0 {
		f.PerSignalCPUUs = float64((cpu1-cpu0)/time.Duration(n)) / 1e3
	}
	if f.MemEnd, _, err = treeMem(h.proc.Pid()); err != nil {
		return err
	}
	cancelSubs()
	analyzeFanout(f, subs)
	return nil
}

// connectFanout opens the subscribers, 32 dials at a time. The WebSocket
// ones are read by one wsPoller (reader "epoll") or by a coder/websocket
// goroutine each ("websocket").
func connectFanout(ctx context.Context, h *hmrdServer, nWS, nGRPC int, reader string) ([]*fanSub, []*hmrdclient.Client, error) {
	subs := make([]*fanSub, 0, nWS+nGRPC)
	var clients []*hmrdclient.Client
	var poller *wsPoller
	if reader == "epoll" && nWS > 0 {
		var err error
		if poller, err = newWSPoller(); err != nil {
			return nil, nil, err
		}
		go poller.run(ctx)
	}
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range nWS {
		s := newFanSub(fmt.Sprintf("ws-%d", i), "websocket")
		subs = append(subs, s)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var conn *websocket.Conn
			var err error
			if poller != nil {
				err = poller.add(ctx, h.WSURL(), h.Origin(), "hmrd.v1", s)
			} else {
				conn, err = dialWS(ctx, h.WSURL(), h.Origin(), "hmrd.v1")
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				s.fail(err)
				return
			}
			if conn != nil {
				go readFanWS(ctx, conn, s)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return subs, clients, firstErr
	}
	for i := range nGRPC {
		// One connection each, as separate bundler processes would have.
		c, err := hmrdclient.Dial(ctx, h.socket)
		if err != nil {
			return subs, clients, fmt.Errorf("grpc subscriber %d: %w", i, err)
		}
		clients = append(clients, c)
		s := newFanSub(fmt.Sprintf("grpc-%d", i), "grpc")
		subs = append(subs, s)
		sub := c.Subscribe(ctx, hmrdclient.SubscribeOptions{Project: h.project, Client: &hmrdv1.ClientInfo{Name: s.name, Kind: "go"}})
		go func() {
			defer sub.Close()
			for {
				ev, err := sub.Next(ctx)
				if err != nil {
					if ctx.Err() == nil {
						s.fail(err)
					}
					return
				}
				at := time.Now()
				var seq uint64
				if _, ok := hmrdSignal(ev, at); ok {
					seq = ev.GetSeq()
				}
				s.add(received{at: at, ev: ev}, seq)
			}
		}()
	}
	return subs, clients, nil
}

func readFanWS(ctx context.Context, conn *websocket.Conn, s *fanSub) {
	defer conn.CloseNow()
	// Reads take no cancellable context (coder/websocket would arm a
	// context.AfterFunc per read, reader CPU on the daemon's cores):
	// closing the connection when ctx ends is what stops Read.
	stop := context.AfterFunc(ctx, func() { conn.CloseNow() })
	defer stop()
	for {
		_, data, err := conn.Read(context.Background())
		at := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				s.fail(err)
			}
			return
		}
		s.add(received{at: at, raw: data}, quickSeq(data))
	}
}

// analyzeFanout decodes what every subscriber received and fills the
// latency rows and the seq checks.
func analyzeFanout(f *FanoutResult, subs []*fanSub) {
	type key struct{ transport, kind string }
	pooled := map[key][]time.Duration{}
	worst := map[key]float64{}
	last := map[uint64]time.Duration{} // seq → slowest subscriber
	for _, s := range subs {
		if e := s.err.Load(); e != nil && len(f.SubscriberErrors) < 20 {
			f.SubscriberErrors = append(f.SubscriberErrors, fmt.Sprintf("%s: %v", s.name, *e))
		}
		s.mu.Lock()
		got := s.got
		s.mu.Unlock()
		var seqs []uint64
		mine := map[key][]time.Duration{}
		for _, r := range got {
			ev := r.ev
			if ev == nil {
				ev = &hmrdv1.Event{}
				if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(r.raw, ev); err != nil {
					if len(f.SubscriberErrors) < 20 {
						f.SubscriberErrors = append(f.SubscriberErrors, fmt.Sprintf("%s: bad frame: %v", s.name, err))
					}
					continue
				}
			}
			sig, ok := hmrdSignal(ev, r.at)
			if !ok || ev.GetSeq() < f.FirstSeq || ev.GetSeq() > f.LastSeq {
				continue
			}
			seqs = append(seqs, ev.GetSeq())
			lat := r.at.Sub(ev.GetTime().AsTime())
			last[ev.GetSeq()] = max(last[ev.GetSeq()], lat)
			mine[key{s.transport, "all"}] = append(mine[key{s.transport, "all"}], lat)
			mine[key{s.transport, sig.Kind}] = append(mine[key{s.transport, sig.Kind}], lat)
		}
		for k, v := range mine {
			pooled[k] = append(pooled[k], v...)
			worst[k] = max(worst[k], Summarize(v).P99)
		}
		c := CheckSeqs(seqs, f.FirstSeq, f.LastSeq)
		f.Missing += c.Missing
		f.Duplicates += c.Duplicates
		f.OutOfOrder += c.OutOfOrder
		if c.Missing > 0 {
			f.SubscribersShort++
		}
	}
	var completion []time.Duration
	for _, d := range last {
		completion = append(completion, d)
	}
	f.Completion = Summarize(completion)
	for _, tr := range []string{"websocket", "grpc"} {
		for _, kind := range []string{"all", "custom", "update", "full-reload", "error", "prune"} {
			k := key{tr, kind}
			if len(pooled[k]) == 0 {
				continue
			}
			f.Rows = append(f.Rows, FanoutRow{Transport: tr, Kind: kind, Latency: Summarize(pooled[k]), WorstP99: worst[k]})
		}
	}
}

func writeFanout(w io.Writer, res *Result, f *FanoutResult) {
	fmt.Fprintf(w, "\nfan-out: %d WebSocket (%s reader) + %d gRPC subscribers on one %d-module project (connected in %.1f s; %d in hmrd status)\n",
		f.WSSubs, f.WSReader, f.GRPCSubs, res.Project.Counts.Modules, f.ConnectSeconds, f.StatusSubs)
	fmt.Fprintf(w, "published seq %d..%d: %d edits, then %d custom signals at %.1f/s (wanted %.0f/s); drained %.2f s after the last\n",
		f.FirstSeq, f.LastSeq, f.Edits, f.Customs, f.RateAchieved, f.RateWanted, f.DrainSeconds)
	fmt.Fprintf(w, "publish → receive (ms, publish = Event.time; over every subscriber × signal)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "transport\tsignals\tsamples\tp50\tp90\tp99\tmax\tworst subscriber p99\t")
	for _, r := range f.Rows {
		d := r.Latency
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n", r.Transport, r.Kind, d.N, d.P50, d.P90, d.P99, d.Max, r.WorstP99)
	}
	tw.Flush()
	c := f.Completion
	fmt.Fprintf(w, "per signal, publish → last subscriber: p50 %.3f, p90 %.3f, p99 %.3f, max %.3f ms (%d signals)\n", c.P50, c.P90, c.P99, c.Max, c.N)
	fmt.Fprintf(w, "seq check: %d missing, %d duplicate, %d out of order; %d subscribers short\n", f.Missing, f.Duplicates, f.OutOfOrder, f.SubscribersShort)
	fmt.Fprintf(w, "daemon: RSS %s idle, %s with subscribers, %s at end; cold start %.0f ms\n",
		mib(f.MemIdle.RSS), mib(f.MemSubscribed.RSS), mib(f.MemEnd.RSS), f.Cold.GraphedMs)
	fmt.Fprintf(w, "CPU over the %.1f s publish phase: daemon %.0f ms (%.0f µs per signal to all subscribers, %.1f µs per delivery), benchmark's subscribers %.0f ms\n",
		f.PublishSeconds, f.CPUPublishMs, f.PerSignalCPUUs, f.PerSignalCPUUs/float64(max(f.WSSubs+f.GRPCSubs, 1)), f.BenchCPUMs)
	for _, e := range f.SubscriberErrors {
		fmt.Fprintf(w, "  subscriber error: %s\n", e)
	}
}
