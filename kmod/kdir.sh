#!/bin/sh
# Print the kernel build directory hvgdb.ko is built against.
# The running kernel's when its headers exist; otherwise the newest Debian
# linux-headers-*-amd64 whose matching linux-image (/boot/vmlinuz-VER) is
# installed, since the test VM boots that image (build machines run a kernel
# that is not Debian's).  Prints nothing when none is found.
r=$(uname -r)
if [ -d "/lib/modules/$r/build" ]; then
	echo "/lib/modules/$r/build"
	exit 0
fi
for d in $(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V -r); do
	v=${d#/usr/src/linux-headers-}
	if [ -f "/boot/vmlinuz-$v" ]; then
		echo "$d"
		exit 0
	fi
done
exit 0
