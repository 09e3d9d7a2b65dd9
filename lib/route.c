/*
 * route.c - the rules of tk-route (tk-config(5), "rules"), applied to
 * tickets by tk-route and, at intake, by tk-new and tk-import.
 *
 *   rule NAME
 *     match TERM...        the filter language of tk-ls: every term holds
 *     match TERM...        several match lines: any may hold ("*": always)
 *     set ASSIGNMENT...    the assignment language of tk-set
 *     continue | stop      go on to the next rule / stop here even with --all
 *
 * Rules are tried in order on the ticket as the rules before have left it;
 * the first that matches applies its assignments, logged via "route:NAME",
 * and ends routing, unless it says continue or the run is --all (each
 * matching rule then applies, until one says stop). A rules file with any
 * error is refused whole: every error is said with file:line:column and the
 * offending text, and nothing is routed.
 *
 * Matching reuses the filter language (query.c, tk_filter_match on the
 * ticket in hand). A pattern that hits PCRE2's match or depth limit on a
 * ticket is warned about, counts as no match there, and the other rules
 * still apply. A bulk run (TK_ROUTE_BULK) JIT-compiles the regexes and runs
 * a literal prefilter (literals.c) over each ticket's subject and body
 * once: a match line with a regex on either is tried only when a literal
 * its pattern must hold is there. One ticket (intake) needs neither.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

#define STR_(x) #x
#define STR(x) STR_(x)

struct mline {
	tk_filter *q;		/* NULL until built (lazy rules) */
	tk_buf words;		/* the terms, each ending in NUL */
	size_t nw;
	int broken;		/* built with an error (lazy rules): never matches */
	unsigned *keys;		/* prefilter keys that must all be found */
	size_t nkeys;
	long lineno;
};

struct fstat {
	char *name;
	unsigned long n, saved;
};

struct rule {
	char *name, *via;
	uint64_t hash;		/* of the name: a second rule of a name is found fast */
	long lineno;
	struct mline *m;
	size_t nm;
	tk_assignments set;
	tk_buf settext;		/* the set words, for --explain */
	size_t nset;		/* words of its set lines */
	int set_built;		/* set parsed from settext (lazy rules: when it first fires) */
	int cont, stop;
	int off;		/* left out of this run (tk_rules_only) */
	unsigned long matched, changed, smatched, schanged;	/* s: at tk_rules_begin */
	struct fstat *fs;
	size_t nfs;
	tk_buf fields;
};

/* The fields the prefilter reads: subject and body. */
enum { PF_SUBJECT, PF_BODY, PF_N };

struct tk_rules {
	struct rule *r;
	size_t n, cap;
	int flags;
	int explain;
	tk_buf msg;		/* warnings and --explain, said at tk_rules_end */
	unsigned long refused, routed, unmatched, saved[3];
	int errors;
	tk_lits *lits[PF_N];
	int pf;			/* the prefilter is on */
	int lazy;		/* regexes compiled when needed: the file was checked whole before */
	uint64_t stamp;		/* the file's hash, for meta "rules_checked" */
	int stamp_pending, stamp_put;
	unsigned nkeys;
	uint64_t *hits;
	tk_buf fold;
};

/* ---- reading the file ---- */

/* The column, in characters from 1, of byte off of word w of c's statement. */
static size_t
column(const tk_conf *c, size_t w, size_t off)
{
	const char *line = c->line - (c->wcol[0] - 1), *end = line + c->wcol[w] - 1 + off, *p;
	size_t col = 1;

	for (p = line; p < end; p++)
		col += ((unsigned char)*p & 0xc0) != 0x80;
	return col;
}

static void __attribute__((format(printf, 5, 6)))
conf_err(tk_rules *rs, const tk_conf *c, size_t w, size_t off, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tk_warn("%s:%ld:%zu: %s", c->path, c->lineno, column(c, w, off), msg);
	rs->errors++;
}

