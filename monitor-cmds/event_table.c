// SPDX-License-Identifier: GPL-2.0
/*
 * event_table.c - add, enable, disable and clear events in a caller-owned
 * table (see event.h).  Runs only while the system is halted.
 */
#include "hvgdb/freestanding.h"
#include "event.h"

void event_table_init(struct event_table *t, struct event *slots, u32 cap,
		      char *text, u32 text_cap,
		      const struct event_script_ops *ops)
{
	memset(t, 0, sizeof(*t));
	t->ev = slots;
	t->cap = cap;
	t->text = text;
	t->text_cap = text_cap;
	t->ops = ops;
}

int event_table_grow(struct event_table *t, struct event *slots, u32 cap,
		     char *text, u32 text_cap)
{
	if (cap < t->count)
		return EVENT_ERR_FULL;
	if (text_cap < t->text_used)
		return EVENT_ERR_TEXT_FULL;
	if (t->count)
		memcpy(slots, t->ev, (size_t)t->count * sizeof(*slots));
	if (t->text_used)
		memcpy(text, t->text, t->text_used);
	t->ev = slots;
	t->cap = cap;
	t->text = text;
	t->text_cap = text_cap;
	/* The request is served once the pools are at least that large. */
	t->want_events = 0;
	t->want_text = 0;
	return EVENT_OK;
}

void event_table_set_data(struct event_table *t, u8 *data, u32 data_cap)
{
	t->data = data;
	t->data_cap = data_cap;
	t->data_used = 0;
}

int event_table_grow_data(struct event_table *t, u8 *data, u32 data_cap)
{
	if (data_cap < t->data_used)
		return EVENT_ERR_DATA_FULL;
	if (t->data_used)
		memcpy(data, t->data, t->data_used);
	t->data = data;
	t->data_cap = data_cap;
	t->want_data = 0;
	return EVENT_OK;
}

/* Buffers are 8-byte granular so scripts can use aligned dq accesses. */
static u32 buf_round(u32 size)
{
	return (size + 7u) & ~7u;
}

int event_table_room(const struct event_table *t, u32 text_len,
		     u32 buffer_size)
{
	if (t->count >= t->cap)
		return EVENT_ERR_FULL;
	if (text_len > t->text_cap - t->text_used)
		return EVENT_ERR_TEXT_FULL;
	if (buffer_size > 0xfffffff0u ||
	    buf_round(buffer_size) > t->data_cap - t->data_used)
		return EVENT_ERR_DATA_FULL;
	if (t->next_id == 0xffffffffu)
		return EVENT_ERR_NO_ID;
	return EVENT_OK;
}

int event_table_add(struct event_table *t, const struct event_spec *spec,
		    const char *text, u32 text_len, void *script_prog,
		    void *cond_prog, u32 *id)
{
	struct event *ev;
	int err = event_table_room(t, text_len, spec->buffer_size);

	if (err)
		return err;
	ev = &t->ev[t->count++];
	memset(ev, 0, sizeof(*ev));
	ev->id = t->next_id++;
	ev->enabled = true;
	ev->spec = *spec;
	ev->text_off = t->text_used;
	ev->text_len = text_len;
	memcpy(t->text + t->text_used, text, text_len);
	t->text_used += text_len;
	ev->buf_off = t->data_used;
	ev->buf_len = buf_round(spec->buffer_size);
	if (ev->buf_len)
		memset(t->data + ev->buf_off, 0, ev->buf_len);
	t->data_used += ev->buf_len;
	ev->script_prog = script_prog;
	ev->cond_prog = cond_prog;
	t->generation++;
	*id = ev->id;
	return EVENT_OK;
}

struct event *event_table_find(struct event_table *t, u32 id)
{
	u32 lo = 0, hi = t->count;

	/* Slots are in increasing id order: binary search. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->ev[mid].id == id)
			return &t->ev[mid];
		if (t->ev[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int event_table_enable(struct event_table *t, u32 id, bool on)
{
	struct event *ev = event_table_find(t, id);

	if (!ev)
		return EVENT_ERR_NOT_FOUND;
	if (ev->enabled != on) {
		ev->enabled = on;
		t->generation++;
	}
	return EVENT_OK;
}

void event_table_enable_all(struct event_table *t, bool on)
{
	u32 i;

	for (i = 0; i < t->count; i++) {
		if (t->ev[i].enabled != on) {
			t->ev[i].enabled = on;
			t->generation++;
		}
	}
}

static void release_progs(struct event_table *t, struct event *ev)
{
	if (t->ops && t->ops->release) {
		if (ev->script_prog)
			t->ops->release(t->ops->ctx, ev->script_prog);
		if (ev->cond_prog)
			t->ops->release(t->ops->ctx, ev->cond_prog);
	}
	ev->script_prog = NULL;
	ev->cond_prog = NULL;
}

int event_table_clear(struct event_table *t, u32 id)
{
	struct event *ev = event_table_find(t, id);
	u32 idx, off, len, boff, blen, i;

	if (!ev)
		return EVENT_ERR_NOT_FOUND;
	release_progs(t, ev);
	idx = (u32)(ev - t->ev);
	off = ev->text_off;
	len = ev->text_len;
	boff = ev->buf_off;
	blen = ev->buf_len;
	/* Compact the text arena so cleared commands give their bytes back;
	 * texts are stored in slot order, so only later slots move. */
	/* Forward copies towards lower addresses: safe while overlapping
	 * (freestanding.h has no memmove). */
	for (i = off; i + len < t->text_used; i++)
		t->text[i] = t->text[i + len];
	t->text_used -= len;
	for (i = boff; i + blen < t->data_used; i++)
		t->data[i] = t->data[i + blen];
	t->data_used -= blen;
	for (i = idx; i + 1 < t->count; i++) {
		t->ev[i] = t->ev[i + 1];
		t->ev[i].text_off -= len;
		t->ev[i].buf_off -= blen;
	}
	t->count--;
	t->generation++;
	return EVENT_OK;
}

void event_table_clear_all(struct event_table *t)
{
	u32 i;

	for (i = 0; i < t->count; i++)
		release_progs(t, &t->ev[i]);
	if (t->count)
		t->generation++;
	t->count = 0;
	t->text_used = 0;
	t->data_used = 0;
}
