/*
 * linkdb.c - the links sub-database: every link between two tickets,
 * both ways, so a ticket's children, duplicates and merged tickets are
 * found without a scan. The model keeps it in step with the link fields
 * (parent, duplicate_of, merged_into, related) in the transaction that
 * writes them, as it keeps the indexes; tk-link (link.c) reads it.
 *
 * links: id (8 bytes, big-endian) . relation . NUL . other id (8 bytes)
 * -> empty. The relations:
 *
 *   parent       id's parent field holds other; other has "child" id
 *   duplicate_of id is a duplicate of other; other has "duplicate" id
 *   merged_into  id was merged into other; other has "merged_from" id
 *   related      id's related set holds other (and other's holds id:
 *                tk-link writes both tickets, each its own entry)
 *
 * The keys of one ticket and relation are together, in id order.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

#define LINK_KEYMAX (8 + 32 + 1 + 8)

static MDB_val
link_key(unsigned char *kb, uint64_t id, const char *rel, uint64_t other)
{
	size_t n = strlen(rel);
	MDB_val k;

	tk_put_u64(kb, id);
	memcpy(kb + 8, rel, n);
	kb[8 + n] = '\0';
	tk_put_u64(kb + 9 + n, other);
	k.mv_size = 17 + n;
	k.mv_data = kb;
	return k;
}

int
tk_links_put(tk_txn *t, uint64_t id, const char *rel, uint64_t other)
{
	unsigned char kb[LINK_KEYMAX];
	MDB_val k = link_key(kb, id, rel, other), v = { 0, "" };
	int rc = mdb_put(t->txn, t->st->dbi[TK_DB_LINKS], &k, &v, 0);

	return rc ? tk_mdb_error(rc, "links") : 0;
}

int
tk_links_del(tk_txn *t, uint64_t id, const char *rel, uint64_t other)
{
	unsigned char kb[LINK_KEYMAX];
	MDB_val k = link_key(kb, id, rel, other);
	int rc = mdb_del(t->txn, t->st->dbi[TK_DB_LINKS], &k, NULL);

	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "links") : 0;
}

int
tk_links_get(tk_txn *t, uint64_t id, const char *rel, tk_ids *out)
{
	unsigned char kb[LINK_KEYMAX];
	MDB_val want = link_key(kb, id, rel, 0), k = want, v;
	size_t plen = want.mv_size - 8;
	MDB_cursor *c;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LINKS], &c)))
		return tk_mdb_error(rc, "links");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != want.mv_size || memcmp(k.mv_data, kb, plen))
			break;
		tk_ids_add(out, tk_get_u64((const unsigned char *)k.mv_data + plen));
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "links") : 0;
}

/* The relation a link field is stored under, and its reverse (NULL: the
 * field is none, or related, whose other side writes its own entry). */
static const char *
relation(int field, const char **reverse)
{
	*reverse = NULL;
	switch (field) {
	case TK_F_PARENT: *reverse = "child"; return "parent";
	case TK_F_DUPLICATE_OF: *reverse = "duplicate"; return "duplicate_of";
	case TK_F_MERGED_INTO: *reverse = "merged_from"; return "merged_into";
	case TK_F_RELATED: return "related";
	default: return NULL;
	}
}

int
tk_links_field_is(int field)
{
	const char *rev;

	return relation(field, &rev) != NULL;
}

/* The ids of a link field's value: one, or a comma-separated set. */
static void
ids_of(tk_str v, tk_ids *out)
{
	const char *p = v.p, *end = v.p + v.n, *c;
	uint64_t id;

	while (p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		if (!c)
			c = end;
		if (tk_id_parse(p, (size_t)(c - p), &id) == 0)
			tk_ids_add(out, id);
		p = c + 1;
	}
}

static int
has(const tk_ids *ids, uint64_t id)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (ids->v[i] == id)
			return 1;
	return 0;
}

int
tk_links_field(tk_txn *t, uint64_t id, int field, tk_str old, tk_str new)
{
	const char *rev, *rel = relation(field, &rev);
	tk_ids o = { 0 }, n = { 0 };
	size_t i;
	int rc = 0;

	if (!rel || tk_str_same(old, new))
		return 0;
	ids_of(old, &o);
	ids_of(new, &n);
	for (i = 0; !rc && i < o.n; i++)
		if (!has(&n, o.v[i]) && !(rc = tk_links_del(t, id, rel, o.v[i])) && rev)
			rc = tk_links_del(t, o.v[i], rev, id);
	for (i = 0; !rc && i < n.n; i++)
		if (!has(&o, n.v[i]) && !(rc = tk_links_put(t, id, rel, n.v[i])) && rev)
			rc = tk_links_put(t, n.v[i], rev, id);
	tk_ids_free(&o);
	tk_ids_free(&n);
	return rc;
}
