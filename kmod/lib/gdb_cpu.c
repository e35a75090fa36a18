// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_cpu.c - gdb register numbering over a halted CPU's snapshot (see
 * gdb_cpu.h).  FXSAVE64 layout: SDM Vol. 1 10.5.1, table 10-2; tag word
 * classes: SDM Vol. 1 8.1.7; VM-entry checks on guest RFLAGS, DR7 and
 * segment bases: SDM Vol. 3 27.3.1.
 */
#include "kmod/lib/gdb_cpu.h"
#include "gdbstub/rsp_regs.h"

/* Offsets in the FXSAVE64 image. */
#define FX_FCW		0
#define FX_FSW		2
#define FX_FTW		4	/* abridged: one bit per physical register */
#define FX_FOP		6
#define FX_FIP		8	/* 64-bit FPU IP; gdb splits it off:seg */
#define FX_FDP		16
#define FX_MXCSR	24
#define FX_MXCSR_MASK	28
#define FX_ST0		32	/* 16 bytes per ST(i), 10 used */
#define FX_XMM0		160	/* 16 bytes per XMMi */

#define RFLAGS_FIXED1	(1ULL << 1)
/* Reserved (3, 5, 15, 22-63) and VM (17): VM entry into a 64-bit guest
 * fails with either set. */
#define RFLAGS_BAD	((1ULL << 3) | (1ULL << 5) | (1ULL << 15) | \
			 (1ULL << 17) | ~((1ULL << 22) - 1))
#define CR4_LA57	(1ULL << 12)

/* gdb index -> SDM index (rax rcx rdx rbx rsp rbp rsi rdi r8..). */
static const u8 gdb_to_sdm[GDB_NR_GPRS] = {
	0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15,
};

void gdb_cpu_gprs_from_sdm(struct gdb_cpu *c, const u64 *sdm)
{
	int i;

	for (i = 0; i < GDB_NR_GPRS; i++)
		c->gpr[i] = sdm[gdb_to_sdm[i]];
}

void gdb_cpu_gprs_to_sdm(const struct gdb_cpu *c, u64 *sdm)
{
	int i;

	for (i = 0; i < GDB_NR_GPRS; i++)
		sdm[gdb_to_sdm[i]] = c->gpr[i];
}

bool gdb_canonical(u64 va, bool la57)
{
	int top = la57 ? 56 : 47;
	u64 high = va >> top;

	return high == 0 || high == (~0ULL >> top);
}

