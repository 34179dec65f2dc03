package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// Secrets stay off the command line, where every user of the machine reads
// them (ps, /proc/PID/cmdline): the database URL (a PostgreSQL password)
// and the media store (an S3 secret) come from the environment — the
// systemd unit's EnvironmentFile — or from files only the service reads;
// the receipt key from its key file or SANXIANG_PLATFORM_KEY.
var (
	dbFile = flag.String("db-file", os.Getenv("SANXIANG_DB_FILE"),
		"read --db from this file, so that a PostgreSQL password stays off the command line (or $SANXIANG_DB_FILE; or give the value in $SANXIANG_DB)")
	mediaFile = flag.String("media-file", os.Getenv("SANXIANG_MEDIA_FILE"),
		"read --media from this file, so that an S3 secret stays off the command line (or $SANXIANG_MEDIA_FILE; or give the value in $SANXIANG_MEDIA)")
	keyFile = flag.String("key-file", os.Getenv("SANXIANG_PLATFORM_KEY_FILE"),
		"the platform's receipt key, a file only the service may read (made on first start; default: beside a SQLite database, DB.key); or the key itself in $"+server.EnvPlatformKey)
)

// envOr is the environment variable name, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// settleSecrets fills --listen, --db and --media from $SANXIANG_LISTEN, $SANXIANG_DB and
// $SANXIANG_MEDIA when they are not given, or from --db-file and
// --media-file; it warns when a password or secret was given on the command
// line anyway. A warning, not a refusal: a throwaway database in a test or
// on a developer's machine is fine on the command line, and a refusal would
// stop a running city's platform at its next restart over how it was
// started; the packaged unit passes none (packaging tests check it).
func settleSecrets(db, media *string) error {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// The unit's command line carries nothing: where to listen comes
	// from the environment too.
	if v := os.Getenv("SANXIANG_LISTEN"); v != "" && !set["listen"] && flag.Lookup("listen") != nil {
		if err := flag.Set("listen", v); err != nil {
			return fmt.Errorf("$SANXIANG_LISTEN: %w", err)
		}
	}
	for _, s := range []struct {
		flag, env string
		value     *string
		file      string
	}{{"db", "SANXIANG_DB", db, *dbFile}, {"media", "SANXIANG_MEDIA", media, *mediaFile}} {
		if s.file != "" {
			if set[s.flag] {
				return fmt.Errorf("--%s 与 --%s-file 只能给一个 (give --%s or --%s-file, not both)", s.flag, s.flag, s.flag, s.flag)
			}
			v, err := readSecretFile(s.file)
			if err != nil {
				return fmt.Errorf("--%s-file: %w", s.flag, err)
			}
			*s.value = v
			continue
		}
		if !set[s.flag] {
			*s.value = envOr(s.env, *s.value)
			continue
		}
		if hasSecret(*s.value) {
			fmt.Fprintf(os.Stderr, "警告：--%s 的值含有密码或密钥，本机任何用户都能在进程列表中看到；请改用环境变量 %s 或 --%s-file "+
				"(warning: --%s carries a password or secret, visible to every user of this machine in the process list; use $%s or --%s-file)\n",
				s.flag, s.env, s.flag, s.flag, s.env, s.flag)
		}
	}
	return nil
}

// hasSecret says whether a --db or --media value carries a password: a
// URL with one in its user info (postgres://USER:PASS@…, s3://KEY:SECRET@…)
// or in its query (password=…).
func hasSecret(v string) bool {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" {
		return false
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	for k := range u.Query() {
		if k := strings.ToLower(k); k == "password" || k == "secret" || strings.HasSuffix(k, "secret_key") {
			return true
		}
	}
	return false
}

// readSecretFile reads a value from a file other users cannot read (its
// group may: root:sanxiang 0640 is how such a file is often kept).
func readSecretFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o007 != 0 {
		return "", fmt.Errorf("文件 %s 的权限为 %04o，其他用户可以读取，平台不启动；请执行 chmod 600 %s (the file can be read by other users; chmod 600 it)",
			path, st.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return v, nil
}

// withKey adds where the receipt key is to o: $SANXIANG_PLATFORM_KEY (the
// key itself) or --key-file.
func withKey(o server.Options) server.Options {
	o.Key, o.KeyFile = os.Getenv(server.EnvPlatformKey), *keyFile
	return o
}

// redactDB is a --db value fit for the log: a URL's password replaced.
func redactDB(v string) string {
	if u, err := url.Parse(v); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return v
}
