#!/bin/sh
# The kiosk session runs as its own unprivileged user.
set -e
if [ "$1" = configure ] && ! getent passwd sanxiang-kiosk >/dev/null; then
	adduser --system --group --home /var/lib/sanxiang-kiosk --no-create-home sanxiang-kiosk >/dev/null
	usermod -a -G video,input,render sanxiang-kiosk 2>/dev/null || true
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
