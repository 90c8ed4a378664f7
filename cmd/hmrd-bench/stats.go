package main

import (
	"math"
	"slices"
	"time"
)

// Dist summarises a latency sample. Percentiles are nearest-rank (the
// smallest sample with at least p% of the samples at or below it), so
// every figure reported is a latency that was actually observed; with 60
// samples p99 is the maximum.
type Dist struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
	Min float64 `json:"min_ms"`
}

// Percentile is the nearest-rank p-th percentile of sorted (ascending);
// 0 for an empty sample.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Summarize computes the distribution of samples (which it does not
// modify).
func Summarize(samples []time.Duration) Dist {
	if len(samples) == 0 {
		return Dist{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return Dist{
		N:   len(s),
		P50: ms(Percentile(s, 50)),
		P90: ms(Percentile(s, 90)),
		P99: ms(Percentile(s, 99)),
		Max: ms(s[len(s)-1]),
		Min: ms(s[0]),
	}
}

// ms converts to milliseconds with µs resolution, the unit of the report.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// ratio is a/b, or 0 when b is 0 (not measured).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1e4) / 1e4
}
