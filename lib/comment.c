/*
 * comment.c - public replies and internal notes, stored and read (what a
 * reply does to its ticket is reply.c's).
 *
 * comments: ticket (8 bytes) . n (4 bytes), big-endian, n counting from 1
 * -> time (20 bytes ISO + NUL), flags ("p" public or "i" internal, NUL),
 * author, NUL, body, and, for a comment a merge moved here (schema 8),
 * NUL and its marks: "TICKET:N" where it came from, the latest first,
 * separated by spaces ("57:3", or "57:3 50:1" when 57 had it from 50).
 * No body holds a NUL, so a record before marks reads as one without.
 *
 * Numbers never change: a comment is added after the ticket's last, and
 * one a merge moves gets the next number of its new ticket.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static void
comment_key(unsigned char kb[12], uint64_t ticket, uint32_t n)
{
	tk_put_u64(kb, ticket);
	kb[8] = (unsigned char)(n >> 24);
	kb[9] = (unsigned char)(n >> 16);
	kb[10] = (unsigned char)(n >> 8);
	kb[11] = (unsigned char)n;
}

static uint32_t
comment_n(const unsigned char *kb)
{
	return (uint32_t)kb[8] << 24 | (uint32_t)kb[9] << 16 | (uint32_t)kb[10] << 8 | kb[11];
}

/* The number of the last comment of a ticket, 0 when it has none. */
int
tk_comment_last(tk_txn *t, uint64_t ticket, uint32_t *n)
{
	unsigned char kb[12];
	MDB_cursor *c;
	MDB_val k = { 12, kb }, v;
	int rc;

	*n = 0;
	comment_key(kb, ticket, 0xffffffffu);
	rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_COMMENTS], &c);
	if (rc)
		return tk_mdb_error(rc, "comments");
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 12 && tk_get_u64(k.mv_data) == ticket)
		*n = comment_n(k.mv_data);
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "comments");
	return 0;
}

int
tk_comment_add(tk_txn *t, uint64_t ticket, const char *author, int internal, const char *body, size_t len)
{
	return tk_comment_add_at(t, ticket, t->now_iso, author, internal, body, len);
}

int
tk_comment_add_at(tk_txn *t, uint64_t ticket, const char *time, const char *author, int internal,
    const char *body, size_t len)
{
	unsigned char kb[12];
	MDB_val k = { 12, kb }, v;
	tk_buf b = { 0 };
	char iso[21], num[16];
	uint32_t n;
	int rc;

	tk_str name, addr;
	char *who;

	if (tk_text_check("author", author, strlen(author)) < 0 || tk_text_check("comment", body, len) < 0)
		return -1;
	if (tk_comment_last(t, ticket, &n) < 0)
		return -1;
	comment_key(kb, ticket, n + 1);
	/* An author given as "Name <Addr>" is kept as the bare address,
	 * lowercased, as requesters are: a reply from the requester is known. */
	if (tk_address_split(author, strlen(author), &name, &addr)) {
		who = tk_xstrndup(addr.p, addr.n);
		tk_address_lower(who, addr.n);
	} else
		who = tk_xstrdup(author);
	memcpy(iso, time, sizeof iso);
	iso[20] = '\0';
	tk_buf_add(&b, iso, 21);
	tk_buf_add(&b, internal ? "i" : "p", 2);
	tk_buf_add(&b, who, strlen(who) + 1);
	free(who);
	tk_buf_add(&b, body, len);
	v.mv_size = b.len;
	v.mv_data = b.p;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_COMMENTS], &k, &v, 0);
	tk_buf_free(&b);
	if (rc)
		return tk_mdb_error(rc, "comments");
	if (tk_ft_changed(t, ticket, 1) < 0)	/* (its text grows) */
		return -1;
	snprintf(num, sizeof num, "%u", n + 1);
	return tk_log_append(t, ticket, internal ? "note" : "reply", (tk_str){ "", 0 }, TK_STR(num));
}

static void mark_parse(tk_str marks, uint64_t *from, uint32_t *n);

