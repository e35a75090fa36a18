/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_opts.h - the options the guest test programs take before their
 * operation: `--wait FILE` (start once FILE exists, so a test can release
 * several programs together), `--cpu N` (pin to CPU N), and, for programs
 * that loop, `--until FILE` (stop once FILE exists).
 */
#ifndef HVGDB_TESTS_GUEST_OPTS_H
#define HVGDB_TESTS_GUEST_OPTS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Consume the options from argv[*a]; *a ends at the operation.  @until
 * gets --until's FILE; NULL: the program takes no --until.  Returns 0, 1
 * when pinning failed (said on stderr), 2 for an option it does not know.
 */
static inline int guest_opts(int argc, char **argv, int *a,
			     const char **until)
{
	while (*a + 1 < argc && argv[*a][0] == '-') {
		const char *opt = argv[*a], *val = argv[*a + 1];

		if (!strcmp(opt, "--wait")) {
			while (access(val, F_OK))
				usleep(10000);
		} else if (until && !strcmp(opt, "--until")) {
			*until = val;
		} else if (!strcmp(opt, "--cpu")) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(strtoul(val, NULL, 0), &set);
			if (sched_setaffinity(0, sizeof(set), &set)) {
				perror("sched_setaffinity");
				return 1;
			}
		} else {
			fprintf(stderr, "%s: unknown option %s\n", argv[0], opt);
			return 2;
		}
		*a += 2;
	}
	return 0;
}

#endif /* HVGDB_TESTS_GUEST_OPTS_H */
