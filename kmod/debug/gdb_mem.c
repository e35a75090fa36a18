// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_mem.c - guest virtual memory for gdb, from VMX root.
 *
 * Translation: pgwalk over the halted CPU's CR3 (4- or 5-level, PCID bits
 * masked, large pages).  Access: through the kernel direct map (__va), valid
 * in root because the host page table shares the kernel half.  Before any
 * byte is touched, the physical range must lie in System RAM (a table built
 * at load, since the resource tree's lock may be held by the halted guest)
 * and its direct-map page must be present (lookup_address() walks init_mm
 * without locks).  Device memory and holes give an error, never an access.
 * Writes clear CR0.WP around the copy so read-only kernel text and rodata
 * can be patched (SDM Vol. 3 2.5: WP=0 lets supervisor writes ignore R/W).
 *
 * A process's address space (`.process pid`, kmod/events/mon_kobj.c):
 * while gdb_as.cr3 is set, every walk made for a halted CPU's snapshot
 * (gdb's memory packets, breakpoints, !va2pa, !pte, info mem, `?`) uses
 * that top-level table instead of the CPU's CR3, with the CPU's paging
 * mode.  Set and read by the link's holder at a stop.  It holds until
 * `.process` alone or a detach, across resumes, but the table is only
 * trusted for one stop: when gdb resumes (gdb_halt.c, before any CPU
 * runs) the table is dropped and the pid kept, since the process may exit
 * and its tables be freed once anything runs; at the next stop
 * gdb_as_refresh() finds the process again through the events layer
 * (as_resolve) or, if it is gone, ends the switch.  hv_gdb_read_kernel()
 * never uses it: it walks the host's own table, which shares the
 * kernel half with every process (kmod/main.c).
 */
#include <linux/kernel.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <asm/msr.h>
#include <asm/pgtable.h>
#include <asm/special_insns.h>
#include <asm/processor.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"
#include "kmod/lib/gdb_cpu.h"
#include "kmod/lib/pgwalk.h"
#include "kmod/lib/qemu_info.h"

#define GDB_RAM_RANGES	64

static struct {
	u64 start[GDB_RAM_RANGES], end[GDB_RAM_RANGES];	/* [start, end) */
	int n;
	u8 phys_bits;
} gdb_ram;

static int gdb_ram_add(struct resource *res, void *arg)
{
	if (gdb_ram.n < GDB_RAM_RANGES) {
		gdb_ram.start[gdb_ram.n] = res->start;
		gdb_ram.end[gdb_ram.n] = res->end + 1;
		gdb_ram.n++;
	}
	return 0;
}

int hv_gdb_mem_init(void)
{
	u32 a = 0x80000000, b, c = 0, d;

	gdb_ram.n = 0;
	walk_iomem_res_desc(IORES_DESC_NONE,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, ~0ULL,
			    NULL, gdb_ram_add);
	native_cpuid(&a, &b, &c, &d);
	gdb_ram.phys_bits = 36;
	if (a >= 0x80000008) {
		a = 0x80000008;
		c = 0;
		native_cpuid(&a, &b, &c, &d);
		gdb_ram.phys_bits = a & 0xff;
	}
	return gdb_ram.n ? 0 : -ENODEV;
}

bool gdb_ram_overlaps(u64 pa, u64 len)
{
	int i;

	for (i = 0; i < gdb_ram.n; i++)
		if (pa < gdb_ram.end[i] && pa + len > gdb_ram.start[i])
			return true;
	return false;
}

u8 gdb_phys_bits(void)
{
	return gdb_ram.phys_bits;
}

/* [pa, pa + len) inside one System RAM range and mapped in the direct map. */
static void *gdb_phys_ptr(u64 pa, size_t len)
{
	unsigned long va, end;
	unsigned int level;
	pte_t *pte;
	int i;

	if (!len || pa + len < pa)
		return NULL;
	for (i = 0; i < gdb_ram.n; i++)
		if (pa >= gdb_ram.start[i] && pa + len <= gdb_ram.end[i])
			break;
	if (i == gdb_ram.n)
		return NULL;
	va = (unsigned long)__va(pa);
	end = va + len;
	for (; va < end; va = (va & PAGE_MASK) + PAGE_SIZE) {
		pte = lookup_address(va, &level);
		if (!pte || !pte_present(*pte))
			return NULL;
	}
	return __va(pa);
}

static int gdb_read_phys(void *opaque, u64 pa, void *buf, size_t len)
{
	void *p = gdb_phys_ptr(pa, len);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static int gdb_write_phys(void *opaque, u64 pa, const void *buf, size_t len)
{
	void *p = gdb_phys_ptr(pa, len);
	unsigned long cr0;

	if (!p)
		return -1;
	/* Interrupts are off in root: nothing else runs with WP clear. */
	cr0 = native_read_cr0();
	asm volatile("mov %0, %%cr0" : : "r"(cr0 & ~X86_CR0_WP) : "memory");
	memcpy(p, buf, len);
	/* MOV to CR0 serializes (SDM Vol. 3 9.3): patched text is refetched. */
	asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	return 0;
}

/* The address space of one process (see above).  Link's holder only. */
static struct {
	u64 cr3;		/* its pgd's physical address; 0: not this stop */
	u64 tag;		/* the events layer's identity of the process */
	u32 pid;
	bool on;		/* `.process pid` in force */
} gdb_as;

void hv_gdb_as_set(u64 pgd_pa, u32 pid, u64 tag)
{
	gdb_as.pid = pid;
	gdb_as.tag = tag;
	gdb_as.on = true;
	WRITE_ONCE(gdb_as.cr3, pgd_pa & PAGE_MASK);
}

void hv_gdb_as_clear(void)
{
	gdb_as.on = false;
	WRITE_ONCE(gdb_as.cr3, 0);
}

bool hv_gdb_as_get(u64 *pgd_pa, u32 *pid)
{
	u64 cr3 = READ_ONCE(gdb_as.cr3);

	if (pgd_pa)
		*pgd_pa = cr3;
	if (pid)
		*pid = gdb_as.pid;
	return cr3 != 0;
}

void gdb_as_suspend(void)
{
	WRITE_ONCE(gdb_as.cr3, 0);
}

int gdb_as_refresh(u32 *pid)
{
	const struct hv_gdb_monitor *m = READ_ONCE(gdb_monitor_ops);
	u64 pa;
	int r;

	if (!gdb_as.on || READ_ONCE(gdb_as.cr3))
		return 0;
	*pid = gdb_as.pid;
	r = m && m->as_resolve ? m->as_resolve(gdb_as.pid, gdb_as.tag, &pa) :
	    -ESRCH;
	if (r || !(pa & PAGE_MASK)) {
		hv_gdb_as_clear();
		return r ? r : -EFAULT;
	}
	WRITE_ONCE(gdb_as.cr3, pa & PAGE_MASK);
	return 0;
}

static void gdb_walk_ctx(const struct gdb_cpu *g, struct pgwalk_ctx *w)
{
	u64 as = READ_ONCE(gdb_as.cr3);

	w->cr0 = g->cr0;
	w->cr3 = as ? as : g->cr3;
	w->cr4 = g->cr4;
	w->efer = g->efer;
	w->max_phys_bits = gdb_ram.phys_bits;
	w->read_phys = gdb_read_phys;
	w->write_phys = gdb_write_phys;
	w->opaque = NULL;
}

long hv_gdb_read_virt(const struct gdb_cpu *g, u64 va, u8 *buf, size_t len)
{
	struct pgwalk_ctx w;
	size_t n;
	int err;

	gdb_walk_ctx(g, &w);
	n = pgwalk_read_virt(&w, va, buf, len, &err);
	return n ? (long)n : -EFAULT;
}

/* All pages first: a write that would stop half way is refused. */
static int gdb_write_all(struct pgwalk_ctx *w, u64 va, const u8 *buf,
			 size_t len)
{
	size_t done = 0;
	u64 pa;
	int err;

	while (done < len) {
		size_t chunk = PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1));

		if (pgwalk_translate(w, va + done, &pa, NULL) != PGWALK_OK ||
		    !gdb_phys_ptr(pa, 1))
			return -EFAULT;
		done += chunk;
	}
	if (pgwalk_write_virt(w, va, buf, len, &err) != len)
		return -EFAULT;
	return 0;
}

int hv_gdb_write_virt(const struct gdb_cpu *g, u64 va, const u8 *buf,
		      size_t len)
{
	struct pgwalk_ctx w;

	gdb_walk_ctx(g, &w);
	return gdb_write_all(&w, va, buf, len);
}

int hv_gdb_translate(const struct gdb_cpu *g, u64 va, u64 *pa)
{
	struct pgwalk_ctx w;

	gdb_walk_ctx(g, &w);
	if (pgwalk_translate(&w, va, pa, NULL) != PGWALK_OK ||
	    !gdb_phys_ptr(*pa, 1))
		return -EFAULT;
	return 0;
}

void *hv_gdb_phys(u64 pa, size_t len)
{
	return gdb_phys_ptr(pa, len);
}

int hv_gdb_write_phys(u64 pa, const void *buf, size_t len)
{
	return gdb_write_phys(NULL, pa, buf, len) ? -EFAULT : 0;
}

void hv_gdb_walk_ctx(const struct gdb_cpu *g, struct pgwalk_ctx *w)
{
	gdb_walk_ctx(g, w);
}

static void gdb_seq_line(void *ctx, const char *line)
{
	seq_printf(ctx, "%s\n", line);
}

/* debugfs "info_mem" and "info_tlb": QEMU's walks (the same code as the
 * monitor commands) over the reading process's own tables, with this
 * CPU's paging registers, in process context: what `monitor info mem`
 * would say for that process at a stop, readable without a serial line. */
static void gdb_show_walk(struct seq_file *m,
			  int (*walk)(const struct pgwalk_ctx *w,
				      void (*emit)(void *ctx, const char *line),
				      void *ctx))
{
	struct pgwalk_ctx w = {
		.max_phys_bits = gdb_ram.phys_bits,
		.read_phys = gdb_read_phys,
	};
	int r;

	/* Preemptible: every CPU runs this process with the same tables and
	 * paging mode, and a table freed under the walk is still RAM in the
	 * direct map (gdb_read_phys() checks), read as it was. */
	w.cr0 = read_cr0();
	w.cr3 = __read_cr3();
	w.cr4 = __read_cr4();
	rdmsrl(MSR_EFER, w.efer);
	r = walk(&w, gdb_seq_line, m);
	if (r)
		seq_printf(m, "error %d: %s\n", r, r == -1 ?
			   "not IA-32e paging" : "a table outside System RAM");
}

void hv_gdb_show_info_mem(struct seq_file *m)
{
	gdb_show_walk(m, qemu_info_mem);
}

void hv_gdb_show_info_tlb(struct seq_file *m)
{
	gdb_show_walk(m, qemu_info_tlb);
}

int hv_gdb_walk(const struct gdb_cpu *g, u64 va, u64 *pa,
		struct pgwalk_info *info)
{
	struct pgwalk_ctx w;

	gdb_walk_ctx(g, &w);
	return pgwalk_translate(&w, va, pa, info);
}

static void gdb_walk_current(struct pgwalk_ctx *w)
{
	w->cr0 = hv_vmread(VMCS_GUEST_CR0);
	w->cr3 = hv_vmread(VMCS_GUEST_CR3);
	w->cr4 = hv_vmread(VMCS_GUEST_CR4);
	w->efer = hv_vmread(VMCS_GUEST_EFER);
	w->max_phys_bits = gdb_ram.phys_bits;
	w->read_phys = gdb_read_phys;
	w->write_phys = gdb_write_phys;
	w->opaque = NULL;
}

long hv_gdb_read_current(u64 va, u8 *buf, size_t len)
{
	struct pgwalk_ctx w;
	size_t n;
	int err;

	gdb_walk_current(&w);
	n = pgwalk_read_virt(&w, va, buf, len, &err);
	return n ? (long)n : -EFAULT;
}

int hv_gdb_write_current(u64 va, const u8 *buf, size_t len)
{
	struct pgwalk_ctx w;

	gdb_walk_current(&w);
	return gdb_write_all(&w, va, buf, len);
}

/*
 * Kernel memory through the host's page table (hv.host_cr3: the kernel
 * half of every process's table), whatever CPU or process is current:
 * a CPU halted in user mode under page-table isolation has a CR3 that
 * maps almost none of the kernel.  Upper-half addresses only.
 */
int hv_gdb_read_kernel(u64 va, void *buf, size_t len)
{
	struct pgwalk_ctx w;
	size_t n;
	int err;

	if (!len)
		return 0;
	if (!(va >> 63) || va + len - 1 < va)
		return -EFAULT;
	w.cr0 = native_read_cr0();
	w.cr3 = hv.host_cr3;
	w.cr4 = __read_cr4();
	w.efer = PGWALK_EFER_LME | PGWALK_EFER_LMA | PGWALK_EFER_NXE;
	w.max_phys_bits = gdb_ram.phys_bits;
	w.read_phys = gdb_read_phys;
	w.write_phys = NULL;
	w.opaque = NULL;
	n = pgwalk_read_virt(&w, va, buf, len, &err);
	return n == len ? 0 : -EFAULT;
}
