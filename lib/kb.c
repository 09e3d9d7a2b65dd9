/*
 * kb.c - knowledge-base articles and the full-text index (tk-kb(1)).
 *
 * Layout (store.c's header, doc/STORE.md): kb, kb_rev, kb_ext, kb_use and
 * fulltext. The index holds the words of text.c per document, kind 'a'
 * for articles, 't' for tickets:
 *
 *   kind . term . NUL . first id -> a chunk of postings in id order, each
 *       varint id delta (from the key's id, then from the one before),
 *       varint payload length, payload: varint title count, varint body
 *       count, varint document length (W * title words + body words),
 *       then the positions as varint deltas (the body's after the title's)
 *   kind . NUL -> documents, sum of document lengths (8 bytes each)
 *
 * An article's CJK character is a term of its own (a unigram) only where
 * it ends a run; elsewhere a one-character query finds it as the first of
 * the bigrams it starts (a prefix: their counts summed are the
 * character's), and a phrase holding a lone character is checked on the
 * candidates' text (schema 19).
 *
 * Changes are gathered per term (the accumulator) and written by
 * tk_ft_flush in term order: a term's added articles past its last id (an
 * import's, a new article's) joined to its last chunk, other changes
 * merged into the chunk they fall in; chunks cut at A_CHUNK bytes. An article's add, edit and
 * rm call it before their transaction commits; tk-kb import flushes once
 * a batch.
 *
 * Ranking: BM25 with k1 = 1.2, b = 0.75, the title's words counted
 * W = 3 times (BM25F's way: in the term frequency and the length).
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tk.h"

#define CHUNK 1500
#define A_CHUNK 1320	/* an article chunk's most bytes: three to a 4 KiB page */
#define W_TITLE 3
#define BM25_K1 1.2
#define BM25_B 0.75

/* ---- varints ---- */

static void
put_var(tk_buf *b, uint64_t v)
{
	unsigned char *c;

	if (b->len + 11 > b->cap) {	/* (tk_buf keeps a NUL after len) */
		tk_buf_add(b, "", 0);
		if (b->len + 11 > b->cap) {
			size_t n = b->len;

			tk_buf_add(b, "\0\0\0\0\0\0\0\0\0\0\0", 11);
			b->len = n;
		}
	}
	c = (unsigned char *)b->p + b->len;
	while (v >= 0x80) {
		*c++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*c++ = (unsigned char)v;
	b->len = (size_t)((char *)c - b->p);
	*c = 0;
}

static uint64_t
get_var(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	unsigned sh = 0;

	while (*p < end && sh < 64) {
		unsigned char c = *(*p)++;

		v |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80))
			break;
		sh += 7;
	}
	return v;
}

/* ---- articles ---- */

void
tk_article_free(tk_article *a)
{
	free(a->title);
	free(a->tags);
	free(a->author);
	free(a->created);
	free(a->updated);
	free(a->ext);
	free(a->body);
	memset(a, 0, sizeof *a);
}

int
tk_kb_parse_id(const char *s, uint64_t *id, uint32_t *rev)
{
	char *end;
	unsigned long long v;

	if (strncmp(s, "kb", 2) || !isdigit((unsigned char)s[2]) || s[2] == '0')
		return tk_error("%s: not an article id (kb and a number: kb7)", s);
	v = strtoull(s + 2, &end, 10);
	if (rev)
		*rev = 0;
	if (*end == '@' && rev && isdigit((unsigned char)end[1]) && end[1] != '0') {
		unsigned long r = strtoul(end + 1, &end, 10);

		if (r > 1000000000UL)
			return tk_error("%s: no such revision number", s);
		*rev = (uint32_t)r;
	}
	if (*end || v > TK_ID_MAX)
		return tk_error("%s: not an article id (kb and a number: kb7%s)", s, rev ? ", kb7@2" : "");
	*id = v;
	return 0;
}

static void
put_str(tk_buf *b, const char *s, size_t n)
{
	unsigned char l[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
		(unsigned char)n };

	tk_buf_add(b, l, 4);
	tk_buf_add(b, s, n);
}

static void
encode(const tk_article *a, tk_buf *b)
{
	unsigned char r[4] = { (unsigned char)(a->rev >> 24), (unsigned char)(a->rev >> 16),
		(unsigned char)(a->rev >> 8), (unsigned char)a->rev };
	const char *s[6] = { a->title, a->tags, a->author, a->created, a->updated, a->ext };
	int i;

	tk_buf_add(b, r, 4);
	for (i = 0; i < 6; i++)
		put_str(b, s[i] ? s[i] : "", s[i] ? strlen(s[i]) : 0);
	put_str(b, a->body ? a->body : "", a->bodylen);
}

static int
decode(tk_article *a, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;
	char **s[7] = { &a->title, &a->tags, &a->author, &a->created, &a->updated, &a->ext, &a->body };
	int i;

	if (n < 4)
		return tk_error("kb: a damaged article");
	a->rev = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	p += 4;
	for (i = 0; i < 7; i++) {
		size_t l;

		if (end - p < 4)
			return tk_error("kb: a damaged article");
		l = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
		p += 4;
		if ((size_t)(end - p) < l)
			return tk_error("kb: a damaged article");
		*s[i] = tk_xstrndup((const char *)p, l);
		if (i == 6)
			a->bodylen = l;
		p += l;
	}
	return 0;
}

int
tk_kb_get(tk_txn *t, uint64_t id, uint32_t rev, tk_article *a)
{
	MDB_val v;
	int rc;

	memset(a, 0, sizeof *a);
	if ((rc = tk_get_id(t, TK_DB_KB, id, &v)) <= 0)
		return rc;
	if (decode(a, v.mv_data, v.mv_size) < 0)
		return -1;
	a->id = id;
	if (rev && rev != a->rev) {
		unsigned char kb[12];
		MDB_val k = { 12, kb };

		tk_article_free(a);
		tk_put_u64(kb, id);
		kb[8] = (unsigned char)(rev >> 24), kb[9] = (unsigned char)(rev >> 16);
		kb[10] = (unsigned char)(rev >> 8), kb[11] = (unsigned char)rev;
		rc = mdb_get(t->txn, t->st->dbi[TK_DB_KB_REV], &k, &v);
		if (rc == MDB_NOTFOUND)
			return 0;
		if (rc)
			return tk_mdb_error(rc, "kb_rev");
		if (decode(a, v.mv_data, v.mv_size) < 0)
			return -1;
		a->id = id;
	}
	return 1;
}

int
tk_kb_has_tag(const char *tags, const char *tag, size_t n)
{
	const char *p = tags;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !memcmp(p, tag, n))
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int
next_id(tk_txn *t, uint64_t *id)
{
	MDB_val k = { 7, "kb_next" }, v;
	unsigned char b[8];
	int rc = mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v);

	if (rc == MDB_NOTFOUND)
		*id = 1;
	else if (rc)
		return tk_mdb_error(rc, "meta");
	else
		*id = tk_get_u64(v.mv_data);
	tk_put_u64(b, *id + 1);
	v.mv_size = 8, v.mv_data = b;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0)))
		return tk_mdb_error(rc, "meta");
	return 0;
}

static int ft_defer;
static void apply(const tk_ftdoc *d, uint64_t id, int op);

void
tk_ft_defer(int on)
{
	ft_defer = on;
}

int
tk_kb_put(tk_txn *t, tk_article *a)
{
	return tk_kb_put_doc(t, a, NULL);
}

int
tk_kb_put_doc(tk_txn *t, tk_article *a, const tk_ftdoc *d)
{
	unsigned char kb[12];
	MDB_val k = { 8, kb }, v;
	tk_article old = { 0 };
	tk_buf b = { 0 };
	int rc, had = 0;

	if (!a->id) {
		if (next_id(t, &a->id) < 0)
			return -1;
		a->rev = 1;
	} else {
		if ((had = tk_kb_get(t, a->id, 0, &old)) < 0)
			return -1;
		a->rev = had ? old.rev + 1 : 1;
	}
	tk_put_u64(kb, a->id);
	if (had) {	/* the current revision moves to kb_rev */
		MDB_val ok = { 12, kb }, ov;

		kb[8] = (unsigned char)(old.rev >> 24), kb[9] = (unsigned char)(old.rev >> 16);
		kb[10] = (unsigned char)(old.rev >> 8), kb[11] = (unsigned char)old.rev;
		if ((rc = tk_get_id(t, TK_DB_KB, a->id, &ov)) <= 0 ||
		    (rc = mdb_put(t->txn, t->st->dbi[TK_DB_KB_REV], &ok, &ov, 0))) {
			tk_article_free(&old);
			return rc < 0 ? -1 : tk_mdb_error(rc, "kb_rev");
		}
		if (tk_ft_unindex(t, 'a', a->id, old.title, strlen(old.title), old.body, old.bodylen, old.tags) < 0) {
			tk_article_free(&old);
			return -1;
		}
	}
	tk_article_free(&old);
	encode(a, &b);
	v.mv_size = b.len, v.mv_data = b.p;
	/* a new id is past every article's: appended through the txn's
	 * cursor, its page filled instead of split in half */
	rc = had ? mdb_put(t->txn, t->st->dbi[TK_DB_KB], &k, &v, 0) : tk_append_or_put(t, TK_DB_KB, &k, &v);
	tk_buf_free(&b);
	if (rc)
		return tk_mdb_error(rc, "kb");
	if (a->ext && *a->ext) {
		MDB_val ek = { strlen(a->ext), a->ext }, ev = { 8, kb };

		if (ek.mv_size > TK_IX_MAXKEY)
			ek.mv_size = TK_IX_MAXKEY;
		if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_KB_EXT], &ek, &ev, 0)))
			return tk_mdb_error(rc, "kb_ext");
	}
	if (d)
		apply(d, a->id, 1);
	else if (tk_ft_index(t, 'a', a->id, a->title, strlen(a->title), a->body, a->bodylen, a->tags) < 0)
		return -1;
	return ft_defer ? 0 : tk_ft_flush(t);
}

int
tk_kb_rm(tk_txn *t, uint64_t id)
{
	tk_article a;
	unsigned char kb[12];
	MDB_val k = { 8, kb }, v;
	MDB_cursor *c;
	int rc;

	if ((rc = tk_kb_get(t, id, 0, &a)) <= 0)
		return rc < 0 ? -1 : tk_error("kb%llu: no such article", (unsigned long long)id);
	if (tk_ft_unindex(t, 'a', id, a.title, strlen(a.title), a.body, a.bodylen, a.tags) < 0)
		goto fail;
	tk_put_u64(kb, id);
	if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_KB], &k, NULL)))
		goto mfail;
	if (a.ext && *a.ext) {
		MDB_val ek = { strlen(a.ext), a.ext };

		if (ek.mv_size > TK_IX_MAXKEY)
			ek.mv_size = TK_IX_MAXKEY;
		if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_KB_EXT], &ek, NULL)) && rc != MDB_NOTFOUND)
			goto mfail;
	}
	/* earlier revisions and uses go with it */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_KB_REV], &c)))
		goto mfail;
	k.mv_size = 8, k.mv_data = kb;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && k.mv_size >= 8 && !memcmp(k.mv_data, kb, 8);
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((rc = mdb_cursor_del(c, 0)))
			break;
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		goto mfail;
	tk_article_free(&a);
	return tk_ft_flush(t);
mfail:
	tk_mdb_error(rc, "kb");
fail:
	tk_article_free(&a);
	return -1;
}

int
tk_kb_each(tk_txn *t, int (*fn)(tk_article *a, void *arg), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, stop = 0;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_KB], &c)))
		return tk_mdb_error(rc, "kb");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc && !stop; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		tk_article a = { 0 };

		if (decode(&a, v.mv_data, v.mv_size) < 0) {
			tk_article_free(&a);
			mdb_cursor_close(c);
			return -1;
		}
		a.id = tk_get_u64(k.mv_data);
		stop = fn(&a, arg);
		tk_article_free(&a);
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "kb") : 0;
}

int
tk_kb_revs(tk_txn *t, uint64_t id, int (*fn)(tk_article *a, void *arg), void *arg)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, v;
	tk_article a;
	int rc, stop = 0;

	tk_put_u64(kb, id);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_KB_REV], &c)))
		return tk_mdb_error(rc, "kb_rev");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && !stop && !memcmp(k.mv_data, kb, 8);
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		memset(&a, 0, sizeof a);
		if (decode(&a, v.mv_data, v.mv_size) < 0) {
			mdb_cursor_close(c);
			tk_article_free(&a);
			return -1;
		}
		a.id = id;
		stop = fn(&a, arg);
		tk_article_free(&a);
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "kb_rev");
	if (stop)
		return 0;
	if ((rc = tk_kb_get(t, id, 0, &a)) <= 0)
		return rc;
	fn(&a, arg);
	tk_article_free(&a);
	return 0;
}

int
tk_kb_ext_get(tk_txn *t, const char *ext, uint64_t *id)
{
	MDB_val k = { strlen(ext), (void *)ext }, v;
	int rc;

	if (k.mv_size > TK_IX_MAXKEY)
		k.mv_size = TK_IX_MAXKEY;
	if (!k.mv_size)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_KB_EXT], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, "kb_ext");
	*id = tk_get_u64(v.mv_data);
	return 1;
}

int
tk_kb_use(tk_txn *t, uint64_t id, uint64_t ticket, int kind)
{
	unsigned char kb[17];
	MDB_val k = { 17, kb }, v = { strlen(t->now_iso), t->now_iso };
	int rc;

	tk_put_u64(kb, id);
	tk_put_u64(kb + 8, ticket);
	kb[16] = (unsigned char)kind;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_KB_USE], &k, &v, 0)))
		return tk_mdb_error(rc, "kb_use");
	return 0;
}

int
tk_kb_uses(tk_txn *t, uint64_t id, int (*fn)(uint64_t ticket, int kind, const char *when, void *arg), void *arg)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, v;
	int rc;

	tk_put_u64(kb, id);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_KB_USE], &c)))
		return tk_mdb_error(rc, "kb_use");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && k.mv_size == 17 && !memcmp(k.mv_data, kb, 8);
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char when[32];
		size_t n = v.mv_size < sizeof when - 1 ? v.mv_size : sizeof when - 1;

		memcpy(when, v.mv_data, n);
		when[n] = 0;
		if (fn(tk_get_u64((unsigned char *)k.mv_data + 8), ((unsigned char *)k.mv_data)[16], when, arg))
			break;
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "kb_use") : 0;
}

/* ---- the accumulator: index changes gathered per term ---- */

struct aterm {
	char *key;		/* kind . term */
	size_t klen;
	uint64_t h;		/* term_hash of the key after its kind */
	uint64_t first, last;	/* the ids of the first and the last entry */
	int unsorted;		/* an entry came with an id below the one before */
	int fast;		/* adds alone, ids rising: ent is in the chunks' form */
	int live;		/* in acc.live: changed since the last flush */
	tk_buf ent;		/* fast: varint id delta (0 for the first: first) .
				 * varint length . payload, as a chunk holds them;
				 * else id (8) . op (1) . varint length . payload */
};

static void acc_general(struct aterm *a);

static struct {
	struct aterm *v;
	size_t n, cap;
	uint32_t *slot;		/* open addressing: index + 1, 0 empty */
	size_t nslot;
	uint32_t *live;		/* the terms changed since the last flush */
	size_t nlive, livecap;
	int64_t ndocs[2], sumlen[2];	/* stats changes: 'a', 't' */
} acc;
/* Terms are kept, emptied, from flush to flush (a bulk import's batches
 * share most of their words: no key made, no buffer grown again) until
 * there are this many. */
#define ACC_KEEP 2000000

/* A term's hash, doc_terms' and the accumulator's: its bytes taken eight
 * at a time, each word multiplied in (terms are short: a bigram is six). */