static void
rule_free(struct rule *r)
{
	size_t i;

	for (i = 0; i < r->nm; i++) {
		tk_filter_free(r->m[i].q);
		tk_buf_free(&r->m[i].words);
		free(r->m[i].keys);
	}
	free(r->m);
	for (i = 0; i < r->nfs; i++)
		free(r->fs[i].name);
	free(r->fs);
	tk_assignments_free(&r->set);
	tk_buf_free(&r->settext);
	tk_buf_free(&r->fields);
	free(r->name);
	free(r->via);
}

void
tk_rules_free(tk_rules *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		rule_free(&rs->r[i]);
	free(rs->r);
	for (i = 0; i < PF_N; i++)
		tk_lits_free(rs->lits[i]);
	free(rs->hits);
	tk_buf_free(&rs->fold);
	tk_buf_free(&rs->msg);
	free(rs);
}

/* A rule's stanza is over: it must say when and what. */
static void
rule_done(tk_rules *rs, const tk_conf *c, struct rule *r, size_t col)
{
	if (!r)
		return;
	if (!r->nm || !r->nset)
		tk_warn("%s:%ld:%zu: rule %s: no %s line", c->path, r->lineno, col, r->name,
		    !r->nm ? "match" : "set"), rs->errors++;
}

static void say(tk_rules *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error in a rule: said with its file:line:column while the file is
 * read (c), else (a lazy rule built when first needed) as a warning. */
static void
rule_err(tk_rules *rs, const tk_conf *c, size_t w, size_t off, const char *msg)
{
	if (c)
		conf_err(rs, c, w, off, "%s", msg);
	else {
		say(rs, "%s", msg);
		rs->errors++;
	}
}

/* Match line m's filter, from its words (word i is c's word i + 1). */
static void
build_match(tk_rules *rs, struct mline *m, tk_store *st, tk_txn *t, const tk_conf *c)
{
	tk_term_info ti;
	const char *w = m->words.p;
	size_t i;

	m->q = tk_filter_new();
	tk_filter_jit(m->q, (rs->flags & TK_ROUTE_BULK) != 0);
	tk_filter_lazy(m->q, rs->lazy);
	if (m->nw == 1 && !strcmp(w, "*"))
		return;
	for (i = 0; i < m->nw; i++, w += strlen(w) + 1) {
		if (!tk_is_filter(w)) {
			tk_error("%s: not a filter term (field=value, field!=value, field~regex, field=a..b)", w);
			rule_err(rs, c, i + 1, 0, tk_errmsg);
			m->broken = 1;
			continue;
		}
		if (tk_filter_add(m->q, w) < 0) {
			rule_err(rs, c, i + 1, tk_filter_errpos > 0 ? (size_t)tk_filter_errpos : 0, tk_errmsg);
			m->broken = 1;
			continue;
		}
		tk_filter_term(m->q, tk_filter_size(m->q) - 1, &ti);
		if (ti.field == TK_F_CUSTOM && tk_field_check(st, t, w, ti.name) < 0) {
			rule_err(rs, c, i + 1, 0, tk_errmsg);
			m->broken = 1;
		}
	}
}

static void
add_match(tk_rules *rs, tk_store *st, tk_txn *t, tk_conf *c, struct rule *r)
{
	struct mline *m;
	size_t i;

	if (c->nw < 2) {
		conf_err(rs, c, 0, 0, "match: no filter (field=value, field~regex, ...; * for every ticket)");
		return;
	}
	r->m = tk_xrealloc(r->m, (r->nm + 1) * sizeof *r->m);
	m = &r->m[r->nm++];
	memset(m, 0, sizeof *m);
	m->lineno = c->lineno;
	for (i = 1; i < c->nw; i++)
		tk_buf_add(&m->words, c->w[i], strlen(c->w[i]) + 1);
	m->nw = c->nw - 1;
	if (!rs->lazy)
		build_match(rs, m, st, t, c);
}

/* Rule r's assignments, from its set words (c: the set line just read,
 * whose word 1 is the first of from). */
static void
build_set(tk_rules *rs, struct rule *r, const char *from, tk_store *st, tk_txn *t, const tk_conf *c)
{
	const char *w = from, *end = r->settext.p + r->settext.len;
	size_t i;
	tk_assign *a;
	char word[4096];

	for (i = 1; w < end; i++) {
		size_t n = strcspn(w, " ");

		if (n >= sizeof word)
			n = sizeof word - 1;
		memcpy(word, w, n);
		word[n] = '\0';
		w += n + (w[n] == ' ');
		if (!tk_is_assignment(word)) {
			tk_error("%s: not an assignment (field=value, +tag, -tag)", word);
			rule_err(rs, c, i, 0, tk_errmsg);
			continue;
		}
		if (tk_assign_parse(&r->set, word) < 0) {
			rule_err(rs, c, i, 0, tk_errmsg);
			continue;
		}
		a = &r->set.a[r->set.n - 1];
		if (a->field == TK_F_CUSTOM && tk_field_check(st, t, word, a->name) < 0)
			rule_err(rs, c, i, 0, tk_errmsg);
		else if (a->field == TK_F_BODY) {
			tk_error("%s: a rule does not change the body", word);
			rule_err(rs, c, i, 0, tk_errmsg);
		}
	}
}

static void
add_set(tk_rules *rs, tk_store *st, tk_txn *t, tk_conf *c, struct rule *r)
{
	size_t i, from = r->settext.len;

	if (c->nw < 2) {
		conf_err(rs, c, 0, 0, "set: nothing to set (field=value, +tag, -tag)");
		return;
	}
	r->nset += c->nw - 1;
	for (i = 1; i < c->nw; i++) {
		if (r->settext.len)
			tk_buf_addc(&r->settext, ' ');
		tk_buf_adds(&r->settext, c->w[i]);
	}
	if (from)
		from++;
	if (!rs->lazy) {
		build_set(rs, r, r->settext.p + from, st, t, c);
		r->set_built = 1;
	}
}

/* A match line's term "subject~re" or "body~re": the field (PF_), and the pattern at *pat; else -1. */
static int
pf_term(const char *w, const char **pat)
{
	size_t n = strcspn(w, "=!~<>");
	int f;

	if (w[n] != '~')
		return -1;
	f = tk_field_lookup_n(w, n);
	*pat = w + n + 1;
	return f == TK_F_SUBJECT ? PF_SUBJECT : f == TK_F_BODY ? PF_BODY : -1;
}

/* The literal prefilter of a bulk run (literals.c): a key for each regex
 * term on subject or body whose pattern gives literals. A rule that sets
 * the subject turns it off for the subject: the rules after it see the
 * subject it set. */
static void
prefilter_build(tk_rules *rs)
{
	int on[PF_N] = { 1, 1 };
	size_t i, j, k;
	const char *w, *pat;

	/* (A word "subject=..." among the set words: the rule sets the subject.) */
	for (i = 0; i < rs->n; i++)
		for (w = rs->r[i].settext.p; w && (w = strstr(w, "ubject=")); w++)
			if (w - rs->r[i].settext.p >= 1 && (w[-1] | 0x20) == 's' &&
			    (w - rs->r[i].settext.p == 1 || w[-2] == ' '))
				on[PF_SUBJECT] = 0;
	for (i = 0; i < PF_N; i++)
		rs->lits[i] = tk_lits_new();
	for (i = 0; i < rs->n; i++)
		for (j = 0; j < rs->r[i].nm; j++) {
			struct mline *m = &rs->r[i].m[j];
			int f;

			for (k = 0, w = m->words.p; k < m->nw; k++, w += strlen(w) + 1) {
				f = pf_term(w, &pat);
				if (f < 0 || !on[f] || !tk_lits_add(rs->lits[f], pat, rs->nkeys))
					continue;
				m->keys = tk_xrealloc(m->keys, (m->nkeys + 1) * sizeof *m->keys);
				m->keys[m->nkeys++] = rs->nkeys++;
			}
		}
	for (i = 0; i < PF_N; i++)
		if ((rs->flags & TK_ROUTE_BULK) && tk_lits_count(rs->lits[i]))
			tk_lits_build(rs->lits[i]);
	rs->pf = rs->nkeys > 0;
	rs->hits = tk_xmalloc(((rs->nkeys + 63) / 64 + 1) * sizeof *rs->hits);
}

/* The hash of a rules file as it is read, and of what checked it. */
static uint64_t
stamp_of(const tk_conf *c)
{
	static const char by[] = "tk " TK_VERSION " pcre2 " STR(PCRE2_MAJOR) "." STR(PCRE2_MINOR);

	return tk_hash(tk_hash(TK_HASH_SEED, by, sizeof by), c->text, c->len);
}

static const char stamp_key[] = "rules_checked";

static int
stamp_get(tk_txn *t, uint64_t *h)
{
	MDB_val k = { sizeof stamp_key - 1, (void *)stamp_key }, v;

	if (mdb_get(t->txn, t->st->dbi[TK_DB_META], &k, &v) || v.mv_size != 8)
		return 0;
	*h = tk_get_u64(v.mv_data);
	return 1;
}

static int
stamp_put(tk_txn *t, uint64_t h)
{
	unsigned char b[8];
	MDB_val k = { sizeof stamp_key - 1, (void *)stamp_key }, v = { 8, b };
	int rc;

	tk_put_u64(b, h);
	rc = mdb_put(t->txn, t->st->dbi[TK_DB_META], &k, &v, 0);
	return rc ? tk_mdb_error(rc, "meta") : 0;
}

tk_rules *
tk_rules_load(tk_store *st, tk_txn *t, const char *dir, const char *path, int flags, int *missing)
{
	tk_rules *rs;
	tk_conf c;
	tk_store none;
	struct rule *cur = NULL;
	size_t i, curcol = 1;
	int rc, skipping = 0;

	*missing = 0;
	rc = path ? tk_conf_open_file(&c, path) : tk_conf_open(&c, dir, "rules");
	if (rc == 0) {
		*missing = 1;
		if (path)
			tk_error("%s: no such rules file", path);
		else
			tk_error("%s/rules: no rules file", dir);
		return NULL;
	}
	if (rc < 0)
		return NULL;
	memset(&none, 0, sizeof none);
	if (!st) {
		/* No store yet: the names its directory's fields file declares. */
		none.dir = (char *)dir;
		if (tk_fields_load(&none) < 0) {
			tk_conf_close(&c);
			return NULL;
		}
		st = &none;
		t = NULL;
	}
	rs = tk_xmalloc(sizeof *rs);
	memset(rs, 0, sizeof *rs);
	rs->flags = flags;
	/* One ticket's rules (intake) compile only the regexes it needs when
	 * this file, to the byte, was compiled whole before in this store:
	 * its hash in meta "rules_checked" says so. (A hash, never bytecode:
	 * DESIGN.md 11.) */
	rs->stamp = stamp_of(&c);
	if (!path && t && !(flags & TK_ROUTE_BULK)) {
		uint64_t h;

		if (stamp_get(t, &h) == 1 && h == rs->stamp)
			rs->lazy = 1;
	}
	rs->stamp_pending = !path && !rs->lazy && !(flags & TK_ROUTE_DRY);
	while ((rc = tk_conf_next(&c)) != 0) {
		if (rc < 0) {
			tk_warn("%s", tk_errmsg);
			rs->errors++;
			continue;
		}
		if (!c.indented) {
			rule_done(rs, &c, cur, curcol);
			cur = NULL;
			skipping = 1;
			if (strcmp(c.w[0], "rule")) {
				conf_err(rs, &c, 0, 0, "%s: unknown statement (a rule starts with \"rule NAME\")", c.w[0]);
				continue;
			}
			/* A rule line in error still opens its stanza: its lines are checked too. */
			if (c.nw != 2)
				conf_err(rs, &c, 0, 0, "rule: one name (rule NAME)");
			else if (!tk_field_name_ok(c.w[1]))
				conf_err(rs, &c, 1, 0, "%s: not a rule name (a letter, then letters, digits, _ - .)", c.w[1]);
			else {
				uint64_t h = tk_hash(TK_HASH_SEED, c.w[1], strlen(c.w[1]));

				for (i = 0; i < rs->n && (rs->r[i].hash != h || strcmp(rs->r[i].name, c.w[1])); i++)
					;
				if (i < rs->n)
					conf_err(rs, &c, 1, 0, "%s: a second rule of this name (the first is on line %ld)",
					    c.w[1], rs->r[i].lineno);
			}
			if (rs->n == rs->cap)
				rs->r = tk_xrealloc(rs->r, (rs->cap = rs->cap ? 2 * rs->cap : 16) * sizeof *rs->r);
			cur = &rs->r[rs->n++];
			memset(cur, 0, sizeof *cur);
			cur->name = tk_xstrdup(c.nw > 1 ? c.w[1] : "");
			cur->hash = tk_hash(TK_HASH_SEED, cur->name, strlen(cur->name));
			cur->via = tk_xmalloc(strlen(cur->name) + 7);
			memcpy(cur->via, "route:", 6);
			strcpy(cur->via + 6, cur->name);
			cur->lineno = c.lineno;
			curcol = column(&c, 0, 0);
			skipping = 0;
			continue;
		}
		if (!cur) {
			if (!skipping)
				conf_err(rs, &c, 0, 0, "%s: outside a rule (a rule starts with \"rule NAME\")", c.w[0]);
			continue;
		}
		if (!strcmp(c.w[0], "match"))
			add_match(rs, st, t, &c, cur);
		else if (!strcmp(c.w[0], "set"))
			add_set(rs, st, t, &c, cur);
		else if (!strcmp(c.w[0], "continue") || !strcmp(c.w[0], "stop")) {
			int *mine = c.w[0][0] == 'c' ? &cur->cont : &cur->stop, *other = c.w[0][0] == 'c' ? &cur->stop : &cur->cont;

			if (c.nw > 1)
				conf_err(rs, &c, 1, 0, "%s: %s takes nothing after it", c.w[1], c.w[0]);
			else if (*other)
				conf_err(rs, &c, 0, 0, "%s: a rule says continue or stop, not both", c.w[0]);
			*mine = 1;
		} else
			conf_err(rs, &c, 0, 0, "%s: unknown statement (match, set, continue, stop)", c.w[0]);
	}
	rule_done(rs, &c, cur, curcol);
	if (rs->errors) {
		tk_error("%s: %d error%s: nothing routed", c.path, rs->errors, rs->errors > 1 ? "s" : "");
		tk_rules_free(rs);
		rs = NULL;
	} else
		prefilter_build(rs);
	for (i = 0; i < none.ndeclared; i++)
		free(none.declared[i]);
	free(none.declared);
	tk_conf_close(&c);
	return rs;
}

/* ---- routing ---- */

void
tk_rules_explain(tk_rules *rs, int on)
{
	rs->explain = on;
}

/* A line for standard error, said at tk_rules_end. */
static void __attribute__((format(printf, 2, 3)))
say(tk_rules *rs, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	tk_buf_printf(&rs->msg, "%s: %s\n", tk_progname, line);
}

/* Up to 60 columns of v, quoted, as --explain shows it. */
static void
quote(tk_buf *b, tk_str v)
{
	size_t n = tk_display_prefix(v.p, v.n, 60), i;

	tk_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (v.p[i] == '\n')
			tk_buf_adds(b, "\\n");
		else if (v.p[i] == '\t')
			tk_buf_adds(b, "\\t");
		else if (v.p[i] == '"' || v.p[i] == '\\')
			tk_buf_printf(b, "\\%c", v.p[i]);
		else
			tk_buf_addc(b, v.p[i]);
	}
	tk_buf_adds(b, n < v.n ? "\"..." : "\"");
}

