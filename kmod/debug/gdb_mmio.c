// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_mmio.c - device memory for monitor commands, from VMX root.
 *
 * VMX root may not ioremap (it allocates and may sleep), so one page of
 * kernel virtual space is mapped uncached at load (vmap of a spare page
 * with PAGE_KERNEL_NOCACHE: PCD, UC- under Linux's PAT, SDM Vol. 3 11.12)
 * and its PTE is pointed at the device page before each access, followed
 * by INVLPG of the window on this CPU (SDM Vol. 3 4.10.4.1): whichever CPU
 * holds the link next drops any translation it kept.  The host page table
 * shares the kernel half with init_mm (vmcs.c), so the edit is seen in
 * root.  Accesses are naturally aligned loads and stores of the unit the
 * command names, since device registers often decode only those.  At
 * unload the PTE points back at the spare page before vunmap().
 *
 * Context: gdb_mmio_init/exit in process context; the rest in VMX root on
 * the link's holder (the link lock serializes the window).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/io.h>
#include <asm/unaligned.h>
#include <asm/pgtable.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"

static struct {
	struct page *spare;
	void *va;		/* the window */
	pte_t *pte;		/* its PTE in init_mm */
	pte_t spare_pte;	/* the PTE vmap() made */
} gdb_mmio;

int gdb_mmio_init(void)
{
	unsigned int level;

	gdb_mmio.spare = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!gdb_mmio.spare)
		return -ENOMEM;
	gdb_mmio.va = vmap(&gdb_mmio.spare, 1, VM_MAP, PAGE_KERNEL_NOCACHE);
	if (gdb_mmio.va)
		gdb_mmio.pte = lookup_address((unsigned long)gdb_mmio.va,
					      &level);
	if (!gdb_mmio.pte || level != PG_LEVEL_4K) {
		gdb_mmio_exit();
		return -ENOMEM;
	}
	gdb_mmio.spare_pte = *gdb_mmio.pte;
	return 0;
}

static void gdb_mmio_point(pte_t pte)
{
	set_pte(gdb_mmio.pte, pte);
	asm volatile("invlpg (%0)" : : "r"(gdb_mmio.va) : "memory");
}

void gdb_mmio_exit(void)
{
	if (gdb_mmio.pte)
		gdb_mmio_point(gdb_mmio.spare_pte);
	if (gdb_mmio.va)
		vunmap(gdb_mmio.va);
	if (gdb_mmio.spare)
		__free_page(gdb_mmio.spare);
	memset(&gdb_mmio, 0, sizeof(gdb_mmio));
}

/* The window over the page of @pa; a pointer to @pa in it. */
static void __iomem *gdb_mmio_map(u64 pa)
{
	gdb_mmio_point(pfn_pte(pa >> PAGE_SHIFT, PAGE_KERNEL_NOCACHE));
	return (void __iomem *)gdb_mmio.va + (pa & ~PAGE_MASK);
}

int hv_gdb_mmio_check(u64 pa, u32 len, u8 unit)
{
	if (!gdb_mmio.pte || !len || (unit != 1 && unit != 4 && unit != 8) ||
	    (pa | len) & (unit - 1))
		return -EINVAL;
	if (pa + len < pa || (pa + len - 1) >> gdb_phys_bits())
		return -ERANGE;
	if (gdb_ram_overlaps(pa, len))
		return -EFAULT;
	return 0;
}

static void gdb_mmio_rw(u64 pa, void *buf, u32 len, u8 unit, bool write)
{
	u32 off;

	for (off = 0; off < len; off += unit) {
		void __iomem *p = gdb_mmio_map(pa + off);
		u8 *b = (u8 *)buf + off;

		if (write && unit == 8)
			writeq(get_unaligned((u64 *)b), p);
		else if (write && unit == 4)
			writel(get_unaligned((u32 *)b), p);
		else if (write)
			writeb(*b, p);
		else if (unit == 8)
			put_unaligned(readq(p), (u64 *)b);
		else if (unit == 4)
			put_unaligned(readl(p), (u32 *)b);
		else
			*b = readb(p);
	}
	gdb_mmio_point(gdb_mmio.spare_pte);
}

int hv_gdb_mmio_read(u64 pa, void *buf, u32 len, u8 unit)
{
	int err = hv_gdb_mmio_check(pa, len, unit);

	if (!err)
		gdb_mmio_rw(pa, buf, len, unit, false);
	return err;
}

int hv_gdb_mmio_write(u64 pa, const void *buf, u32 len, u8 unit)
{
	int err = hv_gdb_mmio_check(pa, len, unit);

	if (!err)
		gdb_mmio_rw(pa, (void *)buf, len, unit, true);
	return err;
}

int hv_gdb_phys_check(u64 pa, u32 len, u8 unit)
{
	return hv_gdb_phys(pa, len) ? 0 : hv_gdb_mmio_check(pa, len, unit);
}

int hv_gdb_phys_read(u64 pa, void *buf, u32 len, u8 unit)
{
	const void *p = hv_gdb_phys(pa, len);

	if (p) {
		memcpy(buf, p, len);
		return 0;
	}
	return hv_gdb_mmio_read(pa, buf, len, unit);
}

int hv_gdb_phys_write(u64 pa, const void *buf, u32 len, u8 unit)
{
	if (hv_gdb_phys(pa, len))
		return hv_gdb_write_phys(pa, buf, len);
	return hv_gdb_mmio_write(pa, buf, len, unit);
}
