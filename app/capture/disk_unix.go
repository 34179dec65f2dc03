//go:build !windows

package capture

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// FreeBytes is the space left to an unprivileged writer on dir's file
// system.
func FreeBytes(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