static void
explain_match(tk_rules *rs, struct rule *r, struct mline *m, tk_txn *t, tk_ticket *tk)
{
	tk_buf *b = &rs->msg;
	tk_term_info ti;
	char scratch[32];
	size_t i, n = tk_filter_size(m->q);

	tk_buf_printf(b, "%s: ticket %llu: rule %s (line %ld) matched", tk_progname, (unsigned long long)tk->id,
	    r->name, m->lineno);
	if (!n)
		tk_buf_adds(b, " every ticket (*)");
	for (i = 0; i < n; i++) {
		tk_filter_term(m->q, i, &ti);
		tk_buf_printf(b, "%s %s on %s: ", i ? ";" : ":", ti.text, ti.name);
		quote(b, tk_filter_matched(m->q, i, t, tk, scratch, sizeof scratch));
	}
	tk_buf_addc(b, '\n');
}

static void
count_field(struct rule *r, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < r->nfs; i++)
		if (strlen(r->fs[i].name) == n && !memcmp(r->fs[i].name, name, n)) {
			r->fs[i].n++;
			return;
		}
	r->fs = tk_xrealloc(r->fs, (r->nfs + 1) * sizeof *r->fs);
	r->fs[r->nfs].name = tk_xstrndup(name, n);
	r->fs[r->nfs].saved = 0;
	r->fs[r->nfs++].n = 1;
}

