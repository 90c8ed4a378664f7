package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of utime/stime in /proc/PID/stat: 100 on
// every Linux architecture Go runs on (sysconf needs cgo to ask).
const clockTick = 10 * time.Millisecond

// Mem is a process's (or process tree's) memory from /proc/PID/status.
type Mem struct {
	RSS int64 `json:"rss_bytes"` // VmRSS
	HWM int64 `json:"hwm_bytes"` // VmHWM, the peak RSS
}

// readMem reads VmRSS and VmHWM of pid.
func readMem(pid int) (Mem, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Mem{}, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	var m Mem
	for line := range strings.SplitSeq(string(data), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) < 1 {
			continue
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			m.RSS = kb << 10
		case "VmHWM":
			m.HWM = kb << 10
		}
	}
	if m.RSS == 0 {
		return m, fmt.Errorf("read memory of %d: no VmRSS (process gone?)", pid)
	}
	return m, nil
}

// readCPU is utime+stime of pid from /proc/PID/stat.
func readCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read cpu of %d: %w", pid, err)
	}
	return parseStatCPU(data)
}

// parseStatCPU extracts utime+stime (fields 14 and 15) from a stat line.
// The command name (field 2) may hold spaces and parentheses, so fields
// are counted from the last ')'.
func parseStatCPU(data []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse stat: no command name")
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state): utime is field 14, f[11].
	if len(f) < 13 {
		return 0, fmt.Errorf("parse stat: %d fields", len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parse stat: utime %q stime %q", f[11], f[12])
	}
	return time.Duration(ut+st) * clockTick, nil
}

// descendants lists pid and every process below it, so a server that
// spawns helpers (Vite ≤ 7 runs an esbuild service) is measured whole.
func descendants(pid int) []int {
	out := []int{pid}
	for i := 0; i < len(out) && i < 1000; i++ {
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", out[i]))
		for _, t := range tasks {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", out[i], t.Name()))
			if err != nil {
				continue
			}
			for f := range strings.FieldsSeq(string(data)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// treeMem sums Mem over pid's process tree.
func treeMem(pid int) (Mem, int, error) {
	var total Mem
	pids := descendants(pid)
	for i, p := range pids {
		m, err := readMem(p)
		if err != nil {
			if i == 0 {
				return total, 0, err
			}
			continue // a helper that just exited
		}
		total.RSS += m.RSS
		total.HWM += m.HWM
	}
	return total, len(pids), nil
}

// treeCPU sums utime+stime over pid's process tree.
func treeCPU(pid int) (time.Duration, error) {
	var total time.Duration
	for i, p := range descendants(pid) {
		c, err := readCPU(p)
		if err != nil {
			if i == 0 {
				return 0, err
			}
			continue
		}
		total += c
	}
	return total, nil
}

// Machine describes where the figures were taken.
type Machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	Kernel   string `json:"kernel"`
	MemTotal string `json:"mem_total"`
	Go       string `json:"go"`
	Node     string `json:"node,omitempty"`
	LoadAvg  string `json:"loadavg_at_start"`
	// LoadAvgEnd shows how busy the machine was with other work.
	LoadAvgEnd string `json:"loadavg_at_end"`
	NoFile     uint64 `json:"rlimit_nofile"`
}

func machineInfo() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), CPU: "unknown"}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		first, _, _ := strings.Cut(string(b), "\n")
		m.MemTotal = strings.Join(strings.Fields(strings.TrimPrefix(first, "MemTotal:")), " ")
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		m.Node = strings.TrimSpace(string(out))
	}
	return m
}

// loadAvg is the 1-minute load average now, for the report: other work on
// the machine inflates every figure.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// cpuPressure is the kernel's cumulative "some" CPU stall time
// (/proc/pressure/cpu): the time at least one runnable task waited for a
// CPU. Its growth over a phase, divided by the phase's length, says how
// much other work competed for the two cores. ok is false without PSI.
func cpuPressure() (total time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, false
	}
	first, _, _ := strings.Cut(string(b), "\n")
	for f := range strings.FieldsSeq(first) {
		if v, found := strings.CutPrefix(f, "total="); found {
			us, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, false
			}
			return time.Duration(us) * time.Microsecond, true
		}
	}
	return 0, false
}

// pressureMeter measures the share of a phase during which some task
// waited for a CPU.
type pressureMeter struct {
	start time.Time
	stall time.Duration
	ok    bool
}

func startPressure() pressureMeter {
	s, ok := cpuPressure()
	return pressureMeter{start: time.Now(), stall: s, ok: ok}
}

// percent is the stall share since start, in percent (-1 without PSI).
func (p pressureMeter) percent() float64 {
	s, ok := cpuPressure()
	wall := time.Since(p.start)
	if !p.ok || !ok || wall <= 0 {
		return -1
	}
	return math.Round(float64(s-p.stall)/float64(wall)*1000) / 10
}
