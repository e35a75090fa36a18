// SPDX-License-Identifier: GPL-2.0
/*
 * gdb_link.c - the serial link to gdb: the polled 16550 under the RSP
 * engine, the wire log, the link lock, and noticing gdb while the system
 * runs.
 *
 * Noticing gdb: every 50 ms one CPU looks at the UART in VMX root with
 * rsp_poll_running() and stops the system on a Ctrl-C or the start of a
 * packet (docs/debugging.md).  Where the CPU has the VMX-preemption timer
 * (SDM Vol. 3C 26.5.1; poll=auto, the default, or poll=preempt) the timer
 * brings the first online CPU to VMX root by itself, and the guest runs no
 * hvgdb code: a connect finds every CPU where it really was.  Without it
 * (or with poll=hrtimer) a pinned hrtimer on the CPU that loaded the
 * module makes a VMCALL (HV_HC_GDB_POLL) instead.  The choice is made at
 * load (module parameter poll, debugfs gdb: "poll ...").
 *
 * Context: the transport callbacks and the poll run in VMX root with the
 * link lock held; gdb_link_init/start/stop in process context.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/hrtimer.h>
#include <linux/seq_file.h>
#include <linux/io.h>
#include <linux/cpumask.h>
#include <linux/string.h>
#include <linux/cpu.h>
#include <linux/pm_qos.h>
#include <asm/tsc.h>
#include <asm/msr.h>
#include "kmod/vmx/hv.h"
#include "kmod/vmx/hypercall.h"
#include "kmod/debug/gdb.h"
#include "kmod/debug/gdb_priv.h"

static uint uart_port = UART_DEFAULT_PORT;
module_param(uart_port, uint, 0444);
MODULE_PARM_DESC(uart_port, "I/O port of the 16550 UART gdb connects to (default 0x3f8, COM1)");
static uint uart_baud = UART_DEFAULT_BAUD;
module_param(uart_baud, uint, 0444);
MODULE_PARM_DESC(uart_baud, "baud rate of that UART, 115200/n (default 115200)");
static char *poll = "auto";
module_param(poll, charp, 0444);
MODULE_PARM_DESC(poll, "how hvgdb notices gdb while the system runs: auto (default: the VMX-preemption timer where the CPU has it, else the hrtimer), preempt (the VMX-preemption timer from VMX root, or refuse to load), hrtimer (a guest hrtimer and a VMCALL every 50 ms)");

enum gdb_poll_mode { GDB_POLL_HRTIMER, GDB_POLL_PREEMPT };
static enum gdb_poll_mode gdb_poll_mode;

/*
 * The link lock: whoever holds it talks to gdb (gdb.eng, gdb.uart,
 * gdb_wire).  Only tried, never spun on with nothing else to do: a CPU
 * that wants the link while another serves gdb must still notice its own
 * halt request (gdb_halt.c).
 */
static arch_spinlock_t gdb_link = __ARCH_SPIN_LOCK_UNLOCKED;

bool gdb_link_trylock(void)
{
	return arch_spin_trylock(&gdb_link);
}

void gdb_link_unlock(void)
{
	arch_spin_unlock(&gdb_link);
}

/*
 * The last bytes on the link, both directions, for debugfs `wire`: what a
 * lost stop or a confused gdb saw.  Written only by the link's holder.
 */
#define GDB_WIRE_LOG	4096	/* power of two */
static struct {
	char buf[GDB_WIRE_LOG];
	u32 pos;
	int last_cpu;
	char last_dir;
} gdb_wire;

static void gdb_wire_put(char ch)
{
	gdb_wire.buf[gdb_wire.pos++ % GDB_WIRE_LOG] = ch;
}

static void gdb_wire_log(char dir, const u8 *b, size_t n)
{
	int cpu = raw_smp_processor_id();

	if (dir != gdb_wire.last_dir || cpu != gdb_wire.last_cpu) {
		gdb_wire_put('\n');
		gdb_wire_put(dir);
		gdb_wire_put('0' + cpu % 10);
		gdb_wire_put(' ');
		gdb_wire.last_dir = dir;
		gdb_wire.last_cpu = cpu;
	}
	while (n--) {
		u8 ch = *b++;

		gdb_wire_put(ch >= 0x20 && ch < 0x7f ? ch : '.');
	}
}

/* ---- transport ---- */

static u8 gdb_inb(void *ctx, u16 port)
{
	return inb(port);
}

static void gdb_outb(void *ctx, u16 port, u8 v)
{
	outb(v, port);
}

