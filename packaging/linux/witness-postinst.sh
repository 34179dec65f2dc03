#!/bin/sh
set -e
if [ "$1" = configure ] && ! getent passwd sanxiang-witness >/dev/null; then
	adduser --system --group --home /var/lib/sanxiang-witness --no-create-home sanxiang-witness >/dev/null
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
