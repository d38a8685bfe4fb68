//go:build !linux

package publish

import (
	"fmt"
	"io/fs"
)

// fileStamp is what the file system says of a file that changes whenever
// the file is written: here, its modification time in nanoseconds, which
// stampModTime reads back. (On Linux it also holds the change time and
// inode.)
func fileStamp(fi fs.FileInfo) string {
	return fmt.Sprintf("%d", fi.ModTime().UnixNano())
}
