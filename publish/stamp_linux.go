package publish

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileStamp is what the file system says of a file that changes whenever
// the file is written or replaced: its modification time, its change time
// (which no one can set: every write, rename over it, chmod or touch moves
// it on), its inode and device. It starts with the modification time in
// nanoseconds, which stampModTime reads back.
func fileStamp(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Sprintf("%d", fi.ModTime().UnixNano())
	}
	return fmt.Sprintf("%d %d.%09d %d %d", fi.ModTime().UnixNano(), st.Ctim.Sec, st.Ctim.Nsec, st.Ino, st.Dev)
}
