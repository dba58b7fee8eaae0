#!/bin/sh
# deps.sh --
#
#	Install what this extension needs on Debian or Ubuntu, using
#	apt-get.  A no-op when everything is present, so the README commands
#	can run it every time.  Needs root (or sudo) only when something is
#	actually missing.
#
#	sh unix/deps.sh		what building needs (and dbus-daemon, for
#				make demo and for any use of the library)
#	sh unix/deps.sh --test	that, plus everything the test suite uses:
#				the peers it talks to (dbus-send, gdbus,
#				busctl, python3 libraries, qdbus), the
#				desktop programs (playerctl, dunst, Tk,
#				Xvfb, ...), valgrind
#
#	Each list entry is package:proof, where proof is an absolute path
#	that exists once the package is installed, a command on PATH, or
#	py=module, a module that /usr/bin/python3 (the one apt-get serves,
#	and the one the tests run) imports.  Add build dependencies to
#	"build", anything only tests or CI use to "test".

set -e

build="
tcl-dev:/usr/include/tcl8.6/tcl.h
tcl:tclsh
libdbus-1-dev:/usr/include/dbus-1.0/dbus/dbus.h
libexpat1-dev:/usr/include/expat.h
dbus-daemon:dbus-daemon
autoconf:autoconf
make:make
gcc:gcc
pkg-config:pkg-config
"

test="
dbus-bin:dbus-send
libglib2.0-bin:gdbus
libglib2.0-dev:/usr/include/glib-2.0/gio/gio.h
systemd:busctl
python3-dbus:/usr/lib/python3/dist-packages/dbus/__init__.py
python3-gi:/usr/lib/python3/dist-packages/gi/__init__.py
valgrind:valgrind
tcl-thread:/usr/share/doc/tcl-thread/copyright
tcl-expect:/usr/share/doc/tcl-expect/copyright
procps:pgrep
binutils:nm
python3-tk:py=tkinter
qdbus-qt5:/usr/lib/qt5/bin/qdbus
tk:wish
xvfb:Xvfb
x11-utils:xwininfo
xdotool:xdotool
playerctl:playerctl
dunst:dunst
libnotify-bin:notify-send
clang:clang
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
"

case "$1" in
    "") need=$build ;;
    --test) need="$build $test" ;;
    *)	echo "usage: sh unix/deps.sh ?--test?" >&2
	exit 2 ;;
esac

missing=""
for item in $need; do
    pkg=${item%%:*}
    what=${item#*:}
    case "$what" in
	/*) [ -e "$what" ] && continue ;;
	py=*) /usr/bin/python3 -c "import ${what#py=}" >/dev/null 2>&1 && continue ;;
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
# apt-get and debconf talk a lot (progress, "delaying package
# configuration" and the like): keep it in a log, show it on failure.
# DEBIAN_FRONTEND goes through env because sudo resets the environment.
log=$(mktemp)
apt() {
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -qq \
	-o Dpkg::Use-Pty=0 "$@" >>"$log" 2>&1 </dev/null
}
if apt update && apt install -y --no-install-recommends $missing; then
    rm -f "$log"
    echo "deps.sh: done"
else
    cat "$log" >&2
    rm -f "$log"
    echo "deps.sh: apt-get failed (output above)" >&2
    exit 1
fi