static int
decode(tk_comment *cm, MDB_val *k, MDB_val *v)
{
	const char *p = v->mv_data, *end = p + v->mv_size, *z;

	cm->ticket = tk_get_u64(k->mv_data);
	cm->n = comment_n(k->mv_data);
	if (v->mv_size < 24 || p[20] != '\0')
		return tk_error("comment %u of ticket %llu: corrupt", cm->n, (unsigned long long)cm->ticket);
	cm->time = (tk_str){ p, 20 };
	cm->internal = p[21] == 'i';
	p += 23;
	z = memchr(p, '\0', (size_t)(end - p));
	if (!z)
		return tk_error("comment %u of ticket %llu: corrupt", cm->n, (unsigned long long)cm->ticket);
	cm->author = (tk_str){ p, (size_t)(z - p) };
	p = z + 1;
	cm->marks = (tk_str){ "", 0 };
	cm->from = 0;
	cm->from_n = 0;
	if ((z = memchr(p, '\0', (size_t)(end - p)))) {
		cm->marks = (tk_str){ z + 1, (size_t)(end - z - 1) };
		end = z;
		mark_parse(cm->marks, &cm->from, &cm->from_n);
	}
	cm->body = (tk_str){ p, (size_t)(end - p) };
	return 0;
}

/* The first of marks ("57:3 50:1"): the ticket and number, 0 when none. */
static void
mark_parse(tk_str marks, uint64_t *from, uint32_t *n)
{
	const char *p = marks.p, *end = marks.p + marks.n, *colon, *sp;
	uint64_t v;

	*from = 0;
	*n = 0;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (sp)
		end = sp;
	colon = memchr(p, ':', (size_t)(end - p));
	if (!colon || tk_id_parse(p, (size_t)(colon - p), from) < 0 ||
	    tk_id_parse(colon + 1, (size_t)(end - colon - 1), &v) < 0 || v > 0xffffffffu) {
		*from = 0;
		return;
	}
	*n = (uint32_t)v;
}

int
tk_comment_get(tk_txn *t, uint64_t ticket, uint32_t n, tk_comment *cm)
{
	unsigned char kb[12];
	MDB_val k = { 12, kb }, v;
	int rc;

	comment_key(kb, ticket, n);
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_COMMENTS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, "comments");
	return decode(cm, &k, &v) < 0 ? -1 : 1;
}

int
tk_comment_put(tk_txn *t, uint64_t ticket, uint32_t n, const tk_comment *cm)
{
	static tk_buf b;	/* reused: a merge puts a thread at a time */
	unsigned char kb[12];
	MDB_val k = { 12, kb }, v;
	int rc;

	if (cm->time.n != 20)
		return tk_error("comment %u of ticket %llu: not a stored time", n, (unsigned long long)ticket);
	if (tk_ft_changed(t, ticket, 0) < 0)	/* (before: the words it had) */
		return -1;
	comment_key(kb, ticket, n);
	b.len = 0;
	tk_buf_add(&b, cm->time.p, 20);
	tk_buf_add(&b, cm->internal ? "\0i" : "\0p", 3);	/* NUL, flag, NUL */
	tk_buf_add(&b, cm->author.p, cm->author.n);
	tk_buf_addc(&b, '\0');
	tk_buf_add(&b, cm->body.p, cm->body.n);
	if (cm->marks.n) {
		tk_buf_addc(&b, '\0');
		tk_buf_add(&b, cm->marks.p, cm->marks.n);
	}
	v.mv_size = b.len;
	v.mv_data = b.p;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_COMMENTS], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "comments") : 0;
}

int
tk_comment_del(tk_txn *t, uint64_t ticket, uint32_t n)
{
	unsigned char kb[12];
	MDB_val k = { 12, kb };
	int rc;

	if (tk_ft_changed(t, ticket, 0) < 0)
		return -1;
	comment_key(kb, ticket, n);
	rc = mdb_del(t->txn, t->st->dbi[TK_DB_COMMENTS], &k, NULL);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "comments") : 0;
}

int
tk_comment_each(tk_txn *t, uint64_t ticket, int (*fn)(const tk_comment *, void *), void *arg)
{
	unsigned char kb[12];
	MDB_cursor *c;
	MDB_val k = { 12, kb }, v;
	tk_comment cm;
	int rc;

	comment_key(kb, ticket, 0);
	rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_COMMENTS], &c);
	if (rc)
		return tk_mdb_error(rc, "comments");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 12 || tk_get_u64(k.mv_data) != ticket)
			break;
		if (decode(&cm, &k, &v) < 0 || fn(&cm, arg)) {
			mdb_cursor_close(c);
			return -1;
		}
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "comments");
	return 0;
}

/* How many comments a ticket has, counted: an unmerge leaves a gap in
 * the numbers where the comments it took back were. */
int
tk_comment_count(tk_txn *t, uint64_t ticket)
{
	unsigned char kb[12];
	MDB_cursor *c;
	MDB_val k = { 12, kb }, v;
	int rc, count = 0;

	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_COMMENTS], &c))
		return 0;
	comment_key(kb, ticket, 0);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 12 || tk_get_u64(k.mv_data) != ticket)
			break;
		count++;
	}
	mdb_cursor_close(c);
	return count;
}

