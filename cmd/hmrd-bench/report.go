package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is everything one run measured; --json writes it as is.
type Result struct {
	Tool    string        `json:"tool"`
	Started time.Time     `json:"started"`
	Command string        `json:"command"`
	Machine Machine       `json:"machine"`
	Params  Params        `json:"params"`
	Project *ProjectInfo  `json:"project"`
	Hmrd    *ServerResult `json:"hmrd,omitempty"`
	Vite    *ServerResult `json:"vite,omitempty"`
	Ratios  *Ratios       `json:"ratios_hmrd_over_vite,omitempty"`
	Fanout  *FanoutResult `json:"fanout,omitempty"`
	Targets []Target      `json:"targets"`
}

// Params are the run's knobs.
type Params struct {
	Edits       int     `json:"edits"`
	Warmup      int     `json:"warmup_edits"`
	Seed        uint64  `json:"seed"`
	Settle      string  `json:"settle"`
	Timeout     string  `json:"signal_timeout"`
	EditSeconds float64 `json:"edit_phase_seconds,omitempty"`
	// CPUPressure is the share of the measured phase during which some
	// runnable task on the machine waited for a CPU (PSI "some"), in %.
	CPUPressure float64 `json:"cpu_pressure_some_pct"`
}

// ProjectInfo is the generated project.
type ProjectInfo struct {
	Spec            Spec    `json:"spec"`
	Key             string  `json:"cache_key"`
	Counts          Counts  `json:"counts"`
	HmrdDir         string  `json:"hmrd_tree"`
	ViteDir         string  `json:"vite_tree,omitempty"`
	GenerateSeconds float64 `json:"generate_seconds,omitempty"` // 0: taken from the cache
}

// ColdStart is measured from just before fork/exec of the server.
type ColdStart struct {
	FirstAnswerMs float64 `json:"first_status_answer_ms,omitempty"` // hmrd: first Status reply
	ListeningMs   float64 `json:"listening_ms,omitempty"`           // Vite: TCP port accepts
	GraphedMs     float64 `json:"graphed_ms"`                       // all modules watched and graphed
	Modules       int     `json:"modules_reported"`                 // hmrd: Status; Vite: modules requested
	Live          int     `json:"live_reported,omitempty"`
	Watches       int     `json:"watches,omitempty"`
	Crawled       int     `json:"crawled,omitempty"` // Vite: modules found by following imports
}

// ServerResult is one server's figures.
type ServerResult struct {
	Name         string      `json:"name"`
	Version      string      `json:"version"`
	Revision     string      `json:"revision,omitempty"`
	Pid          int         `json:"pid"`
	Cold         ColdStart   `json:"cold_start"`
	MemStart     Mem         `json:"mem_after_start"`
	MemEnd       Mem         `json:"mem_after_edits"`
	Processes    int         `json:"processes"`
	RSSPerModule float64     `json:"rss_bytes_per_module"`
	Edits        int         `json:"edits"`
	CPUTotalMs   float64     `json:"cpu_edit_phase_ms"`
	CPUPerEditMs float64     `json:"cpu_per_edit_ms"`
	Subscribers  []SubResult `json:"subscribers"`
	Breakdown    *Breakdown  `json:"latency_breakdown,omitempty"`
}

// Breakdown splits hmrd's save → signal latency (see breakdown).
type Breakdown struct {
	SaveToPublish Dist `json:"save_to_publish"`
	SaveToEvent   Dist `json:"save_to_first_fs_event"`
	InDaemon      Dist `json:"first_fs_event_to_publish"`
	DeliveryGRPC  Dist `json:"publish_to_receive_grpc"`
	DeliveryWS    Dist `json:"publish_to_receive_websocket"`
	// InDaemonMedianMs is Status's median_latency after the run.
	InDaemonMedianMs float64 `json:"first_fs_event_to_publish_median_status_ms"`
}

// SubResult is one subscriber's latency and accounting.
type SubResult struct {
	Name       string     `json:"name"`
	Transport  string     `json:"transport"`
	Latency    Dist       `json:"save_to_signal"`
	Accounting Accounting `json:"accounting"`
}

