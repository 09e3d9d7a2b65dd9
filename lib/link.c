/*
 * link.c - tk-link's work, above the ticket model: links read as
 * sentences (DESIGN.md 7), merge, unmerge and split. Each runs in its
 * caller's write transaction and checks everything it can refuse before
 * it writes anything, so a refusal leaves the transaction as it was.
 *
 * Links are ticket fields, so the filter language sees them: parent (the
 * child's), duplicate_of, merged_into, related (a set, kept symmetric:
 * both tickets are written). The model keeps the links sub-database, both
 * ways, in step with them (linkdb.c).
 *
 * A merge of S into D (DESIGN.md 7): S's comments are moved to D under
 * D's next numbers, each keeping its time, author and text, with a mark
 * "S:N" saying where it was; S's watchers and tags go to D (a union); S
 * is closed with merged_into=D; its external ids stay where they are. What
 * the merge did is kept in merges under S:
 *
 *   target	D
 *   comments	FIRST	LAST		D's numbers the moved comments took
 *   source	FIELD	BEFORE	AFTER	each field of S the merge changed
 *   added	FIELD	ITEM		each watcher or tag D gained
 *
 * (lines of tk-records(5) fields), so --unmerge undoes exactly that and
 * nothing else: the changes made since to other fields, and comments
 * added since, stay. It refuses when a later change stands in the way
 * (S reopened, a moved comment gone, D merged on, a number of S's taken)
 * and says which.
 *
 * Attachments and raw mails (the mail issue) have ids of their own and a
 * link to their ticket (DESIGN.md 7): a merge is to move that link for
 * S's and record each in merges as "moved a3", which unmerge moves back;
 * external ids and Message-IDs never move (a reply follows merged_into).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

const char tk_rel_words[] = "relates, parent-of, child-of, duplicate-of";

static const char *const rel_names[] = { "relates", "parent-of", "child-of", "duplicate-of", NULL };

int
tk_rel_parse(const char *word)
{
	int i;

	for (i = 0; rel_names[i]; i++)
		if (!strcmp(word, rel_names[i]))
			return i;
	return TK_REL_NONE;
}

/* Ticket id copied into tk: 0, or -1 "ticket N: no such ticket". */
static int
get(tk_txn *t, uint64_t id, tk_ticket *tk)
{
	int rc;

	tk_ticket_init(tk);
	rc = tk_ticket_get(t, id, tk, 1);
	if (rc == 0)
		return tk_error("ticket %llu: no such ticket", (unsigned long long)id);
	return rc < 0 ? -1 : 0;
}

/* A field's value as a C string (values are not NUL-terminated). */
static char *
dup(tk_str v)
{
	return tk_xstrndup(v.p ? v.p : "", v.n);
}

/* The id a single-id link field holds, 0 for none. */
static uint64_t
id_of(tk_str v)
{
	uint64_t id;

	return v.n && tk_id_parse(v.p, v.n, &id) == 0 ? id : 0;
}

/* 1 when the comma-separated set holds item. */
static int
set_has(tk_str set, const char *item, size_t n)
{
	const char *p = set.p, *end = set.p + set.n, *c;

	while (p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		if (!c)
			c = end;
		if ((size_t)(c - p) == n && !memcmp(p, item, n))
			return 1;
		p = c + 1;
	}
	return 0;
}

static int
apply1(tk_txn *t, tk_ticket *tk, int field, const char *value, char op, int flags)
{
	tk_assignments as = { 0 };
	int rc;

	tk_assign_borrow_op(&as, field, value, op);
	rc = tk_ticket_apply(t, tk, &as, flags);
	tk_assignments_free(&as);
	return rc < 0 ? -1 : 0;
}

