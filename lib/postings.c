/*
 * postings.c - the ids of an index value as posting lists: runs of ids in
 * chunks (ix_status, ix_priority, ix_queue; tk_ix_postings); and, at the
 * end, the reading and changing of any index's ids, whichever way it keeps
 * them (tk_ix_first and the rest).
 *
 * A value with few ids per value is the worst case of a DUPSORT index: all
 * of a bulk batch's tickets land on five statuses, and LMDB puts each id
 * into its value's tree one by one (MDB_MULTIPLE loops over them), about
 * 250 cycles an id: a quarter of what tk-import's writing thread spent on
 * indexes. Here a value's ids are kept ascending in chunks of at most
 * CHUNK_MAX ids (8 bytes each, big-endian), each under the key
 * value . first id (8 bytes, big-endian), so a batch's ids for a value go
 * in with a few puts of whole chunks.
 *
 * A value's chunks are together and in order in the B-tree: no stored
 * value holds a NUL, and an id's first byte is 0 (ids are below 2^56), so
 * value . id sorts before any longer value that starts with value. A chunk
 * is the key of its value when its length is the value's plus 8 and it
 * starts with the value. A chunk of CHUNK_MAX ids (2,000 bytes) stays in
 * its leaf page (LMDB puts larger data on pages of its own).
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

#define CHUNK_MAX 250
#define ID_MAX (TK_ID_MAX + 1)	/* above every ticket id, below 2^56: value . ID_MAX
					 * sorts before any longer value ("opened") */

/* value . id into buf (TK_IX_KEYBUF + 8 bytes). */
static MDB_val
chunk_key(MDB_val v, uint64_t id, unsigned char *buf)
{
	MDB_val k = { v.mv_size + 8, buf };

	memcpy(buf, v.mv_data, v.mv_size);
	tk_put_u64(buf + v.mv_size, id);
	return k;
}

static int
of_value(const MDB_val *k, MDB_val v)
{
	return k->mv_size == v.mv_size + 8 && !memcmp(k->mv_data, v.mv_data, v.mv_size);
}

static uint64_t
first_id(const MDB_val *k)
{
	return tk_get_u64((const unsigned char *)k->mv_data + k->mv_size - 8);
}

int
tk_pl_first(MDB_cursor *c, MDB_val v, MDB_val *ids)
{
	unsigned char kb[TK_IX_KEYBUF + 8];
	MDB_val k = chunk_key(v, 0, kb);
	int rc = mdb_cursor_get(c, &k, ids, MDB_SET_RANGE);

	return rc ? rc : of_value(&k, v) ? 0 : MDB_NOTFOUND;
}

int
tk_pl_next(MDB_cursor *c, MDB_val v, MDB_val *ids)
{
	MDB_val k;
	int rc = mdb_cursor_get(c, &k, ids, MDB_NEXT);

	return rc ? rc : of_value(&k, v) ? 0 : MDB_NOTFOUND;
}

/*
 * The chunk where id is or would go: the last one whose first id is at
 * most id, else the value's first. 0 with the cursor on it (*k, *d), or
 * MDB_NOTFOUND when the value has no chunk.
 */
