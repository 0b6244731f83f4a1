#!/usr/bin/env bash
# build.sh — installs the Debian packages the benchmarks need (only those
# that are missing) and builds every server and the load generator into
# $SIGLOOP_BENCH_BIN (default /tmp/sigloop-bench-bin), never into the tree.
#
#   bench/build.sh
#   SIGLOOP_BENCH_BIN=/tmp/x bench/build.sh
#
# Produces:
#   loadgen               the load generator run.sh drives (bench/loadgen)
#   go_echo_server        plain net.Listener echo server, the "raw Go" floor
#   glib_echo_server      GLib GSocketService / GThreadedSocketService echo
#   qt_local_echo_server  Qt 5 QLocalServer echo
#   sigloop_gioecho       sigloop's gio echo server: demo/gioecho if the tree
#                         has it (--socket, default SocketService, --threaded),
#                         else cmd/anchor-gio-echo (Socket accept source)
#   sigloop_localecho     sigloop's qtnet echo server (demo/localecho), if the
#                         tree has it
# Next to each sigloop binary, NAME.src names the package it was built from
# (run.sh reads it to know which flavours the binary has).
#
# Packages: libglib2.0-dev qtbase5-dev qtbase5-dev-tools pkg-config g++
# (the servers) and python3-matplotlib (plot.py). Installing needs root or
# sudo; if another process holds the apt/dpkg lock, it waits and retries.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="${SIGLOOP_BENCH_BIN:-/tmp/sigloop-bench-bin}"
CC="${CC:-gcc}"
CXX="${CXX:-g++}"
CFLAGS="${CFLAGS:--O2 -g -Wall -Wextra -Wno-unused-parameter}"
CXXFLAGS="${CXXFLAGS:--O2 -g -Wall -Wextra -std=c++17}"

# ---- 1. Debian packages -------------------------------------------------------
PKGS=(libglib2.0-dev qtbase5-dev qtbase5-dev-tools pkg-config g++ python3-matplotlib)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "build.sh: installing ${missing[*]}"
  SUDO=""
  [[ "$(id -u)" -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # DPkg::Lock::Timeout makes apt wait for a lock another process holds;
  # the loop retries (after an update, in case the lists are stale).
  apt_install() { $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"; }
  ok=0
  for attempt in 1 2 3 4 5; do
    if apt_install; then ok=1; break; fi
    echo "build.sh: apt-get install failed (attempt $attempt); waiting, then retrying" >&2
    sleep 10
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq || true
  done
  ((ok)) || { echo "build.sh: could not install ${missing[*]}" >&2; exit 1; }
fi

# ---- 2. Go toolchain -------------------------------------------------------------
GO="$(command -v go || true)"
[[ -n "$GO" ]] || GO=/usr/local/go/bin/go
[[ -x "$GO" ]] || { echo "build.sh: no Go toolchain found" >&2; exit 1; }
export GOTOOLCHAIN=local # never download a toolchain

mkdir -p "$OUT"
rm -f "$OUT"/sigloop_*  # a binary from an older tree must not stay behind

# ---- 3. GLib and Qt servers (Debian's Qt 5 is built with -reduce-relocations: -fPIC) --
echo "build.sh: glib_echo_server (glib $(pkg-config --modversion glib-2.0))"
# shellcheck disable=SC2046  # pkg-config output must be word-split
$CC $CFLAGS -o "$OUT/glib_echo_server" "$HERE/servers/glib_echo_server.c" \
  $(pkg-config --cflags --libs gio-2.0)
echo "build.sh: qt_local_echo_server (Qt $(pkg-config --modversion Qt5Core))"
# shellcheck disable=SC2046
$CXX $CXXFLAGS -fPIC -o "$OUT/qt_local_echo_server" "$HERE/servers/qt_local_echo_server.cpp" \
  $(pkg-config --cflags --libs Qt5Network)

# ---- 4. Go programs ------------------------------------------------------------------
echo "build.sh: loadgen, go_echo_server ($("$GO" version | cut -d' ' -f3))"
cd "$ROOT"
"$GO" build -o "$OUT/loadgen" ./bench/loadgen
"$GO" build -o "$OUT/go_echo_server" ./bench/servers/go_echo_server

# build_sigloop NAME PKG... — builds the first PKG that exists as NAME.
build_sigloop() {
  local name="$1" pkg
  shift
  for pkg in "$@"; do
    if [[ -d "$ROOT/$pkg" ]]; then
      echo "build.sh: $name from $pkg"
      "$GO" build -o "$OUT/$name" "./$pkg"
      echo "$pkg" >"$OUT/$name.src"
      return
    fi
  done
  echo "build.sh: $name: none of $* in this tree; its targets are skipped"
}
build_sigloop sigloop_gioecho demo/gioecho cmd/anchor-gio-echo
build_sigloop sigloop_localecho demo/localecho

echo "build.sh: done; binaries in $OUT:"
ls -1 "$OUT" | sed 's/^/  /'
