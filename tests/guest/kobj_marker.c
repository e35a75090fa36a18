// SPDX-License-Identifier: GPL-2.0
/*
 * kobj_marker - a process for tests/vm/test_kobj.py: puts a marker string
 * in its heap, starts two threads that sleep, prints
 * "pid=<pid> heap=<address> marker=<text>" and sleeps until killed.  The
 * marker holds the pid, so no other process has it by chance.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	char *heap = malloc(4096);
	pthread_t t[2];
	int i;

	if (!heap)
		return 1;
	snprintf(heap, 4096, "hvgdb-heap-marker-%d", (int)getpid());
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, sleeper, NULL))
			return 1;
	printf("pid=%d heap=%p marker=%s\n", (int)getpid(), (void *)heap,
	       heap);
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}