static inline uint64_t
fnv(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (n) {
		for (w = 0; n; n--)
			w = w << 8 | (unsigned char)p[n - 1];
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 32);
}

/* Two terms' bytes equal (n of each): words at a time, no call. */
static inline int
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, v;

	if (n < 4) {
		for (; n; n--)
			if (*a++ != *b++)
				return 0;
		return 1;
	}
	if (n <= 8) {	/* two words, overlapping where n < 8 */
		memcpy(&u, a, 4), memcpy(&v, b, 4);
		if (u != v)
			return 0;
		memcpy(&u, a + n - 4, 4), memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (; n > 8; a += 8, b += 8, n -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + n - 8, 8), memcpy(&y, b + n - 8, 8);	/* the last eight */
	return x == y;
}

/* The accumulator's entry of key (n bytes; h its fnv after the kind). */
static size_t
acc_find(const char *key, size_t n, uint64_t h)
{
	size_t i, mask;

	if ((acc.n + 1) * 2 > acc.nslot) {
		size_t ns = acc.nslot ? acc.nslot * 2 : 4096, j;

		free(acc.slot);
		acc.slot = calloc(ns, sizeof *acc.slot);
		if (!acc.slot)
			tk_die(TK_EXIT_FAIL, "out of memory");
		acc.nslot = ns;
		for (j = 0; j < acc.n; j++) {
			uint64_t g = acc.v[j].h;

			for (i = g & (ns - 1); acc.slot[i]; i = (i + 1) & (ns - 1))
				;
			acc.slot[i] = (uint32_t)j + 1;
		}
	}
	mask = acc.nslot - 1;
	for (i = h & mask; acc.slot[i]; i = (i + 1) & mask) {
		struct aterm *a = &acc.v[acc.slot[i] - 1];

		if (a->h == h && a->klen == n && same_bytes(a->key, key, n))
			return acc.slot[i] - 1;
	}
	if (acc.n == acc.cap) {
		acc.cap = acc.cap ? acc.cap * 2 : 1024;
		acc.v = tk_xrealloc(acc.v, acc.cap * sizeof *acc.v);
	}
	acc.v[acc.n] = (struct aterm){ tk_xstrndup(key, n), n, h, 0, 0, 0, 1, 0, { 0 } };
	acc.slot[i] = (uint32_t)acc.n + 1;
	return acc.n++;
}

static void
acc_add(const char *key, size_t n, uint64_t h, uint64_t id, int op, const void *payload, size_t plen)
{
	size_t at = acc_find(key, n, h);	/* (it may move acc.v) */
	struct aterm *a = &acc.v[at];
	unsigned char *w;
	uint64_t delta = 0;

	if (!a->live) {
		if (acc.nlive == acc.livecap) {
			acc.livecap = acc.livecap ? acc.livecap * 2 : 4096;
			acc.live = tk_xrealloc(acc.live, acc.livecap * sizeof *acc.live);
		}
		acc.live[acc.nlive++] = (uint32_t)at;
		a->live = 1;
	}
	if (a->fast && op && (!a->ent.len || id > a->last)) {
		if (a->ent.len)
			delta = id - a->last;
		else
			a->first = id;
	} else if (a->fast)
		acc_general(a);		/* a removal, or an id not past the last */
	if (!a->fast && id < a->last)
		a->unsorted = 1;	/* (tk_ft_flush sorts its entries then) */
	a->last = id;
	if (a->ent.len + 9 + 10 + plen > a->ent.cap) {
		size_t c = a->ent.cap ? a->ent.cap * 2 : 64;

		while (c < a->ent.len + 9 + 10 + plen)
			c *= 2;
		a->ent.p = tk_xrealloc(a->ent.p, c);
		a->ent.cap = c;
	}
	w = (unsigned char *)a->ent.p + a->ent.len;
	if (a->fast) {
		for (uint64_t v = delta; ; v >>= 7) {	/* put_var's encoding */
			if (v < 0x80) {
				*w++ = (unsigned char)v;
				break;
			}
			*w++ = (unsigned char)(v | 0x80);
		}
	} else {
		tk_put_u64(w, id);
		w[8] = (unsigned char)op;
		w += 9;
	}
	for (size_t v = plen; ; v >>= 7) {	/* put_var's encoding */
		if (v < 0x80) {
			*w++ = (unsigned char)v;
			break;
		}
		*w++ = (unsigned char)(v | 0x80);
	}
	if (plen)	/* (a removal's payload is none, maybe NULL) */
		memcpy(w, payload, plen);
	a->ent.len = (size_t)(w + plen - (unsigned char *)a->ent.p);
}

void
tk_ft_discard(void)
{
	size_t i;

	if (acc.n > ACC_KEEP) {
		for (i = 0; i < acc.n; i++) {
			free(acc.v[i].key);
			tk_buf_free(&acc.v[i].ent);
		}
		acc.n = 0;
		if (acc.slot)
			memset(acc.slot, 0, acc.nslot * sizeof *acc.slot);
	} else
		for (i = 0; i < acc.nlive; i++) {
			struct aterm *a = &acc.v[acc.live[i]];

			a->ent.len = 0;
			a->first = a->last = 0;
			a->unsorted = 0;
			a->fast = 1;
			a->live = 0;
		}
	acc.nlive = 0;
	memset(acc.ndocs, 0, sizeof acc.ndocs);
	memset(acc.sumlen, 0, sizeof acc.sumlen);
}

/* A document's terms: sorted tokens, each distinct term's payload. */
struct tokref {
	const char *s;
	uint32_t n, pos;
};

static int
tokref_cmp(const void *x, const void *y)
{
	const struct tokref *a = x, *b = y;
	size_t n = a->n < b->n ? a->n : b->n;
	int c = memcmp(a->s, b->s, n);

	if (c)
		return c;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

static _Thread_local tk_tokens doc_tt;

/* A document's distinct terms, found by hashing its tokens (in position
 * order), each with its tokens chained in that order: no sort. */
struct dterm {
	const char *s;
	uint32_t n, first, last, nt, nb;
	uint64_t h;		/* fnv of its bytes */
};

static _Thread_local struct {
	struct dterm *v;
	uint32_t *next, *slot;
	size_t cap, ncap, nslot;
} dt;

static size_t
doc_terms(const tk_tokens *tt, uint32_t tend)
{
	size_t i, nd = 0, ns = 64, mask;

	while (ns < tt->n * 2)
		ns *= 2;
	if (ns > dt.nslot) {
		free(dt.slot);
		dt.slot = tk_xmalloc(ns * sizeof *dt.slot);
		dt.nslot = ns;
	}
	memset(dt.slot, 0, ns * sizeof *dt.slot);
	if (tt->n > dt.cap) {
		dt.cap = tt->n + 64;
		dt.v = tk_xrealloc(dt.v, dt.cap * sizeof *dt.v);
		dt.next = tk_xrealloc(dt.next, dt.cap * sizeof *dt.next);
	}
	mask = ns - 1;
	for (i = 0; i < tt->n; i++) {
		const char *p = tt->text.p + tt->v[i].off;
		uint32_t n = tt->v[i].len;
		uint64_t h = fnv(p, n);
		size_t j;

		for (j = h & mask; dt.slot[j]; j = (j + 1) & mask) {
			struct dterm *d = &dt.v[dt.slot[j] - 1];

			if (d->h == h && d->n == n && same_bytes(d->s, p, n))
				break;
		}
		dt.next[i] = UINT32_MAX;
		if (!dt.slot[j]) {
			dt.v[nd] = (struct dterm){ p, n, (uint32_t)i, (uint32_t)i, 0, 0, h };
			dt.slot[j] = (uint32_t)++nd;
		} else {
			struct dterm *d = &dt.v[dt.slot[j] - 1];

			dt.next[d->last] = (uint32_t)i;
			d->last = (uint32_t)i;
		}
		if (tt->v[i].pos < tend)
			dt.v[dt.slot[j] - 1].nt++;
		else
			dt.v[dt.slot[j] - 1].nb++;
	}
	return nd;
}

/* put_var's encoding at w, room for 10 bytes known: past its end. */
static inline unsigned char *
var_at(unsigned char *w, uint64_t v)
{
	while (v >= 0x80) {
		*w++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*w++ = (unsigned char)v;
	return w;
}

/* n more bytes of room in b (its NUL kept): where they start. */
static inline unsigned char *
room(tk_buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		tk_buf_room(b, n);
	return (unsigned char *)b->p + b->len;
}

/* A prepared document's entry begun: u8 key length, the key (the kind
 * byte, then k1 and k2: k2 may be NULL), u64 hash, u32 payload length;
 * room for pmax payload bytes after it. Where the payload goes. */
static inline unsigned char *
entry_begin(tk_ftdoc *d, int kind, const char *k1, size_t n1, const char *k2, size_t n2, uint64_t h, size_t pmax)
{
	unsigned char *w = room(&d->b, 2 + n1 + n2 + 12 + pmax);

	*w++ = (unsigned char)(1 + n1 + n2);
	*w++ = (unsigned char)kind;
	memcpy(w, k1, n1);
	w += n1;
	if (n2)
		memcpy(w, k2, n2);
	w += n2;
	memcpy(w, &h, 8);
	return w + 12;
}

/* The entry ended at w, its payload begun at p. */
static inline void
entry_end(tk_ftdoc *d, unsigned char *p, unsigned char *w)
{
	uint32_t pn = (uint32_t)(w - p);

	memcpy(p - 4, &pn, 4);
	d->b.len = (size_t)((char *)w - d->b.p);
	d->n++;
}

/*
 * A document's terms, each with its payload (op 1: title count, body
 * count, the document's length, positions as deltas; op 0, a removal:
 * none), in d: no store read, no shared state (a bulk import prepares
 * its articles in other threads; tk_kb_put_doc then adds them in order).
 */
static void
prepare(tk_ftdoc *d, int kind, const char *title, size_t tn, const char *body, size_t bn, const char *tags,
    int op)
{
	uint32_t tend;
	size_t i, nd;
	unsigned char *w;
	uint64_t dl;

	d->b.len = 0;
	d->n = 0;
	/* a CJK character is found as the first of the bigrams it starts, so
	 * its unigram is kept only where none follows (a run's last): a
	 * one-character query reads the terms it starts, their counts summed
	 * (the character's); a word and a CJK character are a position each,
	 * and the length counts positions, the title's W_TITLE times */
	tk_tokens_reset(&doc_tt);
	tend = tk_text_tokens(&doc_tt, title, tn, 0, TK_TEXT_INDEX);
	dl = tk_text_tokens(&doc_tt, body, bn, tend + 1, TK_TEXT_INDEX) - (tend + 1) + (uint64_t)W_TITLE * tend;
	nd = doc_terms(&doc_tt, tend);
	for (i = 0; i < nd; i++) {
		const struct dterm *t = &dt.v[i];
		uint32_t prev = 0, k, last = UINT32_MAX;
		unsigned char *p = entry_begin(d, kind, t->s, t->n, NULL, 0, t->h,
		    op ? 30 + 5 * ((size_t)t->nt + t->nb) : 0);

		w = p;
		if (op) {
			w = var_at(w, t->nt);
			w = var_at(w, t->nb);
			w = var_at(w, dl);
			for (k = t->first; k != UINT32_MAX; k = dt.next[k]) {
				uint32_t pos = doc_tt.v[k].pos;

				if (pos == last)
					continue;
				w = var_at(w, pos - prev);
				prev = last = pos;
			}
		}
		entry_end(d, p, w);
	}
	/* tags: "\1" tag, no positions */
	for (const char *tg = tags; tg && *tg;) {
		const char *e = strchr(tg, ',');
		size_t l = e ? (size_t)(e - tg) : strlen(tg);

		if (l && l < TK_TEXT_MAXTERM) {
			char key[TK_TEXT_MAXTERM + 2];
			unsigned char *p;

			key[0] = 1;
			memcpy(key + 1, tg, l);
			p = w = entry_begin(d, kind, "\1", 1, tg, l, fnv(key, l + 1), op ? 30 : 0);
			if (op) {
				w = var_at(w, 0);
				w = var_at(w, 0);
				w = var_at(w, dl);
			}
			entry_end(d, p, w);
		}
		tg = e ? e + 1 : NULL;
	}
	d->dl = dl;
	d->kind = kind;
}

void
tk_ft_prepare(tk_ftdoc *d, int kind, const char *title, size_t tn, const char *body, size_t bn, const char *tags)
{
	prepare(d, kind, title, tn, body, bn, tags, 1);
}

void
tk_ft_scratch_free(void)
{
	tk_tokens_free(&doc_tt);
	free(dt.v);
	free(dt.next);
	free(dt.slot);
	memset(&dt, 0, sizeof dt);
}

void
tk_ftdoc_free(tk_ftdoc *d)
{
	tk_buf_free(&d->b);
	memset(d, 0, sizeof *d);
}

/* A prepared document's terms into the accumulator, under id (op 1 an
 * addition, 0 a removal). */
static void
apply(const tk_ftdoc *d, uint64_t id, int op)
{
	const unsigned char *p = (const unsigned char *)d->b.p, *e = p + d->b.len;

	while (p < e) {
		size_t kn = *p++;
		const char *key = (const char *)p;
		uint64_t h;
		uint32_t pn;

		memcpy(&h, p + kn, 8);
		memcpy(&pn, p + kn + 8, 4);
		p += kn + 12;
		acc_add(key, kn, h, id, op, p, pn);
		p += pn;
	}
	acc.ndocs[d->kind == 't'] += op ? 1 : -1;
	acc.sumlen[d->kind == 't'] += op ? (int64_t)d->dl : -(int64_t)d->dl;
}

static int
each_term(int kind, uint64_t id, const char *title, size_t tn, const char *body, size_t bn, const char *tags,
    int op)
{
	static tk_ftdoc d;

	prepare(&d, kind, title, tn, body, bn, tags, op);
	apply(&d, id, op);
	return 0;
}

int
tk_ft_index(tk_txn *t, int kind, uint64_t id, const char *title, size_t tn, const char *body, size_t bn,
    const char *tags)
{
	(void)t;
	return each_term(kind, id, title, tn, body, bn, tags, 1);
}

int
tk_ft_unindex(tk_txn *t, int kind, uint64_t id, const char *title, size_t tn, const char *body, size_t bn,
    const char *tags)
{
	(void)t;
	return each_term(kind, id, title, tn, body, bn, tags, 0);
}

/* ---- writing the gathered changes ---- */

struct ent {
	uint64_t id;
	int op;
	const unsigned char *p;
	size_t n;
	size_t seq;
};

static int
ent_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/*
 * The live terms put in key order: a radix sort on each key's first eight
 * bytes, zero-padded (a term holds no NUL byte, so a shorter key sorts
 * first as tk_keycmp has it), then each run of keys alike in those bytes
 * put right by whole keys: by insertion when it is short, by qsort when
 * not (an article may bring thousands of words sharing eight bytes). A
 * bulk batch has a hundred thousand terms and more: qsort's calls over
 * all of them were a quarter of its flush.
 */
struct pre {
	uint64_t pre;
	uint32_t at;
};

static int
pre_cmp(const void *x, const void *y)
{
	const struct aterm *a = &acc.v[((const struct pre *)x)->at], *b = &acc.v[((const struct pre *)y)->at];

	return tk_keycmp(a->key, a->klen, b->key, b->klen);
}

static void
live_sort(void)
{
	static struct pre *v, *w;
	static size_t cap;
	size_t n = acc.nlive, i, j;

	if (n > cap) {
		cap = n + n / 2;
		v = tk_xrealloc(v, cap * sizeof *v);
		w = tk_xrealloc(w, cap * sizeof *w);
	}
	for (i = 0; i < n; i++) {
		const struct aterm *a = &acc.v[acc.live[i]];

		v[i] = (struct pre){ tk_key_prefix(a->key, a->klen, 0), acc.live[i] };
	}
	if (tk_radix_prefix(v, w, n, sizeof *v) != v) {
		struct pre *x = v;

		v = w, w = x;
	}
	for (i = 0; i < n; i = j) {	/* runs alike in the first eight bytes */
		size_t k;

		for (j = i + 1; j < n && v[j].pre == v[i].pre; j++)
			;
		if (j - i > 16) {
			qsort(v + i, j - i, sizeof *v, pre_cmp);
			continue;
		}
		for (k = i + 1; k < j; k++) {
			struct pre x = v[k];
			size_t m;

			for (m = k; m > i && pre_cmp(&v[m - 1], &x) > 0; m--)
				v[m] = v[m - 1];
			v[m] = x;
		}
	}
	for (i = 0; i < n; i++)
		acc.live[i] = v[i].at;
}

/* A chunk's entries appended to e (ops 1). */
static void
chunk_decode(const unsigned char *p, size_t n, uint64_t first, struct ent **e, size_t *ne, size_t *cap)
{
	const unsigned char *end = p + n;
	uint64_t id = first;

	while (p < end) {
		size_t l;

		id += get_var(&p, end);
		l = (size_t)get_var(&p, end);
		if (l > (size_t)(end - p))
			break;
		if (*ne == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*e = tk_xrealloc(*e, *cap * sizeof **e);
		}
		(*e)[(*ne)++] = (struct ent){ id, 1, p, l, 0 };
		p += l;
	}
}

/* A fast term's entries rewritten in the general form (a change that is
 * not an add past its last id has come). */
static void
acc_general(struct aterm *a)
{
	struct ent *e = NULL;
	size_t n = 0, cap = 0, i;
	tk_buf old = a->ent, b = { 0 };

	chunk_decode((unsigned char *)old.p, old.len, a->first, &e, &n, &cap);
	for (i = 0; i < n; i++) {
		unsigned char h[9];

		tk_put_u64(h, e[i].id);
		h[8] = 1;
		tk_buf_add(&b, h, 9);
		put_var(&b, e[i].n);
		tk_buf_add(&b, e[i].p, e[i].n);
	}
	free(e);
	tk_buf_free(&old);
	a->ent = b;
	a->fast = 0;
}

static tk_tail ft_tail;	/* tk_ft_flush's: the tree's last key when it began */

static size_t
var_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80)
		v >>= 7, n++;
	return n;
}

