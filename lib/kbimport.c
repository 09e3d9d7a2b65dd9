/*
 * kbimport.c - tk-kb import: articles from CSV or TSV in batches, one
 * transaction a batch, idempotent by external id (or the row's hash).
 *
 * Three threads share the work. A reading thread (tk_pipe) parses the
 * next batch's rows and then, with one helper, makes each row's index
 * entries (tokenizing is most of an import: tk_ft_prepare needs no store);
 * meanwhile the calling thread stores the batch before it, every store
 * write in input order, so ids are given as a single thread would give
 * them and a re-run finds what the last one stored.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tk.h"

#define KBI_BATCH 10000
#define KBI_FIRST 1000	/* the first batch small: the writer starts early */
#define KBI_TAKE 8	/* rows a thread takes at once to prepare */

struct row {
	char *title, *body, *tags, *ext;	/* in the slot's text */
	size_t bodylen;
	size_t at[4];		/* their offsets there while it grows */
	tk_ftdoc doc;		/* its bytes in the slot's docs arena */
	int ready;		/* doc made (under the slot's mu) */
};

struct slot {
	struct row *r;
	size_t n, cap;
	tk_buf text;		/* the rows' strings, each with its NUL: reused */
	tk_arena docs;		/* the rows' prepared entries, each its own size:
				 * reused (under mu while allotted) */
	size_t next;		/* the next row to prepare: every thread takes from it */
	pthread_mutex_t mu;	/* over next and each row's ready */
	pthread_cond_t cv;	/* a row became ready */
	pthread_t th;		/* the helper preparing rows, joined by drain */
	int helper;
};

struct kbi {
	/* the reading thread's */
	tk_csv *c;
	const char *name;
	size_t maxbody;
	int ct, cb, cg, ce, header;
	long bad;
	tk_pipe *pipe;
	size_t batch;		/* rows a batch: KBI_FIRST, then KBI_BATCH */
	/* the writing thread's */
	tk_store *(*open)(void *arg);
	void *openarg;
	tk_store *st;
	struct slot *cur;
	long added, changed, same, total[3];
	struct slot slot[2];
};

static int
col_of(char **f, size_t nf, const char *const *names)
{
	size_t i, j;

	for (j = 0; names[j]; j++)
		for (i = 0; i < nf; i++)
			if (!strcasecmp(f[i], names[j]))
				return (int)i;
	return -1;
}

/* The next rows of s nobody has taken, taken (mu held): the first, or
 * s->n when none is left; *end past the last. */
static size_t
take(struct slot *s, size_t *end)
{
	size_t i = s->next;

	if (i >= s->n)
		return s->n;
	*end = s->next = i + KBI_TAKE < s->n ? i + KBI_TAKE : s->n;
	return i;
}

/*
 * A thread prepares a row into a buffer of its own, then copies it to the
 * slot's arena, its exact size. (Each row once kept a buffer of its own
 * from batch to batch, grown to the largest entries its place ever held:
 * 20,000 buffers, 325 MB for 100,000 articles, every page of it touched
 * for the first time at some batch.)
 */
static __thread tk_ftdoc scratch;

