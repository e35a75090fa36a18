// SPDX-License-Identifier: GPL-2.0
/*
 * rsp_dispatch.c - one handler per request packet (gdb manual, "Packets",
 * "General Query Packets", "Stop Reply Packets").
 *
 * Unknown packets get the empty reply, as the manual requires.  Errors are
 * "Exx" with xx the errno value in hex (see gdbstub.h, docs/protocol.md).
 */
#include "hvgdb/freestanding.h"
#include "gdbstub/rsp_internal.h"
#include "gdbstub/rsp_codec.h"

/* --- reply building ------------------------------------------------------ */

static void rsp_out_mem(struct rsp_engine *eng, const char *s, size_t n)
{
	if (n > RSP_PACKET_SIZE - eng->out_len)
		n = RSP_PACKET_SIZE - eng->out_len;
	memcpy(eng->out + eng->out_len, s, n);
	eng->out_len += n;
}

void rsp_out_str(struct rsp_engine *eng, const char *s)
{
	rsp_out_mem(eng, s, strlen(s));
}

void rsp_out_hex(struct rsp_engine *eng, u64 v)
{
	char tmp[16];

	rsp_out_mem(eng, tmp, rsp_fmt_hex(tmp, v));
}

static void rsp_out_bytes_hex(struct rsp_engine *eng, const u8 *b, size_t n)
{
	if (2 * n > RSP_PACKET_SIZE - eng->out_len)
		n = (RSP_PACKET_SIZE - eng->out_len) / 2;
	rsp_hex_encode(eng->out + eng->out_len, b, n);
	eng->out_len += 2 * n;
}

void rsp_out_err(struct rsp_engine *eng, int code)
{
	char e[3];

	if (code < 0)
		code = -code;
	e[0] = 'E';
	e[1] = "0123456789abcdef"[(code >> 4) & 0xf];
	e[2] = "0123456789abcdef"[code & 0xf];
	eng->out_len = 0;
	rsp_out_mem(eng, e, 3);
}

/* Maps a target error to a reply: ENOSYS means "unsupported" (empty). */
static void rsp_out_target_err(struct rsp_engine *eng, int err)
{
	if (err == -RSP_ENOSYS) {
		eng->out_len = 0;
		return;
	}
	if (err >= 0 || err < -255)
		err = -RSP_EIO;
	rsp_out_err(eng, err);
}

/* --- threads ------------------------------------------------------------- */

static bool rsp_thread_exists(struct rsp_engine *eng, int tid)
{
	struct rsp_thread_info ti;
	int i;

	for (i = 0; i < RSP_MAX_THREADS; i++) {
		if (eng->ops->thread_info(eng->tctx, i, &ti) < 0)
			return false;
		if (ti.tid == tid)
			return true;
	}
	return false;
}

/* Thread that register/memory packets apply to. */
int rsp_g_thread(struct rsp_engine *eng)
{
	return eng->g_tid > 0 ? eng->g_tid : eng->stop.tid;
}

static int rsp_c_thread(struct rsp_engine *eng)
{
	return eng->c_tid > 0 ? eng->c_tid : eng->stop.tid;
}

/* --- stop replies -------------------------------------------------------- */

static void rsp_out_expedite(struct rsp_engine *eng, int tid, int regno)
{
	u8 val[RSP_REG_MAX_BYTES];
	u8 num = (u8)regno;

	if (eng->ops->read_reg(eng->tctx, tid, regno, val) < 0)
		return;
	rsp_out_bytes_hex(eng, &num, 1);
	rsp_out_str(eng, ":");
	rsp_out_bytes_hex(eng, val, rsp_reg_size(regno));
	rsp_out_str(eng, ";");
}