func (r *ServerResult) sub(transport string) *SubResult {
	for i := range r.Subscribers {
		if r.Subscribers[i].Transport == transport {
			return &r.Subscribers[i]
		}
	}
	return nil
}

// Ratios are hmrd / Vite: below 1 means hmrd is faster or smaller.
type Ratios struct {
	P50WS        float64 `json:"p50_websocket"`
	P99WS        float64 `json:"p99_websocket"`
	P50GRPC      float64 `json:"p50_grpc_vs_vite_websocket"`
	P99GRPC      float64 `json:"p99_grpc_vs_vite_websocket"`
	RSS          float64 `json:"rss"`
	CPUPerEdit   float64 `json:"cpu_per_edit"`
	ColdListen   float64 `json:"cold_start_vs_vite_listening"`
	ColdGraphed  float64 `json:"cold_start_vs_vite_graph_populated"`
	ViteP50Ms    float64 `json:"vite_p50_ms"`
	HmrdP50WSMs  float64 `json:"hmrd_p50_websocket_ms"`
	HmrdRSSBytes int64   `json:"hmrd_rss_bytes"`
	ViteRSSBytes int64   `json:"vite_rss_bytes"`
}

func computeRatios(h, v *ServerResult) *Ratios {
	r := &Ratios{
		RSS:          ratio(float64(h.MemEnd.RSS), float64(v.MemEnd.RSS)),
		CPUPerEdit:   ratio(h.CPUPerEditMs, v.CPUPerEditMs),
		ColdListen:   ratio(h.Cold.GraphedMs, v.Cold.ListeningMs),
		ColdGraphed:  ratio(h.Cold.GraphedMs, v.Cold.GraphedMs),
		HmrdRSSBytes: h.MemEnd.RSS,
		ViteRSSBytes: v.MemEnd.RSS,
	}
	vs := v.sub("websocket")
	if vs == nil {
		return r
	}
	r.ViteP50Ms = vs.Latency.P50
	if hs := h.sub("websocket"); hs != nil {
		r.P50WS = ratio(hs.Latency.P50, vs.Latency.P50)
		r.P99WS = ratio(hs.Latency.P99, vs.Latency.P99)
		r.HmrdP50WSMs = hs.Latency.P50
	}
	if hs := h.sub("grpc"); hs != nil {
		r.P50GRPC = ratio(hs.Latency.P50, vs.Latency.P50)
		r.P99GRPC = ratio(hs.Latency.P99, vs.Latency.P99)
	}
	return r
}

// Target is one of the performance targets (docs/performance.md), judged
// on this run.
type Target struct {
	Name   string `json:"name"`
	Want   string `json:"want"`
	Got    string `json:"got"`
	Status string `json:"status"` // met, not met
}

func judge(name, want, got string, ok bool) Target {
	s := "not met"
	if ok {
		s = "met"
	}
	return Target{Name: name, Want: want, Got: got, Status: s}
}

