/*
 * mailstore.c - what tk-mail keeps beside the tickets (DESIGN.md 7, 8):
 * raw messages and attachments with ids of their own that never change,
 * attachment bytes stored once, Message-IDs to tickets, per-sender
 * counters. No GMime here: tk-show reads these without it.
 *
 *   mail_raw     m-id (8 bytes, big-endian) -> ticket (8) . comment n
 *                (4; 0 the body) . the message as received
 *   attach       a-id (8) -> ticket (8) . n (4) . data key (16) . size
 *                (8) . type NUL name
 *   attach_data  hash of the bytes (8) . size (8) -> the bytes; a key
 *                taken by other bytes of the same hash and size moves on
 *                to hash + 1, so equal bytes share one entry
 *   mail_files   ticket (8) -> n (4) . kind ('m' or 'a') . id (8),
 *                DUPSORT|DUPFIXED: a ticket's mails and attachments in
 *                comment order (a merge moves nothing else: ids stay)
 *   xid          Message-ID without <> (cut at 400 bytes) -> ticket (8):
 *                the ticket a mail first came to; never moved (a reply
 *                to a merged ticket follows merged_into)
 *   mail_rate    sender address (cut at 400 bytes) -> period start (8) .
 *                count (8)
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

#define MAXKEY 400

int
tk_typed_id(const char *s, char kind, uint64_t *id)
{
	if (s[0] != kind || !s[1])
		return 0;
	return tk_id_parse(s + 1, strlen(s + 1), id) == 0 && *id > 0;
}

/* The next id of db keyed by 8-byte ids: the last one + 1. */
static int
next_id(tk_txn *t, int db, uint64_t *id)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c)))
		return tk_mdb_error(rc, "mail");
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "mail");
	*id = rc ? 1 : tk_get_u64(k.mv_data) + 1;
	return 0;
}

static int
file_put(tk_txn *t, uint64_t ticket, uint32_t n, int kind, uint64_t id)
{
	unsigned char kb[8], vb[13];
	MDB_val k = { 8, kb }, v = { 13, vb };
	int rc;

	if (!ticket)
		return 0;
	tk_put_u64(kb, ticket);
	vb[0] = (unsigned char)(n >> 24);
	vb[1] = (unsigned char)(n >> 16);
	vb[2] = (unsigned char)(n >> 8);
	vb[3] = (unsigned char)n;
	vb[4] = (unsigned char)kind;
	tk_put_u64(vb + 5, id);
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_MAIL_FILES], &k, &v, MDB_NODUPDATA)) && rc != MDB_KEYEXIST)
		return tk_mdb_error(rc, "mail_files");
	return 0;
}

static void
put_n(unsigned char *p, uint32_t n)
{
	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
}

static uint32_t
get_n(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
tk_mail_raw_put(tk_txn *t, uint64_t ticket, uint32_t n, const void *raw, size_t len, uint64_t *id)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	int rc;

	if (next_id(t, TK_DB_MAIL_RAW, id) < 0)
		return -1;
	tk_put_u64(kb, *id);
	v.mv_size = 12 + len;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_MAIL_RAW], &k, &v, MDB_RESERVE | MDB_APPEND)))
		return tk_mdb_error(rc, "mail_raw");
	tk_put_u64(v.mv_data, ticket);
	put_n((unsigned char *)v.mv_data + 8, n);
	if (len)
		memcpy((unsigned char *)v.mv_data + 12, raw, len);
	return file_put(t, ticket, n, 'm', *id);
}

int
tk_mail_raw_get(tk_txn *t, uint64_t id, tk_mailfile *f)
{
	MDB_val v;
	int rc = tk_get_id(t, TK_DB_MAIL_RAW, id, &v);

	if (rc <= 0)
		return rc;
	if (v.mv_size < 12)
		return tk_error("m%llu: bad record", (unsigned long long)id);
	memset(f, 0, sizeof *f);
	f->ticket = tk_get_u64(v.mv_data);
	f->n = get_n((unsigned char *)v.mv_data + 8);
	f->data = (unsigned char *)v.mv_data + 12;
	f->len = v.mv_size - 12;
	return 1;
}

/* The bytes' key in attach_data: an entry holding the same bytes, or a
 * free key. */
static int
data_key(tk_txn *t, const void *data, size_t len, unsigned char key[16], int *found)
{
	uint64_t h = tk_hash(TK_HASH_SEED, data, len);
	MDB_val k = { 16, key }, v;
	int rc, i;

	*found = 0;
	for (i = 0; i < 64; i++, h++) {
		tk_put_u64(key, h);
		tk_put_u64(key + 8, (uint64_t)len);
		rc = mdb_get(t->txn, t->st->dbi[TK_DB_ATTACH_DATA], &k, &v);
		if (rc == MDB_NOTFOUND)
			return 0;
		if (rc)
			return tk_mdb_error(rc, "attach_data");
		if (v.mv_size == len && (!len || !memcmp(v.mv_data, data, len))) {
			*found = 1;
			return 0;
		}
	}
	return tk_error("attach_data: too many collisions");
}