/* Rows i..end (taken) prepared, and said to be ready (mu not held). */
static void
prepare_rows_of(struct slot *s, size_t i, size_t end)
{
	size_t j;

	for (j = i; j < end; j++) {
		struct row *r = &s->r[j];
		char *at;

		tk_ft_prepare(&scratch, 'a', r->title, strlen(r->title), r->body, r->bodylen, r->tags);
		pthread_mutex_lock(&s->mu);
		at = tk_arena_alloc(&s->docs, scratch.b.len ? scratch.b.len : 1);
		pthread_mutex_unlock(&s->mu);
		memcpy(at, scratch.b.p, scratch.b.len);
		r->doc = scratch;
		r->doc.b = (tk_buf){ at, scratch.b.len, 0 };	/* (not its own: cap 0) */
	}
	pthread_mutex_lock(&s->mu);
	for (j = i; j < end; j++)
		s->r[j].ready = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* The next rows of s nobody has taken prepared: 0 when none was left. */
static int
prepare_next(struct slot *s)
{
	size_t i, end = 0;

	pthread_mutex_lock(&s->mu);
	i = take(s, &end);
	pthread_mutex_unlock(&s->mu);
	if (i == s->n)
		return 0;
	prepare_rows_of(s, i, end);
	return 1;
}

/* The helper: rows of s prepared until none is left to take. */
static void *
prepare_rows(void *arg)
{
	while (prepare_next(arg))
		;
	tk_ft_scratch_free();
	tk_ftdoc_free(&scratch);
	return NULL;
}

/* Row i of s prepared (by the writer itself if need be: it takes the
 * next rows while row i is being prepared elsewhere). */
static void
wait_ready(struct slot *s, size_t i)
{
	size_t j, end = 0;

	pthread_mutex_lock(&s->mu);
	while (!s->r[i].ready) {
		if ((j = take(s, &end)) < s->n) {
			pthread_mutex_unlock(&s->mu);
			prepare_rows_of(s, j, end);
			pthread_mutex_lock(&s->mu);
		} else
			pthread_cond_wait(&s->cv, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
}

/* n bytes of p and a NUL appended to b: where they start. */
static size_t
put_str(tk_buf *b, const char *p, size_t n)
{
	size_t at = b->len;

	tk_buf_add(b, p, n);
	tk_buf_add(b, "", 1);
	return at;
}

/* One row into the slot, or a warning and a count of it refused. */
static void
take_row(struct kbi *k, struct slot *s, char **f, size_t *len, size_t nf, long line)
{
	struct row *r;
	const char *why = NULL;

	if ((size_t)k->ct >= nf || (size_t)k->cb >= nf)
		why = "too few fields";
	else if (tk_blank(f[k->ct], len[k->ct]))
		why = "an empty title";
	else if (tk_text_check("title", f[k->ct], len[k->ct]) < 0 || tk_text_check("body", f[k->cb], len[k->cb]) < 0)
		why = tk_errmsg;
	else if (len[k->cb] > k->maxbody)
		why = "body too large";
	if (why) {
		tk_warn("%s:%ld: %s", k->name, line, why);
		k->bad++;
		return;
	}
	if (s->n == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 1024;

		s->r = tk_xrealloc(s->r, c * sizeof *s->r);
		memset(s->r + s->cap, 0, (c - s->cap) * sizeof *s->r);
		s->cap = c;
	}
	r = &s->r[s->n++];
	r->ready = 0;
	r->at[0] = put_str(&s->text, f[k->ct], len[k->ct]);
	r->at[1] = put_str(&s->text, f[k->cb], len[k->cb]);
	r->bodylen = len[k->cb];
	r->at[2] = put_str(&s->text, k->cg >= 0 && (size_t)k->cg < nf ? f[k->cg] : "",
	    k->cg >= 0 && (size_t)k->cg < nf ? len[k->cg] : 0);
	for (char *p = s->text.p + r->at[2]; *p; p++)
		if (*p == ' ' || *p == ';')
			*p = ',';
	if (k->ce >= 0 && (size_t)k->ce < nf && len[k->ce])
		r->at[3] = put_str(&s->text, f[k->ce], len[k->ce]);
	else {	/* no external id: the row's own hash */
		uint64_t hv = tk_hash(tk_hash(TK_HASH_SEED, f[k->ct], len[k->ct]), f[k->cb], len[k->cb]);
		char h[24];

		snprintf(h, sizeof h, "#%016llx", (unsigned long long)hv);
		r->at[3] = put_str(&s->text, h, strlen(h));
	}
}

/* The reading thread: a batch parsed, then its rows prepared by this
 * thread and a helper. 1 more may follow, 0 the end. */
static int
fill(void *slot, void *ctx)
{
	static const char *const tn[] = { "title", "subject", NULL };
	static const char *const bn[] = { "body", "content", "text", NULL };
	static const char *const gn[] = { "tags", "tag", NULL };
	static const char *const en[] = { "external_id", "external id", "external-id", "kb_id", "id", NULL };
	struct kbi *k = ctx;
	struct slot *s = slot;
	char **f;
	size_t *len, nf;
	long line;
	int rc = 1;
	size_t i;

	s->n = 0;
	s->text.len = 0;
	tk_arena_reset(&s->docs);	/* (the writer is done with this slot's rows) */
	while (s->n < k->batch) {
		rc = tk_csv_next(k->c, &f, &len, &nf, &line);
		if (rc < 0) {
			tk_warn("%s:%ld: %s", k->name, line, tk_errmsg);
			k->bad++;
			continue;
		}
		if (rc == 0)
			break;
		if (k->header) {
			k->header = 0;
			k->ct = col_of(f, nf, tn), k->cb = col_of(f, nf, bn);
			k->cg = col_of(f, nf, gn), k->ce = col_of(f, nf, en);
			if (k->ct < 0 || k->cb < 0)
				tk_die(TK_EXIT_DATA, "%s:%ld: the header names no title and body column", k->name,
				    line);
			continue;
		}
		take_row(k, s, f, len, nf, line);
	}
	for (i = 0; i < s->n; i++) {	/* (the text has stopped moving) */
		struct row *r = &s->r[i];

		r->title = s->text.p + r->at[0], r->body = s->text.p + r->at[1];
		r->tags = s->text.p + r->at[2], r->ext = s->text.p + r->at[3];
	}
	/* the rows are prepared by a helper, by this thread until the writer
	 * waits for the batch, and by the writer as it goes */
	k->batch = KBI_BATCH;
	s->next = 0;
	s->helper = s->n > 64 && pthread_create(&s->th, NULL, prepare_rows, s) == 0;
	while (!__atomic_load_n(&k->pipe->drain_waiting, __ATOMIC_RELAXED) && prepare_next(s))
		;
	if (!rc) {	/* the end: this thread ends too */
		tk_ft_scratch_free();
		tk_ftdoc_free(&scratch);
	}
	return rc != 0;
}

static int
import_fn(tk_txn *t, void *arg)
{
	struct kbi *k = arg;
	struct slot *s = k->cur;
	size_t i;

	tk_ft_discard();
	tk_ft_defer(1);
	k->added = k->changed = k->same = 0;
	for (i = 0; i < s->n; i++) {
		struct row *r = &s->r[i];
		tk_article a = { 0 }, old;
		uint64_t id = 0;
		int rc = tk_kb_ext_get(t, r->ext, &id);

		if (rc < 0)
			return TK_EXIT_FAIL;
		if (rc && (rc = tk_kb_get(t, id, 0, &old)) < 0)
			return TK_EXIT_FAIL;
		if (rc) {
			int same = !strcmp(old.title, r->title) && !strcmp(old.tags, r->tags) &&
			    old.bodylen == r->bodylen && !memcmp(old.body, r->body, r->bodylen);

			a.created = tk_xstrdup(old.created);
			tk_article_free(&old);
			if (same) {
				k->same++;
				free(a.created);
				continue;
			}
			a.id = id;
			k->changed++;
		} else
			k->added++;
		a.title = r->title, a.tags = r->tags, a.ext = r->ext, a.body = r->body, a.bodylen = r->bodylen;
		a.author = (char *)tk_actor();
		a.updated = t->now_iso;
		if (!a.created)
			a.created = t->now_iso;
		wait_ready(s, i);
		rc = tk_kb_put_doc(t, &a, &r->doc);
		if (a.created != t->now_iso)
			free(a.created);
		if (rc < 0)
			return TK_EXIT_FAIL;
	}
	tk_ft_defer(0);
	return tk_ft_flush(t) < 0 ? TK_EXIT_FAIL : 0;
}

/* The calling thread: the batch stored (the store opened at the first). */
static int
drain(void *slot, int end, void *ctx)
{
	struct kbi *k = ctx;
	struct slot *s = slot;
	int rc = 0;

	(void)end;
	if (s->n) {
		if (!k->st)
			k->st = k->open(k->openarg);
		k->cur = s;
		rc = tk_store_write(k->st, import_fn, k);
		/* rows nobody has taken are not needed (unchanged ones): the
		 * helper stops at the next it would take */
		pthread_mutex_lock(&s->mu);
		s->next = s->n;
		pthread_mutex_unlock(&s->mu);
		if (s->helper)
			pthread_join(s->th, NULL);
		s->helper = 0;
		if (!rc)
			k->total[0] += k->added, k->total[1] += k->changed, k->total[2] += k->same;
	}
	s->n = 0;
	return rc;
}

int
tk_kb_import(FILE *fp, const char *name, size_t maxbody, tk_store *(*open)(void *arg), void *arg, tk_store **st,
    long n[4])
{
	struct kbi k = { 0 };
	tk_pipe p = { 0 };
	size_t j;
	int rc;

	if (!(k.c = tk_csv_open(fp, name, 0, 0, NULL))) {
		*st = NULL;
		return TK_EXIT_DATA;
	}
	k.name = name;
	k.maxbody = maxbody;
	k.header = 1;
	k.batch = KBI_FIRST;
	k.ct = k.cb = k.cg = k.ce = -1;
	k.open = open;
	k.openarg = arg;
	for (j = 0; j < 2; j++) {
		pthread_mutex_init(&k.slot[j].mu, NULL);
		pthread_cond_init(&k.slot[j].cv, NULL);
	}
	p.slot[0] = &k.slot[0];
	p.slot[1] = &k.slot[1];
	p.fill = fill;
	p.drain = drain;
	p.ctx = &k;
	k.pipe = &p;
	rc = tk_pipe_run(&p);
	*st = k.st;
	if (rc)
		return rc;	/* (the reading thread may still be at work: the caller exits) */
	tk_csv_close(k.c);
	for (j = 0; j < 2; j++) {
		tk_arena_free(&k.slot[j].docs);
		free(k.slot[j].r);
		tk_buf_free(&k.slot[j].text);
		pthread_mutex_destroy(&k.slot[j].mu);
		pthread_cond_destroy(&k.slot[j].cv);
	}
	tk_ftdoc_free(&scratch);	/* (what this thread, the writer, prepared) */
	n[0] = k.total[0], n[1] = k.total[1], n[2] = k.total[2], n[3] = k.bad;
	if (k.header) {
		tk_error("%s: no header line", name);
		return TK_EXIT_DATA;
	}
	return 0;
}