static u64 get_le(const u8 *p, size_t n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static void put_le(u8 *p, size_t n, u64 v)
{
	size_t i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (u8)v;
}

/* Full 2-bit tag of physical register @phys (SDM Vol. 1 8.1.7). */
static u32 gdb_fp_tag(const struct gdb_cpu *c, int phys)
{
	int top = (int)(get_le(c->fx + FX_FSW, 2) >> 11) & 7;
	const u8 *st = c->fx + FX_ST0 + 16 * ((phys - top) & 7);
	u32 exp = (u32)get_le(st + 8, 2) & 0x7fff;
	u64 mant = get_le(st, 8);

	if (!(c->fx[FX_FTW] & (1u << phys)))
		return 3;			/* empty */
	if (exp == 0x7fff)
		return 2;			/* NaN, infinity */
	if (exp == 0)
		return mant ? 2 : 1;		/* denormal : zero */
	return (mant >> 63) ? 0 : 2;		/* valid : unnormal */
}

static u32 gdb_ftag(const struct gdb_cpu *c)
{
	u32 tag = 0;
	int j;

	for (j = 0; j < 8; j++)
		tag |= gdb_fp_tag(c, j) << (2 * j);
	return tag;
}

static u64 *gdb_sysreg(struct gdb_cpu *c, int regno)
{
	switch (regno) {
	case RSP_REG_CR0: return &c->cr0;
	case RSP_REG_CR2: return &c->cr2;
	case RSP_REG_CR3: return &c->cr3;
	case RSP_REG_CR4: return &c->cr4;
	case RSP_REG_CR8: return &c->cr8;
	case RSP_REG_EFER: return &c->efer;
	}
	return NULL;
}

/* The descriptor-table and task registers (read-only); false for others. */
static bool gdb_dtreg(const struct gdb_cpu *c, int regno, u64 *v)
{
	switch (regno) {
	case RSP_REG_GDTR: *v = c->gdtr_base; return true;
	case RSP_REG_GDTR_LIMIT: *v = c->gdtr_limit; return true;
	case RSP_REG_IDTR: *v = c->idtr_base; return true;
	case RSP_REG_IDTR_LIMIT: *v = c->idtr_limit; return true;
	case RSP_REG_LDTR: *v = c->ldtr_base; return true;
	case RSP_REG_LDTR_LIMIT: *v = c->seg[GDB_SEG_LDTR].limit; return true;
	case RSP_REG_LDTR_SEL: *v = c->seg[GDB_SEG_LDTR].sel; return true;
	case RSP_REG_TR: *v = c->tr_base; return true;
	case RSP_REG_TR_LIMIT: *v = c->seg[GDB_SEG_TR].limit; return true;
	case RSP_REG_TR_SEL: *v = c->seg[GDB_SEG_TR].sel; return true;
	}
	return false;
}

int gdb_cpu_read_reg(const struct gdb_cpu *c, int regno, u8 *buf)
{
	size_t n = rsp_reg_size(regno);
	u64 v;

	if (!n)
		return -22;
	if (regno < RSP_REG_RIP) {
		v = c->gpr[regno];
	} else if (regno == RSP_REG_RIP) {
		v = c->rip;
	} else if (regno == RSP_REG_EFLAGS) {
		v = c->rflags;
	} else if (regno <= RSP_REG_GS) {
		v = c->sel[regno - RSP_REG_CS];
	} else if (regno < RSP_REG_FCTRL) {
		memcpy(buf, c->fx + FX_ST0 + 16 * (regno - RSP_REG_ST0), 10);
		return 0;
	} else if (regno >= RSP_REG_XMM0 && regno < RSP_REG_MXCSR) {
		memcpy(buf, c->fx + FX_XMM0 + 16 * (regno - RSP_REG_XMM0), 16);
		return 0;
	} else {
		switch (regno) {
		case RSP_REG_FCTRL: v = get_le(c->fx + FX_FCW, 2); break;
		case RSP_REG_FSTAT: v = get_le(c->fx + FX_FSW, 2); break;
		case RSP_REG_FTAG: v = gdb_ftag(c); break;
		case RSP_REG_FIOFF: v = get_le(c->fx + FX_FIP, 4); break;
		case RSP_REG_FISEG: v = get_le(c->fx + FX_FIP + 4, 2); break;
		case RSP_REG_FOOFF: v = get_le(c->fx + FX_FDP, 4); break;
		case RSP_REG_FOSEG: v = get_le(c->fx + FX_FDP + 4, 2); break;
		case RSP_REG_FOP: v = get_le(c->fx + FX_FOP, 2) & 0x7ff; break;
		case RSP_REG_MXCSR: v = get_le(c->fx + FX_MXCSR, 4); break;
		case RSP_REG_FS_BASE: v = c->fs_base; break;
		case RSP_REG_GS_BASE: v = c->gs_base; break;
		case RSP_REG_K_GS_BASE: v = c->k_gs_base; break;
		case RSP_REG_DR0: case RSP_REG_DR1:
		case RSP_REG_DR2: case RSP_REG_DR3:
			v = c->dr[regno - RSP_REG_DR0];
			break;
		case RSP_REG_DR6: v = c->dr6; break;
		case RSP_REG_DR7: v = c->dr7; break;
		default:
			if (!gdb_dtreg(c, regno, &v))
				v = *gdb_sysreg((struct gdb_cpu *)c, regno);
			break;
		}
	}
	put_le(buf, n, v);
	return 0;
}

/* FCW, FSW, FOP and the segment halves are 16 bits (11 for FOP). */
static int gdb_fx_put(struct gdb_cpu *c, size_t off, size_t n, u64 v,
		      u64 max)
{
	if (v > max)
		return -22;
	put_le(c->fx + off, n, v);
	c->dirty |= GDB_DIRTY_FPU;
	return 0;
}

static int gdb_write_fpu(struct gdb_cpu *c, int regno, u64 v)
{
	u32 mask;
	int j;
	u8 ftw = 0;

	switch (regno) {
	case RSP_REG_FCTRL: return gdb_fx_put(c, FX_FCW, 2, v, 0xffff);
	case RSP_REG_FSTAT: return gdb_fx_put(c, FX_FSW, 2, v, 0xffff);
	case RSP_REG_FIOFF: return gdb_fx_put(c, FX_FIP, 4, v, 0xffffffff);
	case RSP_REG_FISEG: return gdb_fx_put(c, FX_FIP + 4, 2, v, 0xffff);
	case RSP_REG_FOOFF: return gdb_fx_put(c, FX_FDP, 4, v, 0xffffffff);
	case RSP_REG_FOSEG: return gdb_fx_put(c, FX_FDP + 4, 2, v, 0xffff);
	case RSP_REG_FOP: return gdb_fx_put(c, FX_FOP, 2, v, 0x7ff);
	case RSP_REG_FTAG:
		if (v > 0xffff)
			return -22;
		/* FXRSTOR takes the abridged form: 1 = not empty. */
		for (j = 0; j < 8; j++)
			if (((v >> (2 * j)) & 3) != 3)
				ftw |= 1u << j;
		return gdb_fx_put(c, FX_FTW, 1, ftw, 0xff);
	case RSP_REG_MXCSR:
		/* A bit outside MXCSR_MASK makes FXRSTOR #GP (10.5.1.2);
		 * a mask of 0 means the default 0xffbf. */
		mask = (u32)get_le(c->fx + FX_MXCSR_MASK, 4);
		if (!mask)
			mask = 0xffbf;
		if (v & ~(u64)mask)
			return -22;
		return gdb_fx_put(c, FX_MXCSR, 4, v, 0xffffffff);
	}
	return -22;
}

int gdb_cpu_write_reg(struct gdb_cpu *c, int regno, const u8 *buf)
{
	size_t n = rsp_reg_size(regno);
	bool la57 = c->cr4 & CR4_LA57;
	u64 v, old, *p;

	if (!n)
		return -22;
	if (regno >= RSP_REG_ST0 && regno < RSP_REG_FCTRL) {
		memcpy(c->fx + FX_ST0 + 16 * (regno - RSP_REG_ST0), buf, 10);
		c->dirty |= GDB_DIRTY_FPU;
		return 0;
	}
	if (regno >= RSP_REG_XMM0 && regno < RSP_REG_MXCSR) {
		memcpy(c->fx + FX_XMM0 + 16 * (regno - RSP_REG_XMM0), buf, 16);
		c->dirty |= GDB_DIRTY_FPU;
		return 0;
	}
	v = get_le(buf, n);
	if (regno < RSP_REG_RIP) {
		c->gpr[regno] = v;
		c->dirty |= regno == RSP_REG_RSP ? GDB_DIRTY_RSP : GDB_DIRTY_GPR;
		return 0;
	}
	if (regno >= RSP_REG_FCTRL && regno <= RSP_REG_MXCSR)
		return gdb_write_fpu(c, regno, v);
	switch (regno) {
	case RSP_REG_RIP:
		/* 64-bit code: a non-canonical RIP fails VM entry. */
		if (!gdb_canonical(v, la57))
			return -22;
		c->rip = v;
		c->dirty |= GDB_DIRTY_RIP;
		return 0;
	case RSP_REG_EFLAGS:
		if (v & RFLAGS_BAD)
			return -22;
		/* Bit 1 reads as 1 and cannot be cleared, as with POPF. */
		c->rflags = v | RFLAGS_FIXED1;
		c->dirty |= GDB_DIRTY_RFLAGS;
		return 0;
	case RSP_REG_CS: case RSP_REG_SS: case RSP_REG_DS:
	case RSP_REG_ES: case RSP_REG_FS: case RSP_REG_GS:
		/* A selector without its descriptor cache would desync the
		 * VMCS; only an unchanged value is accepted. */
		return v == c->sel[regno - RSP_REG_CS] ? 0 : -22;
	case RSP_REG_FS_BASE: case RSP_REG_GS_BASE: case RSP_REG_K_GS_BASE:
		if (!gdb_canonical(v, la57))
			return -22;
		if (regno == RSP_REG_FS_BASE)
			c->fs_base = v;
		else if (regno == RSP_REG_GS_BASE)
			c->gs_base = v;
		else
			c->k_gs_base = v;
		c->dirty |= GDB_DIRTY_BASES;
		return 0;
	case RSP_REG_DR0: case RSP_REG_DR1: case RSP_REG_DR2: case RSP_REG_DR3:
		if (!gdb_canonical(v, la57))
			return -22;
		c->dr[regno - RSP_REG_DR0] = v;
		c->dirty |= GDB_DIRTY_DR;
		return 0;
	case RSP_REG_DR6:
	case RSP_REG_DR7:
		/* Bits 63:32 are reserved: MOV to DR6/DR7 and VM entry
		 * (27.3.1.1) refuse them. */
		if (v >> 32)
			return -22;
		if (regno == RSP_REG_DR6) {
			c->dr6 = v;
			c->dirty |= GDB_DIRTY_DR;
		} else {
			c->dr7 = v;
			c->dirty |= GDB_DIRTY_DR7;
		}
		return 0;
	}
	/* The descriptor-table and task registers, control registers and
	 * EFER stay the kernel's: unchanged only. */
	if (gdb_dtreg(c, regno, &old))
		return old == v ? 0 : -22;
	p = gdb_sysreg(c, regno);
	return p && *p == v ? 0 : -22;
}

static char *gdb_put_str(char *p, char *end, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i] && p < end; i++)
		*p++ = s[i];
	return p;
}

static char *gdb_put_dec(char *p, char *end, u64 v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && p < end)
		*p++ = tmp[--n];
	return p;
}

void gdb_cpu_set_name(struct gdb_cpu *c, const char *comm, int pid)
{
	char *p = c->name, *end = c->name + sizeof(c->name) - 1;

	p = gdb_put_str(p, end, "CPU ", 4);
	p = gdb_put_dec(p, end, (u64)(c->cpu < 0 ? 0 : c->cpu));
	if (comm) {
		p = gdb_put_str(p, end, ": ", 2);
		p = gdb_put_str(p, end, comm, 16);
		p = gdb_put_str(p, end, " [", 2);
		p = gdb_put_dec(p, end, (u64)(pid < 0 ? 0 : pid));
		p = gdb_put_str(p, end, "]", 1);
	}
	*p = 0;
}
