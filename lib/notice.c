/*
 * notice.c - tk-notify's state in the store (DESIGN.md 8): the notice
 * queue and each ticket's notice mark. Store layer: it reads and writes
 * its two sub-databases and meta, nothing above.
 *
 *   notice_queue  seq (8 bytes, big-endian) -> notice: fields, each a tag
 *                 byte, a LEB128 length and the bytes (below); seq counts
 *                 up from meta "notice_seq" and is never reused
 *   notice_mark   ticket id (8 bytes) -> sent . queued (4 bytes each,
 *                 big-endian): the last comment a --to requester notice
 *                 carried that sendmail accepted, and the last one a
 *                 notice queued carries; a ticket with no entry is at 0
 *   meta "notice_seq"  the last seq given (8 bytes)
 *   meta "notice_id"   16 hex digits made once at random: the store's part
 *                 of Message-IDs, so two stores never make the same one
 *
 * A notice is queued in a write transaction and sent after it commits;
 * the run that sends it claims it first (its pid and the time, in a write
 * transaction), so two runs at once never both send it, and a claim whose
 * process is gone, or that is older than an hour, is taken over.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "tk.h"

enum {
	T_TICKET = 't', T_KIND = 'k', T_NOT_BEFORE = 'b', T_QUEUED = 'q', T_CLAIM_PID = 'p',
	T_CLAIM_TIME = 'c', T_TRIES = 'n', T_MARK = 'm', T_TO = 'r', T_MSGID = 'i', T_ERROR = 'e',
	T_ARG = 'a', T_ENV = 'v', T_DATA = 'd', T_WHAT = 'w'
};

static void
put_leb(tk_buf *b, size_t n)
{
	do {
		unsigned char c = n & 0x7f;

		n >>= 7;
		tk_buf_addc(b, (char)(n ? c | 0x80 : c));
	} while (n);
}

static void
field(tk_buf *b, int tag, const char *p, size_t n)
{
	tk_buf_addc(b, (char)tag);
	put_leb(b, n);
	tk_buf_add(b, p, n);
}

static void
field_s(tk_buf *b, int tag, const char *s)
{
	if (s && *s)
		field(b, tag, s, strlen(s));
}

static void
field_u(tk_buf *b, int tag, unsigned long long v)
{
	char num[24];

	if (v)
		field(b, tag, num, (size_t)snprintf(num, sizeof num, "%llu", v));
}

static void
encode(const tk_notice *nt, tk_buf *b)
{
	size_t i;
	char k = (char)nt->kind;

	b->len = 0;
	field_u(b, T_TICKET, nt->ticket);
	field(b, T_KIND, &k, 1);
	field_s(b, T_NOT_BEFORE, nt->not_before);
	field_s(b, T_QUEUED, nt->queued);
	field_u(b, T_CLAIM_PID, (unsigned long long)nt->claim_pid);
	field_s(b, T_CLAIM_TIME, nt->claim_time);
	field_u(b, T_TRIES, nt->tries);
	field_u(b, T_MARK, nt->mark);
	field_s(b, T_TO, nt->to);
	field_s(b, T_WHAT, nt->what);
	field_s(b, T_MSGID, nt->msgid);
	field_s(b, T_ERROR, nt->error);
	for (i = 0; i < nt->argc; i++)
		field(b, T_ARG, nt->argv[i], strlen(nt->argv[i]));
	for (i = 0; i < nt->nenv; i++)
		field(b, T_ENV, nt->env[i], strlen(nt->env[i]));
	if (nt->len)
		field(b, T_DATA, nt->data, nt->len);
}

static void
push(char ***v, size_t *n, const char *p, size_t len)
{
	*v = tk_xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = tk_xstrndup(p, len);
	(*v)[*n] = NULL;
}

static unsigned long long
num(const char *p, size_t n)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < n && i < 20; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v;
}

static void
copy_time(char out[21], const char *p, size_t n)
{
	n = n > 20 ? 20 : n;
	memcpy(out, p, n);
	out[n] = '\0';
}

static int
decode(tk_notice *nt, uint64_t seq, const void *data, size_t size)
{
	const unsigned char *p = data, *end = p + size;
	size_t n;
	unsigned shift;
	int tag;

	memset(nt, 0, sizeof *nt);
	nt->seq = seq;
	while (p < end) {
		tag = *p++;
		n = 0;
		shift = 0;
		do {
			if (p >= end || shift > 56)
				return tk_error("notice n%llu: corrupt", (unsigned long long)seq);
			n |= (size_t)(*p & 0x7f) << shift;
			shift += 7;
		} while (*p++ & 0x80);
		if (n > (size_t)(end - p))
			return tk_error("notice n%llu: corrupt", (unsigned long long)seq);
		switch (tag) {
		case T_TICKET: nt->ticket = num((const char *)p, n); break;
		case T_KIND: nt->kind = n ? p[0] : 0; break;
		case T_NOT_BEFORE: copy_time(nt->not_before, (const char *)p, n); break;
		case T_QUEUED: copy_time(nt->queued, (const char *)p, n); break;
		case T_CLAIM_PID: nt->claim_pid = (long)num((const char *)p, n); break;
		case T_CLAIM_TIME: copy_time(nt->claim_time, (const char *)p, n); break;
		case T_TRIES: nt->tries = (unsigned)num((const char *)p, n); break;
		case T_MARK: nt->mark = (uint32_t)num((const char *)p, n); break;
		case T_TO: free(nt->to); nt->to = tk_xstrndup((const char *)p, n); break;
		case T_WHAT: free(nt->what); nt->what = tk_xstrndup((const char *)p, n); break;
		case T_MSGID: free(nt->msgid); nt->msgid = tk_xstrndup((const char *)p, n); break;
		case T_ERROR: free(nt->error); nt->error = tk_xstrndup((const char *)p, n); break;
		case T_ARG: push(&nt->argv, &nt->argc, (const char *)p, n); break;
		case T_ENV: push(&nt->env, &nt->nenv, (const char *)p, n); break;
		case T_DATA:
			free(nt->data);
			nt->data = tk_xstrndup((const char *)p, n);
			nt->len = n;
			break;
		default: break;	/* a field of a later tk: kept out of the way */
		}
		p += n;
	}
	return 0;
}

