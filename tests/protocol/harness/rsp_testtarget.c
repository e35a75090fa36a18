// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_testtarget.c - TEST DOUBLE: a simulated multi-CPU target served by
 * the gdbstub engine over TCP, so stock gdb, gdb/MI and lldb can exercise
 * the protocol.  It exists to test the protocol, not to stand in for
 * hvgdb.ko: no VMX, no real memory.
 *
 * Simulation:
 *  - N CPUs (threads 1..N), each with a full register file.
 *  - Sparse memory: CODE (64 KiB of 4-byte "nopl 0x0(%rax)"), DATA (1 MiB)
 *    and STACK (64 KiB); everything else is unmapped (memory fault).
 *  - Physical memory (QEMU's PhyMemMode: read_phys/write_phys): the same
 *    three regions at other addresses, as a kernel maps them: DATA at
 *    0x100000 (its direct map), CODE at 0x1000000, STACK at 0x3000000.
 *    SIM_PHYS_TEXT is at physical 0x107000 (virtual DATA + 0x7000).
 *  - Each instruction advances rip by 4 and wraps inside CODE.  The
 *    instruction at offset 0x40 of every 256-byte block stores a counter
 *    to SIM_WVAR (8 bytes); the one at 0x80 loads 8 bytes from SIM_RVAR.
 *  - Z0/Z1 breakpoints hit before the instruction at their address; Z2-Z4
 *    watchpoints hit after the access.  Z1-Z4 share 4 slots, like DR0-3.
 *  - monitor "fwrite PATH N": at the next continue, before running, the
 *    target opens PATH on gdb's machine and appends N numbered lines
 *    ("fio line 000000\n", 64 per Fwrite) through File-I/O requests;
 *    "fwrite" alone says what gdb answered last time.
 *  - monitor ".output spool PATH", ".output create NAME", ".output tap
 *    on|off", ".kv .output" as hvgdb.ko answers them, and "emit ID NAME
 *    N" (NAME "-" for a console line): at the next continue, N records
 *    "0x<ID> NAME NAME-line <i>" appended to the spool (File-I/O), as
 *    hvgdb.ko forwards event output.
 *  - monitor: "echo TEXT", "big N" (N bytes of numbered lines), "slow N"
 *    (N lines, one every 300 ms), "fail" and "fail TEXT" (a refusal: the
 *    text, then an error reply), "laststep" (the thread and the
 *    qemu.sstep flags of the last step), "help", ".help" (a command list
 *    in hvgdb.ko's layout).
 *  - Detaching or dropping the connection lets the CPUs run until the next
 *    connection, which halts them again (like the module).
 *
 * Options: --port P (0 = any; prints PORT=<n>), --cpus N, --unreliable (no
 * QStartNoAckMode), --no-rle, --stats FILE (wire counters, rewritten after
 * every transfer), --lifetime S (exit after S seconds; default 300),
 * --btf-blob FILE (the qXfer object hvgdb-btf: FILE's bytes; without it
 * the object answers E02), --btf-busy (it answers E0b: still being made).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub/gdbstub.h"

#define SIM_CODE	0xffffffff81000000ULL
#define SIM_CODE_SIZE	0x10000ULL
#define SIM_DATA	0xffff888000100000ULL
#define SIM_DATA_SIZE	0x100000ULL
#define SIM_STACK	0xffffc90000000000ULL
#define SIM_STACK_SIZE	0x10000ULL
#define SIM_WVAR	(SIM_DATA + 0x1000)
#define SIM_RVAR	(SIM_DATA + 0x2000)
#define SIM_CODE_PHYS	0x1000000ULL
#define SIM_DATA_PHYS	0x100000ULL
#define SIM_STACK_PHYS	0x3000000ULL
#define SIM_PHYS_TEXT_OFF	0x7000ULL	/* in DATA: physical 0x107000 */
#define SIM_PHYS_TEXT	"hvgdb test target: physical 0x107000"
#define SIM_INSN_LEN	4
#define SIM_MAX_CPUS	8
#define SIM_MAX_SW	64
#define SIM_HW_SLOTS	4

struct sim_region {
	u64 base, size;
	u8 *mem;
	u64 phys;		/* physical address of mem[0] */
};

struct sim_hw {
	bool used;
	enum rsp_bp_type type;
	u64 addr;
	u32 len;
};

struct sim {
	int ncpus;
	u8 regs[SIM_MAX_CPUS][RSP_G_BYTES];
	struct sim_region reg[3];
	u64 sw[SIM_MAX_SW];
	int nsw;
	struct sim_hw hw[SIM_HW_SLOTS];
	u64 counter;
	u64 steps;		/* single steps run */
	int last_step_tid;
	u32 last_step_flags;	/* rsp_resume.sstep_flags of that step */
	/* monitor fwrite: lines to write through File-I/O at the next
	 * continue, and what gdb answered. */
	char fio_path[256];
	long fio_lines;
	char fio_result[128];
	/* ".output spool PATH" and "emit ID NAME N": forwarded records as
	 * hvgdb.ko writes them (monitor-cmds/event_forward.h). */
	char spool[256];
	char emit[8][64];	/* "0x<id> <name> " tags */
	long emit_n[8];
	int nemit;
	bool tap;
};

struct tcp_tr {
	int fd;
	bool closed;
	u8 buf[4096];
	size_t len, pos;
	u64 rx_bytes, tx_bytes, rx_pkts, tx_pkts;
	const char *stats;
};

/* --- simulated registers and memory ------------------------------------- */

static u64 reg_get(struct sim *s, int cpu, int regno)
{
	u64 v = 0;

	memcpy(&v, s->regs[cpu] + rsp_reg_offset(regno),
	       rsp_reg_size(regno) < 8 ? rsp_reg_size(regno) : 8);
	return v;
}

static void reg_set(struct sim *s, int cpu, int regno, u64 v)
{
	memcpy(s->regs[cpu] + rsp_reg_offset(regno), &v,
	       rsp_reg_size(regno) < 8 ? rsp_reg_size(regno) : 8);
}

static struct sim_region *region_of(struct sim *s, u64 addr)
{
	int i;

	for (i = 0; i < 3; i++)
		if (addr >= s->reg[i].base &&
		    addr - s->reg[i].base < s->reg[i].size)
			return &s->reg[i];
	return NULL;
}

static struct sim_region *region_of_phys(struct sim *s, u64 pa)
{
	int i;

	for (i = 0; i < 3; i++)
		if (pa >= s->reg[i].phys && pa - s->reg[i].phys < s->reg[i].size)
			return &s->reg[i];
	return NULL;
}

static void sim_init(struct sim *s, int ncpus)
{
	u64 i;
	int c, r;

	memset(s, 0, sizeof(*s));
	s->ncpus = ncpus;
	s->reg[0] = (struct sim_region){ SIM_CODE, SIM_CODE_SIZE,
					 calloc(1, SIM_CODE_SIZE),
					 SIM_CODE_PHYS };
	s->reg[1] = (struct sim_region){ SIM_DATA, SIM_DATA_SIZE,
					 calloc(1, SIM_DATA_SIZE),
					 SIM_DATA_PHYS };
	s->reg[2] = (struct sim_region){ SIM_STACK, SIM_STACK_SIZE,
					 calloc(1, SIM_STACK_SIZE),
					 SIM_STACK_PHYS };
	for (i = 0; i < SIM_CODE_SIZE; i += 4)
		memcpy(s->reg[0].mem + i, "\x0f\x1f\x40\x00", 4);
	memcpy(s->reg[1].mem + SIM_PHYS_TEXT_OFF, SIM_PHYS_TEXT,
	       sizeof(SIM_PHYS_TEXT));
	for (c = 0; c < ncpus; c++) {
		for (r = RSP_REG_RAX; r <= RSP_REG_R15; r++)
			reg_set(s, c, r, 0x1111111111111111ULL * (r + 1) + c);
		reg_set(s, c, RSP_REG_RIP, SIM_CODE + 0x1000 * c);
		reg_set(s, c, RSP_REG_RSP,
			SIM_STACK + SIM_STACK_SIZE - 0x100 - 0x1000 * c);
		reg_set(s, c, RSP_REG_RBP,
			SIM_STACK + SIM_STACK_SIZE - 0x80 - 0x1000 * c);
		reg_set(s, c, RSP_REG_EFLAGS, 0x246);
		reg_set(s, c, RSP_REG_CS, 0x10);
		reg_set(s, c, RSP_REG_SS, 0x18);
		reg_set(s, c, RSP_REG_FCTRL, 0x37f);
		reg_set(s, c, RSP_REG_MXCSR, 0x1f80);
		reg_set(s, c, RSP_REG_FS_BASE, 0x7f0000001000ULL + c);
		reg_set(s, c, RSP_REG_GS_BASE, 0xffff88807fc00000ULL + c);
		reg_set(s, c, RSP_REG_K_GS_BASE, 0x7f0000002000ULL + c);
		reg_set(s, c, RSP_REG_CR0, 0x80050033);
		reg_set(s, c, RSP_REG_CR2, 0x7f0000003000ULL);
		reg_set(s, c, RSP_REG_CR3, 0x10a000ULL + 0x1000 * c);
		reg_set(s, c, RSP_REG_CR4, 0x3506f0);
		reg_set(s, c, RSP_REG_EFER, 0xd01);
		reg_set(s, c, RSP_REG_DR6, 0xffff0ff0);
		reg_set(s, c, RSP_REG_DR7, 0x400);
		for (r = 0; r < 16; r++)
			memset(s->regs[c] + rsp_reg_offset(RSP_REG_XMM0 + r),
			       0x10 * r + c, 16);
	}
}

/* --- target operations -------------------------------------------------- */

static int tgt_read_reg(void *ctx, int tid, int regno, u8 *buf)
{
	struct sim *s = ctx;

	if (tid < 1 || tid > s->ncpus)
		return -RSP_ESRCH;
	memcpy(buf, s->regs[tid - 1] + rsp_reg_offset(regno),
	       rsp_reg_size(regno));
	return 0;
}

static int tgt_write_reg(void *ctx, int tid, int regno, const u8 *buf)
{
	struct sim *s = ctx;

	if (tid < 1 || tid > s->ncpus)
		return -RSP_ESRCH;
	memcpy(s->regs[tid - 1] + rsp_reg_offset(regno), buf,
	       rsp_reg_size(regno));
	return 0;
}

static long tgt_read_mem(void *ctx, int tid, u64 addr, u8 *buf, size_t len)
{
	struct sim *s = ctx;
	size_t done = 0;

	(void)tid;
	/* Partial reads return what was readable, as the module will. */
	while (done < len) {
		struct sim_region *r = region_of(s, addr + done);
		size_t k;

		if (!r)
			break;
		k = r->base + r->size - (addr + done);
		if (k > len - done)
			k = len - done;
		memcpy(buf + done, r->mem + (addr + done - r->base), k);
		done += k;
	}
	return done ? (long)done : -RSP_EFAULT;
}

static int tgt_write_mem(void *ctx, int tid, u64 addr, const u8 *buf,
			 size_t len)
{
	struct sim *s = ctx;
	struct sim_region *r = region_of(s, addr);

	(void)tid;
	if (!r || addr + len - r->base > r->size)
		return -RSP_EFAULT;
	memcpy(r->mem + (addr - r->base), buf, len);
	return 0;
}

/* Physical memory: the regions again, at their physical addresses. */
static long tgt_read_phys(void *ctx, u64 addr, u8 *buf, size_t len)
{
	struct sim *s = ctx;
	size_t done = 0;

	while (done < len) {
		struct sim_region *r = region_of_phys(s, addr + done);
		size_t k;

		if (!r)
			break;
		k = r->phys + r->size - (addr + done);
		if (k > len - done)
			k = len - done;
		memcpy(buf + done, r->mem + (addr + done - r->phys), k);
		done += k;
	}
	return done ? (long)done : -RSP_EFAULT;
}

static int tgt_write_phys(void *ctx, u64 addr, const u8 *buf, size_t len)
{
	struct sim *s = ctx;
	struct sim_region *r = region_of_phys(s, addr);

	if (!r || addr + len - r->phys > r->size)
		return -RSP_EFAULT;
	memcpy(r->mem + (addr - r->phys), buf, len);
	return 0;
}

static int tgt_insert_bp(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct sim *s = ctx;
	int i;

	if (type == RSP_BP_SW) {
		if (!region_of(s, addr))
			return -RSP_EFAULT;
		if (s->nsw == SIM_MAX_SW)
			return -RSP_ENOSPC;
		s->sw[s->nsw++] = addr;
		return 0;
	}
	if (type != RSP_BP_HW && kind != 1 && kind != 2 && kind != 4 &&
	    kind != 8)
		return -RSP_EINVAL;
	for (i = 0; i < SIM_HW_SLOTS; i++) {
		if (!s->hw[i].used) {
			s->hw[i] = (struct sim_hw){ true, type, addr, kind };
			return 0;
		}
	}
	return -RSP_ENOSPC;	/* like a 5th debug register */
}

static int tgt_remove_bp(void *ctx, enum rsp_bp_type type, u64 addr, u32 kind)
{
	struct sim *s = ctx;
	int i;

	if (type == RSP_BP_SW) {
		for (i = 0; i < s->nsw; i++) {
			if (s->sw[i] == addr) {
				s->sw[i] = s->sw[--s->nsw];
				return 0;
			}
		}
		return -RSP_EINVAL;
	}
	for (i = 0; i < SIM_HW_SLOTS; i++) {
		if (s->hw[i].used && s->hw[i].type == type &&
		    s->hw[i].addr == addr && s->hw[i].len == kind) {
			s->hw[i].used = false;
			return 0;
		}
	}
	return -RSP_EINVAL;
}

static const char *const sim_names[SIM_MAX_CPUS] = {
	"CPU 1: bash [412]", "CPU 2: kworker/1:0 <&>", "CPU 3: swapper/2 [0]",
	"CPU 4: sshd [733]", "CPU 5: idle", "CPU 6: idle", "CPU 7: idle",
	"CPU 8: idle",
};

static int tgt_thread_info(void *ctx, int idx, struct rsp_thread_info *out)
{
	struct sim *s = ctx;

	if (idx < 0 || idx >= s->ncpus)
		return -RSP_ESRCH;
	out->tid = idx + 1;
	out->core = idx;
	snprintf(out->name, sizeof(out->name), "%s", sim_names[idx]);
	return 0;
}

static int tgt_monitor(void *ctx, const char *cmd, struct rsp_output *out)
{
	struct sim *s = ctx;
	char line[128];

	if (!strncmp(cmd, "echo ", 5)) {
		rsp_output_write(out, cmd + 5, strlen(cmd + 5));
		rsp_output_write(out, "\n", 1);
		return 0;
	}
	if (!strncmp(cmd, "big ", 4)) {
		long n = strtol(cmd + 4, NULL, 0), done = 0, i = 0;

		/* Lines of 32 bytes: "big-output line 000000 ........\n". */
		while (done < n) {
			int k = snprintf(line, sizeof(line),
					 "big-output line %06ld ........\n", i++);

			if (k > n - done)
				k = (int)(n - done);
			rsp_output_write(out, line, (size_t)k);
			done += k;
		}
		return 0;
	}
	if (!strncmp(cmd, "slow ", 5)) {
		long n = strtol(cmd + 5, NULL, 0), i;

		/* One line every 300 ms, flushed: gdb must show each at once. */
		for (i = 0; i < n; i++) {
			int k = snprintf(line, sizeof(line), "tick %ld\n", i);

			rsp_output_write(out, line, (size_t)k);
			rsp_output_flush(out);
			usleep(300000);
		}
		return 0;
	}
	if (!strcmp(cmd, "fail")) {
		const char *m = "error: the test target refuses this command\n";

		rsp_output_write(out, m, strlen(m));
		return -RSP_EINVAL;
	}
	if (!strncmp(cmd, "fail ", 5)) {
		/* A refusal in the caller's words, as hvgdb.ko's
		 * "column N: expected ..." (gdb-python's MonitorError). */
		rsp_output_write(out, cmd + 5, strlen(cmd + 5));
		rsp_output_write(out, "\n", 1);
		return -RSP_EINVAL;
	}
	if (!strncmp(cmd, "fwrite ", 7)) {
		char *sp = strrchr(cmd, ' ');

		snprintf(s->fio_path, sizeof(s->fio_path), "%.*s",
			 (int)(sp - cmd - 7), cmd + 7);
		s->fio_lines = strtol(sp + 1, NULL, 0);
		return 0;
	}
	if (!strncmp(cmd, ".output spool ", 14)) {
		snprintf(s->spool, sizeof(s->spool), "%s", cmd + 14);
		snprintf(line, sizeof(line), "spool: %.100s\n", s->spool);
		rsp_output_write(out, line, strlen(line));
		return 0;
	}
	if (!strncmp(cmd, ".output create ", 15)) {
		snprintf(line, sizeof(line), "output '%.60s' created\n",
			 cmd + 15);
		rsp_output_write(out, line, strlen(line));
		return 0;
	}
	if (!strncmp(cmd, ".output tap ", 12)) {
		s->tap = !strcmp(cmd + 12, "on");
		snprintf(line, sizeof(line), "tap: %s\n", s->tap ? "on" : "off");
		rsp_output_write(out, line, strlen(line));
		return 0;
	}
	if (!strcmp(cmd, ".kv .output")) {
		char kv[256];

		snprintf(kv, sizeof(kv), "spool path=\"%.60s\" open=1 "
			 "tap=%d forwarded=0x0 lost_full=0x0 lost_write=0x0 "
			 "error=0x0\n", s->spool, s->tap);
		rsp_output_write(out, kv, strlen(kv));
		return 0;
	}
	if (!strncmp(cmd, "emit ", 5) && s->nemit < 8) {
		unsigned id;
		char name[40];
		long n;

		if (sscanf(cmd + 5, "%x %39s %ld", &id, name, &n) != 3)
			return -RSP_EINVAL;
		snprintf(s->emit[s->nemit], sizeof(s->emit[0]), "0x%x %s ",
			 id, name);
		s->emit_n[s->nemit++] = n;
		return 0;
	}
	if (!strcmp(cmd, "fwrite")) {
		rsp_output_write(out, s->fio_result, strlen(s->fio_result));
		rsp_output_write(out, "\n", 1);
		return 0;
	}
	if (!strcmp(cmd, "laststep")) {
		int k = s->steps ?
			snprintf(line, sizeof(line), "last step: thread %d, "
				 "sstep flags 0x%x, %llu steps\n",
				 s->last_step_tid, s->last_step_flags,
				 (unsigned long long)s->steps) :
			snprintf(line, sizeof(line), "no step yet\n");

		rsp_output_write(out, line, (size_t)k);
		return 0;
	}
	if (!strcmp(cmd, ".help")) {
		/* The layout of hvgdb.ko's .help (monitor-cmds/cmd_exec.c),
		 * from which gdb-python's `hv` takes its command names. */
		const char *m = "test target monitor commands:\n"
			"  echo        TEXT back\n"
			"  big         N bytes of numbered lines\n"
			"  slow        N lines, one every 300 ms\n"
			"  fail        [TEXT]: TEXT (or a refusal), then an error\n"
			"  laststep    the last step's thread and flags\n"
			"  .help       this list\n";

		rsp_output_write(out, m, strlen(m));
		return 0;
	}
	if (!strcmp(cmd, "help")) {
		const char *m = "test target: echo TEXT | big N | slow N | "
				"fail [TEXT] | laststep | help | .help\n";

		rsp_output_write(out, m, strlen(m));
		return 0;
	}
	snprintf(line, sizeof(line), "unknown command: %.80s\n", cmd);
	rsp_output_write(out, line, strlen(line));
	return -RSP_EINVAL;
}

/* The qXfer object hvgdb-btf (hvgdb.ko: kmod/debug/gdb_btf.c). */
static u8 *btf_blob;
static size_t btf_blob_len;
static bool btf_busy;

static int tgt_btf_blob(void *ctx, const u8 **data, size_t *len)
{
	(void)ctx;
	if (btf_busy)
		return -RSP_EAGAIN;
	if (!btf_blob)
		return -RSP_ENOENT;
	*data = btf_blob;
	*len = btf_blob_len;
	return 0;
}

static int load_btf_blob(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		return -1;
	btf_blob = malloc(n ? n : 1);
	if (!btf_blob || fread(btf_blob, 1, n, f) != (size_t)n)
		return -1;
	btf_blob_len = n;
	fclose(f);
	return 0;
}

static const struct rsp_target_ops sim_ops = {
	.read_reg = tgt_read_reg,
	.write_reg = tgt_write_reg,
	.read_mem = tgt_read_mem,
	.write_mem = tgt_write_mem,
	.insert_bp = tgt_insert_bp,
	.remove_bp = tgt_remove_bp,
	.thread_info = tgt_thread_info,
	.monitor = tgt_monitor,
	.read_phys = tgt_read_phys,
	.write_phys = tgt_write_phys,
	.btf_blob = tgt_btf_blob,
};

/* --- execution ---------------------------------------------------------- */

static bool sim_bp_at(struct sim *s, u64 rip, enum rsp_stop_reason *why)
{
	int i;

	for (i = 0; i < s->nsw; i++) {
		if (s->sw[i] == rip) {
			*why = RSP_STOP_SWBREAK;
			return true;
		}
	}
	for (i = 0; i < SIM_HW_SLOTS; i++) {
		if (s->hw[i].used && s->hw[i].type == RSP_BP_HW &&
		    s->hw[i].addr == rip) {
			*why = RSP_STOP_HWBREAK;
			return true;
		}
	}
	return false;
}

/* A data access; returns true (and fills st) if a watchpoint fires. */
static bool sim_access(struct sim *s, u64 addr, u32 len, bool write,
		       struct rsp_stop *st)
{
	int i;

	for (i = 0; i < SIM_HW_SLOTS; i++) {
		struct sim_hw *h = &s->hw[i];

		if (!h->used || h->type == RSP_BP_HW)
			continue;
		if (addr + len <= h->addr || addr >= h->addr + h->len)
			continue;
		if (h->type == RSP_WP_WRITE && !write)
			continue;
		if (h->type == RSP_WP_READ && write)
			continue;
		st->reason = h->type == RSP_WP_WRITE ? RSP_STOP_WATCH :
			     h->type == RSP_WP_READ ? RSP_STOP_RWATCH :
			     RSP_STOP_AWATCH;
		st->addr = addr > h->addr ? addr : h->addr;
		return true;
	}
	return false;
}

/* Executes one instruction of cpu; true if a watchpoint fired. */
static bool sim_exec(struct sim *s, int cpu, struct rsp_stop *st)
{
	u64 rip = reg_get(s, cpu, RSP_REG_RIP);
	u64 off = (rip - SIM_CODE) & 0xff;
	bool hit = false;
	u64 v;

	if (off == 0x40) {
		v = ++s->counter;
		tgt_write_mem(s, 0, SIM_WVAR, (u8 *)&v, 8);
		hit = sim_access(s, SIM_WVAR, 8, true, st);
	} else if (off == 0x80) {
		tgt_read_mem(s, 0, SIM_RVAR, (u8 *)&v, 8);
		reg_set(s, cpu, RSP_REG_RAX, v);
		hit = sim_access(s, SIM_RVAR, 8, false, st);
	}
	rip += SIM_INSN_LEN;
	if (rip < SIM_CODE || rip >= SIM_CODE + SIM_CODE_SIZE)
		rip = SIM_CODE;
	reg_set(s, cpu, RSP_REG_RIP, rip);
	return hit;
}

/* --- TCP transport ------------------------------------------------------ */

static void tr_stats(struct tcp_tr *t)
{
	FILE *f;

	if (!t->stats)
		return;
	f = fopen(t->stats, "w");
	if (!f)
		return;
	fprintf(f, "rx_bytes=%llu tx_bytes=%llu rx_packets=%llu "
		"tx_packets=%llu\n", (unsigned long long)t->rx_bytes,
		(unsigned long long)t->tx_bytes,
		(unsigned long long)t->rx_pkts, (unsigned long long)t->tx_pkts);
	fclose(f);
}

static int tr_get_byte(void *ctx, u32 timeout_ms)
{
	struct tcp_tr *t = ctx;
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	ssize_t n;
	size_t i;

	if (t->pos < t->len)
		return t->buf[t->pos++];
	if (t->closed)
		return RSP_NO_BYTE;
	if (poll(&p, 1, (int)timeout_ms) <= 0)
		return RSP_NO_BYTE;
	n = recv(t->fd, t->buf, sizeof(t->buf), 0);
	if (n <= 0) {
		t->closed = true;
		return RSP_NO_BYTE;
	}
	t->len = (size_t)n;
	t->pos = 0;
	t->rx_bytes += (u64)n;
	for (i = 0; i < t->len; i++)
		t->rx_pkts += t->buf[i] == '$';
	tr_stats(t);
	return t->buf[t->pos++];
}

static void tr_put_bytes(void *ctx, const u8 *buf, size_t len)
{
	struct tcp_tr *t = ctx;
	size_t i;

	for (i = 0; i < len; i++)
		t->tx_pkts += buf[i] == '$';
	t->tx_bytes += len;
	while (len && !t->closed) {
		ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			t->closed = true;
			break;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void tr_flush(void *ctx)
{
	tr_stats(ctx);
}

/* --- main loop ---------------------------------------------------------- */

/* monitor fwrite: open, then the lines in writes of 64, while gdb waits. */
static void sim_fileio(struct sim *s, struct rsp_engine *eng)
{
	static char buf[64 * 32];
	long fd, r = 0, i = 0, written = 0;

	if (!s->fio_lines)
		return;
	fd = rsp_fileio_open(eng, s->fio_path, RSP_FIO_O_WRONLY |
			     RSP_FIO_O_CREAT | RSP_FIO_O_APPEND, 0600);
	while (fd >= 0 && i < s->fio_lines) {
		size_t n = 0;
		int k;

		for (k = 0; k < 64 && i < s->fio_lines; k++, i++)
			n += (size_t)sprintf(buf + n, "fio line %06ld\n", i);
		r = rsp_fileio_write(eng, (int)fd, buf, n);
		if (r != (long)n)
			break;
		written += r;
	}
	snprintf(s->fio_result, sizeof(s->fio_result),
		 "fwrite: fd %ld, %ld bytes written, last %ld", fd, written,
		 fd < 0 ? fd : r);
	s->fio_lines = 0;
}

/* monitor emit: the records, interleaved, 64 per Fwrite, to the spool. */
static void sim_emit(struct sim *s, struct rsp_engine *eng)
{
	static char buf[64 * 128];
	long fd, done[8] = { 0 }, left = 0;
	int k;

	for (k = 0; k < s->nemit; k++)
		left += s->emit_n[k];
	if (!left || !s->spool[0])
		return;
	fd = rsp_fileio_open(eng, s->spool, RSP_FIO_O_WRONLY |
			     RSP_FIO_O_APPEND, 0600);
	while (fd >= 0 && left) {
		size_t n = 0;
		int m;

		for (m = 0; m < 64 && left; m++) {
			k = m % s->nemit;
			if (done[k] == s->emit_n[k])
				continue;
			/* name-line i: the tag's name, or "console" */
			n += (size_t)sprintf(buf + n, "%sline %ld\n", s->emit[k],
					     done[k]++);
			left--;
		}
		if (rsp_fileio_write(eng, (int)fd, buf, n) != (long)n)
			break;
	}
	s->nemit = 0;
}

/*
 * Runs the CPUs as the resume decision says until something stops them.
 * Returns false if the connection dropped while running.
 */
static bool sim_run(struct sim *s, struct rsp_engine *eng, struct tcp_tr *t,
		    const struct rsp_resume *res, struct rsp_stop *st, int last)
{
	int c, stepper = -1;
	bool any_cont = false;
	u64 iter;

	for (c = 0; c < s->ncpus; c++) {
		if (res->action[c] == RSP_ACT_STEP && stepper < 0)
			stepper = c;
		if (res->action[c] == RSP_ACT_CONTINUE)
			any_cont = true;
	}
	memset(st, 0, sizeof(*st));
	st->signal = RSP_SIGTRAP;
	/* A step executes the instruction at rip even if a breakpoint is
	 * there (gdb removes it first; hardware would use RF).  The sim has
	 * no interrupts or timers, so NOIRQ/NOTIMER hold trivially: the
	 * flags are only recorded, for `monitor laststep`. */
	if (stepper >= 0) {
		s->steps++;
		s->last_step_tid = stepper + 1;
		s->last_step_flags = res->sstep_flags;
		for (c = 0; c < s->ncpus; c++) {
			if (res->action[c] == RSP_ACT_STOP)
				continue;
			if (sim_exec(s, c, st) && c != stepper) {
				st->tid = c + 1;
				return true;
			}
		}
		st->tid = stepper + 1;
		st->reason = RSP_STOP_SIGNAL;
		return true;
	}
	if (!any_cont) {
		st->tid = last;
		return true;
	}
	sim_fileio(s, eng);
	sim_emit(s, eng);
	for (iter = 0;; iter++) {
		for (c = 0; c < s->ncpus; c++) {
			enum rsp_stop_reason why;

			if (res->action[c] != RSP_ACT_CONTINUE)
				continue;
			if (sim_bp_at(s, reg_get(s, c, RSP_REG_RIP), &why)) {
				st->tid = c + 1;
				st->reason = why;
				return true;
			}
			if (sim_exec(s, c, st)) {
				st->tid = c + 1;
				return true;
			}
		}
		if ((iter & 1023) == 0) {
			if (rsp_poll_running(eng)) {
				st->tid = last;
				st->signal = RSP_SIGINT;
				return true;
			}
			if (t->closed)
				return false;
			usleep(200);	/* about 5M insns/s: gentle on CI */
		}
	}
}

/* Detached: CPUs run freely until a new gdb connects. */
static void sim_run_detached(struct sim *s, int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	struct rsp_stop st;
	int c, i;

	for (;;) {
		if (poll(&p, 1, 10) > 0)
			return;
		for (i = 0; i < 100; i++)
			for (c = 0; c < s->ncpus; c++)
				sim_exec(s, c, &st);
	}
}

int main(int argc, char **argv)
{
	static struct rsp_engine eng;
	static struct sim s;
	struct tcp_tr t = { .fd = -1 };
	struct rsp_transport tr = {
		.get_byte = tr_get_byte, .put_bytes = tr_put_bytes,
		.flush = tr_flush, .ctx = &t, .reliable = true,
	};
	struct rsp_config cfg = { .sstep_settable = RSP_SSTEP_ALL,
				  .byte_timeout_ms = 2000, .idle_ms = 200,
				  .rle_replies = true };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int port = 0, ncpus = 2, lifetime = 300, lfd, one = 1, i, last = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
			ncpus = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--lifetime") && i + 1 < argc)
			lifetime = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--stats") && i + 1 < argc)
			t.stats = argv[++i];
		else if (!strcmp(argv[i], "--unreliable"))
			tr.reliable = false;
		else if (!strcmp(argv[i], "--no-rle"))
			cfg.rle_replies = false;
		else if (!strcmp(argv[i], "--btf-blob") && i + 1 < argc) {
			if (load_btf_blob(argv[++i])) {
				perror(argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--btf-busy"))
			btf_busy = true;
		else {
			fprintf(stderr, "usage: %s [--port P] [--cpus N] "
				"[--unreliable] [--no-rle] [--stats FILE] "
				"[--lifetime S] [--btf-blob FILE] [--btf-busy]\n",
				argv[0]);
			return 2;
		}
	}
	if (ncpus < 1 || ncpus > SIM_MAX_CPUS)
		ncpus = 2;
	alarm((unsigned)lifetime);	/* never outlive a test run */
	signal(SIGPIPE, SIG_IGN);
	sim_init(&s, ncpus);
	rsp_init(&eng, &tr, &sim_ops, &s, &cfg);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((u16)port);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4)) {
		perror("bind/listen");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&a, &alen);
	printf("PORT=%d\n", ntohs(a.sin_port));
	fflush(stdout);

	for (;;) {
		struct rsp_stop st = { .tid = last, .signal = RSP_SIGTRAP };
		const struct rsp_stop *why = &st;

		t.fd = accept(lfd, NULL, NULL);
		if (t.fd < 0)
			continue;
		setsockopt(t.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		t.closed = false;
		t.len = t.pos = 0;
		rsp_reset_connection(&eng);
		for (;;) {
			struct rsp_resume res = rsp_serve(&eng, why);

			why = NULL;
			if (t.closed || res.kind == RSP_RESUME_DETACH)
				break;
			if (res.kind == RSP_RESUME_IDLE)
				continue;
			if (!sim_run(&s, &eng, &t, &res, &st, last))
				break;
			last = st.tid;
			why = &st;
		}
		/* gdb went away: nothing may stay planted. */
		rsp_remove_all_breakpoints(&eng);
		close(t.fd);
		t.fd = -1;
		sim_run_detached(&s, lfd);
	}
}