/* What a rule changed: counted for --stats, said for --explain. */
static void
changes(tk_rules *rs, struct rule *r, const tk_str *old, const tk_custom *oc, size_t noc, tk_ticket *tk)
{
	tk_buf *b = rs->explain ? &rs->msg : NULL;
	size_t i;
	int any = 0;

	if (b)
		tk_buf_printf(b, "%s: ticket %llu: rule %s set %s:", tk_progname, (unsigned long long)tk->id, r->name,
		    r->settext.p);
	for (i = 1; i < TK_F_NSTORED; i++) {
		if (i == TK_F_UPDATED || tk_str_same(old[i], tk->f[i]))
			continue;
		count_field(r, tk_fields[i].name, strlen(tk_fields[i].name));
		if (b) {
			tk_buf_printf(b, "%s %s ", any++ ? "," : "", tk_fields[i].name);
			quote(b, old[i]);
			tk_buf_adds(b, " -> ");
			quote(b, tk->f[i]);
		}
	}
	for (i = 0; i < tk->ncustom; i++) {
		tk_str ov = tk_custom_value(oc, noc, tk->custom[i].name);

		if (tk_str_same(ov, tk->custom[i].value))
			continue;
		count_field(r, tk->custom[i].name.p, tk->custom[i].name.n);
		if (b) {
			tk_buf_printf(b, "%s %.*s ", any++ ? "," : "", (int)tk->custom[i].name.n, tk->custom[i].name.p);
			quote(b, ov);
			tk_buf_adds(b, " -> ");
			quote(b, tk->custom[i].value);
		}
	}
	if (b)
		tk_buf_adds(b, any ? "\n" : " no change\n");
}