void
tk_notice_free(tk_notice *nt)
{
	size_t i;

	for (i = 0; i < nt->argc; i++)
		free(nt->argv[i]);
	for (i = 0; i < nt->nenv; i++)
		free(nt->env[i]);
	free(nt->argv);
	free(nt->env);
	free(nt->to);
	free(nt->what);
	free(nt->msgid);
	free(nt->error);
	free(nt->data);
	memset(nt, 0, sizeof *nt);
}

void
tk_notice_arg(tk_notice *nt, const char *s)
{
	push(&nt->argv, &nt->argc, s, strlen(s));
}

void
tk_notice_env(tk_notice *nt, const char *s, size_t n)
{
	push(&nt->env, &nt->nenv, s, n);
}

static int
meta_get(tk_txn *t, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };
	int rc = mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, v);

	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? tk_mdb_error(rc, "meta") : 1;
}

static int
meta_put(tk_txn *t, const char *key, const void *p, size_t n)
{
	MDB_val k = { strlen(key), (void *)key }, v = { n, (void *)p };
	int rc = mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0);

	return rc ? tk_mdb_error(rc, "meta") : 0;
}

int
tk_notice_store_id(tk_txn *t, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[8];
	MDB_val v;
	size_t i, got = 0;
	int rc;

	if ((rc = meta_get(t, "notice_id", &v)) < 0)
		return -1;
	if (rc && v.mv_size == 16) {
		memcpy(out, v.mv_data, 16);
		out[16] = '\0';
		return 0;
	}
	if (!t->write)
		return tk_error("the store has no notice id yet");
	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);

		if (n < 0 && errno != EINTR)
			return tk_error("getrandom: %s", strerror(errno));
		if (n > 0)
			got += (size_t)n;
	}
	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[16] = '\0';
	return meta_put(t, "notice_id", out, 16);
}

int
tk_notice_add(tk_txn *t, tk_notice *nt)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	tk_buf b = { 0 };
	uint64_t seq = 0;
	int rc;

	if ((rc = meta_get(t, "notice_seq", &v)) < 0)
		return -1;
	if (rc && v.mv_size == 8)
		seq = tk_get_u64(v.mv_data);
	nt->seq = ++seq;
	tk_put_u64(kb, seq);
	if (meta_put(t, "notice_seq", kb, 8) < 0)
		return -1;
	encode(nt, &b);
	v.mv_size = b.len;
	v.mv_data = b.p;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_NOTICE_QUEUE], &k, &v, 0);
	tk_buf_free(&b);
	return rc ? tk_mdb_error(rc, "notice_queue") : 0;
}

int
tk_notice_put(tk_txn *t, const tk_notice *nt)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	tk_buf b = { 0 };
	int rc;

	tk_put_u64(kb, nt->seq);
	encode(nt, &b);
	v.mv_size = b.len;
	v.mv_data = b.p;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_NOTICE_QUEUE], &k, &v, 0);
	tk_buf_free(&b);
	return rc ? tk_mdb_error(rc, "notice_queue") : 0;
}