void rsp_build_stop(struct rsp_engine *eng, bool expedite)
{
	const struct rsp_stop *s = &eng->stop;
	u8 sig = s->signal;

	rsp_out_str(eng, "T");
	rsp_out_bytes_hex(eng, &sig, 1);
	rsp_out_str(eng, "thread:");
	rsp_out_hex(eng, (u64)s->tid);
	rsp_out_str(eng, ";");
	/* pc, sp and fp spare gdb a 'g' after every stop. */
	if (expedite) {
		rsp_out_expedite(eng, s->tid, RSP_REG_RBP);
		rsp_out_expedite(eng, s->tid, RSP_REG_RSP);
		rsp_out_expedite(eng, s->tid, RSP_REG_RIP);
	}
	switch (s->reason) {
	case RSP_STOP_SWBREAK:
		/* Only if gdb said it understands (qSupported swbreak+). */
		if (eng->peer_swbreak)
			rsp_out_str(eng, "swbreak:;");
		break;
	case RSP_STOP_HWBREAK:
		if (eng->peer_hwbreak)
			rsp_out_str(eng, "hwbreak:;");
		break;
	case RSP_STOP_WATCH:
	case RSP_STOP_RWATCH:
	case RSP_STOP_AWATCH:
		rsp_out_str(eng, s->reason == RSP_STOP_WATCH ? "watch:" :
			    s->reason == RSP_STOP_RWATCH ? "rwatch:" : "awatch:");
		rsp_out_hex(eng, s->addr);
		rsp_out_str(eng, ";");
		break;
	default:
		break;
	}
}

/* --- registers and memory ------------------------------------------------ */

static enum rsp_handled rsp_h_read_regs(struct rsp_engine *eng)
{
	int tid = rsp_g_thread(eng);
	int r;

	for (r = 0; r < RSP_NUM_REGS; r++) {
		size_t sz = rsp_reg_size(r);

		if (eng->ops->read_reg(eng->tctx, tid, r, eng->data) < 0) {
			/* 'x' digits: value unavailable (manual, 'g'). */
			memset(eng->out + eng->out_len, 'x', 2 * sz);
			eng->out_len += 2 * sz;
			continue;
		}
		rsp_out_bytes_hex(eng, eng->data, sz);
	}
	return RSP_REPLY;
}

static enum rsp_handled rsp_h_write_regs(struct rsp_engine *eng)
{
	int tid = rsp_g_thread(eng);
	long n;
	int r, err;

	n = rsp_hex_decode(eng->data, sizeof(eng->data), eng->in + 1,
			   eng->in_len - 1);
	if (n != RSP_G_BYTES) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	for (r = 0; r < RSP_NUM_REGS; r++) {
		err = eng->ops->write_reg(eng->tctx, tid, r,
					  eng->data + rsp_reg_offset(r));
		if (err < 0) {
			rsp_out_target_err(eng, err);
			return RSP_REPLY;
		}
	}
	rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

static enum rsp_handled rsp_h_read_reg(struct rsp_engine *eng,
				       struct rsp_cursor *c)
{
	u64 regno;
	int err;

	if (!rsp_parse_hex(c, &regno) || c->p != c->end ||
	    !rsp_reg_size((int)regno) || regno >= RSP_NUM_REGS) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	err = eng->ops->read_reg(eng->tctx, rsp_g_thread(eng), (int)regno,
				 eng->data);
	if (err < 0)
		rsp_out_target_err(eng, err);
	else
		rsp_out_bytes_hex(eng, eng->data, rsp_reg_size((int)regno));
	return RSP_REPLY;
}

static enum rsp_handled rsp_h_write_reg(struct rsp_engine *eng,
					struct rsp_cursor *c)
{
	u64 regno;
	size_t sz;
	int err;

	if (!rsp_parse_hex(c, &regno) || !rsp_expect(c, '=') ||
	    regno >= RSP_NUM_REGS) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	sz = rsp_reg_size((int)regno);
	if (rsp_hex_decode(eng->data, sizeof(eng->data), c->p,
			   (size_t)(c->end - c->p)) != (long)sz) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	err = eng->ops->write_reg(eng->tctx, rsp_g_thread(eng), (int)regno,
				  eng->data);
	if (err < 0)
		rsp_out_target_err(eng, err);
	else
		rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

/* Parses "addr,len" and checks addr + len does not wrap. */
static bool rsp_parse_range(struct rsp_cursor *c, u64 *addr, u64 *len)
{
	if (!rsp_parse_hex(c, addr) || !rsp_expect(c, ',') ||
	    !rsp_parse_hex(c, len))
		return false;
	return *len == 0 || *addr + *len - 1 >= *addr;
}

/* m, M and X reach memory through rsp_mem_read/rsp_mem_write (rsp_qemu.c),
 * which are physical while gdb has QEMU's PhyMemMode on. */
static enum rsp_handled rsp_h_read_mem(struct rsp_engine *eng,
				       struct rsp_cursor *c)
{
	u64 addr, len;
	long n;