static int
event(tk_txn *t, uint64_t id, const char *what, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
event(tk_txn *t, uint64_t id, const char *what, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return tk_log_append(t, id, what, (tk_str){ "", 0 }, TK_STR(buf));
}

/* ---- links ---- */

/* a is b's duplicate, through b's own duplicate_of chain: a loop. */
static int
duplicate_loop(tk_txn *t, uint64_t a, uint64_t b)
{
	tk_ticket tk;
	uint64_t p = b;
	long steps;
	int rc = 0;

	tk_ticket_init(&tk);
	for (steps = 0; p && steps < 100000; steps++) {
		if (tk_ticket_get(t, p, &tk, 0) <= 0)
			break;
		p = id_of(tk.f[TK_F_DUPLICATE_OF]);
		if (p == a) {
			rc = tk_error("ticket %llu is a duplicate of ticket %llu already: that would make a loop",
			    (unsigned long long)b, (unsigned long long)a);
			break;
		}
	}
	tk_ticket_free(&tk);
	return rc;
}

int
tk_link(tk_txn *t, uint64_t a, int rel, uint64_t b, int unlink)
{
	tk_ticket ta, tb, *child, *parent;
	char num[24];
	int rc = -1, has_a, has_b;
	const char *word = rel_names[rel];

	if (a == b)
		return tk_error("ticket %llu %s %llu: a ticket cannot be linked to itself",
		    (unsigned long long)a, word, (unsigned long long)b);
	if (get(t, a, &ta) < 0)
		return -1;
	if (get(t, b, &tb) < 0) {
		tk_ticket_free(&ta);
		return -1;
	}
	switch (rel) {
	case TK_REL_RELATES:
		snprintf(num, sizeof num, "%llu", (unsigned long long)b);
		has_a = set_has(ta.f[TK_F_RELATED], num, strlen(num));
		snprintf(num, sizeof num, "%llu", (unsigned long long)a);
		has_b = set_has(tb.f[TK_F_RELATED], num, strlen(num));
		if (unlink ? !has_a && !has_b : has_a && has_b) {
			rc = 1;
			break;
		}
		snprintf(num, sizeof num, "%llu", (unsigned long long)b);
		if (apply1(t, &ta, TK_F_RELATED, num, unlink ? '-' : '+', TK_APPLY_LINK) < 0)
			break;
		snprintf(num, sizeof num, "%llu", (unsigned long long)a);
		rc = apply1(t, &tb, TK_F_RELATED, num, unlink ? '-' : '+', TK_APPLY_LINK);
		break;
	case TK_REL_PARENT_OF:
	case TK_REL_CHILD_OF:
		parent = rel == TK_REL_PARENT_OF ? &ta : &tb;
		child = rel == TK_REL_PARENT_OF ? &tb : &ta;
		if (unlink ? id_of(child->f[TK_F_PARENT]) != parent->id : id_of(child->f[TK_F_PARENT]) == parent->id) {
			rc = 1;
			break;
		}
		if (!unlink && tk_ticket_parent_ok(t, child->id, parent->id) < 0)
			break;
		snprintf(num, sizeof num, "%llu", (unsigned long long)parent->id);
		rc = apply1(t, child, TK_F_PARENT, unlink ? "" : num, '=', 0);
		break;
	case TK_REL_DUPLICATE_OF:
		if (unlink ? id_of(ta.f[TK_F_DUPLICATE_OF]) != b : id_of(ta.f[TK_F_DUPLICATE_OF]) == b) {
			rc = 1;
			break;
		}
		if (!unlink && duplicate_loop(t, a, b) < 0)
			break;
		snprintf(num, sizeof num, "%llu", (unsigned long long)b);
		rc = apply1(t, &ta, TK_F_DUPLICATE_OF, unlink ? "" : num, '=', TK_APPLY_LINK);
		break;
	default:
		tk_error("not a relation (%s)", tk_rel_words);
	}
	/* The sentence on both tickets, so either's history tells it. */
	if (rc == 0 && (event(t, a, unlink ? "unlink" : "link", "%llu %s %llu", (unsigned long long)a, word,
	    (unsigned long long)b) < 0 || event(t, b, unlink ? "unlink" : "link", "%llu %s %llu",
	    (unsigned long long)a, word, (unsigned long long)b) < 0))
		rc = -1;
	tk_ticket_free(&ta);
	tk_ticket_free(&tb);
	return rc;
}

/* ---- merges ---- */

struct change {
	int field;
	char *before, *after;	/* source: the value before and after; added: the item, NULL */
};

struct merge_rec {
	uint64_t target;
	uint32_t first, last;
	struct change *src, *added;
	size_t nsrc, nadded;
};

static void
rec_free(struct merge_rec *m)
{
	size_t i;

	for (i = 0; i < m->nsrc; i++) {
		free(m->src[i].before);
		free(m->src[i].after);
	}
	for (i = 0; i < m->nadded; i++)
		free(m->added[i].before);
	free(m->src);
	free(m->added);
	memset(m, 0, sizeof *m);
}

static void
rec_line(tk_buf *b, const char *const *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			tk_buf_addc(b, '\t');
		tk_rec_escape(b, f[i], strlen(f[i]));
	}
	tk_buf_addc(b, '\n');
}

