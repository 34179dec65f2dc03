#!/bin/sh
# Builds the packages into dist/ (or $SANXIANG_DIST):
#   linux    dist/sanxiang-desk_VERSION-BUILD_amd64.deb (the three modes, menu
#            entries, the cage kiosk session) and
#            dist/sanxiang-platform_VERSION-BUILD_amd64.deb (static binary,
#            systemd unit, sample configuration),
#            dist/sanxiang-verify_VERSION-BUILD_amd64.deb (the bundle
#            verifier alone) and dist/sanxiang-witness_VERSION-BUILD_amd64.deb
#            (an independent witness: static binary, systemd unit, settings)
#   windows  dist/windows/sanxiang.exe (fyne package, mingw-w64) and
#            dist/windows/sanxiang-desk-VERSION-setup.exe (NSIS), exe,
#            installer and uninstaller signed (packaging/sign.sh); the
#            installer also installs sanxiang-verify.exe, which is kept
#            beside it, signed, with sanxiang-witness.exe (both cgo-free)
# Usage: packaging/package.sh [linux|windows|all]   (./dev package installs
# what this needs first.)
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
dist=${SANXIANG_DIST:-dist}
mkdir -p "$dist"
dist=$(cd "$dist" && pwd)
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
build=$(sed -n 's/^Build *= *\([0-9][0-9]*\)/\1/p' FyneApp.toml)
export SANXIANG_VERSION="$version" SANXIANG_BUILD="$build" SANXIANG_DIST="$dist"
gobin=$(go env GOPATH)/bin
say() { printf '%s\n' "$*" >&2; }

linux() {
	say "== linux $version-$build"
	mkdir -p "$dist/linux"
	go build -trimpath -ldflags "-s -w -X main.build=$build" -o "$dist/linux/sanxiang" .
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version -X main.build=$build" \
		-o "$dist/linux/sanxiang-platform" ./sync/cmd/sanxiang-platform
	for c in sanxiang-verify sanxiang-witness; do
		CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$dist/linux/$c" "./sync/cmd/$c"
	done
	for p in desk platform verify witness; do
		# nfpm expands variables in some fields only: the paths are put in here.
		sed "s|\${SANXIANG_DIST}|$dist|g" "packaging/linux/nfpm-$p.yaml" >"$dist/nfpm-$p.yaml"
		"$gobin/nfpm" pkg --packager deb --config "$dist/nfpm-$p.yaml" --target "$dist/" >&2
	done
}

windows() {
	say "== windows $version-$build"
	mkdir -p "$dist/windows"
	# fyne package builds "NAME.exe" with the icon and metadata of
	# FyneApp.toml (-ldflags from GOFLAGS are passed on to go build); a
	# release build would also count Build up in FyneApp.toml, which a
	# package build must not change: it is put back.
	name=$(sed -n 's/^Name *= *"\(.*\)"/\1/p' FyneApp.toml)
	cp FyneApp.toml "$dist/FyneApp.toml.orig"
	status=0
	# The camera driver (DirectShow) is C++: libstdc++ and libgcc are
	# linked in, so no mingw DLL has to ship beside the exe.
	env CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
		CGO_LDFLAGS="-static-libgcc -static-libstdc++" \
		GOFLAGS="-ldflags=-X=main.build=$build" "$gobin/fyne" package -os windows --release \
		--app-version "$version" --app-build "$build" >&2 || status=$?
	cp "$dist/FyneApp.toml.orig" FyneApp.toml
	[ "$status" = 0 ] || exit "$status"
	mv "$name.exe" "$dist/windows/sanxiang.exe"
	"$root/packaging/sign.sh" "$dist/windows/sanxiang.exe"
	# The verifier (in the installer, and alone for a court to copy) and
	# the witness: console programs, cgo-free, cross-built in seconds.
	for c in sanxiang-verify sanxiang-witness; do
		CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -trimpath -ldflags "-s -w" -o "$dist/windows/$c.exe" "./sync/cmd/$c"
		"$root/packaging/sign.sh" "$dist/windows/$c.exe"
	done
	makensis -V2 -DVERSION="$version" -DBUILD="$build" -DDIST="$dist/windows" -DSIGN="$root/packaging/sign.sh" \
		packaging/windows/installer.nsi >&2
}

case "${1:-all}" in
linux) linux ;;
windows) windows ;;
all) linux; windows ;;
*) say "usage: packaging/package.sh [linux|windows|all]"; exit 2 ;;
esac
say "packages in $dist:"
ls -1 "$dist" "$dist/windows" 2>/dev/null | sed 's/^/  /' >&2