static int
find_chunk(MDB_cursor *c, MDB_val v, uint64_t id, MDB_val *k, MDB_val *d)
{
	unsigned char kb[TK_IX_KEYBUF + 8];
	int rc;

	*k = chunk_key(v, id, kb);
	rc = mdb_cursor_get(c, k, d, MDB_SET_RANGE);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	if (rc == 0 && of_value(k, v) && first_id(k) == id)
		return 0;
	/* Before it: the chunk that may hold id. */
	rc = mdb_cursor_get(c, k, d, rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	if (rc == 0 && of_value(k, v))
		return 0;
	return tk_pl_first(c, v, d) == 0 ? mdb_cursor_get(c, k, d, MDB_GET_CURRENT) : MDB_NOTFOUND;
}

/* Replaces the chunk under old key ok (first id oldfirst) by ids[0..n). */
static int
rewrite(MDB_cursor *c, MDB_val v, uint64_t oldfirst, const unsigned char *ids, size_t n)
{
	unsigned char kb[TK_IX_KEYBUF + 8];
	MDB_val k, d = { 8 * n, (void *)ids };
	int rc;

	if (!n || tk_get_u64(ids) != oldfirst) {	/* the key changes */
		k = chunk_key(v, oldfirst, kb);
		if ((rc = mdb_cursor_get(c, &k, NULL, MDB_SET)) || (rc = mdb_cursor_del(c, 0)))
			return rc;
		if (!n)
			return 0;
	}
	k = chunk_key(v, tk_get_u64(ids), kb);
	return mdb_cursor_put(c, &k, &d, 0);
}

/* Where id is in a chunk (8-byte ids at p, n of them), or would go. */
static size_t
position(const unsigned char *p, size_t n, uint64_t id, int *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tk_get_u64(p + 8 * mid) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n && tk_get_u64(p + 8 * lo) == id;
	return lo;
}

/* The chunk where id is or would go (find_chunk: *k, *d, *n ids) and
 * where in it (*at, *found): 0, MDB_NOTFOUND for no chunk, or an error. */
static int
locate(MDB_cursor *c, MDB_val v, uint64_t id, MDB_val *k, MDB_val *d, size_t *n, size_t *at, int *found)
{
	int rc = find_chunk(c, v, id, k, d);

	if (rc)
		return rc;
	*n = d->mv_size / 8;
	if (!*n || *n > CHUNK_MAX)
		return MDB_CORRUPTED;
	*at = position(d->mv_data, *n, id, found);
	return 0;
}

int
tk_pl_has(MDB_cursor *c, MDB_val v, uint64_t id)
{
	MDB_val k, d;
	size_t n, at;
	int found, rc = locate(c, v, id, &k, &d, &n, &at, &found);

	if (rc)
		return rc == MDB_NOTFOUND ? 0 : -rc;
	return found;
}

int
tk_pl_add(MDB_cursor *c, MDB_val v, uint64_t id)
{
	unsigned char buf[8 * (CHUNK_MAX + 1)], kb[TK_IX_KEYBUF + 8];
	MDB_val k, d;
	size_t n, at, half;
	uint64_t first;
	int found, rc = locate(c, v, id, &k, &d, &n, &at, &found);

	if (rc == MDB_NOTFOUND) {
		tk_put_u64(buf, id);
		k = chunk_key(v, id, kb);
		d.mv_size = 8;
		d.mv_data = buf;
		return mdb_cursor_put(c, &k, &d, 0);
	}
	if (rc)
		return rc;
	if (found)
		return 0;
	first = first_id(&k);
	memcpy(buf, d.mv_data, 8 * at);	/* copied: the puts below may move it */
	tk_put_u64(buf + 8 * at, id);
	memcpy(buf + 8 * (at + 1), (unsigned char *)d.mv_data + 8 * at, 8 * (n - at));
	n++;
	if (n <= CHUNK_MAX)
		return rewrite(c, v, first, buf, n);
	/* Full: two chunks of half each. */
	half = n / 2;
	if ((rc = rewrite(c, v, first, buf, half)))
		return rc;
	k = chunk_key(v, tk_get_u64(buf + 8 * half), kb);
	d.mv_size = 8 * (n - half);
	d.mv_data = buf + 8 * half;
	return mdb_cursor_put(c, &k, &d, 0);
}

int
tk_pl_del(MDB_cursor *c, MDB_val v, uint64_t id)
{
	unsigned char buf[8 * CHUNK_MAX];
	MDB_val k, d;
	size_t n, at;
	int found, rc = locate(c, v, id, &k, &d, &n, &at, &found);

	if (rc)
		return rc;
	if (!found)
		return MDB_NOTFOUND;
	memcpy(buf, d.mv_data, 8 * at);
	memcpy(buf + 8 * at, (unsigned char *)d.mv_data + 8 * (at + 1), 8 * (n - at - 1));
	return rewrite(c, v, first_id(&k), buf, n - 1);
}

/* ids[0..n), ascending and all after the list's last: MDB_KEYEXIST when not. */
int
tk_pl_append(MDB_cursor *c, MDB_val v, const unsigned char *ids, size_t n)
{
	unsigned char buf[8 * CHUNK_MAX], kb[TK_IX_KEYBUF + 8];
	MDB_val k, d;
	size_t have, at, take;
	/* The value's last chunk: where an id past every ticket's would go. */
	int found, rc = locate(c, v, ID_MAX, &k, &d, &have, &at, &found);

	if (rc == MDB_NOTFOUND)
		have = CHUNK_MAX;	/* no chunk to fill */
	else if (rc)
		return rc;
	else if (tk_get_u64((unsigned char *)d.mv_data + 8 * (have - 1)) >= tk_get_u64(ids))
		return MDB_KEYEXIST;	/* not past the list's end */
	if (have < CHUNK_MAX) {
		take = n < CHUNK_MAX - have ? n : CHUNK_MAX - have;
		memcpy(buf, d.mv_data, 8 * have);	/* copied, and the key: the put moves them */
		memcpy(buf + 8 * have, ids, 8 * take);
		k = chunk_key(v, tk_get_u64(buf), kb);
		d.mv_size = 8 * (have + take);
		d.mv_data = buf;
		if ((rc = mdb_cursor_put(c, &k, &d, 0)))
			return rc;
		ids += 8 * take;
		n -= take;
	}
	while (n) {
		take = n < CHUNK_MAX ? n : CHUNK_MAX;
		k = chunk_key(v, tk_get_u64(ids), kb);
		d.mv_size = 8 * take;
		d.mv_data = (void *)ids;
		if ((rc = mdb_cursor_put(c, &k, &d, 0)))
			return rc;
		ids += 8 * take;
		n -= take;
	}
	return 0;
}

int
tk_pl_count(MDB_cursor *c, MDB_val v, size_t *count)
{
	MDB_val d;
	int rc;

	*count = 0;
	for (rc = tk_pl_first(c, v, &d); rc == 0; rc = tk_pl_next(c, v, &d))
		*count += d.mv_size / 8;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