/* Entries (ascending ids, adds only) written as chunks keyed by key . NUL .
 * first id, each cut before it passes A_CHUNK bytes (three to a page), put
 * with MDB_APPEND where the key sorts past the tree's end (a new term of
 * a fresh index: pages filled, no search of the tree). */
static int
chunks_put(tk_txn *t, const char *key, size_t klen, struct ent *e, size_t n)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	tk_buf b = { 0 };
	size_t i = 0;
	int rc = 0;

	memcpy(kb, key, klen);
	kb[klen] = 0;
	while (i < n && !rc) {
		uint64_t first = e[i].id, prev = first;
		MDB_val k = { klen + 9, kb }, v;

		b.len = 0;
		for (; i < n; i++) {
			size_t sz = var_len(e[i].id - prev) + var_len(e[i].n) + e[i].n;

			if (b.len && b.len + sz > A_CHUNK && e[i].id != prev)
				break;
			put_var(&b, e[i].id - prev);
			put_var(&b, e[i].n);
			tk_buf_add(&b, e[i].p, e[i].n);
			prev = e[i].id;
		}
		tk_put_u64(kb + klen + 1, first);
		v.mv_size = b.len, v.mv_data = b.p;
		rc = mdb_put(t->txn, t->st->dbi[TK_DB_FULLTEXT], &k, &v,
		    tk_tail_past(&ft_tail, kb, klen + 9) ? MDB_APPEND : 0);
	}
	tk_buf_free(&b);
	return rc ? tk_mdb_error(rc, "fulltext") : 0;
}

/*
 * Seeking in a term's chunks (both kinds: a chunk's key is kind . term .
 * NUL . its first id). kb holds the term's key up to its NUL (klen bytes
 * before it) with room for an id after.
 */
#define IS_TERM(x) ((x).mv_size == klen + 9 && !memcmp((x).mv_data, kb, klen + 1))

/* The chunk id falls in: the one starting at id, else the term's last
 * before it, else its first after; *bound the first id of the chunk after
 * that one (UINT64_MAX: none, or not past id). 1 with *ck, *cv, 0 when the
 * term has no chunk, -1 on an error. */
static int
chunk_at(MDB_cursor *c, unsigned char *kb, size_t klen, uint64_t id, MDB_val *ck, MDB_val *cv, uint64_t *bound)
{
	unsigned char sk[TK_TEXT_MAXTERM + 16];
	MDB_val k = { klen + 9, kb }, v, pk, pv, skv;
	int rc, prc, after;

	*bound = UINT64_MAX;
	tk_put_u64(kb + klen + 1, id);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "fulltext");
	if (!rc && IS_TERM(k) && tk_get_u64((unsigned char *)k.mv_data + klen + 1) == id)
		*ck = k, *cv = v;	/* a chunk starting at this id */
	else {
		after = !rc && IS_TERM(k);
		prc = rc ? mdb_cursor_get(c, &pk, &pv, MDB_LAST) : mdb_cursor_get(c, &pk, &pv, MDB_PREV);
		if (prc && prc != MDB_NOTFOUND)
			return tk_mdb_error(prc, "fulltext");
		if (!prc && IS_TERM(pk))
			*ck = pk, *cv = pv;
		else if (after)
			*ck = k, *cv = v;
		else
			return 0;
	}
	/* the next chunk's first id bounds what goes into this one */
	memcpy(sk, ck->mv_data, ck->mv_size);
	skv.mv_size = ck->mv_size;
	skv.mv_data = sk;
	rc = mdb_cursor_get(c, &skv, &v, MDB_SET_KEY);
	if (!rc)
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	if (!rc && IS_TERM(k))
		*bound = tk_get_u64((unsigned char *)k.mv_data + klen + 1);
	else if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "fulltext");
	if (*bound <= id)
		*bound = UINT64_MAX;
	return 1;
}

/* Whether ids from first on can go after the term's chunks: 2 when it has
 * a chunk starting at or past first, else 1 with *pk, *pv its last chunk,
 * 0 when it has none; -1 on an error. */
static int
chunk_last_before(MDB_cursor *c, unsigned char *kb, size_t klen, uint64_t first, MDB_val *pk, MDB_val *pv)
{
	MDB_val k = { klen + 9, kb }, v;
	int rc;

	tk_put_u64(kb + klen + 1, first);
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "fulltext");
	if (!rc && IS_TERM(k))
		return 2;
	rc = rc ? mdb_cursor_get(c, pk, pv, MDB_LAST) : mdb_cursor_get(c, pk, pv, MDB_PREV);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "fulltext");
	return !rc && IS_TERM(*pk);
}
#undef IS_TERM

/* Entries e[0..n) (sorted, one a doc) merged into the term's chunks. */
static int
term_apply(tk_txn *t, MDB_cursor *c, const char *key, size_t klen, struct ent *e, size_t n)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	struct ent *m = NULL, *old = NULL;
	size_t i = 0, nm, mcap = 0, nold, ocap = 0;
	tk_buf copy = { 0 };
	int rc;

	memcpy(kb, key, klen);
	kb[klen] = 0;
	while (i < n) {
		MDB_val ck = { 0, NULL }, cv = { 0, NULL };
		uint64_t bound = UINT64_MAX, cfirst = 0;
		size_t j, a, b;
		int have = 0;

		if ((have = chunk_at(c, kb, klen, e[i].id, &ck, &cv, &bound)) < 0)
			goto fail;
		nold = 0;
		if (have) {
			cfirst = tk_get_u64((unsigned char *)ck.mv_data + klen + 1);
			/* a copy: the writes below may change the page it is on */
			copy.len = 0;
			tk_buf_add(&copy, cv.mv_data, cv.mv_size);
			chunk_decode((unsigned char *)copy.p, copy.len, cfirst, &old, &nold, &ocap);
		}
		for (j = i; j < n && e[j].id < bound; j++)
			;
		/* merge old[0..nold) and e[i..j) */
		nm = 0;
		if (mcap < nold + (j - i)) {
			mcap = nold + (j - i);
			m = tk_xrealloc(m, mcap * sizeof *m);
		}
		for (a = 0, b = i; a < nold || b < j;) {
			if (b == j || (a < nold && old[a].id < e[b].id))
				m[nm++] = old[a++];
			else {
				if (a < nold && old[a].id == e[b].id)
					a++;
				if (e[b].op)
					m[nm++] = e[b];
				b++;
			}
		}
		if (have) {
			/* the old chunk goes unless the first piece takes its key */
			if (!nm || m[0].id != cfirst) {
				MDB_val dk = { klen + 9, kb };

				tk_put_u64(kb + klen + 1, cfirst);
				if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_FULLTEXT], &dk, NULL)))
					goto mfail;
			}
		}
		if (nm && chunks_put(t, key, klen, m, nm) < 0) {
			free(m);
			free(old);
			tk_buf_free(&copy);
			return -1;
		}
		i = j;
	}
	free(m);
	free(old);
	tk_buf_free(&copy);
	return 0;
mfail:
	tk_mdb_error(rc, "fulltext");
fail:
	free(m);
	free(old);
	tk_buf_free(&copy);
	return -1;
}

/* A fast term's entries (all past the term's last id) written: joined to
 * the term's last chunk while it has room, then cut into chunks of at most
 * A_CHUNK bytes, each one's first delta 0 (its key has the id); the bytes
 * are the accumulator's, not decoded into entries and encoded again.
 * 1 when the term has a chunk at or past the first id (tk_ft_flush merges
 * it the general way then), 0, or -1. */
static int
fast_apply(tk_txn *t, MDB_cursor *c, struct aterm *a)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	size_t klen = a->klen;
	MDB_val pk, pv;
	const unsigned char *p = (unsigned char *)a->ent.p, *end = p + a->ent.len;
	tk_buf b = { 0 };
	uint64_t cfirst = a->first, prev = 0, id;
	const unsigned char *span = NULL;	/* entries to copy as they are */
	size_t spanlen = 0;
	int rc;

	memcpy(kb, a->key, klen);
	kb[klen] = 0;
	if ((rc = chunk_last_before(c, kb, klen, a->first, &pk, &pv)) < 0)
		return -1;
	if (rc == 2)
		return 1;
	prev = a->first;
	if (rc == 1) {	/* the term's last chunk */
		const unsigned char *q = pv.mv_data, *qe = q + pv.mv_size;
		uint64_t pfirst = tk_get_u64((unsigned char *)pk.mv_data + klen + 1);

		for (id = pfirst; q < qe;) {
			size_t l;

			id += get_var(&q, qe);
			l = (size_t)get_var(&q, qe);
			if (l > (size_t)(qe - q))
				break;
			q += l;
		}
		if (id >= a->first)
			return 1;
		if (pv.mv_size < A_CHUNK) {	/* room: the new entries join it */
			tk_buf_add(&b, pv.mv_data, pv.mv_size);	/* (a copy: the puts move pages) */
			cfirst = pfirst;
			prev = id;
		}
	}
	/* an entry whose delta from the one before in the chunk is the one it
	 * has here is copied as it is, a run of them at once (most are; not a
	 * chunk's first, nor the first joined to the term's last chunk) */
	rc = 0;
	id = a->first;
	while (p < end && !rc) {
		const unsigned char *e0 = p;
		uint64_t d = get_var(&p, end);
		size_t l = (size_t)get_var(&p, end), vlen;
		int verb;

		if (l > (size_t)(end - p))
			break;
		id += d;	/* (the first's delta is 0) */
		vlen = (size_t)(p - e0) + l;
		verb = d == id - prev;
		if ((b.len || spanlen) &&
		    b.len + spanlen + (verb ? vlen : var_len(id - prev) + var_len(l) + l) > A_CHUNK) {
			MDB_val ck = { klen + 9, kb }, cv;

			if (spanlen)
				tk_buf_add(&b, span, spanlen), spanlen = 0;
			cv.mv_size = b.len, cv.mv_data = b.p;
			tk_put_u64(kb + klen + 1, cfirst);
			rc = mdb_put(t->txn, t->st->dbi[TK_DB_FULLTEXT], &ck, &cv,
			    tk_tail_past(&ft_tail, kb, klen + 9) ? MDB_APPEND : 0);
			b.len = 0;
			cfirst = prev = id;
			verb = d == 0;
		}
		if (verb) {
			if (!spanlen)
				span = e0;
			spanlen += vlen;
		} else {
			if (spanlen)
				tk_buf_add(&b, span, spanlen), spanlen = 0;
			put_var(&b, id - prev);
			put_var(&b, l);
			tk_buf_add(&b, p, l);
		}
		prev = id;
		p += l;
	}
	if (spanlen)
		tk_buf_add(&b, span, spanlen);
	if (!rc && b.len) {
		MDB_val ck = { klen + 9, kb }, cv = { b.len, b.p };

		tk_put_u64(kb + klen + 1, cfirst);
		rc = mdb_put(t->txn, t->st->dbi[TK_DB_FULLTEXT], &ck, &cv,
		    tk_tail_past(&ft_tail, kb, klen + 9) ? MDB_APPEND : 0);
	}
	tk_buf_free(&b);
	return rc ? tk_mdb_error(rc, "fulltext") : 0;
}

static int
stats_add(tk_txn *t, int kind, int64_t docs, int64_t len)
{
	unsigned char kb[2] = { (unsigned char)kind, 0 }, vb[16];
	MDB_val k = { 2, kb }, v;
	uint64_t d = 0, l = 0;
	int rc;

	if (!docs && !len)
		return 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_FULLTEXT], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "fulltext");
	if (!rc && v.mv_size == 16) {
		d = tk_get_u64(v.mv_data);
		l = tk_get_u64((unsigned char *)v.mv_data + 8);
	}
	d += (uint64_t)docs;
	l += (uint64_t)len;
	tk_put_u64(vb, d);
	tk_put_u64(vb + 8, l);
	v.mv_size = 16, v.mv_data = vb;
	if ((rc = mdb_put(t->txn, t->st->dbi[TK_DB_FULLTEXT], &k, &v, 0)))
		return tk_mdb_error(rc, "fulltext");
	return 0;
}

int
tk_ft_flush(tk_txn *t)
{
	MDB_cursor *c;
	struct ent *e = NULL;
	size_t i, cap = 0;
	int rc = 0;

	if (!acc.nlive && !acc.ndocs[0] && !acc.ndocs[1])
		return 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FULLTEXT], &c)))
		return tk_mdb_error(rc, "fulltext");
	if ((rc = tk_tail_start(&ft_tail, c))) {
		mdb_cursor_close(c);
		return tk_mdb_error(rc, "fulltext");
	}
	if (acc.nlive > 1)
		live_sort();
	for (i = 0; i < acc.nlive && !rc; i++) {
		struct aterm *a = &acc.v[acc.live[i]];
		const unsigned char *p, *end;
		size_t n = 0, k, w;

		if (a->fast) {
			int r = fast_apply(t, c, a);

			if (r < 0)
				rc = -1;
			if (r <= 0)
				continue;
			acc_general(a);	/* (ids at or below the term's chunks: merged) */
		}
		p = (unsigned char *)a->ent.p, end = p + a->ent.len;
		while (p + 9 <= end) {
			struct ent x;

			x.id = tk_get_u64(p);
			x.op = p[8];
			p += 9;
			x.n = (size_t)get_var(&p, end);
			x.p = p;
			x.seq = n;
			p += x.n;
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				e = tk_xrealloc(e, cap * sizeof *e);
			}
			e[n++] = x;
		}
		if (n > 1 && a->unsorted)	/* (else in id order, a doc's in seq order) */
			qsort(e, n, sizeof *e, ent_cmp);
		for (k = w = 0; k < n; k++) {	/* the last change of each doc */
			if (w && e[w - 1].id == e[k].id)
				w--;
			e[w++] = e[k];
		}
		if (term_apply(t, c, a->key, a->klen, e, w) < 0)
			rc = -1;
	}
	mdb_cursor_close(c);
	free(e);
	if (!rc && (stats_add(t, 'a', acc.ndocs[0], acc.sumlen[0]) < 0 ||
	    stats_add(t, 't', acc.ndocs[1], acc.sumlen[1]) < 0))
		rc = -1;
	/* emptied either way: its changes are written or the txn aborts */
	tk_ft_discard();
	return rc;
}