static u64 gdb_now(void *ctx)
{
	return rdtsc();
}

static int gdb_get_byte(void *ctx, u32 timeout_ms)
{
	int b = uart_get_byte(&gdb.uart, timeout_ms);
	u8 ch = b;

	if (b < 0)
		return RSP_NO_BYTE;
	gdb_wire_log('<', &ch, 1);
	return b;
}

static void gdb_put_bytes(void *ctx, const u8 *buf, size_t len)
{
	size_t n = uart_put_bytes(&gdb.uart, buf, len);

	gdb_wire_log('>', buf, n);
	if (n < len)
		gdb_wire_log('!', buf + n, len - n);	/* never sent */
}

static void gdb_flush(void *ctx)
{
}

u64 gdb_ms_to_tsc(u32 ms)
{
	return (u64)ms * (tsc_khz ? tsc_khz : 1000000);
}

const struct rsp_transport gdb_transport = {
	.get_byte = gdb_get_byte, .put_bytes = gdb_put_bytes,
	.flush = gdb_flush, .reliable = false,
};

size_t hv_gdb_console(const char *text, size_t len)
{
	size_t n;

	if (!gdb.uart_ok || !gdb_link_trylock())
		return 0;
	n = rsp_console_write(gdb.eng, text, len);
	gdb_link_unlock();
	return n;
}

/* ---- noticing gdb while the system runs ---- */

static void gdb_poll(struct hv_cpu *c, struct hv_regs *r)
{
	struct rsp_stop why = { .tid = c->cpu + 1, .signal = RSP_SIGINT };
	struct gdb_handover h = { 0 };

	gdb.polls++;
	gdb_watchdogs_poll();
	if (!gdb.uart_ok || !gdb_link_trylock())
		return;
	if (rsp_poll_running(gdb.eng))
		gdb_stop_world(c, r, &why, false, &h);
	gdb_link_unlock();
	gdb_after_stop(c, r, &h);
}

/* The VMX-preemption timer expired on the polling CPU (hv_timer_setup). */
static int gdb_on_timer(struct hv_cpu *c, struct hv_regs *r, u32 reason)
{
	gdb_poll(c, r);
	return HV_RESUME;
}

/* VMCALL HV_HC_GDB_POLL from the guest hrtimer (the fallback). */
int hv_gdb_on_poll(struct hv_cpu *c, struct hv_regs *r)
{
	r->gpr[HV_RAX] = 0;
	hv_skip_insn();
	gdb_poll(c, r);
	return HV_RESUME;
}

static enum hrtimer_restart gdb_tick(struct hrtimer *t)
{
	struct hv_cpu *c = this_cpu_read(hv_this_cpu);

	if (c && c->state == HV_CPU_VIRTUALIZED)
		hv_hypercall(HV_HC_GDB_POLL, 0);
	hrtimer_forward_now(t, ms_to_ktime(HV_GDB_POLL_MS));
	return HRTIMER_RESTART;
}

/*
 * The VMX-preemption timer counts only in C-states C0, C1 and C2 (SDM Vol.
 * 3C 26.5.1): a polling CPU idle in a deeper state would notice gdb only
 * when something else woke it.  While that poll runs, cpuidle is asked (a
 * resume-latency PM QoS request on the polling CPU's device, which the
 * menu and teo governors obey) for idle states that wake within
 * GDB_IDLE_LIMIT_US: C1 and C1E take 1-10 us in intel_idle's tables, C3
 * and deeper 33 us or more.  Other CPUs idle as before.
 */
#define GDB_IDLE_LIMIT_US	10
static struct dev_pm_qos_request gdb_idle_req;
static bool gdb_idle_req_on;

static const char *gdb_idle_limit_text(void)
{
	return gdb_idle_req_on ? __stringify(GDB_IDLE_LIMIT_US) : "none";
}

