package main

import (
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxRSS is the child's peak resident set; Linux reports it in KiB.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return -1
}

// selfCPU is this process's user+sys CPU time so far.
func selfCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}

// inode is fi's inode number: an atomic rename brings a new one.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// postgresCPU is the user+sys CPU time of this machine's PostgreSQL
// servers so far: every live process named postgres, and what each has
// reaped of its children (a backend that ended counts in its
// postmaster's). /proc counts in USER_HZ, 100 per second on Linux.
func postgresCPU() (time.Duration, bool) {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	var ticks int64
	found := false
	for _, d := range dirs {
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command sits in parentheses and may hold spaces; the fields
		// after it are fixed: utime, stime, cutime, cstime are 14–17.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 15 {
			continue
		}
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
		found = true
	}
	return time.Duration(ticks) * (time.Second / 100), found
}