	if (!rsp_parse_range(c, &addr, &len) || c->p != c->end) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	/* The hex reply must fit PacketSize; gdb never asks for more. */
	if (len > RSP_PACKET_SIZE / 2)
		len = RSP_PACKET_SIZE / 2;
	if (!len)
		return RSP_REPLY;
	n = rsp_mem_read(eng, rsp_g_thread(eng), addr, eng->data, (size_t)len);
	if (n <= 0) {
		rsp_out_err(eng, RSP_EFAULT);
		return RSP_REPLY;
	}
	if ((u64)n > len)
		n = (long)len;
	rsp_out_bytes_hex(eng, eng->data, (size_t)n);
	return RSP_REPLY;
}

static enum rsp_handled rsp_h_write_mem(struct rsp_engine *eng,
					struct rsp_cursor *c, bool binary)
{
	u64 addr, len;
	long n;
	int err;

	if (!rsp_parse_range(c, &addr, &len) || !rsp_expect(c, ':') ||
	    len > sizeof(eng->data)) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	if (binary)
		n = rsp_unescape(eng->data, sizeof(eng->data), c->p,
				 (size_t)(c->end - c->p));
	else
		n = rsp_hex_decode(eng->data, sizeof(eng->data), c->p,
				   (size_t)(c->end - c->p));
	if (n < 0 || (u64)n != len) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	if (len) {
		err = rsp_mem_write(eng, rsp_g_thread(eng), addr, eng->data,
				    (size_t)len);
		if (err < 0) {
			rsp_out_err(eng, err == -RSP_EINVAL ? RSP_EINVAL :
				    RSP_EFAULT);
			return RSP_REPLY;
		}
	}
	rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

/* --- breakpoints --------------------------------------------------------- */

static struct rsp_bp *rsp_bp_find(struct rsp_engine *eng, u8 type, u64 addr,
				  u32 kind)
{
	int i;

	for (i = 0; i < RSP_MAX_BREAKPOINTS; i++) {
		struct rsp_bp *bp = &eng->bps[i];

		if (bp->used && bp->type == type && bp->addr == addr &&
		    bp->kind == kind)
			return bp;
	}
	return NULL;
}

void rsp_remove_all_breakpoints(struct rsp_engine *eng)
{
	int i;

	for (i = 0; i < RSP_MAX_BREAKPOINTS; i++) {
		struct rsp_bp *bp = &eng->bps[i];

		if (!bp->used)
			continue;
		eng->ops->remove_bp(eng->tctx, (enum rsp_bp_type)bp->type,
				    bp->addr, bp->kind);
		bp->used = false;
	}
}

static enum rsp_handled rsp_h_breakpoint(struct rsp_engine *eng,
					 struct rsp_cursor *c, bool insert)
{
	u64 type, addr, kind;
	struct rsp_bp *bp;
	int err;