int
tk_attach_put(tk_txn *t, uint64_t ticket, uint32_t n, const char *name, const char *type,
    const void *data, size_t len, uint64_t *id)
{
	unsigned char dk[16], kb[8];
	MDB_val k = { 16, dk }, v;
	size_t nl = strlen(name), tl = strlen(type);
	int rc, found;

	if (data_key(t, data, len, dk, &found) < 0)
		return -1;
	if (!found) {
		v.mv_size = len;
		if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_ATTACH_DATA], &k, &v, MDB_RESERVE)))
			return tk_mdb_error(rc, "attach_data");
		if (len)
			memcpy(v.mv_data, data, len);
	}
	if (next_id(t, TK_DB_ATTACH, id) < 0)
		return -1;
	tk_put_u64(kb, *id);
	k.mv_size = 8;
	k.mv_data = kb;
	v.mv_size = 8 + 4 + 16 + 8 + tl + 1 + nl;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_ATTACH], &k, &v, MDB_RESERVE | MDB_APPEND)))
		return tk_mdb_error(rc, "attach");
	{
		unsigned char *p = v.mv_data;

		tk_put_u64(p, ticket);
		put_n(p + 8, n);
		memcpy(p + 12, dk, 16);
		tk_put_u64(p + 28, (uint64_t)len);
		memcpy(p + 36, type, tl);
		p[36 + tl] = '\0';
		memcpy(p + 37 + tl, name, nl);
	}
	return file_put(t, ticket, n, 'a', *id);
}

int
tk_attach_get(tk_txn *t, uint64_t id, tk_mailfile *f)
{
	MDB_val v, k, d;
	const unsigned char *p, *z;
	int rc = tk_get_id(t, TK_DB_ATTACH, id, &v);

	if (rc <= 0)
		return rc;
	p = v.mv_data;
	if (v.mv_size < 37 || !(z = memchr(p + 36, '\0', v.mv_size - 36)))
		return tk_error("a%llu: bad record", (unsigned long long)id);
	memset(f, 0, sizeof *f);
	f->ticket = tk_get_u64(p);
	f->n = get_n(p + 8);
	f->len = (size_t)tk_get_u64(p + 28);
	f->type = (tk_str){ (const char *)p + 36, (size_t)(z - (p + 36)) };
	f->name = (tk_str){ (const char *)z + 1, (size_t)(p + v.mv_size - (z + 1)) };
	k.mv_size = 16;
	k.mv_data = (void *)(p + 12);
	if ((rc = mdb_get(t->txn, t->st->dbi[TK_DB_ATTACH_DATA], &k, &d)))
		return tk_mdb_error(rc, "attach_data");
	f->data = d.mv_data;
	f->len = d.mv_size;
	return 1;
}

int
tk_mail_files_each(tk_txn *t, uint64_t ticket, int (*fn)(int kind, uint32_t n, uint64_t id, void *), void *arg)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, v;
	int rc;

	tk_put_u64(kb, ticket);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_MAIL_FILES], &c)))
		return tk_mdb_error(rc, "mail_files");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		const unsigned char *p = v.mv_data;

		if (v.mv_size != 13)
			continue;
		if (fn(p[4], get_n(p), tk_get_u64(p + 5), arg))
			break;
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "mail_files");
	return 0;
}

int
tk_xid_get(tk_txn *t, const char *mid, size_t n, uint64_t *ticket)
{
	MDB_val k = { n > MAXKEY ? MAXKEY : n, (void *)mid }, v;
	int rc;

	if (!n)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_XID], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, "xid");
	if (v.mv_size != 8)
		return 0;
	*ticket = tk_get_u64(v.mv_data);
	return 1;
}

int
tk_xid_put(tk_txn *t, const char *mid, size_t n, uint64_t ticket)
{
	unsigned char vb[8];
	MDB_val k = { n > MAXKEY ? MAXKEY : n, (void *)mid }, v = { 8, vb };
	int rc;

	if (!n || !ticket)
		return 0;
	tk_put_u64(vb, ticket);
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_XID], &k, &v, MDB_NOOVERWRITE)) && rc != MDB_KEYEXIST)
		return tk_mdb_error(rc, "xid");
	return 0;
}

int
tk_mail_rate(tk_txn *t, const char *addr, long limit, long long period, int write)
{
	size_t n = strlen(addr);
	unsigned char vb[16];
	MDB_val k = { n > MAXKEY ? MAXKEY : n, (void *)addr }, v;
	uint64_t start = 0, count = 0, now = (uint64_t)t->now;
	int rc;

	if (limit <= 0 || period <= 0 || !n)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_MAIL_RATE], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "mail_rate");
	if (!rc && v.mv_size == 16) {
		start = tk_get_u64(v.mv_data);
		count = tk_get_u64((unsigned char *)v.mv_data + 8);
	}
	if (now < start || now - start >= (uint64_t)period) {
		start = now;
		count = 0;
	}
	count++;
	if (write) {
		tk_put_u64(vb, start);
		tk_put_u64(vb + 8, count);
		v.mv_size = 16;
		v.mv_data = vb;
		if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_MAIL_RATE], &k, &v, 0)))
			return tk_mdb_error(rc, "mail_rate");
	}
	return count > (uint64_t)limit;
}
