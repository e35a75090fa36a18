// SPDX-License-Identifier: GPL-2.0
/*
 * mon_pci.c - HyperDbg's !pcitree and !pcicam at a stop: PCI
 * configuration space of segment 0.
 *
 * monitor-cmds/ parses both and formats their replies (cmd_pci.c);
 * kmod/lib/pci.c computes addresses, reads the MCFG table and walks the
 * buses; this file only makes the accesses.  At load (mon_pci_init(),
 * process context) the ACPI MCFG table is read once: where it lists ECAM
 * for segment 0, configuration space is read there, in dwords through
 * the uncached device window (hv_gdb_mmio_read()), for the buses it
 * covers and no others.  Without it, through configuration mechanism #1:
 * port 0xCF8 (the address) and 0xCFC (the data), which reach the first
 * 0x100 bytes of a function only.  A halted CPU may have stopped between
 * its write of 0xCF8 and its access to 0xCFC (Linux holds pci_config_lock
 * with interrupts off, but the halting NMI still comes), so each access
 * saves 0xCF8 first and writes it back after.  Nothing is ever written to
 * configuration space.
 *
 * Context: mon_pci_init() in process context; the commands in VMX root
 * on the link's holder while every CPU is halted (hv_mon_command()):
 * nothing sleeps, allocates or takes a lock.  mon_pci_st is written at load
 * only.
 */
#include <linux/kernel.h>
#include <linux/acpi.h>
#include <linux/io.h>
#include "kmod/vmx/hv.h"
#include "kmod/debug/gdb.h"
#include "kmod/lib/pci.h"
#include "kmod/events/mon_priv.h"
#include "monitor-cmds/cmd.h"
#include "monitor-cmds/cmd_pci.h"
#include "gdbstub/gdbstub.h"

#define MON_PCI_ECAM_MAX	8
#define MON_PCI_LINE		160

static struct {
	struct pci_ecam ecam[MON_PCI_ECAM_MAX];	/* segment 0's only */
	u32 necam;
} mon_pci_st;

void mon_pci_init(void)
{
	struct pci_ecam all[MON_PCI_ECAM_MAX];
	struct acpi_table_header *h = NULL;
	int i, n = -1;

	mon_pci_st.necam = 0;
	if (IS_ENABLED(CONFIG_ACPI) && !acpi_disabled &&
	    ACPI_SUCCESS(acpi_get_table(ACPI_SIG_MCFG, 0, &h))) {
		n = pci_mcfg_parse((const u8 *)h, h->length, all,
				   ARRAY_SIZE(all));
		acpi_put_table(h);
	}
	for (i = 0; i < min_t(int, n, ARRAY_SIZE(all)); i++) {
		if (all[i].seg)
			continue;
		mon_pci_st.ecam[mon_pci_st.necam++] = all[i];
		pr_info("hvgdb: PCI configuration space through ECAM at %#llx (ACPI MCFG: segment 0, buses %#x-%#x)\n",
			all[i].base, all[i].bus_lo, all[i].bus_hi);
	}
	if (!mon_pci_st.necam)
		pr_info("hvgdb: PCI configuration space through ports 0xCF8/0xCFC (%s)\n",
			!h ? "no ACPI MCFG table" : n < 0 ? "ACPI MCFG table unreadable" :
			"ACPI MCFG table lists no ECAM for segment 0");
}

/* The ports themselves, for pci_cf8_read() (which puts 0xCF8 back). */
static u32 mon_pci_in32(void *ctx, u16 port)
{
	return inl(port);
}

static void mon_pci_out32(void *ctx, u16 port, u32 v)
{
	outl(v, port);
}

static const struct pci_port_ops mon_pci_ports = {
	.in32 = mon_pci_in32, .out32 = mon_pci_out32,
};

/*
 * @len bytes (a multiple of 4) from dword @off of bus:dev.fn: through
 * ECAM when the MCFG table lists any (-ERANGE for a bus it does not
 * cover), else through CF8/CFC (-E2BIG past 0x100).  Other errors are
 * hv_gdb_mmio_read()'s.
 */
static int mon_pci_read(u8 bus, u8 dev, u8 fn, u16 off, void *buf, u32 len)
{
	const struct pci_ecam *e;
	u32 i;

	if (mon_pci_st.necam) {
		e = pci_ecam_find(mon_pci_st.ecam, mon_pci_st.necam, 0, bus);
		if (!e)
			return -ERANGE;
		return hv_gdb_mmio_read(pci_ecam_addr(e, bus, dev, fn, off),
					buf, len, 4);
	}
	if (off + len > PCI_CFG_LEGACY)
		return -E2BIG;
	for (i = 0; i < len; i += 4) {
		u32 v = pci_cf8_read(&mon_pci_ports, bus, dev, fn, off + i);

		memcpy((u8 *)buf + i, &v, 4);
	}
	return 0;
}