	if (!rsp_parse_hex(c, &type) || !rsp_expect(c, ',') ||
	    !rsp_parse_hex(c, &addr) || !rsp_expect(c, ',') ||
	    !rsp_parse_hex(c, &kind) || kind > 0xffffffffULL) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	/* Conditions/commands after ';' (target-side evaluation) ignored:
	 * we never advertised ConditionalBreakpoints. */
	if (type > RSP_WP_ACCESS)
		return RSP_REPLY;	/* unsupported type: empty */
	bp = rsp_bp_find(eng, (u8)type, addr, (u32)kind);
	if (insert) {
		int i;

		if (bp) {		/* gdb may re-send; keep it idempotent */
			rsp_out_str(eng, "OK");
			return RSP_REPLY;
		}
		for (i = 0; i < RSP_MAX_BREAKPOINTS && eng->bps[i].used; i++)
			;
		if (i == RSP_MAX_BREAKPOINTS) {
			rsp_out_err(eng, RSP_ENOSPC);
			return RSP_REPLY;
		}
		err = eng->ops->insert_bp(eng->tctx, (enum rsp_bp_type)type,
					  addr, (u32)kind);
		if (err < 0) {
			rsp_out_target_err(eng, err);
			return RSP_REPLY;
		}
		eng->bps[i].used = true;
		eng->bps[i].type = (u8)type;
		eng->bps[i].addr = addr;
		eng->bps[i].kind = (u32)kind;
	} else if (bp) {
		err = eng->ops->remove_bp(eng->tctx, (enum rsp_bp_type)type,
					  addr, (u32)kind);
		bp->used = false;
		if (err < 0) {
			rsp_out_target_err(eng, err);
			return RSP_REPLY;
		}
	}
	rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

/* --- execution ----------------------------------------------------------- */

static void rsp_resume_all(struct rsp_resume *res, u8 act, u8 sig)
{
	memset(res->action, act, sizeof(res->action));
	memset(res->signal, sig, sizeof(res->signal));
}

/* c, C, s, S: optional address (resume there), C/S carry a signal. */
static enum rsp_handled rsp_h_resume(struct rsp_engine *eng,
				     struct rsp_cursor *c, char cmd,
				     struct rsp_resume *res)
{
	int tid = rsp_c_thread(eng);
	u64 sig = 0, addr;
	bool step = cmd == 's' || cmd == 'S';

	if (cmd == 'C' || cmd == 'S') {
		if (!rsp_parse_hex(c, &sig) || sig > 0xff) {
			rsp_out_err(eng, RSP_EINVAL);
			return RSP_REPLY;
		}
		if (c->p < c->end && !rsp_expect(c, ';')) {
			rsp_out_err(eng, RSP_EINVAL);
			return RSP_REPLY;
		}
	}
	if (c->p < c->end) {
		u8 val[8];
		int i;

		if (!rsp_parse_hex(c, &addr) || c->p != c->end) {
			rsp_out_err(eng, RSP_EINVAL);
			return RSP_REPLY;
		}
		for (i = 0; i < 8; i++)
			val[i] = (u8)(addr >> (8 * i));
		if (eng->ops->write_reg(eng->tctx, tid, RSP_REG_RIP, val) < 0) {
			rsp_out_err(eng, RSP_EINVAL);
			return RSP_REPLY;
		}
	}
	res->kind = RSP_RESUME_RUN;
	/* Continue runs every CPU; a step moves only the selected one. */
	rsp_resume_all(res, step ? RSP_ACT_STOP : RSP_ACT_CONTINUE, 0);
	if (tid >= 1 && tid <= RSP_MAX_THREADS) {
		res->action[tid - 1] = step ? RSP_ACT_STEP : RSP_ACT_CONTINUE;
		res->signal[tid - 1] = (u8)sig;
	}
	return RSP_RESUMED;
}

/*
 * vCont;action[:tid](;action[:tid])*: each thread takes the leftmost action
 * that names it or has no id; unnamed threads stay stopped.
 */
#define RSP_ACT_UNSET	0xff	/* vCont: no action has named it yet */

static enum rsp_handled rsp_h_vcont(struct rsp_engine *eng,
				    struct rsp_cursor *c,
				    struct rsp_resume *res)
{
	int i;

