/*
 * log.c - the append-only event log.
 *
 * log: seq (8 bytes, big-endian) -> ticket (8 bytes, big-endian), then
 * time, actor, field, old value, new value and via (what made the change:
 * cli, import, upgrade...; events written before schema 6 end after the
 * new value), each ending in NUL (no stored value holds a NUL). log_ticket maps each ticket to its sequence
 * numbers. An event about something that is not a ticket (an agent, a
 * team, a contact, an org: DESIGN.md 3) has ticket 0 and, after via, its
 * typed key (agent:LOGIN, team:NAME, c123, org:KEY), which log_key maps to
 * its sequence numbers (key -> seq, DUPSORT); it never enters log_ticket. A new ticket gets one event, field "create"; each later change
 * of a field is one event with its old and new value.
 *
 * The create event is written with no value: a ticket's first fields are
 * its fields now with every later change undone, so storing them again
 * would only double what a bulk import writes. tk_event_complete puts them
 * back, in the assignment language, TAB-separated, as readers show them.
 * (Stores made before this kept them in the event; those are shown as is.)
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

int
tk_log_last(tk_txn *t, uint64_t *seq)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if (t->next_seq) {	/* (this txn has written events) */
		*seq = t->next_seq - 1;
		return 0;
	}
	*seq = 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LOG], &c)))
		return tk_mdb_error(rc, "log");
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == 0)
		*seq = tk_get_u64(k.mv_data);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "log") : 0;
}

static int
next_seq(tk_txn *t, uint64_t *seq)
{
	uint64_t last;

	if (!t->next_seq) {
		if (tk_log_last(t, &last) < 0)
			return -1;
		t->log_first = t->next_seq = last + 1;
	}
	*seq = t->next_seq++;
	return 0;
}

/* Event seq (its key in kb) appended: ticket, or 0 and key for an event
 * about something else. */
static int
append(tk_txn *t, unsigned char kb[8], uint64_t ticket, const char *key, const char *field, tk_str old, tk_str new)
{
	static tk_buf b;
	unsigned char tb[8];
	MDB_val k = { 8, kb }, v;
	char iso[21];
	uint64_t seq = 0;
	int rc;

	if (next_seq(t, &seq) < 0)
		return -1;
	tk_put_u64(kb, seq);
	tk_put_u64(tb, ticket);
	memcpy(iso, t->now_iso, sizeof iso);
	b.len = 0;
	tk_buf_add(&b, tb, 8);
	tk_buf_add(&b, iso, 21);
	tk_buf_add(&b, t->actor, strlen(t->actor) + 1);
	tk_buf_add(&b, field, strlen(field) + 1);
	tk_buf_add(&b, old.p, old.n);
	tk_buf_addc(&b, '\0');
	tk_buf_add(&b, new.p, new.n);
	tk_buf_addc(&b, '\0');
	tk_buf_add(&b, t->via ? t->via : "", (t->via ? strlen(t->via) : 0) + 1);
	if (key)
		tk_buf_add(&b, key, strlen(key) + 1);
	v.mv_size = b.len;
	v.mv_data = b.p;
	rc = tk_append(t, TK_DB_LOG, &k, &v);
	return rc ? tk_mdb_error(rc, "log") : 0;
}

int
tk_log_append_key(tk_txn *t, const char *key, const char *field, tk_str old, tk_str new)
{
	unsigned char kb[8];
	MDB_val k = { strlen(key), (void *)key }, v = { 8, kb };
	int rc;

	if (append(t, kb, 0, key, field, old, new) < 0)
		return -1;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_LOG_KEY], &k, &v, 0)))
		return tk_mdb_error(rc, "log_key");
	return 0;
}

int
tk_log_event_key(tk_txn *t, const char *key, const char *field, tk_str old, tk_str new, uint64_t *seq)
{
	unsigned char kb[8];

	if (append(t, kb, 0, key, field, old, new) < 0)
		return -1;
	*seq = tk_get_u64(kb);
	return 0;
}

int
tk_log_append(tk_txn *t, uint64_t ticket, const char *field, tk_str old, tk_str new)
{
	unsigned char kb[8], tb[8];
	MDB_val k, v;
	int rc;

	if (append(t, kb, ticket, NULL, field, old, new) < 0)
		return -1;
	tk_put_u64(tb, ticket);
	k.mv_size = 8;
	k.mv_data = tb;
	v.mv_size = 8;
	v.mv_data = kb;
	/* A ticket's first event has the largest ticket id yet: an append. */
	rc = !strcmp(field, "create") ? tk_append(t, TK_DB_LOG_TICKET, &k, &v) :
	    mdb_put(t->txn, t->st->dbi[TK_DB_LOG_TICKET], &k, &v, 0);
	if (rc)
		return tk_mdb_error(rc, "log_ticket");
	return 0;
}

static const char *
next_part(const char **p, const char *end, tk_str *out)
{
	const char *z = memchr(*p, '\0', (size_t)(end - *p));

	if (!z)
		return NULL;
	out->p = *p;
	out->n = (size_t)(z - *p);
	*p = z + 1;
	return out->p;
}

int
tk_event_decode(tk_event *ev, uint64_t seq, const void *data, size_t n)
{
	const char *p = data, *end = p + n;

	if (n < 8)
		return tk_error("log %llu: corrupt event", (unsigned long long)seq);
	ev->seq = seq;
	ev->ticket = tk_get_u64(data);
	p += 8;
	if (!next_part(&p, end, &ev->time) || !next_part(&p, end, &ev->actor) ||
	    !next_part(&p, end, &ev->field) || !next_part(&p, end, &ev->old) ||
	    !next_part(&p, end, &ev->new))
		return tk_error("log %llu: corrupt event", (unsigned long long)seq);
	ev->via = ev->key = (tk_str){ "", 0 };
	if (p < end && !next_part(&p, end, &ev->via))
		return tk_error("log %llu: corrupt event", (unsigned long long)seq);
	if (p < end && !next_part(&p, end, &ev->key))
		return tk_error("log %llu: corrupt event", (unsigned long long)seq);
	return 0;
}