static int
rec_put(tk_txn *t, uint64_t src, const struct merge_rec *m)
{
	tk_buf b = { 0 };
	char n1[24], n2[24];
	const char *f[4];
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	size_t i;
	int rc;

	snprintf(n1, sizeof n1, "%llu", (unsigned long long)m->target);
	f[0] = "target", f[1] = n1;
	rec_line(&b, f, 2);
	snprintf(n1, sizeof n1, "%u", m->first);
	snprintf(n2, sizeof n2, "%u", m->last);
	f[0] = "comments", f[1] = n1, f[2] = n2;
	rec_line(&b, f, 3);
	for (i = 0; i < m->nsrc; i++) {
		f[0] = "source", f[1] = tk_fields[m->src[i].field].name, f[2] = m->src[i].before, f[3] = m->src[i].after;
		rec_line(&b, f, 4);
	}
	for (i = 0; i < m->nadded; i++) {
		f[0] = "added", f[1] = tk_fields[m->added[i].field].name, f[2] = m->added[i].before;
		rec_line(&b, f, 3);
	}
	tk_put_u64(kb, src);
	v.mv_size = b.len;
	v.mv_data = b.p;
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_MERGES], &k, &v, 0);
	tk_buf_free(&b);
	return rc ? tk_mdb_error(rc, "merges") : 0;
}

/* The record of src's merge: 1 read into m, 0 none, -1 error. */
static int
rec_get(tk_txn *t, uint64_t src, struct merge_rec *m)
{
	char *buf, *line, *next, *f[4];
	size_t nf;
	MDB_val v;
	long n;
	int rc;

	memset(m, 0, sizeof *m);
	if ((rc = tk_get_id(t, TK_DB_MERGES, src, &v)) <= 0)
		return rc;
	buf = tk_xstrndup(v.mv_data, v.mv_size);
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		for (nf = 0, f[0] = line; nf < 4 && f[nf]; nf++) {
			char *tab = strchr(f[nf], '\t');

			if (tab)
				*tab++ = '\0';
			if ((n = tk_rec_unescape(f[nf], strlen(f[nf]))) < 0)
				goto bad;
			f[nf][n] = '\0';
			if (nf < 3)
				f[nf + 1] = tab;
		}
		if (nf == 2 && !strcmp(f[0], "target")) {
			if (tk_id_parse(f[1], strlen(f[1]), &m->target) < 0)
				goto bad;
		} else if (nf == 3 && !strcmp(f[0], "comments")) {
			m->first = (uint32_t)strtoul(f[1], NULL, 10);
			m->last = (uint32_t)strtoul(f[2], NULL, 10);
		} else if (nf == 4 && !strcmp(f[0], "source") && tk_field_lookup(f[1]) > TK_F_ID &&
		    tk_field_lookup(f[1]) < TK_F_NSTORED) {
			m->src = tk_xrealloc(m->src, (m->nsrc + 1) * sizeof *m->src);
			m->src[m->nsrc].field = tk_field_lookup(f[1]);
			m->src[m->nsrc].before = tk_xstrdup(f[2]);
			m->src[m->nsrc++].after = tk_xstrdup(f[3]);
		} else if (nf == 3 && !strcmp(f[0], "added") && tk_field_lookup(f[1]) >= 0 &&
		    tk_fields[tk_field_lookup(f[1])].kind == TK_K_SET) {
			m->added = tk_xrealloc(m->added, (m->nadded + 1) * sizeof *m->added);
			m->added[m->nadded].field = tk_field_lookup(f[1]);
			m->added[m->nadded].before = tk_xstrdup(f[2]);
			m->added[m->nadded++].after = NULL;
		} else
			goto bad;
	}
	free(buf);
	if (!m->target)
		goto bad2;
	return 1;