	rsp_resume_all(res, RSP_ACT_UNSET, 0);
	while (c->p < c->end) {
		char a;
		u64 sig = 0;
		int tid = -1;
		u8 act;

		if (!rsp_expect(c, ';') || c->p == c->end)
			goto bad;
		a = *c->p++;
		if (a == 'C' || a == 'S') {
			if (!rsp_parse_hex(c, &sig) || sig > 0xff)
				goto bad;
		} else if (a != 'c' && a != 's' && a != 't') {
			goto bad;
		}
		if (rsp_expect(c, ':')) {
			if (!rsp_parse_tid(c, &tid))
				goto bad;
			if (tid == 0)
				tid = rsp_c_thread(eng);
		}
		act = (a == 'c' || a == 'C') ? RSP_ACT_CONTINUE :
		      (a == 's' || a == 'S') ? RSP_ACT_STEP : RSP_ACT_STOP;
		for (i = 0; i < RSP_MAX_THREADS; i++) {
			if (res->action[i] != RSP_ACT_UNSET ||
			    (tid > 0 && tid != i + 1))
				continue;
			res->action[i] = act;
			res->signal[i] = (u8)sig;
		}
	}
	for (i = 0; i < RSP_MAX_THREADS; i++)
		if (res->action[i] == RSP_ACT_UNSET)
			res->action[i] = RSP_ACT_STOP;
	res->kind = RSP_RESUME_RUN;
	return RSP_RESUMED;
bad:
	rsp_out_err(eng, RSP_EINVAL);
	return RSP_REPLY;
}

static enum rsp_handled rsp_h_detach(struct rsp_engine *eng,
				     struct rsp_resume *res, bool reply)
{
	rsp_remove_all_breakpoints(eng);
	if (reply) {
		rsp_out_str(eng, "OK");
		rsp_send_out(eng);
	}
	eng->no_ack = false;
	res->kind = RSP_RESUME_DETACH;
	rsp_resume_all(res, RSP_ACT_CONTINUE, 0);
	return RSP_RESUMED;
}

static enum rsp_handled rsp_h_set_thread(struct rsp_engine *eng,
					 struct rsp_cursor *c)
{
	char which;
	int tid;

	if (c->p == c->end) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	which = *c->p++;
	if ((which != 'g' && which != 'c') || !rsp_parse_tid(c, &tid) ||
	    c->p != c->end) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	if (tid > 0 && !rsp_thread_exists(eng, tid)) {
		rsp_out_err(eng, RSP_ESRCH);
		return RSP_REPLY;
	}
	if (which == 'g')
		eng->g_tid = tid;
	else
		eng->c_tid = tid;
	rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

/* --- queries ------------------------------------------------------------- */

static void rsp_out_thread_list(struct rsp_engine *eng)
{
	struct rsp_thread_info ti;
	bool first = true;

	/* Pack ids until the reply is nearly full; qsThreadInfo resumes. */
	while (eng->thread_iter < RSP_MAX_THREADS &&
	       eng->out_len + 20 < RSP_PACKET_SIZE &&
	       eng->ops->thread_info(eng->tctx, eng->thread_iter, &ti) >= 0) {
		rsp_out_str(eng, first ? "m" : ",");
		rsp_out_hex(eng, (u64)ti.tid);
		first = false;
		eng->thread_iter++;
	}
	if (first)
		rsp_out_str(eng, "l");
}

#define RSP_XML_TAIL	"</threads>\n"

/* Appends s unless it would eat into the room kept for the closing tag. */
static size_t rsp_xml_put(struct rsp_engine *eng, size_t o, const char *s)
{
	size_t n = strlen(s);

	if (o + n > sizeof(eng->xfer_buf) - sizeof(RSP_XML_TAIL))
		return o;
	memcpy(eng->xfer_buf + o, s, n);
	return o + n;
}

/* Thread names come from the guest (comm): escape XML specials. */
static size_t rsp_xml_put_text(struct rsp_engine *eng, size_t o,
			       const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		char ch[2] = { s[i], 0 };
		const char *rep = ch;

		if (s[i] == '&')
			rep = "&amp;";
		else if (s[i] == '<')
			rep = "&lt;";
		else if (s[i] == '>')
			rep = "&gt;";
		else if (s[i] == '"')
			rep = "&quot;";
		else if ((u8)s[i] < 0x20)
			ch[0] = '?';
		o = rsp_xml_put(eng, o, rep);
	}
	return o;
}

static void rsp_build_threads_xml(struct rsp_engine *eng)
{
	struct rsp_thread_info ti;
	char num[17];
	size_t o = 0;
	int i;

	o = rsp_xml_put(eng, o, "<?xml version=\"1.0\"?>\n<threads>\n");
	for (i = 0; i < RSP_MAX_THREADS; i++) {
		size_t start = o;

		if (eng->ops->thread_info(eng->tctx, i, &ti) < 0)
			break;
		o = rsp_xml_put(eng, o, "<thread id=\"");
		num[rsp_fmt_hex(num, (u64)ti.tid)] = 0;
		o = rsp_xml_put(eng, o, num);
		if (ti.core >= 0) {
			o = rsp_xml_put(eng, o, "\" core=\"");
			num[rsp_fmt_hex(num, (u64)ti.core)] = 0;
			o = rsp_xml_put(eng, o, num);
		}
		o = rsp_xml_put(eng, o, "\" name=\"");
		o = rsp_xml_put_text(eng, o, ti.name, sizeof(ti.name));
		o = rsp_xml_put(eng, o, "\"/>\n");
		if (memcmp(eng->xfer_buf + o - 4, "\"/>\n", 4)) {
			o = start;	/* did not fit: leave the element out */
			break;
		}
	}
	memcpy(eng->xfer_buf + o, RSP_XML_TAIL, sizeof(RSP_XML_TAIL) - 1);
	eng->xfer_len = o + sizeof(RSP_XML_TAIL) - 1;
}

/* Replies to qXfer ...:offset,length from data[0..total). */
static void rsp_out_xfer(struct rsp_engine *eng, struct rsp_cursor *c,
			 const char *data, size_t total)
{
	u64 off, len;
	size_t room, used, took;

	if (!rsp_parse_range(c, &off, &len) || c->p != c->end) {
		rsp_out_err(eng, RSP_EINVAL);
		return;
	}
	if (off >= total) {
		rsp_out_str(eng, "l");
		return;
	}
	if (len > total - off)
		len = total - off;
	room = RSP_PACKET_SIZE - 1;
	if (len > room)
		len = room;
	eng->out[0] = 'm';
	used = rsp_escape(eng->out + 1, room, (const u8 *)data + off,
			  (size_t)len, &took);
	eng->out_len = 1 + used;
	if (off + took >= total)
		eng->out[0] = 'l';
}

static enum rsp_handled rsp_h_qsupported(struct rsp_engine *eng,
					 struct rsp_cursor *c)
{
	char num[17];

