package publish

import "io"

// pending is a temporary file beside the one it replaces, put in its place
// atomically: renameio's on Unix (fsync, rename, and the folder synced),
// a plain temporary file renamed over the target on Windows, where
// renameio has none.
type pending interface {
	io.Writer
	Sync() error
	// CloseAtomicallyReplace syncs and closes the file and renames it over
	// the target.
	CloseAtomicallyReplace() error
	// Cleanup removes the file unless it replaced the target; it is safe
	// after CloseAtomicallyReplace.
	Cleanup() error
}