bad:
	free(buf);
bad2:
	rec_free(m);
	return tk_error("ticket %llu: the record of its merge is damaged (merges)", (unsigned long long)src);
}

/* A comment's parts copied out of the map, which the next write may move. */
struct held {
	tk_comment c;
	char *mem;
};

static int
hold(const tk_comment *c, void *arg)
{
	tk_buf *b = arg;
	struct held h;

	h.c = *c;
	h.mem = tk_xmalloc(c->time.n + c->author.n + c->body.n + c->marks.n + 4);
	memcpy(h.mem, c->time.p, c->time.n);
	h.c.time.p = h.mem;
	memcpy(h.mem + c->time.n, c->author.p, c->author.n);
	h.c.author.p = h.mem + c->time.n;
	memcpy(h.mem + c->time.n + c->author.n, c->body.p, c->body.n);
	h.c.body.p = h.mem + c->time.n + c->author.n;
	memcpy(h.mem + c->time.n + c->author.n + c->body.n, c->marks.p, c->marks.n);
	h.c.marks.p = h.mem + c->time.n + c->author.n + c->body.n;
	tk_buf_add(b, &h, sizeof h);
	return 0;
}

static void
held_free(tk_buf *b)
{
	struct held *h = (struct held *)b->p;
	size_t i, n = b->len / sizeof *h;

	for (i = 0; i < n; i++)
		free(h[i].mem);
	tk_buf_free(b);
}

/* The items of set add that set to does not hold, each as a change. */
static void
set_added(struct merge_rec *m, int field, tk_str to, tk_str add)
{
	const char *p = add.p, *end = add.p + add.n, *c;

	while (p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		if (!c)
			c = end;
		if (c > p && !set_has(to, p, (size_t)(c - p))) {
			m->added = tk_xrealloc(m->added, (m->nadded + 1) * sizeof *m->added);
			m->added[m->nadded].field = field;
			m->added[m->nadded].before = tk_xstrndup(p, (size_t)(c - p));
			m->added[m->nadded++].after = NULL;
		}
		p = c + 1;
	}
}

static const char *
setvia(tk_txn *t, const char *via)
{
	const char *old = t->via;

	t->via = via;
	return old;
}

