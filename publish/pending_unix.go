//go:build !windows

package publish

import "github.com/google/renameio/v2"

// newPending starts the temporary file of path in dir; new files are 0644
// whatever the umask, as a web server must read them, and existing ones
// keep their mode.
func newPending(path, dir string) (pending, error) {
	return renameio.NewPendingFile(path, renameio.WithPermissions(0o644), renameio.WithExistingPermissions(),
		renameio.WithTempDir(dir), renameio.WithStaticPermissions(0o644))
}