/* Rule r's assignments on tk: 0 changed, 1 not, 2 refused, -1 the store failed. */
static int
fire(tk_rules *rs, struct rule *r, tk_txn *t, tk_ticket *tk)
{
	tk_str old[TK_F_NSTORED];
	tk_custom *oc = NULL;
	size_t noc = tk->ncustom;
	const char *via = t->via;
	uint64_t id = tk->id;
	int rc;

	if (!r->set_built) {
		int errors = rs->errors;

		build_set(rs, r, r->settext.p, t->st, t, NULL);
		r->set_built = 1 + (rs->errors != errors);
	}
	if (r->set_built > 1) {
		rs->refused++;
		return 2;
	}
	memcpy(old, tk->f, sizeof old);
	if (noc) {
		oc = tk_xmalloc(noc * sizeof *oc);
		memcpy(oc, tk->custom, noc * sizeof *oc);
	}
	t->via = r->via;
	rc = rs->flags & TK_ROUTE_DRY ? tk_ticket_assign(t, tk, &r->set, 0) : tk_ticket_apply(t, tk, &r->set, 0);
	t->via = via;
	if (rc < 0) {
		free(oc);
		if (tk_map_full)
			return -1;
		say(rs, "ticket %llu: rule %s: %s", (unsigned long long)id, r->name, tk_errmsg);
		rs->refused++;
		if (rs->flags & TK_ROUTE_DRY)
			return 2;	/* (tk_ticket_assign left tk as it was) */
		/* tk_ticket_apply left tk half changed: as the store has it. */
		tk_ticket_free(tk);
		tk_ticket_init(tk);
		rc = tk_ticket_get(t, id, tk, 1);
		return rc < 0 ? -1 : rc == 0 ? tk_error("ticket %llu: gone", (unsigned long long)id) : 2;
	}
	if (rc == 0)
		r->changed++;
	if (rc == 0 || rs->explain)
		changes(rs, r, old, oc, noc, tk);
	free(oc);
	return rc;
}