int
tk_merge(tk_txn *t, uint64_t src, uint64_t dst)
{
	tk_ticket s, d;
	tk_str before[TK_F_NSTORED];
	tk_assignments as = { 0 };
	struct merge_rec m = { 0 };
	tk_buf held = { 0 }, marks = { 0 };
	struct held *h;
	const char *via = setvia(t, "merge");
	uint32_t last;
	size_t i, n;
	char num[24];
	MDB_val v;
	int rc = -1;

	tk_ticket_init(&s);
	tk_ticket_init(&d);
	if (src == dst) {
		tk_error("ticket %llu cannot be merged into itself", (unsigned long long)src);
		goto out;
	}
	if (get(t, src, &s) < 0 || get(t, dst, &d) < 0)
		goto out;
	if (s.f[TK_F_MERGED_INTO].n) {
		tk_error("ticket %llu is merged into %.*s already (tk-link --unmerge %llu first)", (unsigned long long)src,
		    (int)s.f[TK_F_MERGED_INTO].n, s.f[TK_F_MERGED_INTO].p, (unsigned long long)src);
		goto out;
	}
	if (d.f[TK_F_MERGED_INTO].n) {
		tk_error("ticket %llu is merged into %.*s itself: merge into %.*s", (unsigned long long)dst,
		    (int)d.f[TK_F_MERGED_INTO].n, d.f[TK_F_MERGED_INTO].p,
		    (int)d.f[TK_F_MERGED_INTO].n, d.f[TK_F_MERGED_INTO].p);
		goto out;
	}
	if (tk_get_id(t, TK_DB_MERGES, src, &v) != 0) {
		tk_error("ticket %llu: a record of an earlier merge is left in merges", (unsigned long long)src);
		goto out;
	}
	/* The comments, to the target's next numbers, in their order. */
	if (tk_comment_each(t, src, hold, &held) < 0 || tk_comment_last(t, dst, &last) < 0)
		goto out;
	m.target = dst;
	h = (struct held *)held.p;
	n = held.len / sizeof *h;
	for (i = 0; i < n; i++) {
		marks.len = 0;
		tk_buf_printf(&marks, "%llu:%u", (unsigned long long)src, h[i].c.n);
		if (h[i].c.marks.n) {
			tk_buf_addc(&marks, ' ');
			tk_buf_add(&marks, h[i].c.marks.p, h[i].c.marks.n);
		}
		h[i].c.marks = (tk_str){ marks.p, marks.len };
		if (tk_comment_put(t, dst, last + 1 + (uint32_t)i, &h[i].c) < 0 || tk_comment_del(t, src, h[i].c.n) < 0)
			goto out;
	}
	if (n) {
		m.first = last + 1;
		m.last = last + (uint32_t)n;
		/* The target's notice mark past them (DESIGN.md 8): the source's
		 * replies reached its requester already, or never will. */
		if (tk_notice_mark_past(t, dst, m.last) < 0)
			goto out;
	}
	/* The target: the source's watchers and tags it lacks. */
	set_added(&m, TK_F_WATCHERS, d.f[TK_F_WATCHERS], s.f[TK_F_WATCHERS]);
	set_added(&m, TK_F_TAGS, d.f[TK_F_TAGS], s.f[TK_F_TAGS]);
	for (i = 0; i < m.nadded; i++)
		tk_assign_borrow_op(&as, m.added[i].field, m.added[i].before, '+');
	if (as.n && tk_ticket_apply(t, &d, &as, 0) < 0)
		goto out;
	/* The source: closed as merged, its watchers and tags gone with it. */
	as.n = 0;
	snprintf(num, sizeof num, "%llu", (unsigned long long)dst);
	/* (the workflow's first closed status: closed, by default) */
	tk_assign_borrow(&as, TK_F_STATUS, "status", tk_status_first_of(TK_CLASS_CLOSED) ?
	    tk_status_first_of(TK_CLASS_CLOSED) : "closed");
	tk_assign_borrow(&as, TK_F_WATCHERS, "watchers", "");
	tk_assign_borrow(&as, TK_F_TAGS, "tags", "");
	tk_assign_borrow(&as, TK_F_MERGED_INTO, "merged_into", num);
	memcpy(before, s.f, sizeof before);
	if (tk_ticket_apply(t, &s, &as, TK_APPLY_LINK) < 0)
		goto out;
	for (i = 1; i < TK_F_NSTORED; i++) {
		if (i == TK_F_UPDATED || tk_str_same(before[i], s.f[i]))
			continue;
		m.src = tk_xrealloc(m.src, (m.nsrc + 1) * sizeof *m.src);
		m.src[m.nsrc].field = (int)i;
		m.src[m.nsrc].before = dup(before[i]);
		m.src[m.nsrc++].after = dup(s.f[i]);
	}
	if (rec_put(t, src, &m) < 0)
		goto out;
	if (event(t, src, "merge", "into %llu", (unsigned long long)dst) < 0)
		goto out;
	if ((n ? event(t, dst, "merge", "from %llu (comments %u-%u)", (unsigned long long)src, m.first, m.last) :
	    event(t, dst, "merge", "from %llu", (unsigned long long)src)) < 0)
		goto out;
	rc = 0;
out:
	t->via = via;
	tk_assignments_free(&as);
	held_free(&held);
	tk_buf_free(&marks);
	rec_free(&m);
	tk_ticket_free(&s);
	tk_ticket_free(&d);
	return rc;
}