int
tk_ft_stats(tk_txn *t, int kind, uint64_t *ndocs)
{
	unsigned char kb[2] = { (unsigned char)kind, 0 };
	MDB_val k = { 2, kb }, v;
	int rc = mdb_get(t->txn, t->st->dbi[TK_DB_FULLTEXT], &k, &v);

	*ndocs = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return tk_mdb_error(rc, "fulltext");
	if (v.mv_size == 16)
		*ndocs = tk_get_u64(v.mv_data);
	return 0;
}

/* ---- queries ---- */

enum { G_MUST, G_NOT, G_TAG, G_NOTTAG };

struct group {
	int type, prefix, phrase;
	tk_tokens tt;		/* its terms, positions relative to the first */
	char *tag;
	char *run;		/* cjk_run's answer, made once (tk_ft_quick) */
	size_t nrun;
};

struct tk_ftq {
	struct group *g;
	size_t n;
};

void
tk_ftq_free(tk_ftq *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->n; i++) {
		tk_tokens_free(&q->g[i].tt);
		free(q->g[i].tag);
		free(q->g[i].run);
	}
	free(q->g);
	free(q);
}

static struct group *
group_new(tk_ftq *q, int type)
{
	q->g = tk_xrealloc(q->g, (q->n + 1) * sizeof *q->g);
	memset(&q->g[q->n], 0, sizeof *q->g);
	q->g[q->n].type = type;
	return &q->g[q->n++];
}

static void run_of(struct group *g);

tk_ftq *
tk_ftq_parse(char **words, int nwords)
{
	tk_ftq *q = tk_xmalloc(sizeof *q);
	tk_buf all = { 0 };
	const char *p, *end;
	int i, dropped = 0, must = 0;

	memset(q, 0, sizeof *q);
	for (i = 0; i < nwords; i++) {
		if (tk_utf8_invalid(words[i], strlen(words[i])) >= 0) {
			tk_buf_free(&all);
			tk_ftq_free(q);
			tk_error("query: not valid UTF-8");
			return NULL;
		}
		tk_buf_printf(&all, "%s%s", i ? " " : "", words[i]);
	}
	p = tk_buf_cstr(&all);
	end = p + all.len;
	if (tk_blank(p, all.len)) {
		tk_buf_free(&all);
		tk_ftq_free(q);
		tk_error("an empty query: give words to search for");
		return NULL;
	}
	while (p < end) {
		int neg = 0, quoted = 0;
		const char *s, *e;
		struct group *g;

		if (*p == ' ' || *p == '\t' || *p == '\n') {
			p++;
			continue;
		}
		if (*p == '-' && p + 1 < end && p[1] != ' ')
			neg = 1, p++;
		if (*p == '"') {
			quoted = 1;
			s = ++p;
			e = memchr(p, '"', (size_t)(end - p));
			if (!e)
				e = end;
			p = e < end ? e + 1 : e;
		} else {
			s = p;
			while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
				p++;
			e = p;
		}
		if (!quoted && (size_t)(e - s) > 4 && !memcmp(s, "tag:", 4)) {
			g = group_new(q, neg ? G_NOTTAG : G_TAG);
			g->tag = tk_xstrndup(s + 4, (size_t)(e - s - 4));
			if (!neg)
				must++;
			continue;
		}
		g = group_new(q, neg ? G_NOT : G_MUST);
		g->phrase = quoted;
		if (!quoted && e - s > 1 && e[-1] == '*') {
			tk_text_tokens(&g->tt, s, (size_t)(e - s - 1), 0, TK_TEXT_QUERY | TK_TEXT_NOSTEM);
			if (g->tt.n == 1 && g->tt.v[0].kind == TK_TOK_WORD)
				g->prefix = 1;
			else {
				tk_tokens_reset(&g->tt);
				tk_text_tokens(&g->tt, s, (size_t)(e - s - 1), 0, TK_TEXT_QUERY);
			}
		} else
			tk_text_tokens(&g->tt, s, (size_t)(e - s), 0, TK_TEXT_QUERY);
		if (!g->tt.n || (!quoted && !g->prefix && g->tt.n == 1 && !neg &&
		    tk_text_stop(g->tt.text.p, g->tt.v[0].len))) {
			dropped++;
			tk_tokens_free(&g->tt);
			q->n--;
			continue;
		}
		if (!quoted && !g->prefix && g->tt.n > 1) {
			/* an unquoted word is split where its script changes: each
			 * word and each CJK run its own group ("VPN超时": vpn, 超时) */
			tk_tokens tt = g->tt;
			size_t k = 0, m;
			int type = g->type;

			q->n--;
			while (k < tt.n) {
				struct group *h = group_new(q, type);

				for (m = k + 1; m < tt.n && tt.v[k].kind == TK_TOK_BI && tt.v[m].kind == TK_TOK_BI &&
				    tt.v[m].pos == tt.v[m - 1].pos + 1; m++)
					;
				for (; k < m; k++)
					tk_text_tokens(&h->tt, tt.text.p + tt.v[k].off, tt.v[k].len, 0,
					    TK_TEXT_QUERY | TK_TEXT_NOSTEM);
				/* re-tokenised bigrams come back as one bigram each: positions set again */
				for (m = 0; m < h->tt.n; m++)
					h->tt.v[m].pos = (uint32_t)m;
				if (!neg)
					must++;
			}
			tk_tokens_free(&tt);
			continue;
		}
		if (!neg)
			must++;
	}
	tk_buf_free(&all);
	for (i = 0; i < (int)q->n; i++)
		run_of(&q->g[i]);
	if (!must) {
		tk_ftq_free(q);
		tk_error(dropped ? "the query has nothing to search for: only stop words or punctuation" :
		    "the query has nothing to search for: only exclusions");
		return NULL;
	}
	return q;
}

/* A doc's postings of one term or group. */
struct post {
	uint64_t id;
	uint32_t tft, tfb, dl;
	const unsigned char *pos;	/* varint deltas, tft + tfb of them; NULL for a prefix */
	size_t npos;
};

struct plist {
	struct post *v;
	size_t n, cap;
};

static void
plist_push(struct plist *l, struct post p)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = tk_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = p;
}

static int
post_cmp(const void *x, const void *y)
{
	const struct post *a = x, *b = y;

	return (a->id > b->id) - (a->id < b->id);
}

/* Key k met walking from term kb (kind . term . NUL, the term n bytes):
 * 1 a chunk of the term or, with prefix, of a term it begins; 0 a key to
 * pass over (a longer key with a NUL in it); -1 past them all. */
static int
term_key(const MDB_val *k, const unsigned char *kb, size_t n, int prefix)
{
	const unsigned char *kp = k->mv_data;

	if (k->mv_size < n + 10 || memcmp(kp, kb, n + 1))
		return -1;
	if (!prefix)
		return k->mv_size == n + 10 && !kp[n + 1] ? 1 : -1;
	return memchr(kp + 1, 0, k->mv_size - 10) || kp[k->mv_size - 9] ? 0 : 1;
}

/* The postings of kind . key (a term, or every term starting with it). */
static int
postings(tk_txn *t, int kind, const char *term, size_t n, int prefix, struct plist *out)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	MDB_cursor *c;
	MDB_val k = { n + 1 + !prefix, kb }, v;
	int rc, m;

	kb[0] = (unsigned char)kind;
	memcpy(kb + 1, term, n);
	kb[n + 1] = 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FULLTEXT], &c)))
		return tk_mdb_error(rc, "fulltext");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const unsigned char *kp = k.mv_data, *p = v.mv_data, *end = p + v.mv_size;
		uint64_t id;

		if ((m = term_key(&k, kb, n, prefix)) < 0)
			break;
		if (!m)
			continue;
		id = tk_get_u64(kp + k.mv_size - 8);
		while (kind == 't' && p < end) {	/* tickets: ids alone */
			id += get_var(&p, end);
			plist_push(out, (struct post){ id, 0, 1, 0, NULL, 0 });
		}
		while (p < end) {
			struct post x;
			size_t l;
			const unsigned char *q;

			id += get_var(&p, end);
			l = (size_t)get_var(&p, end);
			if (l > (size_t)(end - p))
				break;
			q = p;
			x.id = id;
			x.tft = (uint32_t)get_var(&q, p + l);
			x.tfb = (uint32_t)get_var(&q, p + l);
			x.dl = (uint32_t)get_var(&q, p + l);
			x.pos = prefix ? NULL : q;
			x.npos = (size_t)(p + l - q);
			plist_push(out, x);
			p += l;
		}
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "fulltext");
	if (prefix && out->n > 1) {	/* several terms: one list, tfs summed */
		size_t i, w = 0;

		qsort(out->v, out->n, sizeof *out->v, post_cmp);
		for (i = 0; i < out->n; i++) {
			if (w && out->v[w - 1].id == out->v[i].id) {
				out->v[w - 1].tft += out->v[i].tft;
				out->v[w - 1].tfb += out->v[i].tfb;
				continue;
			}
			out->v[w++] = out->v[i];
		}
		out->n = w;
	}
	return 0;
}

/* Positions of a posting decoded. */
static size_t
positions(const struct post *p, uint32_t *out, size_t max)
{
	const unsigned char *q = p->pos, *end = q + p->npos;
	uint32_t pos = 0;
	size_t n = 0;

	while (q < end && n < max) {
		pos += (uint32_t)get_var(&q, end);
		out[n++] = pos;
	}
	return n;
}

static int
has_pos(const uint32_t *v, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t m = (lo + hi) / 2;

		if (v[m] == x)
			return 1;
		if (v[m] < x)
			lo = m + 1;
		else
			hi = m;
	}
	return 0;
}

struct cand {
	uint64_t id;
	double score;
	int groups;
};
/* (ft_search writes its hits over its candidates) */
_Static_assert(sizeof(tk_fthit) <= sizeof(struct cand), "a hit fits where its candidate was");

static double
bm25(const struct post *p, double idf, double avgdl)
{
	double tf = (double)(W_TITLE * p->tft + p->tfb), dl = p->dl ? p->dl : avgdl;

	/* (a ticket's posting has no counts: tf 1, the average length) */
	return idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * dl / avgdl));
}

static int
u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

/* The tickets of 't' . term (or of every term it starts: prefix), as
 * ascending ids in out (n of them): 0, or -1. */
static int
ticket_ids(tk_txn *t, const char *term, size_t n, int prefix, uint64_t **out, size_t *nout)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	MDB_cursor *c;
	MDB_val k = { n + 1 + !prefix, kb }, v;
	size_t cap = 0, terms = 0, i, w;
	const unsigned char *last = NULL;
	size_t lastn = 0;
	int rc, m;

	*out = NULL, *nout = 0;
	kb[0] = 't';
	memcpy(kb + 1, term, n);
	kb[n + 1] = 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FULLTEXT], &c)))
		return tk_mdb_error(rc, "fulltext");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const unsigned char *kp = k.mv_data, *p = v.mv_data, *end = p + v.mv_size;
		uint64_t id;

		if ((m = term_key(&k, kb, n, prefix)) < 0)
			break;
		if (!m)
			continue;
		if (prefix) {
			if (!last || lastn != k.mv_size || memcmp(last, kp, k.mv_size - 8))
				terms++;
			last = kp, lastn = k.mv_size;
		}
		if (cap < *nout + v.mv_size) {	/* (a byte an id at least) */
			cap = (*nout + v.mv_size) * 2;
			*out = tk_xrealloc(*out, cap * sizeof **out);
		}
		id = tk_get_u64(kp + k.mv_size - 8);
		while (p < end) {
			id += get_var(&p, end);
			(*out)[(*nout)++] = id;
		}
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		free(*out);
		*out = NULL, *nout = 0;
		return tk_mdb_error(rc, "fulltext");
	}
	if (terms > 1) {	/* several terms' lists: one */
		qsort(*out, *nout, sizeof **out, u64_cmp);
		for (i = w = 0; i < *nout; i++)
			if (!w || (*out)[w - 1] != (*out)[i])
				(*out)[w++] = (*out)[i];
		*nout = w;
	}
	return 0;
}

/* A group of ticket terms (ids alone): its lists intersected, each
 * ticket scored by the idf of its terms (BM25 at tf 1, average length). */
static int
ticket_group_ids(tk_txn *t, struct group *g, double *idf, uint64_t **out, size_t *nout)
{
	size_t nt = g->tt.n, i, j, w = 0, *at;
	uint64_t **l = tk_xmalloc((nt + 1) * sizeof *l);
	size_t *ln = tk_xmalloc((nt + 1) * sizeof *ln);
	double s = 0;
	int rc = 0;

	*out = NULL, *nout = 0;
	at = tk_xmalloc((nt + 1) * sizeof *at);
	for (i = 0; i < nt; i++)
		l[i] = NULL, ln[i] = 0, at[i] = 0;
	for (i = 0; i < nt && !rc; i++) {
		rc = ticket_ids(t, g->tt.text.p + g->tt.v[i].off, g->tt.v[i].len,
		    g->prefix || g->tt.v[i].kind == TK_TOK_UNI, &l[i], &ln[i]);
		if (idf)
			s += log(1 + (*idf - (double)ln[i] + 0.5) / ((double)ln[i] + 0.5));
	}
	if (!rc && nt) {
		/* the first list's ids that every other list holds, kept in
		 * its own array (a common word's 27,000 tickets take no new
		 * pages) */
		for (j = 0; j < ln[0]; j++) {
			uint64_t id = l[0][j];
			int ok = 1;

			for (i = 1; i < nt && ok; i++) {
				while (at[i] < ln[i] && l[i][at[i]] < id)
					at[i]++;
				ok = at[i] < ln[i] && l[i][at[i]] == id;
			}
			if (ok)
				l[0][w++] = id;
		}
		*out = l[0], *nout = w;
		l[0] = NULL;
	}
	for (i = 0; i < nt; i++)
		free(l[i]);
	free(l);
	free(ln);
	free(at);
	if (idf)
		*idf = s;
	return rc;
}

static int
ticket_group(tk_txn *t, struct group *g, double ndocs, struct cand **out, size_t *nout)
{
	uint64_t *ids;
	size_t n, j;
	double s = ndocs;

	*out = NULL, *nout = 0;
	if (ticket_group_ids(t, g, &s, &ids, &n) < 0)
		return -1;
	*out = tk_xmalloc((n + 1) * sizeof **out);
	for (j = 0; j < n; j++)
		(*out)[j] = (struct cand){ ids[j], s, 1 };
	*nout = n;
	free(ids);
	return 0;
}

/* An article term's docs with their scores (a group of one term, no
 * prefix): read from the chunks straight into candidates, no posting list
 * (a common word's list would be most of a query's memory, and its pages
 * most of its time). Two passes: the count gives the idf, then each score
 * as bm25 has it. */
