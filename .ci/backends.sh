# Sourced by ./dev test: starts a private PostgreSQL cluster and a versitygw
# S3 gateway (POSIX mode) in a temporary folder, on loopback ports of their
# own, so the platform's storage suite runs against SQLite, PostgreSQL and
# PostgreSQL+S3. Nothing outside the folder is touched; stop_backends (run
# on exit) stops both and removes it.

VERSITYGW_VERSION=v1.8.0

free_port() {
	# A port nothing listens on: ask the kernel through Go's net package.
	go run ./.ci/freeport
}

start_backends() {
	install_missing postgresql
	BACKENDS_DIR=$(mktemp -d /tmp/sanxiang-backends.XXXXXX)
	chmod 755 "$BACKENDS_DIR"
	pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
	pgdata="$BACKENDS_DIR/pg"
	mkdir -p "$pgdata"
	pgport=$(free_port)
	as=""
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$pgdata" # initdb refuses to run as root
		as="runuser -u postgres --"
	fi
	$as "$pgbin/initdb" -D "$pgdata" -A trust -U sanxiang -E UTF8 >"$BACKENDS_DIR/initdb.log" 2>&1 ||
		{ cat "$BACKENDS_DIR/initdb.log" >&2; return 1; }
	$as "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
		-o "-p $pgport -k $pgdata -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null ||
		{ cat "$pgdata/server.log" >&2; return 1; }
	PG_CTL="$as $pgbin/pg_ctl -D $pgdata"

	gobin=$(go env GOPATH)/bin
	if ! [ -x "$gobin/versitygw" ] || ! "$gobin/versitygw" --version 2>/dev/null | grep -q .; then
		say "安装 / installing versitygw $VERSITYGW_VERSION (S3 gateway for the platform's tests)"
		GOFLAGS= go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
	fi
	s3port=$(free_port)
	mkdir -p "$BACKENDS_DIR/s3"
	ROOT_ACCESS_KEY=sanxiang ROOT_SECRET_KEY=sanxiang-test-secret \
		"$gobin/versitygw" --port "127.0.0.1:$s3port" posix "$BACKENDS_DIR/s3" >"$BACKENDS_DIR/versitygw.log" 2>&1 &
	VGW_PID=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$s3port/" 2>/dev/null || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done

	SANXIANG_TEST_POSTGRES="postgres://sanxiang@127.0.0.1:$pgport/postgres?sslmode=disable"
	SANXIANG_TEST_S3="s3+http://sanxiang:sanxiang-test-secret@127.0.0.1:$s3port"
	SANXIANG_TEST_REQUIRE_ALL=1
	export SANXIANG_TEST_POSTGRES SANXIANG_TEST_S3 SANXIANG_TEST_REQUIRE_ALL
	say "存储后端 / storage backends: PostgreSQL 127.0.0.1:$pgport, S3 (versitygw) 127.0.0.1:$s3port"
}

stop_backends() {
	[ -n "${VGW_PID:-}" ] && kill "$VGW_PID" 2>/dev/null && wait "$VGW_PID" 2>/dev/null
	[ -n "${PG_CTL:-}" ] && $PG_CTL -m immediate stop >/dev/null 2>&1
	[ -n "${BACKENDS_DIR:-}" ] && rm -rf "$BACKENDS_DIR"
	VGW_PID="" PG_CTL="" BACKENDS_DIR=""
}