/* The union of the sets a and b (one field's values, comma-separated). */
static char *
set_union(tk_str a, tk_str b)
{
	tk_buf out = { 0 };

	tk_buf_add(&out, a.p, a.n);
	if (a.n && b.n)
		tk_buf_addc(&out, ',');
	tk_buf_add(&out, b.p, b.n);
	tk_buf_addc(&out, '\0');
	return out.p;
}

int
tk_unmerge(tk_txn *t, uint64_t src, uint64_t *dstp)
{
	tk_ticket s, d;
	tk_assignments as = { 0 };
	struct merge_rec m;
	tk_comment c;
	tk_buf held = { 0 };
	struct held *h;
	const char *via = setvia(t, "unmerge"), *sp;
	char **vals = NULL;
	uint32_t n;
	size_t i, nh;
	int rc = -1, got;

	tk_ticket_init(&s);
	tk_ticket_init(&d);
	memset(&m, 0, sizeof m);
	if (get(t, src, &s) < 0)
		goto out;
	if ((got = rec_get(t, src, &m)) <= 0) {
		if (got == 0 && s.f[TK_F_MERGED_INTO].n)
			tk_error("ticket %llu is merged into %.*s, but no record of what that merge did is kept: "
			    "it cannot be undone", (unsigned long long)src, (int)s.f[TK_F_MERGED_INTO].n,
			    s.f[TK_F_MERGED_INTO].p);
		else if (got == 0)
			tk_error("ticket %llu is not merged into another", (unsigned long long)src);
		goto out;
	}
	*dstp = m.target;
	if (get(t, m.target, &d) < 0)
		goto out;
	if (d.f[TK_F_MERGED_INTO].n) {
		tk_error("ticket %llu has been merged into %.*s since: tk-link --unmerge %llu first",
		    (unsigned long long)m.target, (int)d.f[TK_F_MERGED_INTO].n, d.f[TK_F_MERGED_INTO].p,
		    (unsigned long long)m.target);
		goto out;
	}
	/* What the merge set in the source must be as it left it. */
	for (i = 0; i < m.nsrc; i++) {
		tk_str now = s.f[m.src[i].field];

		if (tk_fields[m.src[i].field].kind == TK_K_SET || tk_str_eq(now, m.src[i].after))
			continue;
		tk_error("ticket %llu: %s is %s%.*s%s now, the merge left it %s%s%s: changed since (tk-log %llu says when)",
		    (unsigned long long)src, tk_fields[m.src[i].field].name, now.n ? "\"" : "(empty", (int)now.n,
		    now.n ? now.p : "", now.n ? "\"" : ")", *m.src[i].after ? "\"" : "(empty", m.src[i].after,
		    *m.src[i].after ? "\"" : ")", (unsigned long long)src);
		goto out;
	}
	/* The moved comments, each still where the merge put it, and their
	 * old numbers free. */
	for (n = m.first; n && n <= m.last; n++) {
		if ((got = tk_comment_get(t, m.target, n, &c)) < 0)
			goto out;
		if (!got || c.from != src) {
			tk_error("comment %u of ticket %llu is no longer the one the merge moved from ticket %llu",
			    n, (unsigned long long)m.target, (unsigned long long)src);
			goto out;
		}
		hold(&c, &held);
	}
	h = (struct held *)held.p;
	nh = held.len / sizeof *h;
	for (i = 0; i < nh; i++) {
		if ((got = tk_comment_get(t, src, h[i].c.from_n, &c)) != 0) {
			if (got > 0)
				tk_error("ticket %llu has a comment %u again, added since the merge: putting its own "
				    "comment %u back would take that number", (unsigned long long)src, c.n, c.n);
			goto out;
		}
	}
	/* Writes: the comments back under their numbers, their latest mark gone. */
	for (i = 0; i < nh; i++) {
		uint32_t num = h[i].c.n, was = h[i].c.from_n;

		sp = memchr(h[i].c.marks.p, ' ', h[i].c.marks.n);
		h[i].c.marks = sp ? (tk_str){ sp + 1, h[i].c.marks.n - (size_t)(sp + 1 - h[i].c.marks.p) } :
		    (tk_str){ "", 0 };
		if (tk_comment_put(t, src, was, &h[i].c) < 0 || tk_comment_del(t, m.target, num) < 0)
			goto out;
	}
	/* The target: what it gained, taken away. */
	for (i = 0; i < m.nadded; i++)
		tk_assign_borrow_op(&as, m.added[i].field, m.added[i].before, '-');
	if (as.n && tk_ticket_apply(t, &d, &as, 0) < 0)
		goto out;
	/* The source: each field back as it was (sets: with what came since).
	 * Its status goes back whatever the workflow says: an undo, not a
	 * transition (TK_APPLY_IMPORT). */
	as.n = 0;
	vals = tk_xmalloc((m.nsrc + 1) * sizeof *vals);
	for (i = 0; i < m.nsrc; i++) {
		int f = m.src[i].field;

		vals[i] = tk_fields[f].kind == TK_K_SET ? set_union(TK_STR(m.src[i].before), s.f[f]) :
		    tk_xstrdup(m.src[i].before);
		tk_assign_borrow(&as, f, tk_fields[f].name, vals[i]);
	}
	if (as.n && tk_ticket_apply(t, &s, &as, TK_APPLY_LINK | TK_APPLY_IMPORT) < 0)
		goto out;
	{
		unsigned char kb[8];
		MDB_val k = { 8, kb };
		int e;

		tk_put_u64(kb, src);
		if ((e = mdb_del(t->txn, t->st->dbi[TK_DB_MERGES], &k, NULL))) {
			tk_mdb_error(e, "merges");
			goto out;
		}
	}
	if (event(t, src, "unmerge", "from %llu", (unsigned long long)m.target) < 0 ||
	    event(t, m.target, "unmerge", "%llu", (unsigned long long)src) < 0)
		goto out;
	rc = 0;
out:
	t->via = via;
	for (i = 0; vals && i < m.nsrc; i++)
		free(vals[i]);
	free(vals);
	tk_assignments_free(&as);
	held_free(&held);
	rec_free(&m);
	tk_ticket_free(&s);
	tk_ticket_free(&d);
	return rc;
}

