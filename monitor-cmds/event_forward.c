// SPDX-License-Identifier: GPL-2.0
/* event_forward.c - output sources and forwarded records; see
 * event_forward.h. */
#include "hvgdb/freestanding.h"
#include "event_forward.h"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

int event_outputs_find(const struct event_outputs *o, const char *name,
		       u32 len)
{
	u32 i;

	for (i = 0; i < o->n; i++) {
		if (strlen(o->name[i]) == len &&
		    !memcmp(o->name[i], name, len))
			return (int)i;
	}
	return -1;
}

int event_outputs_add(struct event_outputs *o, const char *name, u32 len)
{
	u32 i;

	if (!len || len > EVENT_OUTPUT_NAME_MAX)
		return EVENT_FWD_BAD_NAME;
	for (i = 0; i < len; i++)
		if (!name_char(name[i]))
			return EVENT_FWD_BAD_NAME;
	if (event_outputs_find(o, name, len) >= 0)
		return EVENT_FWD_EXISTS;
	if (o->n >= EVENT_OUTPUTS_MAX)
		return EVENT_FWD_FULL;
	memcpy(o->name[o->n], name, len);
	o->name[o->n][len] = '\0';
	return (int)o->n++;
}

bool event_outputs_spool(struct event_outputs *o, const char *path, u32 len)
{
	if (len >= EVENT_SPOOL_MAX)
		return false;
	memcpy(o->spool, path, len);
	o->spool[len] = '\0';
	o->spool_gen++;
	return true;
}

u32 event_forward_record(char *out, u32 cap, u32 id, const char *name,
			 u32 nlen, const char *line, u32 len)
{
	static const char hex[] = "0123456789abcdef";
	char num[8];
	u32 k = 0, n = 0, i;

	do {
		num[k++] = hex[id & 0xf];
		id >>= 4;
	} while (id);
	if (!nlen) {
		name = "-";
		nlen = 1;
	}
	if ((u64)2 + k + 1 + nlen + 1 + len + 1 > cap)
		return 0;
	out[n++] = '0';
	out[n++] = 'x';
	while (k)
		out[n++] = num[--k];
	out[n++] = ' ';
	memcpy(out + n, name, nlen);
	n += nlen;
	out[n++] = ' ';
	for (i = 0; i < len; i++)	/* a record is one line */
		out[n++] = line[i] == '\n' ? ' ' : line[i];
	out[n++] = '\n';
	return n;
}

u32 event_forward_lines(char *scratch, u32 cap, u32 id, const char *name,
			u32 nlen, const char *text, u32 len,
			void (*put)(void *arg, const char *rec, u32 n),
			void *arg)
{
	u32 room = cap > EVENT_FWD_TAG_MAX + 1 ?
		   cap - EVENT_FWD_TAG_MAX - 1 : 0;
	u32 records = 0;

	if (!room)
		return 0;
	while (len) {
		u32 l = 0, n;

		while (l < len && text[l] != '\n' && l < room)
			l++;
		n = event_forward_record(scratch, cap, id, name, nlen, text,
					 l);
		if (n) {
			put(arg, scratch, n);
			records++;
		}
		if (l < len && text[l] == '\n')
			l++;
		text += l;
		len -= l;
	}
	return records;
}