	/* A new session: forget the last one's breakpoints and state. */
	rsp_remove_all_breakpoints(eng);
	eng->g_tid = eng->c_tid = 0;
	eng->gdb_waiting = false;
	eng->peer_swbreak = eng->peer_hwbreak = false;
	rsp_qemu_reset(eng);
	rsp_fileio_reset(eng);
	while (c->p < c->end) {
		if (rsp_starts(c, "swbreak+"))
			eng->peer_swbreak = true;
		if (rsp_starts(c, "hwbreak+"))
			eng->peer_hwbreak = true;
		c->p++;
	}
	num[rsp_fmt_hex(num, RSP_PACKET_SIZE)] = 0;
	rsp_out_str(eng, "PacketSize=");
	rsp_out_str(eng, num);
	rsp_out_str(eng, ";qXfer:features:read+;qXfer:threads:read+"
		    ";swbreak+;hwbreak+;vContSupported+");
	if (eng->tr.reliable)
		rsp_out_str(eng, ";QStartNoAckMode+");
	return RSP_REPLY;
}

void rsp_output_flush(struct rsp_output *out)
{
	struct rsp_engine *eng = out->eng;

	if (!eng->mon_len)
		return;
	eng->out_len = 0;
	rsp_out_str(eng, "O");
	rsp_out_bytes_hex(eng, (const u8 *)eng->mon_buf, eng->mon_len);
	rsp_send_out(eng);
	eng->mon_len = 0;
}

void rsp_output_keepalive(struct rsp_output *out)
{
	struct rsp_engine *eng = out->eng;

	if (eng->mon_len) {
		rsp_output_flush(out);
		return;
	}
	eng->out_len = 0;
	rsp_out_str(eng, "O");
	rsp_send_out(eng);
}

void rsp_output_write(struct rsp_output *out, const char *buf, size_t len)
{
	struct rsp_engine *eng = out->eng;

	while (len) {
		size_t room = sizeof(eng->mon_buf) - eng->mon_len;
		size_t k = len < room ? len : room;

		memcpy(eng->mon_buf + eng->mon_len, buf, k);
		eng->mon_len += k;
		buf += k;
		len -= k;
		/* Stream as we go: gdb prints each O packet on arrival. */
		if (eng->mon_len == sizeof(eng->mon_buf))
			rsp_output_flush(out);
	}
}

size_t rsp_console_write(struct rsp_engine *eng, const char *buf, size_t len)
{
	struct rsp_output out = { .eng = eng };
	size_t saved = eng->mon_len;

	if (!eng->gdb_waiting || !len)
		return 0;
	/* Not inside a monitor command here: its staging buffer is free. */
	eng->mon_len = 0;
	rsp_output_write(&out, buf, len);
	rsp_output_flush(&out);
	eng->mon_len = saved;
	return len;
}

static enum rsp_handled rsp_h_rcmd(struct rsp_engine *eng,
				   struct rsp_cursor *c)
{
	struct rsp_output out = { .eng = eng };
	long n;
	int err;

