#!/bin/sh
# deps.sh --
#
#	Install what building and testing this extension needs on Debian or
#	Ubuntu, using apt-get.  A no-op when everything is present, so the
#	README commands can run it every time.  Needs root (or sudo) only
#	when something is actually missing.

set -e

# package:command-or-file that proves it is installed (py=module: a
# python3 module that imports)
need="
tcl-dev:/usr/include/tcl8.6/tcl.h
tcl:tclsh
libdbus-1-dev:/usr/include/dbus-1.0/dbus/dbus.h
dbus-daemon:dbus-daemon
dbus-bin:dbus-send
autoconf:autoconf
make:make
gcc:gcc
pkg-config:pkg-config
libglib2.0-bin:gdbus
systemd:busctl
python3-dbus:/usr/lib/python3/dist-packages/dbus/__init__.py
python3-gi:/usr/lib/python3/dist-packages/gi/__init__.py
valgrind:valgrind
tcl-thread:/usr/share/doc/tcl-thread/copyright
procps:pgrep
binutils:nm
python3-tk:py=tkinter
qdbus-qt5:/usr/lib/qt5/bin/qdbus
"

missing=""
for item in $need; do
    pkg=${item%%:*}
    what=${item#*:}
    case "$what" in
	/*) [ -e "$what" ] && continue ;;
	py=*) python3 -c "import ${what#py=}" >/dev/null 2>&1 && continue ;;
	*) command -v "$what" >/dev/null 2>&1 && continue ;;
    esac
    missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: no apt-get here; please install:$missing" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