// evaluateTargets states the performance targets (docs/performance.md)
// that this run can judge.
func evaluateTargets(res *Result) []Target {
	var out []Target
	if h := res.Hmrd; h != nil && res.Fanout == nil {
		for _, s := range h.Subscribers {
			out = append(out, judge("save→signal p99 ("+s.Transport+")", "≤ 5 ms", fmt.Sprintf("%.3f ms", s.Latency.P99), s.Latency.N > 0 && s.Latency.P99 <= 5))
		}
		ok, got, saves := true, []string{}, 0
		for _, s := range h.Subscribers {
			a := s.Accounting
			ok = ok && a.OK()
			saves = len(a.Outcomes)
			if !a.OK() {
				got = append(got, fmt.Sprintf("%s: %d missing, %d duplicate, %d mismatched, %d before first save", s.Transport, a.Missing, a.Duplicates, a.Mismatched, a.Before))
			}
		}
		if ok {
			got = []string{fmt.Sprintf("0 violations (%d saves × %d subscribers)", saves, len(h.Subscribers))}
		}
		out = append(out, judge("exactly one signal per save", "0 violations", strings.Join(got, "; "), ok))
		if res.Project.Spec.Modules == 10000 {
			out = append(out, judge("cold start at 10k", "≤ 1 s", fmt.Sprintf("%.0f ms", h.Cold.GraphedMs), h.Cold.GraphedMs <= 1000))
		}
	}
	if r := res.Ratios; r != nil {
		out = append(out,
			judge("save→signal p50 vs Vite (websocket)", "≤ 1/5 (stretch 1/10)", fmt.Sprintf("%.3f (1/%.1f)", r.P50WS, inv(r.P50WS)), r.P50WS > 0 && r.P50WS <= 0.2),
			judge("save→signal p50 vs Vite, stretch", "≤ 1/10", fmt.Sprintf("%.3f", r.P50WS), r.P50WS > 0 && r.P50WS <= 0.1),
			judge("RSS vs Vite", "≤ 1/8", fmt.Sprintf("%.3f (1/%.1f)", r.RSS, inv(r.RSS)), r.RSS > 0 && r.RSS <= 0.125),
		)
	}
	if f := res.Fanout; f != nil {
		ws := f.row("websocket", "all")
		if ws != nil {
			out = append(out, judge(fmt.Sprintf("%d WebSocket subscribers publish→receive p99", f.WSSubs), "≤ 20 ms", fmt.Sprintf("%.3f ms", ws.Latency.P99), ws.Latency.N > 0 && ws.Latency.P99 <= 20))
		}
		out = append(out, judge("every subscriber got every seq in order", "0 missing/duplicate/out of order",
			fmt.Sprintf("%d missing, %d duplicate, %d out of order, %d subscribers short", f.Missing, f.Duplicates, f.OutOfOrder, f.SubscribersShort),
			f.Missing == 0 && f.Duplicates == 0 && f.OutOfOrder == 0 && f.SubscribersShort == 0))
	}
	return out
}