static int
term_cands(tk_txn *t, const char *term, size_t n, double ndocs, double avgdl, struct cand **out, size_t *nout)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	MDB_cursor *c;
	MDB_val k, v;
	size_t cnt = 0, cap = 0;
	double idf = 0;
	int rc = 0, pass;

	*out = NULL;
	*nout = 0;
	kb[0] = 'a';
	memcpy(kb + 1, term, n);
	kb[n + 1] = 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FULLTEXT], &c)))
		return tk_mdb_error(rc, "fulltext");
	for (pass = 0; pass < 2; pass++) {
		if (pass) {
			idf = log(1 + (ndocs - (double)cnt + 0.5) / ((double)cnt + 0.5));
			cap = cnt + 1;
			*out = tk_xmalloc(cap * sizeof **out);
		}
		k.mv_size = n + 2, k.mv_data = kb;
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			const unsigned char *kp = k.mv_data, *p = v.mv_data, *end = p + v.mv_size;
			uint64_t id;

			if (k.mv_size != n + 10 || memcmp(kp, kb, n + 2))
				break;
			id = tk_get_u64(kp + n + 2);
			while (p < end) {
				size_t l;

				id += get_var(&p, end);
				l = (size_t)get_var(&p, end);
				if (l > (size_t)(end - p))
					break;
				if (!pass)
					cnt++;
				else if (*nout < cap) {
					const unsigned char *q = p;
					struct post x = { id, 0, 0, 0, NULL, 0 };

					x.tft = (uint32_t)get_var(&q, p + l);
					x.tfb = (uint32_t)get_var(&q, p + l);
					x.dl = (uint32_t)get_var(&q, p + l);
					(*out)[(*nout)++] = (struct cand){ id, bm25(&x, idf, avgdl), 1 };
				}
				p += l;
			}
		}
		if (rc && rc != MDB_NOTFOUND)
			break;
		rc = 0;
	}
	mdb_cursor_close(c);
	return rc ? tk_mdb_error(rc, "fulltext") : 0;
}

static int group_at(const tk_tokens *tt, size_t i, const struct group *g, size_t *last);

/* 1 when article id's title or body holds group g's terms at their
 * offsets (a phrase with a lone CJK character, whose index terms are the
 * bigrams it starts, read as a prefix: no positions), 0, or -1. */
static int
phrase_in_text(tk_txn *t, uint64_t id, const struct group *g)
{
	tk_article a;
	tk_tokens tt = { 0 };
	size_t i, last;
	uint32_t tend;
	int rc = tk_kb_get(t, id, 0, &a), found = 0;

	if (rc <= 0)
		return rc;
	tend = tk_text_tokens(&tt, a.title, strlen(a.title), 0, 0);
	tk_text_tokens(&tt, a.body, a.bodylen, tend + 1, 0);
	for (i = 0; i < tt.n && !found; i++)
		found = group_at(&tt, i, g, &last);
	tk_tokens_free(&tt);
	tk_article_free(&a);
	return found;
}

/* A group's docs with their scores: terms intersected, a phrase's
 * positions checked. */
static int
group_docs(tk_txn *t, int kind, struct group *g, double ndocs, double avgdl, struct cand **out, size_t *nout)
{
	size_t nt = g->type == G_TAG || g->type == G_NOTTAG ? 1 : g->tt.n, i, j;
	struct plist *l = tk_xmalloc(nt * sizeof *l);
	size_t *at = tk_xmalloc(nt * sizeof *at);
	double *idf = tk_xmalloc(nt * sizeof *idf);
	uint32_t *pa = NULL, *pb = NULL;
	size_t pcap = 0, pbcap = 0, *boff = tk_xmalloc(2 * nt * sizeof *boff), *bn = boff + nt;
	int rc = 0, uni = 0;

	memset(l, 0, nt * sizeof *l);
	*out = NULL;
	*nout = 0;
	if (kind == 't' && !g->tag) {	/* tickets: ids alone */
		free(l);
		free(at);
		free(idf);
		free(boff);
		return ticket_group(t, g, ndocs, out, nout);
	}
	if (kind == 'a' && nt == 1 && !g->prefix && (g->tag || g->tt.v[0].kind != TK_TOK_UNI)) {	/* one term: no list */
		free(l);
		free(at);
		free(idf);
		free(boff);
		if (g->tag) {
			char key[TK_TEXT_MAXTERM + 2];
			size_t tl = strlen(g->tag);

			if (tl > TK_TEXT_MAXTERM)
				tl = TK_TEXT_MAXTERM;
			key[0] = 1;
			memcpy(key + 1, g->tag, tl);
			return term_cands(t, key, tl + 1, ndocs, avgdl, out, nout);
		}
		return term_cands(t, g->tt.text.p + g->tt.v[0].off, g->tt.v[0].len, ndocs, avgdl, out, nout);
	}
	for (i = 0; i < nt && !rc; i++) {
		if (g->tag) {
			char key[TK_TEXT_MAXTERM + 2];
			size_t tl = strlen(g->tag);

			if (tl > TK_TEXT_MAXTERM)
				tl = TK_TEXT_MAXTERM;
			key[0] = 1;
			memcpy(key + 1, g->tag, tl);
			rc = postings(t, kind, key, tl + 1, 0, &l[i]);
		} else	/* (a ticket's CJK character: its unigram and the bigrams it starts) */
			rc = postings(t, kind, g->tt.text.p + g->tt.v[i].off, g->tt.v[i].len,
			    g->prefix || g->tt.v[i].kind == TK_TOK_UNI, &l[i]);
		idf[i] = log(1 + (ndocs - (double)l[i].n + 0.5) / ((double)l[i].n + 0.5));
		at[i] = 0;
	}
	if (rc)
		goto done;
	for (i = 0; i < nt && !g->tag; i++)
		if (g->tt.v[i].kind == TK_TOK_UNI)
			uni = 1;
	/* walk the first list; the others follow (all ascending) */
	for (j = 0; j < l[0].n; j++) {
		uint64_t id = l[0].v[j].id;
		double s = 0;
		int ok = 1;

		for (i = 1; i < nt && ok; i++) {
			while (at[i] < l[i].n && l[i].v[at[i]].id < id)
				at[i]++;
			ok = at[i] < l[i].n && l[i].v[at[i]].id == id;
		}
		if (!ok)
			continue;
		if (nt > 1 && !g->prefix && uni) {	/* (a lone character's terms have no positions) */
			int m = phrase_in_text(t, id, g);

			if (m < 0) {
				rc = -1;
				goto done;
			}
			if (!m)
				continue;
		} else if (nt > 1 && l[0].v[j].pos) {	/* a phrase: each term at its offset */
			size_t na, cnt = l[0].v[j].tft + l[0].v[j].tfb, k, m, tot;
			int found = 0;

			if (cnt + 1 > pcap) {
				pcap = cnt + 64;
				pa = tk_xrealloc(pa, pcap * sizeof *pa);
			}
			na = positions(&l[0].v[j], pa, cnt);
			/* the other terms' positions in this article, read once
			 * (not again for each position of the first) */
			for (m = 1, tot = 0; m < nt; m++)
				tot += l[m].v[at[m]].tft + l[m].v[at[m]].tfb;
			if (tot + 1 > pbcap) {
				pbcap = tot + 64;
				pb = tk_xrealloc(pb, pbcap * sizeof *pb);
			}
			for (m = 1, tot = 0; m < nt; m++) {
				const struct post *pm = &l[m].v[at[m]];

				boff[m] = tot;
				bn[m] = positions(pm, pb + tot, pm->tft + pm->tfb);
				tot += bn[m];
			}
			for (k = 0; k < na && !found; k++) {
				found = 1;
				for (m = 1; m < nt && found; m++)
					found = has_pos(pb + boff[m], bn[m], pa[k] + g->tt.v[m].pos - g->tt.v[0].pos);
			}
			if (!found)
				continue;
		}
		s = bm25(&l[0].v[j], idf[0], avgdl);
		for (i = 1; i < nt; i++)
			s += bm25(&l[i].v[at[i]], idf[i], avgdl);
		if (*nout % 256 == 0)
			*out = tk_xrealloc(*out, (*nout + 256) * sizeof **out);
		(*out)[(*nout)++] = (struct cand){ id, s, 1 };
	}
done:
	for (i = 0; i < nt; i++)
		free(l[i].v);
	free(l);
	free(at);
	free(idf);
	free(pa);
	free(pb);
	free(boff);
	return rc;
}

static int
hit_cmp(const void *x, const void *y)
{
	const tk_fthit *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The best k of h[0..n) (hit_cmp order) moved to h[0..k), unsorted: a heap
 * whose root is the worst kept, so a query matching most articles does not
 * sort them all for its first ten. */
static void
heap_down(tk_fthit *h, size_t k, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		tk_fthit x;

		if (l < k && hit_cmp(&h[l], &h[w]) > 0)
			w = l;
		if (r < k && hit_cmp(&h[r], &h[w]) > 0)
			w = r;
		if (w == i)
			return;
		x = h[i], h[i] = h[w], h[w] = x;
		i = w;
	}
}

static void
top_k(tk_fthit *h, size_t n, size_t k)
{
	size_t i;

	for (i = k / 2; i-- > 0;)
		heap_down(h, k, i);
	for (i = k; i < n; i++)
		if (hit_cmp(&h[i], &h[0]) < 0) {
			h[0] = h[i];
			heap_down(h, k, 0);
		}
}

/* Merge of two ascending candidate lists: and (both) or or (either). */
static size_t
cand_merge(struct cand *a, size_t na, const struct cand *b, size_t nb, int and, struct cand **out)
{
	struct cand *m = tk_xmalloc((na + nb + 1) * sizeof *m);
	size_t i = 0, j = 0, n = 0;

	while (i < na || j < nb) {
		if (j == nb || (i < na && a[i].id < b[j].id)) {
			if (!and)
				m[n++] = a[i];
			i++;
		} else if (i == na || b[j].id < a[i].id) {
			if (!and)
				m[n++] = b[j];
			j++;
		} else {
			m[n] = a[i];
			m[n].score += b[j].score;
			m[n++].groups += b[j].groups;
			i++, j++;
		}
	}
	*out = m;
	return n;
}

/* and_only: 0 AND with an OR fallback, 1 AND alone (ids ascending), 2 OR */
static long ft_search(tk_txn *t, int kind, tk_ftq *q, size_t max, tk_fthit **hits, int and_only);

long
tk_ft_search(tk_txn *t, int kind, tk_ftq *q, size_t max, tk_fthit **hits)
{
	return ft_search(t, kind, q, max, hits, 0);
}

long
tk_ft_search_any(tk_txn *t, int kind, tk_ftq *q, size_t max, tk_fthit **hits)
{
	return ft_search(t, kind, q, max, hits, 2);
}

long
tk_ft_ids(tk_txn *t, int kind, tk_ftq *q, uint64_t **ids)
{
	tk_fthit *h;
	long n, i;
	size_t nn;

	*ids = NULL;
	/* one group of ticket terms (text=打印机): its ids are the answer,
	 * straight from the lists, no candidates or hits made of them */
	if (kind == 't' && q->n == 1 && q->g[0].type == G_MUST && !q->g[0].tag && q->g[0].tt.n) {
		if (ticket_group_ids(t, &q->g[0], NULL, ids, &nn) < 0)
			return -1;
		if (!*ids)
			*ids = tk_xmalloc(sizeof **ids);
		return (long)nn;
	}
	if ((n = ft_search(t, kind, q, 0, &h, 1)) < 0)
		return -1;
	/* (ascending: unsorted by score) written over the hits, as
	 * ft_search writes those over its candidates */
	for (i = 0; i < n; i++) {
		uint64_t id = h[i].id;

		memcpy((unsigned char *)h + (size_t)i * sizeof id, &id, sizeof id);
	}
	*ids = tk_xrealloc(h, ((size_t)n + 1) * sizeof **ids);
	return n;
}

static long
ft_search(tk_txn *t, int kind, tk_ftq *q, size_t max, tk_fthit **hits, int and_only)
{
	unsigned char kb[2] = { (unsigned char)kind, 0 };
	MDB_val k = { 2, kb }, v;
	double ndocs = 0, avgdl = 1;
	struct cand *and = NULL, *or = NULL, *res = NULL, *x, **gl = NULL;
	size_t nand = 0, nor = 0, nres = 0, nx, i, j, w, *gn = NULL, *gi = NULL, ng = 0;
	int rc, first = 1;

	*hits = NULL;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_FULLTEXT], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "fulltext");
	if (!rc && v.mv_size == 16) {
		ndocs = (double)tk_get_u64(v.mv_data);
		avgdl = ndocs ? (double)tk_get_u64((unsigned char *)v.mv_data + 8) / ndocs : 1;
		if (avgdl <= 0)
			avgdl = 1;
	}
	/* each group's docs kept; the and list merged as they come, the or
	 * list (the fallback) from them only when it is wanted */
	gl = tk_xmalloc((q->n + 1) * sizeof *gl);
	gn = tk_xmalloc((q->n + 1) * sizeof *gn);
	gi = tk_xmalloc((q->n + 1) * sizeof *gi);
	for (i = 0; i < q->n; i++) {
		struct cand *m;

		if (q->g[i].type != G_MUST && q->g[i].type != G_TAG)
			continue;
		if (group_docs(t, kind, &q->g[i], ndocs, avgdl, &x, &nx) < 0)
			goto fail;
		gl[ng] = x, gn[ng] = nx, gi[ng++] = i;
		if (first) {
			and = x, nand = nx;
			first = 0;
			continue;
		}
		nand = cand_merge(and, nand, x, nx, 1, &m);
		if (ng > 2)
			free(and);	/* (the first and list is the first group's) */
		and = m;
	}
	if (and_only != 2 && (nand || and_only)) {
		res = and, nres = nand;
		if (ng == 1)
			gl[0] = NULL;	/* res is it */
	} else {
		if (ng > 1)
			free(and);
		for (j = 0; j < ng; j++) {
			struct cand *m;

			x = gl[j], nx = gn[j];
			if (!j) {
				or = tk_xmalloc((nx + 1) * sizeof *or);
				if (nx)
					memcpy(or, x, nx * sizeof *x);
				nor = nx;
				continue;
			}
			if (q->g[gi[j]].type == G_MUST)
				nor = cand_merge(or, nor, x, nx, 0, &m);
			else	/* a tag limits the or list too */
				nor = cand_merge(or, nor, x, nx, 1, &m);
			free(or);
			or = m;
		}
		res = or, nres = nor;
	}
	for (j = 0; j < ng; j++)
		free(gl[j]);
	free(gl);
	free(gn);
	free(gi);
	gl = NULL, gn = NULL, gi = NULL;
	and = or = NULL;
	for (i = 0; i < q->n; i++) {	/* exclusions */
		if (q->g[i].type != G_NOT && q->g[i].type != G_NOTTAG)
			continue;
		/* tickets keep no positions: a phrase's docs are more than
		 * its matches, so it excludes nothing here (text= checks the
		 * candidates' text, tk_ftq_exact) */
		if (kind == 't' && q->g[i].type == G_NOT && q->g[i].tt.n > 1)
			continue;
		if (group_docs(t, kind, &q->g[i], ndocs, avgdl, &x, &nx) < 0) {
			free(res);
			return -1;
		}
		for (j = w = 0, nx = nx; j < nres; j++) {
			struct cand key = res[j];
			size_t lo = 0, hi = nx;
			int found = 0;

			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (x[mid].id == key.id) {
					found = 1;
					break;
				}
				if (x[mid].id < key.id)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (!found)
				res[w++] = res[j];
		}
		nres = w;
		free(x);
	}
	/* The hits written over the candidates they come from (a hit is
	 * smaller: each is written at or before the one read), so that a
	 * common word's 27,000 tickets do not take new pages, a page fault
	 * each, for a second copy. */
	{
		unsigned char *base = (unsigned char *)res;
		tk_fthit h;

		if (!res)
			res = tk_xmalloc(sizeof *res), base = (unsigned char *)res;
		for (i = 0; i < nres; i++) {
			h.id = res[i].id;
			h.score = res[i].score;
			memcpy(base + i * sizeof h, &h, sizeof h);
		}
		*hits = tk_xrealloc(res, (nres + 1) * sizeof **hits);
	}
	if (and_only != 1 && max && nres > max) {
		top_k(*hits, nres, max);	/* the best max first, the rest left unsorted */
		nres = max;
	}
	if (and_only != 1)
		qsort(*hits, nres, sizeof **hits, hit_cmp);
	if (max && nres > max)
		nres = max;
	return (long)nres;