static const char *mon_pci_strerror(int err)
{
	switch (err) {
	case -EFAULT:
		return "the ECAM region overlaps System RAM (a bad MCFG table?)";
	case -ERANGE:
		return "the ECAM region lies beyond the CPU's physical address width";
	default:
		return "the access was refused";
	}
}

/* ---- !pcitree ---- */

struct mon_pci_walk {
	struct rsp_output *out;
};

static int mon_pci_walk_read(void *ctx, u8 bus, u8 dev, u8 fn, u16 off,
			     u32 *v)
{
	return mon_pci_read(bus, dev, fn, off, v, 4);
}

static int mon_pci_visit(void *ctx, const struct pci_fn_info *f)
{
	struct mon_pci_walk *w = ctx;
	char b[MON_PCI_LINE];
	struct cmd_out o;

	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_pci_tree_line(&o, 0, f->bus, f->dev, f->fn, f->vendor,
			      f->device, f->class_code);
	rsp_output_write(w->out, o.buf, o.len);
	return 0;
}

static int mon_pcitree(struct rsp_output *out)
{
	struct mon_pci_walk w = { .out = out };
	char b[MON_PCI_LINE];
	struct cmd_out o;
	u32 i, found;
	int err = 0;

	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_pci_tree_head(&o);
	rsp_output_write(out, o.buf, o.len);
	if (!mon_pci_st.necam) {
		err = pci_walk(0, 0xff, mon_pci_walk_read, mon_pci_visit, &w,
			       &found);
	} else {
		for (i = 0; i < mon_pci_st.necam && !err; i++) {
			err = pci_walk(mon_pci_st.ecam[i].bus_lo,
				       mon_pci_st.ecam[i].bus_hi,
				       mon_pci_walk_read, mon_pci_visit, &w,
				       &found);
		}
	}
	if (err)
		return mon_fail(out, 0, "!pcitree: reading configuration space failed: %s\n",
				    mon_pci_strerror(err));
	return 0;
}

/* ---- !pcicam ---- */

static int mon_pcicam(const struct cmd_parsed *p, struct rsp_output *out)
{
	static u8 cfg[CMD_PCI_DUMP_MAX];	/* commands are serialized */
	static char text[2048];
	char b[MON_PCI_LINE];
	struct cmd_out o;
	u32 id, off;
	int err;

	if (mon_pci_st.necam &&
	    !pci_ecam_find(mon_pci_st.ecam, mon_pci_st.necam, 0, p->bus))
		return mon_fail(out, p->bus_col, "bus %#x is not in the ECAM ranges of the ACPI MCFG table (segment 0, buses %#x-%#x%s)\n",
				    p->bus, mon_pci_st.ecam[0].bus_lo,
				    mon_pci_st.ecam[0].bus_hi,
				    mon_pci_st.necam > 1 ? ", ..." : "");
	if (!mon_pci_st.necam && p->length > PCI_CFG_LEGACY)
		return mon_fail(out, p->length_col, "bytes past 0xff are the extended configuration space, which needs ECAM; this machine has no ACPI MCFG table, so only the first 0x100 bytes are reachable (ports 0xCF8/0xCFC)\n");
	err = mon_pci_read(p->bus, p->dev, p->fn, 0, &id, 4);
	if (err)
		return mon_fail(out, 0, "!pcicam: reading configuration space failed: %s\n",
				    mon_pci_strerror(err));
	if (!pci_id_present(id))
		return mon_fail(out, p->dev_col, "no PCI function at 0000:%02x:%02x:%x (vendor:device id reads %04x:%04x; !pcitree lists those present)\n",
				    p->bus, p->dev, p->fn, id & 0xffff,
				    id >> 16);
	err = mon_pci_read(p->bus, p->dev, p->fn, 0, cfg, p->length);
	if (err)
		return mon_fail(out, 0, "!pcicam: reading configuration space failed: %s\n",
				    mon_pci_strerror(err));
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_pci_title(&o, 0, p->bus, p->dev, p->fn);
	rsp_output_write(out, o.buf, o.len);
	if (!p->raw) {
		cmd_out_init(&o, text, sizeof(text));
		cmd_fmt_pci_header(&o, cfg);
		rsp_output_write(out, o.buf, o.len);
		return 0;
	}
	cmd_out_init(&o, b, sizeof(b));
	cmd_fmt_pci_dump_head(&o, p->length > 0x100);
	rsp_output_write(out, o.buf, o.len);
	for (off = 0; off < p->length; off += 16) {
		cmd_out_init(&o, b, sizeof(b));
		cmd_fmt_pci_dump_line(&o, off, cfg + off,
				      min_t(u32, 16, p->length - off),
				      p->length > 0x100);
		rsp_output_write(out, o.buf, o.len);
	}
	return 0;
}

int mon_pci(const struct cmd_parsed *p, struct rsp_output *out)
{
	if (p->kind == CMD_PCITREE)
		return mon_pcitree(out);
	return mon_pcicam(p, out);
}
