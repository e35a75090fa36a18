// SPDX-License-Identifier: GPL-2.0
/*
 * mon_search.c - HyperDbg's memory searches at a stop: sb/sd/sq over the
 * virtual memory of gdb's selected CPU (its page tables, as gdb's x), and
 * !sb/!sd/!sq over physical memory.  monitor-cmds/cmd_search.c parses;
 * gdbstub/rsp_search.c searches, as it does for gdb's qSearch:memory.
 *
 * Pages that cannot be read are stepped over and counted in the reply:
 * unmapped ones (virtual), and for physical memory everything that is not
 * System RAM.  Device memory is never searched: reads of device registers
 * can have side effects (!db reads it, a page at a time, when asked).
 *
 * Context: VMX root on the link's holder while every CPU is halted
 * (hv_mon_command()); the window is static, used by that CPU alone.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/gdb_cpu.h"
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_search.h"
#include "gdbstub/gdbstub.h"
#include "gdbstub/rsp_search.h"

static u8 mon_search_win[2 * RSP_SEARCH_PAGE];
static u8 mon_search_pat[CMD_EDIT_MAX * 8];

/* gdb gives up on a reply after `remotetimeout` (2 s by default): a long
 * search sends an empty O packet every half second (in Bochs 256 MiB
 * take minutes). */
#define MON_SEARCH_ALIVE_MS	500

struct mon_search_alive {
	struct rsp_output *out;
	u64 last, period;	/* TSC */
};

static void mon_search_tick(void *ctx)
{
	struct mon_search_alive *a = ctx;
	u64 now = rdtsc();

	if (now - a->last < a->period)
		return;
	a->last = now;
	rsp_output_keepalive(a->out);
}

static long mon_search_virt(void *ctx, u64 addr, u8 *buf, size_t len)
{
	return hv_gdb_read_virt(ctx, addr, buf, len);
}

/* System RAM through the direct map, a page at a time; else a hole. */
static long mon_search_phys(void *ctx, u64 addr, u8 *buf, size_t len)
{
	size_t n = min_t(u64, len, RSP_SEARCH_PAGE -
			 (addr & (RSP_SEARCH_PAGE - 1)));
	const void *p = hv_gdb_phys(addr, n);

	if (!p)
		return -RSP_EFAULT;
	memcpy(buf, p, n);
	return (long)n;
}

int mon_search(const struct cmd_parsed *p, struct rsp_output *out)
{
	struct mon_search_alive alive = {
		.out = out, .last = rdtsc(),
		.period = (hv.timer.tsc_per_ms ? hv.timer.tsc_per_ms :
			   tsc_khz) * MON_SEARCH_ALIVE_MS,
	};
	struct rsp_search s = {
		.pat = mon_search_pat, .win = mon_search_win,
		.win_size = sizeof(mon_search_win), .skip_faults = true,
		.tick = mon_search_tick, .tick_ctx = &alive,
	};
	u64 at = p->addr, end = p->addr + (p->span - 1), skipped = 0, hit;
	u32 hits = 0;
	struct cmd_out o;
	char b[32];
	int r;

	s.plen = cmd_search_pattern(p, mon_search_pat, sizeof(mon_search_pat));
	if (p->phys) {
		s.read = mon_search_phys;
	} else {
		int cpu = hv_gdb_selected_cpu();

		s.ctx = cpu >= 0 ? hv_gdb_cpu_state(cpu) : NULL;
		if (!s.ctx) {
			mon_printf(out, "hvgdb: the selected thread's CPU is not halted\n");
			return -RSP_EIO;
		}
		s.read = mon_search_virt;
	}
	/* [at, end] inclusive, so a range that ends at 2^64 - 1 works. */
	for (;;) {
		r = rsp_search_mem(&s, at, end - at + 1, &hit);
		skipped += s.skipped;
		if (r < 0) {
			mon_printf(out, "search at %llx failed (%d)\n", at, r);
			return -RSP_EIO;
		}
		if (!r)
			break;
		if (hits == CMD_SEARCH_HITS) {
			mon_printf(out, "stopped after 0x%x matches: search again from %llx\n",
				       hits, hit);
			break;
		}
		cmd_out_init(&o, b, sizeof(b));
		cmd_fmt_search_hit(&o, hit);
		rsp_output_write(out, o.buf, o.len);
		hits++;
		if (hit == end)
			break;
		/* The next call starts past every page this one skipped. */
		at = hit + 1;
	}
	if (!hits)
		mon_printf(out, "not found\n");
	if (skipped)
		mon_printf(out, "0x%llx pages skipped: %s\n", skipped,
			       p->phys ? "not System RAM (device memory is not searched)" :
			       "not mapped");
	return 0;
}
