//go:build unix

package publish

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// writable asks the kernel whether this process may create files in dir,
// without creating one: a probe file would change the folder's mtime on
// every run.
func writable(dir string) error {
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return fmt.Errorf("not writable: %w", err)
	}
	return nil
}