fail:
	if (ng > 1)
		free(and);	/* (else it is gl[0]) */
	for (j = 0; j < ng; j++)
		free(gl[j]);
	free(gl);
	free(gn);
	free(gi);
	return -1;
}

/* 1 when token i of tt starts group g's terms at their offsets. */
static int
group_at(const tk_tokens *tt, size_t i, const struct group *g, size_t *last)
{
	size_t m, k;

	for (m = 0; m < g->tt.n; m++) {
		const char *want = g->tt.text.p + g->tt.v[m].off;
		size_t wl = g->tt.v[m].len;
		uint32_t pos = tt->v[i].pos + g->tt.v[m].pos - g->tt.v[0].pos;
		int found = 0;

		for (k = i; k < tt->n && tt->v[k].pos <= pos + 1; k++) {
			const char *s = tt->text.p + tt->v[k].off;

			if (tt->v[k].pos != pos)
				continue;
			if (g->prefix ? tt->v[k].len >= wl && !memcmp(s, want, wl) :
			    tt->v[k].len == wl && !memcmp(s, want, wl)) {
				found = 1;
				*last = k;
				break;
			}
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* The first match of a positive group in tt: its token range. */
static int
first_match(tk_ftq *q, const tk_tokens *tt, size_t *a, size_t *b)
{
	size_t i, gi, last;

	for (i = 0; i < tt->n; i++)
		for (gi = 0; gi < q->n; gi++)
			if (q->g[gi].type == G_MUST && group_at(tt, i, &q->g[gi], &last)) {
				*a = i, *b = last;
				return 1;
			}
	return 0;
}

void
tk_ft_snippet(tk_ftq *q, const char *s, size_t n, const char *on, const char *off, tk_buf *out)
{
	tk_tokens tt = { 0 };
	size_t a, b, from = 0, to, ms = 0, me = 0, i;
	int hit;

	tk_text_tokens(&tt, s, n, 0, 0);
	hit = first_match(q, &tt, &a, &b);
	if (hit) {
		ms = tt.v[a].src, me = tt.v[b].srcend;
		from = ms > 40 ? ms - 40 : 0;
	}
	while (from > 0 && from < n && ((unsigned char)s[from] & 0xC0) == 0x80)
		from++;
	to = (hit ? me : from) + 80;
	if (to > n)
		to = n;
	while (to < n && to > from && ((unsigned char)s[to] & 0xC0) == 0x80)
		to--;
	if (from)
		tk_buf_adds(out, "...");
	for (i = from; i < to; i++) {
		if (hit && i == ms)
			tk_buf_adds(out, on);
		if (hit && i == me)
			tk_buf_adds(out, off);
		if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
			if (!out->len || out->p[out->len - 1] != ' ')
				tk_buf_addc(out, ' ');
		} else
			tk_buf_addc(out, s[i]);
	}
	if (hit && me == to)
		tk_buf_adds(out, off);
	if (to < n)
		tk_buf_adds(out, "...");
	tk_tokens_free(&tt);
}

int
tk_ft_match_text(tk_ftq *q, const char *title, size_t tn, const char *body, size_t bn)
{
	tk_tokens tt = { 0 };
	size_t gi, i, last;
	int ok = 1, any = 0;
	uint32_t tend;

	tend = tk_text_tokens(&tt, title, tn, 0, 0);
	tk_text_tokens(&tt, body, bn, tend + 1, 0);
	for (gi = 0; gi < q->n; gi++) {
		struct group *g = &q->g[gi];
		int found = 0;

		if (g->tag)
			continue;
		for (i = 0; i < tt.n && !found; i++)
			found = group_at(&tt, i, g, &last);
		if (g->type == G_NOT && found)
			ok = 0;
		if (g->type == G_MUST) {
			if (!found)
				ok = 0;
			any = 1;
		}
	}
	tk_tokens_free(&tt);
	return ok && any;
}

int
tk_ftq_exact(const tk_ftq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (!q->g[i].tag && q->g[i].tt.n > 1)
			return 0;
	return 1;
}

/* A group of CJK bigrams at consecutive positions as its characters
 * (each its own folded form, so the text holds it as it is written):
 * its length in buf, or 0. */
static size_t
cjk_run(const struct group *g, char *buf, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < g->tt.n; i++) {
		const tk_token *k = &g->tt.v[i];
		const char *s = g->tt.text.p + k->off;
		int32_t c;
		size_t l;

		if (k->kind != TK_TOK_BI || k->pos != g->tt.v[0].pos + i)
			return 0;
		/* its first character (all of the last bigram) */
		l = i + 1 < g->tt.n ? (size_t)(utf8proc_iterate((const utf8proc_uint8_t *)s, k->len, &c)) : k->len;
		if (l <= 0 || l > k->len || n + l > max)
			return 0;
		memcpy(buf + n, s, l);
		n += l;
	}
	for (i = 0; i < n;) {
		int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)buf + i, (utf8proc_ssize_t)(n - i), &c);

		if (l <= 0 || tk_text_fold_han(c) != c)
			return 0;
		i += (size_t)l;
	}
	return n;
}

/* A group's CJK run, worked out once when the query is read: tk_ft_quick
 * checks it against every candidate of a text= query. */
static void
run_of(struct group *g)
{
	char buf[512];

	if (g->tag || g->tt.n < 2 || !(g->nrun = cjk_run(g, buf, sizeof buf)))
		return;
	g->run = tk_xmalloc(g->nrun);
	memcpy(g->run, buf, g->nrun);
}

int
tk_ft_quick(const tk_ftq *q, const char *subj, size_t sn, const char *body, size_t bn)
{
	size_t i, n;

	for (i = 0; i < q->n; i++) {
		const struct group *g = &q->g[i];

		if (g->tag || g->tt.n < 2)
			continue;
		if (g->type != G_MUST || !(n = g->nrun))
			return 0;
		if (!(sn >= n && memmem(subj, sn, g->run, n)) && !(bn >= n && memmem(body, bn, g->run, n)))
			return 0;
	}
	return 1;
}

struct tw {
	const char *s;
	uint32_t n;
	double w;
};

/* 1 when s (n bytes) is one CJK character: a term found as the first of
 * the bigrams it starts. */
static int
lone_cjk(const char *s, size_t n)
{
	int32_t c;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &c);

	return k > 0 && (size_t)k == n && tk_text_is_cjk(c);
}

static int
tw_cmp(const void *x, const void *y)
{
	const struct tw *a = x, *b = y;

	if (a->w != b->w)
		return a->w > b->w ? -1 : 1;
	return tk_keycmp(a->s, a->n, b->s, b->n);
}

int
tk_ft_top_terms(tk_txn *t, int kind, const char *title, size_t tn, const char *body, size_t bn, size_t max,
    tk_buf *out)
{
	tk_tokens tt = { 0 };
	struct tokref *r;
	struct tw *w;
	size_t i, j, nw = 0;
	uint64_t ndocs;
	uint32_t tend;
	int rc = 0;

	if (tk_ft_stats(t, kind, &ndocs) < 0)
		return -1;
	tend = tk_text_tokens(&tt, title, tn, 0, TK_TEXT_QUERY);
	tk_text_tokens(&tt, body, bn, tend + 1, TK_TEXT_QUERY);
	r = tk_xmalloc((tt.n + 1) * sizeof *r);
	w = tk_xmalloc((tt.n + 1) * sizeof *w);
	for (i = 0; i < tt.n; i++)
		r[i] = (struct tokref){ tt.text.p + tt.v[i].off, tt.v[i].len, tt.v[i].pos };
	qsort(r, tt.n, sizeof *r, tokref_cmp);
	for (i = 0; i < tt.n && !rc; i = j) {
		double tf = 0;
		struct plist l = { 0 };

		for (j = i; j < tt.n && r[j].n == r[i].n && !memcmp(r[j].s, r[i].s, r[i].n); j++)
			tf += r[j].pos < tend ? W_TITLE : 1;
		if (tk_text_stop(r[i].s, r[i].n) || (r[i].n == 1 && !((unsigned char)r[i].s[0] & 0x80)))
			continue;
		/* (a lone CJK character: the terms it starts, as search reads it) */
		rc = postings(t, kind, r[i].s, r[i].n, lone_cjk(r[i].s, r[i].n), &l);
		if (l.n)	/* a term no document has suggests nothing */
			w[nw++] = (struct tw){ r[i].s, r[i].n,
				(1 + log(tf)) * log(1 + ((double)ndocs - (double)l.n + 0.5) / ((double)l.n + 0.5)) };
		free(l.v);
	}
	qsort(w, nw, sizeof *w, tw_cmp);
	for (i = 0; i < nw && i < max; i++) {
		if (i)
			tk_buf_addc(out, ' ');
		tk_buf_add(out, w[i].s, w[i].n);
	}
	free(r);
	free(w);
	tk_tokens_free(&tt);
	return rc;
}

/* ---- the ticket index ---- */

/*
 * Kind 't': a term's chunks hold ticket ids alone (varint deltas, the
 * first from the chunk key's id): no counts and no positions. A phrase or
 * a CJK run of three or more characters is answered by the tickets that
 * hold all its terms, and text= checks those tickets' own text
 * (tk_ftq_exact, tk_ft_quick). There is no forward record: a ticket's old
 * words are read from its text before it changes (tk_ft_touch).
 *
 * ft_pending lists what the index does not yet hold:
 *   id (8 bytes) -> ""           a ticket not yet indexed
 *                -> "\1" terms    indexed with these terms (varint length,
 *                                 bytes each), changed since
 *                -> "\2"          indexed, only grown since (a comment)
 *   lo . hi (16 bytes) -> ""     a bulk run's tickets lo..hi, inverted in
 *                                 its memory and written at its flush
 * Changes are inverted in memory (inv) and written a term at a time in
 * key order (inv_flush): appended to the term's last chunk, or merged
 * into the chunk an id falls in.
 */

#define FT_BATCH 64
#define FT_RUN_BYTES (1024u << 20)	/* a bulk run flushes at this many bytes of text */

struct tterm {		/* (one cache line) */
	uint64_t last, mark;	/* last id appended; last doc added */
	uint64_t gen;		/* the listing (inv_doc) that saw it last */
	unsigned char *p;	/* ascending ids, varint deltas from 0 */
	uint32_t len, cap;
	uint16_t klen;		/* the term's bytes: k, or kx when longer */
	char k[14];
	char *kx;
};

#define TKEY(e) ((e)->klen <= sizeof (e)->k ? (e)->k : (e)->kx)

struct top {
	uint64_t id;
	uint32_t term, seq;
	int op;
};

static struct {
	struct tterm *v;
	size_t n, cap;
	uint64_t *slot;
	size_t nslot;
	size_t bytes;
	struct top *ops;	/* adds out of order, removals */
	size_t nops, opcap;
	int64_t ndocs;
	uint64_t run_lo, run_hi, key_hi;	/* a bulk run (range key lo . key_hi) */
	uint64_t taint_lo;	/* a batch of the run given up from here: its ids not written */
} inv;

static uint64_t
term_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* The term's entry in inv (made when new). Slots hold the hash's high
 * half and the entry's index + 1, so a probe reads no other entry. */
static uint32_t
inv_term(const char *s, size_t n)
{
	uint64_t h = term_hash(s, n), hi = h >> 32 << 32;
	size_t i, mask;
	struct tterm *e;

	if ((inv.n + 1) * 2 > inv.nslot) {
		size_t ns = inv.nslot ? inv.nslot * 2 : 65536, j, k;

		free(inv.slot);
		inv.slot = calloc(ns, sizeof *inv.slot);
		if (!inv.slot)
			tk_die(TK_EXIT_FAIL, "out of memory");
		inv.nslot = ns;
		for (j = 0; j < inv.n; j++) {
			uint64_t g = term_hash(TKEY(&inv.v[j]), inv.v[j].klen);

			for (k = g & (ns - 1); inv.slot[k]; k = (k + 1) & (ns - 1))
				;
			inv.slot[k] = (g >> 32 << 32) | (j + 1);
		}
	}
	mask = inv.nslot - 1;
	for (i = h & mask; inv.slot[i]; i = (i + 1) & mask) {
		if ((inv.slot[i] >> 32 << 32) != hi)
			continue;
		e = &inv.v[(uint32_t)inv.slot[i] - 1];
		if (e->klen == n && !memcmp(TKEY(e), s, n))
			return (uint32_t)inv.slot[i] - 1;
	}
	if (inv.n == inv.cap) {
		inv.cap = inv.cap ? inv.cap * 2 : 65536;
		inv.v = tk_xrealloc(inv.v, inv.cap * sizeof *inv.v);
	}
	e = &inv.v[inv.n];
	memset(e, 0, sizeof *e);
	e->klen = (uint16_t)n;
	if (n > sizeof e->k)
		e->kx = tk_xmalloc(n);
	memcpy(TKEY(e), s, n);
	inv.slot[i] = hi | (inv.n + 1);
	return (uint32_t)inv.n++;
}

static void
inv_op(uint32_t term, uint64_t id, int op)
{
	if (inv.nops == inv.opcap) {
		inv.opcap = inv.opcap ? inv.opcap * 2 : 1024;
		inv.ops = tk_xrealloc(inv.ops, inv.opcap * sizeof *inv.ops);
	}
	inv.ops[inv.nops] = (struct top){ id, term, (uint32_t)inv.nops, op };
	inv.nops++;
}

/* Ticket id holds term (once a doc: mark). */
static void
inv_add(uint32_t term, uint64_t id)
{
	struct tterm *e = &inv.v[term];
	uint64_t d;

	if (e->mark == id)
		return;
	e->mark = id;
	if (id <= e->last) {
		inv_op(term, id, 1);
		return;
	}
	if (e->len + 10 > e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->p = tk_xrealloc(e->p, e->cap);
	}
	d = id - e->last;
	while (d >= 0x80) {
		e->p[e->len++] = (unsigned char)(d | 0x80);
		d >>= 7;
		inv.bytes++;
	}
	e->p[e->len++] = (unsigned char)d;
	inv.bytes++;
	e->last = id;
}

void
tk_ft_inv_free(void)
{
	size_t i;

	for (i = 0; i < inv.n; i++) {
		free(inv.v[i].kx);
		free(inv.v[i].p);
	}
	free(inv.v);
	free(inv.slot);
	free(inv.ops);
	memset(&inv, 0, sizeof inv);
}

/* What was gathered dropped; a bulk run's range forgotten too. */
static void
inv_clear(void)
{
	tk_ft_inv_free();
}

static uint64_t inv_gen;	/* the last listing's number */

/* The terms of a ticket's text, each added (add) or listed once in out
 * (term indexes, marked with a new inv_gen). */
