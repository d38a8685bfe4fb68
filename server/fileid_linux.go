//go:build linux

package server

import (
	"io/fs"
	"syscall"
)

// fileID is a file's device, inode and change time. An atomic replace gives a
// new inode; an in-place write or a chtimes moves the change time.
type fileID struct {
	dev, ino uint64
	ctime    int64
}

func fileIdentity(fi fs.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino, ctime: st.Ctim.Nano()}
}