/* Which keys' literals tk's subject and body hold (rs->hits). */
static int
prefilter(tk_rules *rs, tk_txn *t, tk_ticket *tk)
{
	memset(rs->hits, 0, ((rs->nkeys + 63) / 64 + 1) * sizeof *rs->hits);
	void (*scan)(tk_lits *, const char *, size_t, uint64_t *, tk_buf *) =
	    rs->flags & TK_ROUTE_BULK ? tk_lits_scan : tk_lits_scan_each;

	if (tk_lits_count(rs->lits[PF_SUBJECT]))
		scan(rs->lits[PF_SUBJECT], tk->f[TK_F_SUBJECT].p, tk->f[TK_F_SUBJECT].n, rs->hits, &rs->fold);
	if (tk_lits_count(rs->lits[PF_BODY])) {
		if (tk_ticket_body(t, tk) < 0)
			return -1;
		scan(rs->lits[PF_BODY], tk->body.p, tk->body.n, rs->hits, &rs->fold);
	}
	return 0;
}

/* A match line the prefilter leaves in: every key of it found. */
static int
candidate(const tk_rules *rs, const struct mline *m)
{
	size_t i;

	for (i = 0; i < m->nkeys; i++)
		if (!(rs->hits[m->keys[i] >> 6] & 1ULL << (m->keys[i] & 63)))
			return 0;
	return 1;
}

