// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_rdmsr - print an MSR of one CPU as the guest reads it, through the
 * msr driver (/dev/cpu/N/msr, offset = MSR number), for comparison with
 * what gdb shows over hvgdb.
 *
 *   gdb_rdmsr CPU MSR      prints 0x<value>
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[64];
	uint64_t v;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: gdb_rdmsr CPU MSR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/cpu/%ld/msr", strtol(argv[1], NULL, 0));
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &v, sizeof(v), (off_t)strtoull(argv[2], NULL, 0)) !=
	    (ssize_t)sizeof(v)) {
		perror(path);
		return 1;
	}
	printf("0x%" PRIx64 "\n", v);
	return 0;
}
