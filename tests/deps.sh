#!/bin/sh
# Install the Debian 12 packages hvgdb's build and tests need.
# As root: installs what is missing.  Otherwise: prints the apt-get line and
# exits 1.  `tests/deps.sh --check` only reports (exit 1 when something is
# missing).  The kernel image and headers come as one matching pair: the
# linux-image-amd64 / linux-headers-amd64 metapackages pin the same version.
set -u
PKGS="build-essential make gcc clang libclang-rt-14-dev lldb gdb binutils
python3 python3-pytest libc6-i386 lib32stdc++6
libcmocka-dev libcapstone-dev
linux-image-amd64 linux-headers-amd64 kmod
bochs bochsbios vgabios busybox-static isolinux syslinux-common xorriso cpio
xz-utils zstd qemu-system-x86 bpftool"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

# A headers package without its image (or the reverse) is useless to the VM.
if [ -z "$missing" ] && [ -z "$(sh "$(dirname "$0")/../kmod/kdir.sh")" ]; then
	missing=" linux-image-amd64 linux-headers-amd64"
fi

[ -z "$missing" ] && exit 0
line="apt-get install -y --no-install-recommends$missing"
if [ "${1:-}" = "--check" ]; then
	echo "deps: missing:$missing" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages; as root run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing || exit 1
exec "$0" --check
