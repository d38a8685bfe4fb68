//go:build !linux

package main

import (
	"io/fs"
	"os"
	"time"
)

// maxRSS is unknown off Linux (the unit of Rusage.Maxrss differs).
func maxRSS(*os.ProcessState) int64 { return -1 }

// selfCPU is unknown off Linux.
func selfCPU() (int64, bool) { return 0, false }

// inode is unknown off Linux; size and mtime still show a rewrite.
func inode(fs.FileInfo) uint64 { return 0 }

// postgresCPU is unknown off Linux.
func postgresCPU() (time.Duration, bool) { return 0, false }