int
tk_route_ticket(tk_rules *rs, tk_txn *t, tk_ticket *tk)
{
	size_t i, j;
	int fired = 0, changed = 0, rc;

	rs->routed++;
	if (rs->stamp_pending && !rs->stamp_put && t->write) {
		if (stamp_put(t, rs->stamp) < 0)
			return -1;
		rs->stamp_put = 1;
	}
	if (rs->pf && prefilter(rs, t, tk) < 0)
		return -1;
	for (i = 0; i < rs->n; i++) {
		struct rule *r = &rs->r[i];
		struct mline *m = NULL;

		if (r->off)
			continue;
		for (j = 0; j < r->nm && !m; j++) {
			if (rs->pf && !candidate(rs, &r->m[j]))
				continue;
			if (!r->m[j].q)
				build_match(rs, &r->m[j], t->st, t, NULL);
			if (r->m[j].broken)
				continue;
			rc = tk_filter_match(r->m[j].q, t, tk);
			if (rc < 0)	/* a regex's limit: no match here, the other rules go on */
				say(rs, "rule %s: %s", r->name, tk_errmsg);
			else if (rc)
				m = &r->m[j];
		}
		if (!m)
			continue;
		fired = 1;
		r->matched++;
		if (rs->explain)
			explain_match(rs, r, m, t, tk);
		if ((rc = fire(rs, r, t, tk)) < 0)
			return -1;
		changed |= rc == 0;
		if (r->stop || !(r->cont || (rs->flags & TK_ROUTE_ALL)))
			break;
	}
	if (!fired) {
		rs->unmatched++;
		if (rs->explain)
			say(rs, "ticket %llu: no rule matched", (unsigned long long)tk->id);
	}
	return changed ? 0 : 1;
}

