package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the numbers were taken.
type machine struct {
	CPU       string
	Cores     int
	MemGiB    float64
	GoVersion string
	OS        string
	Commit    string
}

func describeMachine(root string) machine {
	m := machine{CPU: "unknown CPU", Cores: runtime.NumCPU(), GoVersion: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, OS: runtime.GOOS}
	if v := firstField("/proc/cpuinfo", "model name", ":"); v != "" {
		m.CPU = v
	}
	if v := firstField("/proc/meminfo", "MemTotal", ":"); v != "" {
		var kb float64
		fmt.Sscanf(v, "%f", &kb)
		m.MemGiB = kb / (1 << 20)
	}
	if v := firstField("/etc/os-release", "PRETTY_NAME", "="); v != "" {
		m.OS = strings.Trim(v, `"`)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += ", kernel " + strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("git", "-C", root, "describe", "--always", "--dirty").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	return m
}

// firstField is the value after sep on the first line of path whose key is
// key.
func firstField(path, key, sep string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), sep)
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func (m machine) String() string {
	s := fmt.Sprintf("%s, %d cores, %.1f GiB RAM; %s; %s", m.CPU, m.Cores, m.MemGiB, m.GoVersion, m.OS)
	if m.Commit != "" {
		s += "; feedloom " + m.Commit
	}
	return s
}
