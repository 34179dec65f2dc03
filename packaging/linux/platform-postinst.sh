#!/bin/sh
set -e
if [ "$1" = configure ] && ! getent passwd sanxiang >/dev/null; then
	adduser --system --group --home /var/lib/sanxiang-platform --no-create-home sanxiang >/dev/null
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
