// SPDX-License-Identifier: GPL-2.0
/* event_format.c - the text the user sees for events; see event.h. */
#include "hvgdb/freestanding.h"
#include "cmd_out.h"
#include "event.h"

static const char *const type_names[EVENT_TYPE_COUNT] = {
	[EVENT_NONE] = "?",
	[EVENT_MSRREAD] = "!msrread",
	[EVENT_MSRWRITE] = "!msrwrite",
	[EVENT_CPUID] = "!cpuid",
	[EVENT_TSC] = "!tsc",
	[EVENT_PMC] = "!pmc",
	[EVENT_IOIN] = "!ioin",
	[EVENT_IOOUT] = "!ioout",
	[EVENT_DR] = "!dr",
	[EVENT_VMCALL] = "!vmcall",
	[EVENT_XSETBV] = "!xsetbv",
	[EVENT_CRWRITE] = "!crwrite",
	[EVENT_EXCEPTION] = "!exception",
	[EVENT_INTERRUPT] = "!interrupt",
	[EVENT_SYSCALL] = "!syscall",
	[EVENT_SYSCALL2] = "!syscall2",
	[EVENT_SYSRET] = "!sysret",
	[EVENT_SYSRET2] = "!sysret2",
	[EVENT_MONITOR] = "!monitor",
	[EVENT_EPTHOOK] = "!epthook",
	[EVENT_EPTHOOK2] = "!epthook2",
	[EVENT_MODE] = "!mode",
};

const char *event_type_name(enum event_type type)
{
	if ((unsigned int)type >= EVENT_TYPE_COUNT)
		return "?";
	return type_names[type];
}

#define VECTOR_PF 14

size_t event_format_hit(char *buf, size_t cap, const struct event *ev,
			const struct event_exit *x)
{
	return event_format_hit_of(buf, cap, ev->id, ev->spec.type, x);
}

size_t event_format_hit_of(char *buf, size_t cap, u32 id, enum event_type type,
			   const struct event_exit *x)
{
	struct cmd_out o;

	cmd_out_init(&o, buf, cap);
	cmd_out_str(&o, "event ");
	cmd_out_hex(&o, id);
	cmd_out_char(&o, ' ');
	cmd_out_str(&o, event_type_name(type));
	cmd_out_str(&o, " context=");
	cmd_out_hex(&o, x->context);
	cmd_out_str(&o, x->stage == EVENT_STAGE_POST ? " stage=post" :
						       " stage=pre");
	cmd_out_str(&o, " core=");
	cmd_out_hex(&o, x->cpu);
	cmd_out_str(&o, " pid=");
	cmd_out_hex(&o, x->tgid);
	if (type == EVENT_EXCEPTION && x->key == VECTOR_PF) {
		cmd_out_str(&o, " cr2=");
		cmd_out_hex(&o, x->aux);
	}
	cmd_out_char(&o, '\n');
	return o.len;
}

size_t event_format_list_line(char *buf, size_t cap,
			      const struct event_table *t,
			      const struct event *ev)
{
	struct cmd_out o;

	cmd_out_init(&o, buf, cap);
	cmd_out_hex(&o, ev->id);
	cmd_out_str(&o, ev->enabled ? " (enabled) " : " (disabled) ");
	cmd_out_safe(&o, event_text(t, ev), ev->text_len);
	cmd_out_char(&o, '\n');
	return o.len;
}