	n = rsp_hex_decode(eng->data, sizeof(eng->data) - 1, c->p,
			   (size_t)(c->end - c->p));
	if (n < 0) {
		rsp_out_err(eng, RSP_EINVAL);
		return RSP_REPLY;
	}
	eng->data[n] = 0;
	if (!eng->ops->monitor)
		return RSP_REPLY;	/* no monitor: unsupported */
	eng->mon_len = 0;
	err = eng->ops->monitor(eng->tctx, (const char *)eng->data, &out);
	rsp_output_flush(&out);		/* a short final O packet */
	eng->out_len = 0;
	if (err < 0)
		rsp_out_err(eng, err == -RSP_ENOSYS ? RSP_ENOSYS :
			    err < -255 ? RSP_EIO : -err);
	else
		rsp_out_str(eng, "OK");
	return RSP_REPLY;
}

static enum rsp_handled rsp_h_query(struct rsp_engine *eng,
				    struct rsp_cursor *c)
{
	struct rsp_thread_info ti;
	int tid, i;

	if (rsp_accept(c, "qSupported"))
		return rsp_h_qsupported(eng, c);
	if (rsp_accept(c, "qXfer:features:read:")) {
		if (rsp_accept(c, "target.xml:"))
			rsp_out_xfer(eng, c, rsp_target_xml,
				     rsp_target_xml_len);
		else
			rsp_out_err(eng, 0);	/* E00: unknown annex (manual) */
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qXfer:hvgdb-btf:read::")) {
		const u8 *blob;
		size_t n;
		int err;

		if (!eng->ops->btf_blob)
			return RSP_REPLY;	/* unsupported: empty reply */
		err = eng->ops->btf_blob(eng->tctx, &blob, &n);
		if (err < 0)
			rsp_out_err(eng, err);
		else
			rsp_out_xfer(eng, c, (const char *)blob, n);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qXfer:threads:read::")) {
		u64 off;
		struct rsp_cursor peek = *c;

		if (!rsp_parse_hex(&peek, &off) || off == 0 || !eng->xfer_len)
			rsp_build_threads_xml(eng);
		rsp_out_xfer(eng, c, eng->xfer_buf, eng->xfer_len);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qfThreadInfo")) {
		eng->thread_iter = 0;
		rsp_out_thread_list(eng);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qsThreadInfo")) {
		rsp_out_thread_list(eng);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qThreadExtraInfo,")) {
		if (!rsp_parse_tid(c, &tid) || c->p != c->end) {
			rsp_out_err(eng, RSP_EINVAL);
			return RSP_REPLY;
		}
		for (i = 0; i < RSP_MAX_THREADS; i++) {
			if (eng->ops->thread_info(eng->tctx, i, &ti) < 0)
				break;
			if (ti.tid == tid) {
				size_t n = 0;

				while (n < sizeof(ti.name) && ti.name[n])
					n++;
				rsp_out_bytes_hex(eng, (const u8 *)ti.name, n);
				return RSP_REPLY;
			}
		}
		rsp_out_err(eng, RSP_ESRCH);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qC")) {
		if (c->p != c->end)
			return RSP_REPLY;	/* unknown query: empty */
		rsp_out_str(eng, "QC");
		rsp_out_hex(eng, (u64)eng->stop.tid);
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qAttached")) {
		rsp_out_str(eng, "1");	/* we attached to a running system */
		return RSP_REPLY;
	}
	if (rsp_accept(c, "qRcmd,"))
		return rsp_h_rcmd(eng, c);
	if (rsp_accept(c, "qqemu."))
		return rsp_h_qemu(eng, c, false);
	if (rsp_accept(c, "qSearch:memory:"))
		return rsp_h_search(eng, c);
	return RSP_REPLY;		/* unknown query: empty */
}

/* --- the dispatcher ------------------------------------------------------ */

/*
 * pkt is the whole packet, for the named ones (q..., Q..., v...); c is past
 * the command letter, for the rest.
 */
enum rsp_handled rsp_dispatch(struct rsp_engine *eng, struct rsp_resume *res)
{
	struct rsp_cursor pkt = { eng->in, eng->in + eng->in_len };
	struct rsp_cursor c = pkt;
	int tid;