int
tk_notice_get(tk_txn *t, uint64_t seq, tk_notice *nt)
{
	MDB_val v;
	int rc = tk_get_id(t, TK_DB_NOTICE_QUEUE, seq, &v);

	if (rc <= 0)
		return rc;
	return decode(nt, seq, v.mv_data, v.mv_size) < 0 ? -1 : 1;
}

int
tk_notice_del(tk_txn *t, uint64_t seq)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb };
	int rc;

	tk_put_u64(kb, seq);
	rc = mdb_del(t->txn, t->st->dbi[TK_DB_NOTICE_QUEUE], &k, NULL);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? tk_mdb_error(rc, "notice_queue") : 1;
}

int
tk_notice_each(tk_txn *t, int (*fn)(tk_txn *, tk_notice *, void *), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_notice nt;
	int rc, stop = 0;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_NOTICE_QUEUE], &c)))
		return tk_mdb_error(rc, "notice_queue");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc && !stop; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8)
			continue;
		if (decode(&nt, tk_get_u64(k.mv_data), v.mv_data, v.mv_size) < 0) {
			mdb_cursor_close(c);
			return -1;
		}
		stop = fn(t, &nt, arg);
		tk_notice_free(&nt);
	}
	mdb_cursor_close(c);
	if (stop)
		return -1;
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "notice_queue") : 0;
}

int
tk_notice_claimed(const tk_notice *nt, time_t now)
{
	time_t at;

	if (!nt->claim_pid)
		return 0;
	if (tk_iso_parse(nt->claim_time, strlen(nt->claim_time), &at) < 0 || now - at > 3600 || now < at - 3600)
		return 0;
	if (kill((pid_t)nt->claim_pid, 0) < 0 && errno == ESRCH)
		return 0;
	return 1;
}

/* ---- marks ---- */

int
tk_notice_mark_get(tk_txn *t, uint64_t ticket, uint32_t *sent, uint32_t *queued)
{
	MDB_val v;
	const unsigned char *p;
	int rc = tk_get_id(t, TK_DB_NOTICE_MARK, ticket, &v);

	*sent = *queued = 0;
	if (rc <= 0)
		return rc;
	if (v.mv_size != 8)
		return tk_error("notice mark of ticket %llu: corrupt", (unsigned long long)ticket);
	p = v.mv_data;
	*sent = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	*queued = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	return 1;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The mark of ticket moved up to sent and queued (neither goes back). */
static int
mark_move(tk_txn *t, uint64_t ticket, uint32_t sent, uint32_t queued)
{
	unsigned char kb[8], vb[8];
	MDB_val k = { 8, kb }, v = { 8, vb };
	uint32_t os, oq;
	int rc;

	if (tk_notice_mark_get(t, ticket, &os, &oq) < 0)
		return -1;
	if (sent <= os && queued <= oq)
		return 0;
	sent = sent > os ? sent : os;
	queued = queued > oq ? queued : oq;
	queued = queued > sent ? queued : sent;
	tk_put_u64(kb, ticket);
	put_u32(vb, sent);
	put_u32(vb + 4, queued);
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_NOTICE_MARK], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "notice_mark") : 0;
}

int
tk_notice_mark_past(tk_txn *t, uint64_t ticket, uint32_t comment_n)
{
	return mark_move(t, ticket, comment_n, comment_n);
}

int
tk_notice_mark_queued(tk_txn *t, uint64_t ticket, uint32_t comment_n)
{
	return mark_move(t, ticket, 0, comment_n);
}

int
tk_notice_mark_sent(tk_txn *t, uint64_t ticket, uint32_t comment_n)
{
	return mark_move(t, ticket, comment_n, 0);
}

int
tk_notice_mark_new(tk_txn *t, uint64_t ticket, uint32_t comment_n)
{
	unsigned char kb[8], vb[8];
	MDB_val k = { 8, kb }, v = { 8, vb };
	int rc;

	tk_put_u64(kb, ticket);
	put_u32(vb, comment_n);
	put_u32(vb + 4, comment_n);
	/* The newest ticket's key is the largest: appended, no search. */
	if ((rc = tk_append(t, TK_DB_NOTICE_MARK, &k, &v)) == MDB_KEYEXIST)
		return tk_notice_mark_past(t, ticket, comment_n);
	return rc ? tk_mdb_error(rc, "notice_mark") : 0;
}