func inv(x float64) float64 {
	if x == 0 {
		return 0
	}
	return 1 / x
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// writeTable prints the human report.
func writeTable(w io.Writer, res *Result) {
	m := res.Machine
	fmt.Fprintf(w, "\n%s — %s\n", res.Command, res.Started.Format(time.RFC3339))
	fmt.Fprintf(w, "machine: %s, %d cores, %s, %s RAM, %s, node %s; load avg %s at start, %s at end\n",
		m.CPU, m.Cores, m.Kernel, m.MemTotal, m.Go, m.Node, m.LoadAvg, m.LoadAvgEnd)
	if res.Params.CPUPressure >= 0 {
		fmt.Fprintf(w, "CPU pressure during the measured phase: some task waited for a CPU %.1f%% of the time (other work shares the machine)\n", res.Params.CPUPressure)
	}
	p := res.Project
	c := p.Counts
	fmt.Fprintf(w, "project: %d modules (%d leaves, %d mid-level, %d TS, %d self-accepting, depth %d, %d dirs), branching %d, seed %d\n",
		c.Modules, c.Leaves, c.Mid, c.TS, c.SelfAccepting, c.Depth, c.Dirs, p.Spec.Branching, p.Spec.Seed)
	if p.GenerateSeconds > 0 {
		fmt.Fprintf(w, "generated in %.1f s (cached for later runs)\n", p.GenerateSeconds)
	}

	servers := []*ServerResult{}
	for _, s := range []*ServerResult{res.Hmrd, res.Vite} {
		if s != nil {
			servers = append(servers, s)
		}
	}
	if len(servers) > 0 && res.Fanout == nil {
		fmt.Fprintf(w, "\nsave → signal latency, %d measured edits per system after %d warm-up (ms; nearest-rank percentiles: below 100 samples p99 = max)\n", res.Params.Edits, res.Params.Warmup)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "subscriber\tn\tp50\tp90\tp99\tmax\tmissing\tduplicate\tmismatch\tbefore 1st save\t")
		for _, s := range servers {
			for _, sub := range s.Subscribers {
				d, a := sub.Latency, sub.Accounting
				fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t%d\t\n", sub.Name, d.N, d.P50, d.P90, d.P99, d.Max, a.Missing, a.Duplicates, a.Mismatched, a.Before)
			}
		}
		tw.Flush()

		if b := res.Hmrd.Breakdown; b != nil {
			fmt.Fprintf(w, "\nhmrd latency breakdown (ms; each row its own percentiles)\n")
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "part\tn\tp50\tp90\tp99\tmax\t")
			rows := []struct {
				name string
				d    Dist
			}{
				{"save → publish (Event.time)", b.SaveToPublish},
				{"  save → daemon sees fs event", b.SaveToEvent},
				{"  fs event → publish (Status last_latency)", b.InDaemon},
				{"publish → receive, gRPC", b.DeliveryGRPC},
				{"publish → receive, WebSocket", b.DeliveryWS},
			}
			for _, r := range rows {
				if r.d.N == 0 {
					continue // per-edit Status only with --breakdown
				}
				fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t\n", r.name, r.d.N, r.d.P50, r.d.P90, r.d.P99, r.d.Max)
			}
			tw.Flush()
			fmt.Fprintf(w, "daemon's own median, first fs event → publish (Status median_latency, last 64 batches): %.3f ms\n", b.InDaemonMedianMs)
		}

		fmt.Fprintf(w, "\nserver costs\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "server\tversion\tcold start\tRSS after start\tRSS after edits\tpeak RSS\tRSS/module\tCPU/edit\tprocesses\t")
		for _, s := range servers {
			cold := fmt.Sprintf("%.0f ms", s.Cold.GraphedMs)
			if s.Cold.ListeningMs > 0 {
				cold = fmt.Sprintf("%.0f ms listen, %.0f ms graph", s.Cold.ListeningMs, s.Cold.GraphedMs)
			}
			ver := s.Version
			if s.Revision != "" {
				ver += " (" + s.Revision + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.0f B\t%.2f ms\t%d\t\n", s.Name, ver, cold,
				mib(s.MemStart.RSS), mib(s.MemEnd.RSS), mib(s.MemEnd.HWM), s.RSSPerModule, s.CPUPerEditMs, s.Processes)
		}
		tw.Flush()
		if h := res.Hmrd; h != nil {
			fmt.Fprintf(w, "hmrd cold start: first Status answer %.0f ms, all %d modules (%d live, %d watches) at %.0f ms\n",
				h.Cold.FirstAnswerMs, h.Cold.Modules, h.Cold.Live, h.Cold.Watches, h.Cold.GraphedMs)
		}
		if v := res.Vite; v != nil {
			fmt.Fprintf(w, "vite cold start: listening %.0f ms, graph populated %.0f ms (%d modules requested, %d found by crawling imports)\n",
				v.Cold.ListeningMs, v.Cold.GraphedMs, v.Cold.Modules, v.Cold.Crawled)
		}
	}
	if r := res.Ratios; r != nil {
		fmt.Fprintf(w, "\nhmrd / vite: p50 %.3f (1/%.1f), p99 %.3f (websocket); gRPC p50 %.3f, p99 %.3f; RSS %.3f (1/%.1f); CPU/edit %.3f; cold start %.3f of vite's listen, %.3f of its graph\n",
			r.P50WS, inv(r.P50WS), r.P99WS, r.P50GRPC, r.P99GRPC, r.RSS, inv(r.RSS), r.CPUPerEdit, r.ColdListen, r.ColdGraphed)
	}
	if f := res.Fanout; f != nil {
		writeFanout(w, res, f)
	}
	for _, s := range servers {
		for _, sub := range s.Subscribers {
			for i, v := range sub.Accounting.Violations {
				if i == 0 {
					fmt.Fprintf(w, "\nviolations at %s:\n", sub.Name)
				}
				if i == 20 {
					fmt.Fprintf(w, "  … %d more (see --json)\n", len(sub.Accounting.Violations)-20)
					break
				}
				fmt.Fprintf(w, "  %s\n", v)
			}
		}
	}
	if len(res.Targets) > 0 {
		fmt.Fprintf(w, "\ntargets\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "target\twant\tgot\tstatus")
		for _, t := range res.Targets {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Want, t.Got, t.Status)
		}
		tw.Flush()
	}
}

func writeJSON(path string, res *Result) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	return nil
}