	eng->out_len = 0;
	if (eng->in_len == 0)
		return RSP_REPLY;
	c.p++;			/* the command letter, eng->in[0] */
	switch (eng->in[0]) {
	case '?':
		if (!eng->have_stop) {
			eng->stop.tid = 1;
			eng->stop.signal = RSP_SIGTRAP;
			eng->stop.reason = RSP_STOP_SIGNAL;
		}
		/*
		 * The answer to '?' is what gdb connects with: it fetches
		 * the register file then ('g') and later commands (`info
		 * registers`, an IDE's register view) use that cache.
		 */
		rsp_build_stop(eng, false);
		return RSP_REPLY;
	case 'g':
		return rsp_h_read_regs(eng);
	case 'G':
		return rsp_h_write_regs(eng);
	case 'p':
		return rsp_h_read_reg(eng, &c);
	case 'P':
		return rsp_h_write_reg(eng, &c);
	case 'm':
		return rsp_h_read_mem(eng, &c);
	case 'M':
		return rsp_h_write_mem(eng, &c, false);
	case 'X':
		return rsp_h_write_mem(eng, &c, true);
	case 'Z':
	case 'z':
		return rsp_h_breakpoint(eng, &c, eng->in[0] == 'Z');
	case 'c':
	case 'C':
	case 's':
	case 'S':
		return rsp_h_resume(eng, &c, eng->in[0], res);
	case 'H':
		return rsp_h_set_thread(eng, &c);
	case 'T':
		if (!rsp_parse_tid(&c, &tid) || c.p != c.end)
			rsp_out_err(eng, RSP_EINVAL);
		else if (tid > 0 && rsp_thread_exists(eng, tid))
			rsp_out_str(eng, "OK");
		else
			rsp_out_err(eng, RSP_ESRCH);
		return RSP_REPLY;
	case 'D':
		return rsp_h_detach(eng, res, true);
	case 'k':
		/* Kill cannot end a whole system: it detaches, no reply. */
		return rsp_h_detach(eng, res, false);
	case 'q':
		return rsp_h_query(eng, &pkt);
	case 'Q':
		if (rsp_accept(&pkt, "Qqemu."))
			return rsp_h_qemu(eng, &pkt, true);
		if (rsp_accept(&pkt, "QStartNoAckMode") && eng->tr.reliable) {
			rsp_out_str(eng, "OK");
			rsp_send_out(eng);	/* this reply is still acked */
			eng->no_ack = true;
			return RSP_NO_REPLY;
		}
		return RSP_REPLY;
	case 'v':
		if (rsp_accept(&pkt, "vCont")) {
			if (rsp_accept(&pkt, "?"))
				rsp_out_str(eng, "vCont;c;C;s;S;t");
			else if (rsp_starts(&pkt, ";"))	/* ;action... */
				return rsp_h_vcont(eng, &pkt, res);
			return RSP_REPLY;
		}
		if (rsp_accept(&pkt, "vKill"))
			return rsp_h_detach(eng, res, true);
		return RSP_REPLY;
	default:
		return RSP_REPLY;
	}
}