/* ---- split ---- */

int
tk_split(tk_txn *t, uint64_t parent, const char *subject, const char *body, size_t bodylen, uint64_t *id)
{
	static const int copied[] = { TK_F_REQUESTER, TK_F_REQUESTER_NAME, TK_F_QUEUE, TK_F_CATEGORY };
	tk_ticket p, child;
	tk_assignments as = { 0 };
	const char *via = setvia(t, "split");
	char *vals[5] = { 0 }, num[24];
	size_t i;
	int rc = -1;

	tk_ticket_init(&child);
	if (get(t, parent, &p) < 0)
		goto out;
	if (p.f[TK_F_MERGED_INTO].n) {
		tk_error("ticket %llu is merged into %.*s: split that one", (unsigned long long)parent,
		    (int)p.f[TK_F_MERGED_INTO].n, p.f[TK_F_MERGED_INTO].p);
		goto out;
	}
	if (tk_assign_add(&as, "subject", subject) < 0)
		goto out;
	for (i = 0; i < sizeof copied / sizeof *copied; i++) {
		if (!p.f[copied[i]].n)
			continue;
		vals[i] = dup(p.f[copied[i]]);
		tk_assign_borrow(&as, copied[i], tk_fields[copied[i]].name, vals[i]);
	}
	snprintf(num, sizeof num, "%llu", (unsigned long long)parent);
	tk_assign_borrow(&as, TK_F_PARENT, "parent", num);
	if (tk_ticket_make(t, &child, &as, body, bodylen, 0) < 0)
		goto out;
	*id = child.id;
	if (event(t, parent, "split", "%llu", (unsigned long long)child.id) < 0)
		goto out;
	rc = 0;
out:
	t->via = via;
	for (i = 0; i < 5; i++)
		free(vals[i]);
	tk_assignments_free(&as);
	tk_ticket_free(&p);
	tk_ticket_free(&child);
	return rc;
}
