package server

import (
	"errors"
	"fmt"
	"os"
)

// ErrSecondInstance: another platform instance serves this SQLite file.
var ErrSecondInstance = errors.New("another platform instance serves this SQLite database")

// lockInstance takes the serving instance's lock on a SQLite database: an
// exclusive flock (LockFileEx on Windows) on path + ".lock", held until
// Close. A lock of the operating system's, not SQLite's own: SQLite would
// let a second server share the file in WAL mode, and its exclusive
// locking mode would also shut out the administrator's commands (new
// codes, devices, admin add), which are meant to open the file while the
// platform serves. The kernel drops the lock when the process ends however
// it ends, so no stale lock is ever left to clear by hand. PostgreSQL takes
// none: several instances on one database is how a city runs.
func lockInstance(path string) (*os.File, error) {
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("instance lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("已有另一个平台实例在使用数据库 %s，本实例退出；一个 SQLite 数据库只能由一个实例服务，多实例请使用 PostgreSQL "+
			"(another platform instance serves this SQLite database; one instance per SQLite file, use PostgreSQL for several) [%s held: %v]: %w",
			path, name, err, ErrSecondInstance)
	}
	return f, nil
}