static size_t
inv_doc(uint64_t id, const char *subj, size_t sn, const char *body, size_t bn, int add, uint32_t **out,
    size_t *cap)
{
	uint32_t tend;
	size_t i, n = 0;

	if (!add)
		inv_gen++;
	tk_tokens_reset(&doc_tt);
	/* a CJK character is found as the first of a bigram, so its unigram
	 * is kept only where none follows (a run's last: TK_TEXT_INDEX) */
	tend = tk_text_tokens(&doc_tt, subj, sn, 0, TK_TEXT_INDEX);
	tk_text_tokens(&doc_tt, body, bn, tend + 1, TK_TEXT_INDEX);
	for (i = 0; i < doc_tt.n; i++) {
		uint32_t term;

		term = inv_term(doc_tt.text.p + doc_tt.v[i].off, doc_tt.v[i].len);
		if (add) {
			inv_add(term, id);
			continue;
		}
		if (inv.v[term].gen == inv_gen)
			continue;
		inv.v[term].gen = inv_gen;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*out = tk_xrealloc(*out, *cap * sizeof **out);
		}
		(*out)[n++] = term;
	}
	return n;
}

/* ---- writing a term's changes ---- */

static void
ids_decode(const unsigned char *p, size_t n, uint64_t id, uint64_t **v, size_t *nv, size_t *cap)
{
	const unsigned char *end = p + n;

	while (p < end) {
		id += get_var(&p, end);
		if (*nv == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*v = tk_xrealloc(*v, *cap * sizeof **v);
		}
		(*v)[(*nv)++] = id;
	}
}

/* Ids v[0..n) (ascending) put as chunks of key . NUL . first id. */
static int
ids_put(tk_txn *t, MDB_cursor *c, const char *key, size_t klen, const uint64_t *v, size_t n)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	static tk_buf b;
	size_t i = 0;
	int rc = 0;

	(void)t;
	memcpy(kb, key, klen);
	kb[klen] = 0;
	while (i < n && !rc) {
		uint64_t first = v[i], prev = first;
		MDB_val k = { klen + 9, kb }, val;

		b.len = 0;
		for (; i < n && b.len < CHUNK; i++) {
			put_var(&b, v[i] - prev);
			prev = v[i];
		}
		tk_put_u64(kb + klen + 1, first);
		val.mv_size = b.len, val.mv_data = b.p;
		rc = mdb_cursor_put(c, &k, &val, 0);
	}
	return rc ? tk_mdb_error(rc, "fulltext") : 0;
}

/* Ops e[0..n) (ascending ids, one an id) applied to the term's chunks. */
static int
t_apply(tk_txn *t, MDB_cursor *c, const char *key, size_t klen, const struct top *e, size_t n)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	static uint64_t *old, *m;
	static size_t ocap, mcap;
	size_t i = 0, nold, nm, j, a, b;
	int rc;

	memcpy(kb, key, klen);
	kb[klen] = 0;
	while (i < n) {
		MDB_val ck = { 0, NULL }, cv = { 0, NULL };
		uint64_t bound = UINT64_MAX, cfirst = 0;
		int have = 0, changed = 0;

		if ((have = chunk_at(c, kb, klen, e[i].id, &ck, &cv, &bound)) < 0)
			return -1;
		nold = 0;
		if (have) {
			cfirst = tk_get_u64((unsigned char *)ck.mv_data + klen + 1);
			ids_decode(cv.mv_data, cv.mv_size, cfirst, &old, &nold, &ocap);
		}
		for (j = i; j < n && e[j].id < bound; j++)
			;
		if (mcap < nold + (j - i)) {
			mcap = nold + (j - i) + 256;
			m = tk_xrealloc(m, mcap * sizeof *m);
		}
		for (nm = 0, a = 0, b = i; a < nold || b < j;) {
			if (b == j || (a < nold && old[a] < e[b].id))
				m[nm++] = old[a++];
			else {
				int was = a < nold && old[a] == e[b].id;

				if (was)
					a++;
				if (e[b].op)
					m[nm++] = e[b].id;
				changed |= was != e[b].op;
				b++;
			}
		}
		if (changed) {
			if (have && (!nm || m[0] != cfirst)) {
				MDB_val dk = { klen + 9, kb };

				tk_put_u64(kb + klen + 1, cfirst);
				if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_FULLTEXT], &dk, NULL)))
					return tk_mdb_error(rc, "fulltext");
			}
			if (nm && ids_put(t, c, key, klen, m, nm) < 0)
				return -1;
		}
		i = j;
	}
	return 0;
}

/* A term's new ids (p: varint deltas from 0, ascending) appended when
 * they all come after the ones it has: its last chunk filled, then new
 * ones. 1 done, 0 not (they go through t_apply), -1 error. */
static int
t_append(tk_txn *t, MDB_cursor *c, const char *key, size_t klen, const unsigned char *p, size_t len, int app)
{
	unsigned char kb[TK_TEXT_MAXTERM + 16];
	const unsigned char *q = p, *end = p + len;
	MDB_val k = { klen + 9, kb }, v, pk, pv;
	static tk_buf b;
	uint64_t first, id, prev = 0, cfirst = 0;
	int rc;

	(void)t;
	first = get_var(&q, end);
	memcpy(kb, key, klen);
	kb[klen] = 0;
	tk_put_u64(kb + klen + 1, first);
	b.len = 0;
	if (app)	/* past every key of the store: written at its end */
		goto put;
	if ((rc = chunk_last_before(c, kb, klen, first, &pk, &pv)) < 0)
		return -1;
	if (rc == 2)
		return 0;	/* a chunk at or after the first: merged */
	if (rc == 1) {
		const unsigned char *r = pv.mv_data, *re = r + pv.mv_size;

		cfirst = tk_get_u64((unsigned char *)pk.mv_data + klen + 1);
		for (prev = cfirst; r < re;)
			prev += get_var(&r, re);
		if (prev >= first)
			return 0;
		if (pv.mv_size < CHUNK)	/* the last chunk filled up */
			tk_buf_add(&b, pv.mv_data, pv.mv_size);
	}
put:
	for (id = first, q = p, get_var(&q, end);; id += get_var(&q, end)) {
		if (!b.len) {
			cfirst = id;
			prev = id;
		}
		put_var(&b, id - prev);
		prev = id;
		if (b.len >= CHUNK || q >= end) {
			tk_put_u64(kb + klen + 1, cfirst);
			k.mv_size = klen + 9, k.mv_data = kb;
			v.mv_size = b.len, v.mv_data = b.p;
			if ((rc = mdb_cursor_put(c, &k, &v, app ? MDB_APPEND : 0)))
				return tk_mdb_error(rc, "fulltext");
			b.len = 0;
		}
		if (q >= end)
			break;
	}
	return 1;
}

static int
top_cmp(const void *x, const void *y)
{
	const struct top *a = x, *b = y;

	if (a->term != b->term)
		return a->term < b->term ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static const struct tterm *sort_base;

static int
tidx_cmp(const void *x, const void *y)
{
	const struct tterm *a = &sort_base[*(const uint32_t *)x], *b = &sort_base[*(const uint32_t *)y];

	return tk_keycmp(TKEY(a), a->klen, TKEY(b), b->klen);
}

/* (the tickets of a run's batch given up, and all fed after it: listed instead) */
#define TAINTED(id) (inv.taint_lo && (id) >= inv.taint_lo && (id) <= inv.run_hi)

/* Everything gathered written, term by term in key order (the store's
 * order: each term's pages touched once). inv is left as it was: its
 * owner clears it once the transaction committed. */
static int
inv_flush(tk_txn *t)
{
	MDB_cursor *c;
	uint32_t *ord;
	struct top *e = NULL;
	size_t i, k, cap = 0, o = 0;
	char key[TK_TEXT_MAXTERM + 8];
	int rc = 0, app = 0;

	if (!inv.n)
		return stats_add(t, 't', inv.ndocs, 0);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FULLTEXT], &c)))
		return tk_mdb_error(rc, "fulltext");
	if (inv.nops > 1)
		qsort(inv.ops, inv.nops, sizeof *inv.ops, top_cmp);
	ord = tk_xmalloc(inv.n * sizeof *ord);
	for (i = 0; i < inv.n; i++)
		ord[i] = (uint32_t)i;
	sort_base = inv.v;
	qsort(ord, inv.n, sizeof *ord, tidx_cmp);
	{	/* no key at or past the first term's: every chunk appended */
		MDB_val lk, lv;
		char fk[TK_TEXT_MAXTERM + 8];
		const struct tterm *f = &inv.v[ord[0]];
		int lrc = mdb_cursor_get(c, &lk, &lv, MDB_LAST);

		fk[0] = 't';
		memcpy(fk + 1, TKEY(f), f->klen);
		if (lrc == MDB_NOTFOUND)
			app = 1;
		else if (!lrc)
			app = tk_keycmp(lk.mv_data, lk.mv_size, fk, f->klen + 1u) < 0;
		else
			rc = tk_mdb_error(lrc, "fulltext");
	}
	for (k = 0; k < inv.n && !rc; k++) {
		struct tterm *a = &inv.v[ord[k]];
		const unsigned char *p = a->p, *end = p + a->len;
		size_t n = 0, lo, hi, w;
		uint64_t id = 0;

		/* the in-order adds, then this term's ops (inv.ops by term) */
		for (lo = 0, hi = inv.nops; lo < hi;) {
			size_t mid = (lo + hi) / 2;

			if (inv.ops[mid].term < ord[k])
				lo = mid + 1;
			else
				hi = mid;
		}
		o = lo;
		key[0] = 't';
		memcpy(key + 1, TKEY(a), a->klen);
		if (a->len && !inv.taint_lo && (o == inv.nops || inv.ops[o].term != ord[k])) {	/* adds in order alone */
			int r = t_append(t, c, key, a->klen + 1u, a->p, a->len, app);

			if (r < 0)
				rc = -1;
			if (r)
				continue;
		}
		while (p < end) {
			id += get_var(&p, end);
			if (TAINTED(id))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				e = tk_xrealloc(e, cap * sizeof *e);
			}
			e[n++] = (struct top){ id, ord[k], 0, 1 };
		}
		lo = n;
		for (; o < inv.nops && inv.ops[o].term == ord[k]; o++) {
			if (TAINTED(inv.ops[o].id))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				e = tk_xrealloc(e, cap * sizeof *e);
			}
			e[n] = inv.ops[o];
			e[n++].seq += 1;	/* after the in-order adds */
		}
		if (!n)
			continue;
		if (n > lo) {
			qsort(e, n, sizeof *e, top_cmp);
			for (i = w = 0; i < n; i++) {	/* an id's last op */
				if (w && e[w - 1].id == e[i].id)
					w--;
				e[w++] = e[i];
			}
			n = w;
		}
		key[0] = 't';
		memcpy(key + 1, TKEY(a), a->klen);
		if (t_apply(t, c, key, a->klen + 1u, e, n) < 0)
			rc = -1;
	}
	mdb_cursor_close(c);
	free(ord);
	free(e);
	if (!rc && stats_add(t, 't', inv.ndocs, 0) < 0)
		rc = -1;
	return rc;
}

/* ---- a ticket's text ---- */

static int
comment_text(const tk_comment *c, void *arg)
{
	tk_buf *b = arg;

	tk_buf_addc(b, '\n');
	tk_buf_add(b, c->body.p, c->body.n);
	return 0;
}

int
tk_ft_ticket_text(tk_txn *t, tk_ticket *tk, tk_buf *out)
{
	out->len = 0;
	if (!t && !tk->body_loaded)	/* (a ticket in hand, no store) */
		tk->body = (tk_str){ "", 0 }, tk->body_loaded = 1;
	if (tk_ticket_body(t, tk) < 0)
		return -1;
	tk_buf_add(out, tk->body.p, tk->body.n);
	if (tk->id && t && tk_comment_each(t, tk->id, comment_text, out) < 0)
		return -1;
	return 0;
}

/* Ticket id's text now: its terms (add: added; else listed): 1, 0 gone, -1. */
static int
ticket_terms(tk_txn *t, uint64_t id, int add, uint32_t **out, size_t *n, size_t *cap)
{
	static tk_buf text;
	tk_ticket tk;
	int rc;

	*n = 0;
	tk_ticket_init(&tk);
	if ((rc = tk_ticket_get(t, id, &tk, 0)) <= 0) {
		tk_ticket_free(&tk);
		return rc;
	}
	if (tk_ft_ticket_text(t, &tk, &text) < 0) {
		tk_ticket_free(&tk);
		return -1;
	}
	*n = inv_doc(id, tk.f[TK_F_SUBJECT].p, tk.f[TK_F_SUBJECT].n, text.p, text.len, add, out, cap);
	tk_ticket_free(&tk);
	return 1;
}

/* A pending ticket brought into inv: its old terms out, its text's in. */
static int
drain_one(tk_txn *t, uint64_t id, const unsigned char *p, size_t n)
{
	static uint32_t *terms;
	static size_t cap;
	size_t nt, i;
	int rc;

	if ((rc = ticket_terms(t, id, 0, &terms, &nt, &cap)) < 0)
		return -1;
	for (i = 0; i < nt; i++)
		inv_add(terms[i], id);
	if (n && p[0] == 1) {	/* the old terms the new text lacks go */
		const unsigned char *q = p + 1, *end = p + n;

		while (q < end) {
			size_t l = (size_t)get_var(&q, end);
			uint32_t term;

			if (l > (size_t)(end - q))
				break;
			term = inv_term((const char *)q, l);
			if (rc == 0 || inv.v[term].gen != inv_gen)
				inv_op(term, id, 0);
			q += l;
		}
	}
	if (!n && rc == 1)
		inv.ndocs++;
	else if (n && rc == 0)
		inv.ndocs--;
	return 0;
}

struct range {
	uint64_t lo, hi;
};

/* The ranges of ft_pending, and (ids) its single tickets outside them. */
static int
pending_read(tk_txn *t, struct range **rv, size_t *nr, uint64_t **ids, size_t *nid)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t rcap = 0, icap = 0;
	int rc;

	*rv = NULL, *nr = 0;
	if (ids)
		*ids = NULL, *nid = 0;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FT_PENDING], &c)))
		return tk_mdb_error(rc, "ft_pending");
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size == 16) {
			if (*nr == rcap) {
				rcap = rcap ? rcap * 2 : 8;
				*rv = tk_xrealloc(*rv, rcap * sizeof **rv);
			}
			(*rv)[(*nr)++] = (struct range){ tk_get_u64(k.mv_data), tk_get_u64((unsigned char *)k.mv_data + 8) };
		} else if (k.mv_size == 8 && ids) {
			if (*nid == icap) {
				icap = icap ? icap * 2 : 64;
				*ids = tk_xrealloc(*ids, icap * sizeof **ids);
			}
			(*ids)[(*nid)++] = tk_get_u64(k.mv_data);
		}
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "ft_pending");
	return 0;
}

static int
in_ranges(const struct range *r, size_t n, uint64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (id >= r[i].lo && id <= r[i].hi)
			return 1;
	return 0;
}

/* The single tickets outside every range brought into inv, their keys
 * deleted; then inv written. */
static int
drain_singles(tk_txn *t)
{
	struct range *r;
	uint64_t *ids;
	size_t nr, n, i;
	int rc = 0;

	if (pending_read(t, &r, &nr, &ids, &n) < 0)
		return -1;
	for (i = 0; i < n && !rc; i++) {
		unsigned char kb[8];
		MDB_val k = { 8, kb }, v;

		if (in_ranges(r, nr, ids[i]))
			continue;
		tk_put_u64(kb, ids[i]);
		if ((rc = mdb_get(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, &v))) {
			rc = tk_mdb_error(rc, "ft_pending");
			break;
		}
		/* (a copy: the value's page may move once keys go) */
		{
			unsigned char *copy = tk_xmalloc(v.mv_size + 1);

			memcpy(copy, v.mv_data, v.mv_size);
			rc = drain_one(t, ids[i], copy, v.mv_size);
			free(copy);
		}
		if (!rc && (rc = mdb_del(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, NULL)))
			rc = tk_mdb_error(rc, "ft_pending");
	}
	free(r);
	free(ids);
	if (rc)
		return -1;
	return inv_flush(t);
}

