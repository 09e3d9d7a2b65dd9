/*
 * history.c - events read back: a create event's first fields worked out
 * from the ticket now and every later change undone (log.c writes events
 * with no value for create; see there). Above the ticket model, which it
 * reads; log.c, below it, only appends and decodes.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

/* Read and decode event seq: 1 found, 0 not, -1 error. */
static int
event_read(tk_txn *t, uint64_t seq, tk_event *ev)
{
	MDB_val v;
	int rc;

	if ((rc = tk_get_id(t, TK_DB_LOG, seq, &v)) <= 0)
		return rc;
	return tk_event_decode(ev, seq, v.mv_data, v.mv_size) < 0 ? -1 : 1;
}

/* The fields of ticket id when event seq (its create event) was written. */
static int
first_fields(tk_txn *t, uint64_t id, uint64_t seq, tk_buf *out)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, d;
	tk_ticket tk;
	tk_event ev;
	int rc, f;

	tk_ticket_init(&tk);
	rc = tk_ticket_get(t, id, &tk, 0);
	if (rc <= 0) {
		tk_ticket_free(&tk);
		return rc;
	}
	tk_put_u64(kb, id);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LOG_TICKET], &c))) {
		tk_ticket_free(&tk);
		return tk_mdb_error(rc, "log_ticket");
	}
	/* Undo the later changes, the last first. */
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY);
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &d, MDB_LAST_DUP);
	for (; rc == 0 && tk_get_u64(d.mv_data) > seq; rc = mdb_cursor_get(c, &k, &d, MDB_PREV_DUP)) {
		if (event_read(t, tk_get_u64(d.mv_data), &ev) <= 0)
			continue;
		f = tk_field_lookup_n(ev.field.p, ev.field.n);
		if (f == TK_F_CUSTOM && tk_event_reserved(ev.field.p, ev.field.n))
			continue;	/* a reply, a link, a merge: no field's value */
		if (f == TK_F_CUSTOM)
			tk_ticket_custom_slot(&tk, ev.field.p, ev.field.n)->value = ev.old;
		else if (f > TK_F_ID && f < TK_F_NSTORED)
			tk.f[f] = ev.old;
	}
	mdb_cursor_close(c);
	out->len = 0;
	tk_ticket_summary(&tk, out);
	tk_ticket_free(&tk);
	return 1;
}

int
tk_event_complete(tk_txn *t, tk_event *ev)
{
	static tk_buf b;	/* the value shown, until the next call */

	if (ev->new.n || !tk_str_eq(ev->field, "create") || !ev->ticket)
		return 0;
	if (first_fields(t, ev->ticket, ev->seq, &b) < 0)
		return -1;
	ev->new = (tk_str){ b.p ? b.p : "", b.len };
	return 0;
}

int
tk_event_get(tk_txn *t, uint64_t seq, tk_event *ev)
{
	int rc = event_read(t, seq, ev);

	if (rc > 0 && tk_event_complete(t, ev) < 0)
		return -1;
	return rc;
}