void
tk_rules_begin(tk_rules *rs)
{
	size_t i, j;

	rs->msg.len = 0;
	rs->saved[0] = rs->refused;
	rs->saved[1] = rs->routed;
	rs->saved[2] = rs->unmatched;
	for (i = 0; i < rs->n; i++) {
		rs->r[i].smatched = rs->r[i].matched;
		rs->r[i].schanged = rs->r[i].changed;
		for (j = 0; j < rs->r[i].nfs; j++)
			rs->r[i].fs[j].saved = rs->r[i].fs[j].n;
	}
}

void
tk_rules_end(tk_rules *rs, int done)
{
	size_t i, j;

	if (done) {
		fwrite(rs->msg.p ? rs->msg.p : "", 1, rs->msg.len, stderr);
		rs->msg.len = 0;
		if (rs->stamp_put)
			rs->stamp_pending = 0;
		tk_rules_begin(rs);
		return;
	}
	rs->stamp_put = 0;
	rs->msg.len = 0;
	rs->refused = rs->saved[0];
	rs->routed = rs->saved[1];
	rs->unmatched = rs->saved[2];
	for (i = 0; i < rs->n; i++) {
		rs->r[i].matched = rs->r[i].smatched;
		rs->r[i].changed = rs->r[i].schanged;
		for (j = 0; j < rs->r[i].nfs; j++)
			rs->r[i].fs[j].n = rs->r[i].fs[j].saved;
	}
}

int
tk_rules_only(tk_rules *rs, const char *names)
{
	char *copy = tk_xstrdup(names), *tok, *save;
	size_t i;
	int rc = 0;

	for (i = 0; i < rs->n; i++)
		rs->r[i].off = 1;
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		tk_nearest nr;

		tk_nearest_init(&nr, tok);
		for (i = 0; i < rs->n && strcmp(rs->r[i].name, tok); i++)
			tk_nearest_try(&nr, rs->r[i].name);
		if (i < rs->n)
			rs->r[i].off = 0;
		else if (nr.best)
			rc = tk_error("--rule %s: no such rule; did you mean %s?", tok, nr.best);
		else
			rc = tk_error("--rule %s: no such rule", tok);
	}
	free(copy);
	return rc;
}

unsigned long
tk_rules_refused(const tk_rules *rs)
{
	return rs->refused;
}

size_t
tk_rules_count(const tk_rules *rs)
{
	return rs->n;
}

void
tk_rules_stats(tk_rules *rs, size_t i, tk_rule_stats *s)
{
	struct rule *r = &rs->r[i];
	size_t k;

	r->fields.len = 0;
	for (k = 0; k < r->nfs; k++)
		if (r->fs[k].n)
			tk_buf_printf(&r->fields, "%s%s:%lu", r->fields.len ? "," : "", r->fs[k].name, r->fs[k].n);
	s->name = r->name;
	s->matched = r->matched;
	s->changed = r->changed;
	s->fields = tk_buf_cstr(&r->fields);
}

unsigned long
tk_rules_routed(const tk_rules *rs)
{
	return rs->routed;
}

unsigned long
tk_rules_unmatched(const tk_rules *rs)
{
	return rs->unmatched;
}

/* ---- at intake ---- */

tk_rules *
tk_rules_intake(tk_store *st, const char *dir, int force, int flags)
{
	const tk_settings *set;
	tk_rules *rs;
	tk_txn t;
	int missing;

	if (!(set = tk_settings_get(dir)))
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	if (!force && !set->route_on_create)
		return NULL;
	if (st && tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	rs = tk_rules_load(st, st ? &t : NULL, dir, NULL, flags, &missing);
	if (st)
		tk_txn_end(&t);
	/* route-on-create with no rules yet routes nothing; --route asks for them. */
	if (!rs && (force || !missing))
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	return rs;
}