static int
range_key(tk_txn *t, uint64_t lo, uint64_t hi, int put)
{
	unsigned char kb[16];
	MDB_val k = { 16, kb }, v = { 0, "" };
	int rc;

	tk_put_u64(kb, lo);
	tk_put_u64(kb + 8, hi);
	rc = put ? mdb_put(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, &v, 0) :
	    mdb_del(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, NULL);
	return rc && rc != MDB_NOTFOUND ? tk_mdb_error(rc, "ft_pending") : 0;
}

/* A bulk run's tickets written (its range key gone) and the singles. */
static int
run_flush(tk_txn *t, uint64_t hi)
{
	if (hi && range_key(t, inv.run_lo, hi, 0) < 0)
		return -1;
	/* a batch given up fed tickets whose ids others may have taken
	 * since: the committed ones from there on stay listed (tk-kb
	 * reindex), none of them written */
	if (inv.taint_lo && inv.taint_lo <= hi && range_key(t, inv.taint_lo, hi, 1) < 0)
		return -1;
	t->ft_flushed = 1;
	return drain_singles(t);
}

/*
 * A bulk run's texts go to a thread of their own, which inverts them into
 * inv, in blocks of about FQ_BLOCK bytes (id, lengths, subject, body);
 * the writer waits for it (inv_sync) before it reads or changes inv.
 */
#define FQ_BLOCK (1u << 20)
#define FQ_MAX 8		/* blocks queued at most */

struct fblock {
	struct fblock *next;
	tk_buf b;
};

static struct {
	pthread_t th;
	int started, busy, nq;
	pthread_mutex_t mu;
	pthread_cond_t work, idle;
	struct fblock *head, *tail, *freel, *cur;
	size_t fed;		/* text bytes fed since the run's last flush */
} fq = { .mu = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER };

static void
fq_invert(const tk_buf *b)
{
	const unsigned char *p = (const unsigned char *)b->p, *end = p + b->len;
	uint32_t *none = NULL;
	size_t cap = 0;

	while (p + 16 <= end) {
		uint64_t id = tk_get_u64(p);
		uint32_t sn, bn;

		memcpy(&sn, p + 8, 4);
		memcpy(&bn, p + 12, 4);
		p += 16;
		inv_doc(id, (const char *)p, sn, (const char *)p + sn, bn, 1, &none, &cap);
		inv.ndocs++;
		p += sn + bn;
	}
	free(none);
}

static void *
fq_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&fq.mu);
	for (;;) {
		struct fblock *b;

		while (!fq.head)
			pthread_cond_wait(&fq.work, &fq.mu);
		b = fq.head;
		fq.head = b->next;
		if (!fq.head)
			fq.tail = NULL;
		fq.nq--;
		fq.busy = 1;
		pthread_mutex_unlock(&fq.mu);
		if (!b->b.len) {	/* the end (tk_ft_finish) */
			tk_buf_free(&b->b);
			free(b);
			tk_tokens_free(&doc_tt);	/* (this thread's own) */
			pthread_mutex_lock(&fq.mu);
			fq.busy = 0;
			pthread_cond_broadcast(&fq.idle);
			pthread_mutex_unlock(&fq.mu);
			return NULL;
		}
		fq_invert(&b->b);
		pthread_mutex_lock(&fq.mu);
		b->b.len = 0;
		b->next = fq.freel;
		fq.freel = b;
		fq.busy = 0;
		pthread_cond_broadcast(&fq.idle);
	}
}

/* Block b queued for the thread (waiting while FQ_MAX are). */
static void
fq_push(struct fblock *b)
{
	pthread_mutex_lock(&fq.mu);
	while (fq.nq >= FQ_MAX)
		pthread_cond_wait(&fq.idle, &fq.mu);
	b->next = NULL;
	if (fq.tail)
		fq.tail->next = b;
	else
		fq.head = b;
	fq.tail = b;
	fq.nq++;
	pthread_cond_signal(&fq.work);
	pthread_mutex_unlock(&fq.mu);
}

/* Everything fed inverted: inv is the writer's again. */
static void
inv_sync(void)
{
	if (!fq.started)
		return;
	if (fq.cur && fq.cur->b.len) {
		fq_push(fq.cur);
		fq.cur = NULL;
	}
	pthread_mutex_lock(&fq.mu);
	while (fq.head || fq.busy)
		pthread_cond_wait(&fq.idle, &fq.mu);
	pthread_mutex_unlock(&fq.mu);
}

/* The thread stopped (joined), what it holds freed. */
static void
fq_stop(void)
{
	struct fblock *b;

	if (!fq.started)
		return;
	inv_sync();
	b = tk_xmalloc(sizeof *b);
	memset(b, 0, sizeof *b);
	fq_push(b);
	pthread_join(fq.th, NULL);
	fq.started = 0;
	while ((b = fq.freel)) {
		fq.freel = b->next;
		tk_buf_free(&b->b);
		free(b);
	}
	if (fq.cur) {
		tk_buf_free(&fq.cur->b);
		free(fq.cur);
		fq.cur = NULL;
	}
}

/*
 * A new ticket of a bulk command (tk_store's ft_new): inverted in memory
 * (by the thread) from its text in hand; the batch's range of ids is
 * listed in ft_pending when it commits (tk_ft_drain), and written at the
 * run's flush (FT_RUN_BYTES of text, or tk_ft_finish).
 */
int
tk_ft_bulk_new(tk_txn *t, uint64_t id, const char *subj, size_t sn, const char *body, size_t bn)
{
	unsigned char h[16];
	uint32_t a = (uint32_t)sn, b = (uint32_t)bn;

	if (!t->st->ft_tickets || !id)
		return 0;
	if (!inv.run_lo)
		inv.run_lo = id;
	if (id > inv.run_hi)
		inv.run_hi = id;
	if (!fq.started) {
		if (pthread_create(&fq.th, NULL, fq_main, NULL))
			return tk_error("the ticket index's thread: cannot start it");
		fq.started = 1;
	}
	if (!fq.cur) {
		pthread_mutex_lock(&fq.mu);
		if ((fq.cur = fq.freel))
			fq.freel = fq.cur->next;
		pthread_mutex_unlock(&fq.mu);
		if (!fq.cur) {
			fq.cur = tk_xmalloc(sizeof *fq.cur);
			memset(fq.cur, 0, sizeof *fq.cur);
		}
	}
	if (!t->ft_first)
		t->ft_first = id;
	tk_put_u64(h, id);
	memcpy(h + 8, &a, 4);
	memcpy(h + 12, &b, 4);
	tk_buf_add(&fq.cur->b, h, 16);
	tk_buf_add(&fq.cur->b, subj, sn);
	tk_buf_add(&fq.cur->b, body, bn);
	fq.fed += sn + bn;
	if (fq.cur->b.len >= FQ_BLOCK) {
		fq_push(fq.cur);
		fq.cur = NULL;
	}
	t->ft_listed = 1;
	return 0;
}

int
tk_ft_drain(tk_txn *t, int all)
{
	MDB_stat ms;
	int rc;

	if (inv.run_lo) {	/* a bulk run: its range listed, written when big */
		uint64_t cur = inv.key_hi;	/* (the key as committed) */

		if (cur != inv.run_hi) {
			if (cur && range_key(t, inv.run_lo, cur, 0) < 0)
				return -1;
			if (range_key(t, inv.run_lo, inv.run_hi, 1) < 0)
				return -1;
			cur = t->ft_keyhi = inv.run_hi;
		}
		if (fq.fed < FT_RUN_BYTES)
			return 0;
		inv_sync();
		return run_flush(t, cur);
	}
	if ((rc = mdb_stat(t->txn, t->st->dbi[TK_DB_FT_PENDING], &ms)))
		return tk_mdb_error(rc, "ft_pending");
	if (!ms.ms_entries || (!all && ms.ms_entries < FT_BATCH))
		return 0;
	inv_clear();	/* (a transaction run again starts afresh) */
	t->ft_flushed = 1;
	return drain_singles(t);
}

/* After a commit (tk_store's ft_committed): what it wrote forgotten. */
void
tk_ft_committed(tk_txn *t)
{
	if (t->ft_keyhi)
		inv.key_hi = t->ft_keyhi;
	if (t->ft_flushed) {
		inv_sync();
		inv_clear();
		fq.fed = 0;
	}
}

/* After a transaction was given up (tk_store's ft_aborted): the tickets it
 * gave the run were never committed, and their ids may come again. */
void
tk_ft_aborted(tk_txn *t)
{
	if (t->ft_first && inv.run_lo && (!inv.taint_lo || t->ft_first < inv.taint_lo))
		inv.taint_lo = t->ft_first;
}

static int
finish_fn(tk_txn *t, void *arg)
{
	(void)arg;
	if (!inv.run_lo)
		return 0;
	return run_flush(t, inv.key_hi) < 0 ? TK_EXIT_FAIL : 0;
}

/* The end of a bulk command: its run written. */
int
tk_ft_finish(tk_store *st)
{
	fq_stop();
	if (!inv.run_lo)
		return 0;
	return tk_store_write(st, finish_fn, NULL) ? -1 : 0;
}

/*
 * Before ticket id's text changes (tk_store's ft_touch): unless it is
 * listed already, its terms now are recorded (grow: only "\2", its text
 * only grows), so that the drain takes out the ones its new text lacks.
 */
int
tk_ft_touch(tk_txn *t, uint64_t id, int grow)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	static uint32_t *terms;
	static size_t cap;
	static tk_buf b;
	size_t n, i;
	int rc;

	if (!t->st->ft_tickets || !id)
		return 0;
	inv_sync();	/* (it may list terms) */
	tk_put_u64(kb, id);
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return tk_mdb_error(rc, "ft_pending");
	t->ft_listed = 1;
	if (!rc && (grow || v.mv_size != 1 || *(unsigned char *)v.mv_data != 2))
		return 0;
	b.len = 0;
	if (grow)
		tk_buf_addc(&b, 2);
	else {
		tk_buf_addc(&b, 1);
		if ((rc = ticket_terms(t, id, 0, &terms, &n, &cap)) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			struct tterm *e = &inv.v[terms[i]];

			put_var(&b, e->klen);
			tk_buf_add(&b, TKEY(e), e->klen);
		}
	}
	v.mv_size = b.len, v.mv_data = b.p;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_FT_PENDING], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "ft_pending") : 0;
}

long
tk_ft_pending(tk_txn *t, uint64_t **ids, uint64_t **ranges, size_t *nranges)
{
	struct range *r;
	size_t nr, n, i;

	if (pending_read(t, &r, &nr, ids, &n) < 0)
		return -1;
	*ranges = tk_xmalloc((2 * nr + 1) * sizeof **ranges);
	for (i = 0; i < nr; i++)
		(*ranges)[2 * i] = r[i].lo, (*ranges)[2 * i + 1] = r[i].hi;
	*nranges = nr;
	free(r);
	return (long)n;
}

/* reindex: the ticket part of fulltext emptied, then every ticket indexed,
 * a batch of tickets a transaction; meta marks it built at the end. Each
 * step's state moves on only once its transaction committed (a full map
 * runs it again). */
struct reix {
	uint64_t from, next;
	size_t n;
};

#define REIX_BATCH 100000

static int
del_kind(MDB_cursor *c, unsigned char kind)
{
	MDB_val k = { 1, &kind }, v;
	int rc;

	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && *(unsigned char *)k.mv_data == kind;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((rc = mdb_cursor_del(c, 0)))
			break;
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The ticket side of fulltext (and its old forward records) and
 * ft_pending emptied: 0, or -1. */
int
tk_ft_tickets_clear(tk_txn *t)
{
	MDB_cursor *c;
	int rc;

	inv_clear();
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FULLTEXT], &c)))
		return tk_mdb_error(rc, "fulltext");
	if (!(rc = del_kind(c, 'T')))
		rc = del_kind(c, 't');
	mdb_cursor_close(c);
	if (rc)
		return tk_mdb_error(rc, "fulltext");
	if ((rc = mdb_drop(t->txn, t->st->dbi[TK_DB_FT_PENDING], 0)))
		return tk_mdb_error(rc, "ft_pending");
	return 0;
}

static int
reix_clear(tk_txn *t, void *arg)
{
	(void)arg;
	if (tk_ft_tickets_clear(t) < 0)
		return TK_EXIT_FAIL;
	return tk_ft_tickets_mark(t, 0) < 0 ? TK_EXIT_FAIL : 0;
}

/* Tickets from..(a batch) read back and inverted, written: their count. */
long
tk_ft_index_tickets(tk_txn *t, uint64_t from, size_t max, uint64_t *next)
{
	MDB_cursor *c;
	MDB_val k, v;
	unsigned char kb[8];
	uint64_t *ids;
	uint32_t *none = NULL;
	size_t n = 0, i, cap = 0, nt;
	int rc;

	inv_clear();
	ids = tk_xmalloc((max + 1) * sizeof *ids);
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TICKETS], &c))) {
		free(ids);
		return tk_mdb_error(rc, "tickets");
	}
	tk_put_u64(kb, from);
	k.mv_size = 8, k.mv_data = kb;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && n < max; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		ids[n++] = tk_get_u64(k.mv_data);
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND) {
		free(ids);
		return tk_mdb_error(rc, "tickets");
	}
	for (i = 0, rc = 0; i < n && !rc; i++) {
		if ((rc = ticket_terms(t, ids[i], 1, &none, &nt, &cap)) < 0)
			break;
		inv.ndocs += rc;
		rc = 0;
	}
	*next = n ? ids[n - 1] + 1 : from;
	free(ids);
	free(none);
	if (rc < 0 || inv_flush(t) < 0) {
		inv_clear();
		return -1;
	}
	inv_clear();
	return (long)n;
}

static int
reix_fn(tk_txn *t, void *arg)
{
	struct reix *r = arg;
	long n = tk_ft_index_tickets(t, r->from, REIX_BATCH, &r->next);

	if (n < 0)
		return TK_EXIT_FAIL;
	r->n = (size_t)n;
	if (r->n < REIX_BATCH && tk_ft_tickets_mark(t, 1) < 0)
		return TK_EXIT_FAIL;
	return 0;
}

int
tk_ft_reindex_tickets(tk_store *st, uint64_t *count)
{
	struct reix r = { 1, 1, REIX_BATCH };
	int rc, on = st->ft_tickets;

	*count = 0;
	st->ft_tickets = 0;	/* no drain of its own between batches */
	rc = tk_store_write(st, reix_clear, NULL);
	while (!rc && r.n == REIX_BATCH) {
		if (!(rc = tk_store_write(st, reix_fn, &r))) {
			r.from = r.next;
			*count += r.n;
		}
	}
	st->ft_tickets = on;
	return rc;
}

static int
rebuild_one(tk_article *a, void *arg)
{
	return tk_ft_index(arg, 'a', a->id, a->title, strlen(a->title), a->body, a->bodylen, a->tags) < 0;
}

int
tk_ft_articles_rebuild(tk_txn *t)
{
	MDB_cursor *c;
	int rc;

	tk_ft_discard();
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FULLTEXT], &c)))
		return tk_mdb_error(rc, "fulltext");
	rc = del_kind(c, 'a');
	mdb_cursor_close(c);
	if (rc)
		return tk_mdb_error(rc, "fulltext");
	if (tk_kb_each(t, rebuild_one, t) < 0) {
		tk_ft_discard();
		return -1;
	}
	return tk_ft_flush(t);
}