void gdb_link_start(void)
{
	if (gdb_poll_mode == GDB_POLL_PREEMPT) {
		struct device *dev = get_cpu_device(hv.timer.cpu);

		/* The timer is armed with each CPU's VMCS; keep its CPU
		 * out of the idle states where it stops. */
		if (dev && dev_pm_qos_add_request(dev, &gdb_idle_req,
						  DEV_PM_QOS_RESUME_LATENCY,
						  GDB_IDLE_LIMIT_US) >= 0)
			gdb_idle_req_on = true;
		else
			pr_warn("hvgdb: CPU %d may idle where the VMX-preemption timer stops: gdb is noticed only when it wakes\n",
				hv.timer.cpu);
		return;
	}
	/* Pinned: it fires on the CPU that loads the module; one CPU
	 * polling is enough, the others are halted by NMI. */
	hrtimer_init(&gdb.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	gdb.timer.function = gdb_tick;
	hrtimer_start(&gdb.timer, ms_to_ktime(HV_GDB_POLL_MS),
		      HRTIMER_MODE_REL_PINNED);
	gdb.timer_on = true;
}

void gdb_link_stop(void)
{
	if (gdb.timer_on)
		hrtimer_cancel(&gdb.timer);
	gdb.timer_on = false;
	if (gdb_idle_req_on)
		dev_pm_qos_remove_request(&gdb_idle_req);
	gdb_idle_req_on = false;
}

/* How to poll; before any CPU is virtualized (hv_timer_setup). */
static int gdb_poll_init(void)
{
	bool want_timer = !strcmp(poll, "auto") || !strcmp(poll, "preempt");

	if (!want_timer && strcmp(poll, "hrtimer")) {
		pr_err("hvgdb: poll=%s: not auto, preempt or hrtimer\n", poll);
		return -EINVAL;
	}
	gdb_poll_mode = GDB_POLL_HRTIMER;
	if (want_timer &&
	    !hv_timer_setup(cpumask_first(cpu_online_mask), HV_GDB_POLL_MS,
			    gdb_on_timer)) {
		gdb_poll_mode = GDB_POLL_PREEMPT;
		return 0;
	}
	if (!strcmp(poll, "preempt")) {
		pr_err("hvgdb: poll=preempt: this CPU has no VMX-preemption timer\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The UART at uart_port and the poll; 0 or a negative errno. */
int gdb_link_init(void)
{
	static const struct uart_io io = { gdb_inb, gdb_outb, gdb_now, NULL };
	int err;

	if (uart_port > 0xfff8)
		return -EINVAL;
	err = gdb_poll_init();
	if (err)
		return err;
	err = uart_init(&gdb.uart, &io, (u16)uart_port, uart_baud,
			tsc_khz ? tsc_khz : 1000000);
	if (err) {
		pr_err("hvgdb: no 16550 UART at %#x (baud %u): error %d\n",
		       uart_port, uart_baud, err);
		return err == -22 ? -EINVAL : -ENODEV;
	}
	gdb.uart_ok = true;
	return 0;
}

void gdb_link_announce(void)
{
	pr_info("hvgdb: gdb server on UART %#x at %u baud\n", uart_port,
		uart_baud);
}

void gdb_link_show(struct seq_file *m)
{
	seq_printf(m, "uart %#x baud %u ok %d can_halt %d\n", uart_port,
		   uart_baud, gdb.uart_ok, gdb.can_halt);
	if (gdb_poll_mode == GDB_POLL_PREEMPT)
		seq_printf(m, "poll preemption_timer cpu %d period_ms %u ticks %u save %d tsc_per_ms %llu idle_limit_us %s\n",
			   hv.timer.cpu, HV_GDB_POLL_MS, hv.timer.ticks,
			   hv.timer.save, hv.timer.tsc_per_ms,
			   gdb_idle_limit_text());
	else
		seq_printf(m, "poll hrtimer period_ms %u\n", HV_GDB_POLL_MS);
}

int hv_gdb_link_text(char *buf, size_t cap)
{
	if (gdb_poll_mode == GDB_POLL_PREEMPT)
		return scnprintf(buf, cap, "link: gdb's remote protocol on the 16550 UART at %#x, %u baud; a connecting gdb is noticed within %u ms (VMX-preemption timer on CPU %d)\n",
				 uart_port, uart_baud, HV_GDB_POLL_MS,
				 hv.timer.cpu);
	return scnprintf(buf, cap, "link: gdb's remote protocol on the 16550 UART at %#x, %u baud; a connecting gdb is noticed within %u ms (a pinned hrtimer's VMCALL)\n",
			 uart_port, uart_baud, HV_GDB_POLL_MS);
}

void hv_gdb_show_wire(struct seq_file *m)
{
	u32 end = READ_ONCE(gdb_wire.pos), i;

	i = end > GDB_WIRE_LOG ? end - GDB_WIRE_LOG : 0;
	for (; i < end; i++)
		seq_putc(m, gdb_wire.buf[i % GDB_WIRE_LOG]);
	seq_putc(m, '\n');
}
