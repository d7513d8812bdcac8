#!/bin/sh
# Installs the Debian packages the build and the tests need.
#   utils/install-deps.sh               install everything missing (build + test)
#   utils/install-deps.sh --build-only  only what `make` needs
#   ... --check                         exit 0 if nothing is missing, 1 otherwise (installs nothing)
# Runs apt-get as root, or through sudo; otherwise prints the command to run.
set -e
BUILD_PKGS="build-essential pkg-config libjemalloc-dev liblzf-dev libedit-dev libssl-dev libsystemd-dev liblua5.1-0-dev"
TEST_PKGS="python3 python3-pytest python3-redis redis-server redis-tools tmux procps"
pkgs="$BUILD_PKGS $TEST_PKGS"
check=0
for arg in "$@"; do
    case "$arg" in
        --build-only) pkgs="$BUILD_PKGS" ;;
        --check) check=1 ;;
        *) echo "usage: $0 [--build-only] [--check]" >&2; exit 2 ;;
    esac
done

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "$check" = 1 ] && exit 1

echo "Installing missing packages:$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "Please run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing >/dev/null
# Debian's redis-server package may start a service on 6379; the tests never use it.
