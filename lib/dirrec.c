/*
 * dirrec.c - the records of the customer directory (contacts, orgs): a
 * record is its columns' values as strings, stored as NAME NUL VALUE NUL
 * pairs for the columns set (doc/STORE.md), changed with the assignment
 * language of tk-set (DESIGN.md 5) and selected with filter terms as
 * tk-ls takes them. A column's kind says how its values are checked
 * and kept:
 *
 *   text     any text without TAB or newline (a name, notes)
 *   word     a letter, then letters, digits, _ - . (org key, tier, queue)
 *   lang     a language tag (zh, en, pt-BR)
 *   emails   a set of addresses, kept bare and lowercased
 *   phones   a set of phone numbers as written (items separated by
 *            commas only: a number has spaces)
 *   words    a set of tags (a word each, no '=')
 *   domains  a set of domains, lowercased
 *   time     a time, kept as ISO 8601 UTC
 *   count    worked out by tk, never assigned
 *
 * Sets are kept sorted, each item once, comma-separated.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Items of s split at commas (and white space unless spaces is set),
 * trimmed, into a new array of copies. */
static char **
split(const char *s, int spaces, size_t *n)
{
	char **v = NULL, *copy = tk_xstrdup(s), *p = copy, *e;
	size_t cap = 0;

	*n = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t' || (*p == ',' ))
			p++;
		if (!*p)
			break;
		e = p + strcspn(p, spaces ? "," : ", \t");
		{
			char *end = e;

			while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (*n == cap)
				v = tk_xrealloc(v, (cap = cap ? 2 * cap : 8) * sizeof *v);
			v[(*n)++] = tk_xstrndup(p, (size_t)(end - p));
		}
		p = *e ? e + 1 : e;
	}
	free(copy);
	return v;
}

static void
free_items(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

char *
tk_list_op(const char *set, const char *items, char op, int spaces)
{
	char **a, **b;
	size_t na, nb, i, j, o;
	tk_buf out = { 0 };

	/* one item into an empty set (an import's new record): itself */
	if (op != '-' && (op == '=' || !*set) && (!*items || (!strchr(items, ',') && (spaces ?
	    items[0] != ' ' && items[0] != '\t' && items[strlen(items) - 1] != ' ' && items[strlen(items) - 1] != '\t' :
	    !strpbrk(items, " \t")))))
		return tk_xstrdup(items);
	a = split(op == '=' ? "" : set, spaces, &na);
	b = split(items, spaces, &nb);
	if (op != '-') {
		a = tk_xrealloc(a, (na + nb + 1) * sizeof *a);
		for (i = 0; i < nb; i++)
			a[na++] = tk_xstrdup(b[i]);
	}
	if (na > 1)
		qsort(a, na, sizeof *a, cmp_str);
	for (i = o = 0; i < na; i++) {
		for (j = 0; op == '-' && j < nb && strcmp(a[i], b[j]); j++)
			;
		if ((op == '-' && j < nb) || (o && !strcmp(a[o - 1], a[i]))) {
			free(a[i]);
			continue;
		}
		a[o++] = a[i];
	}
	for (i = 0; i < o; i++) {
		if (i)
			tk_buf_addc(&out, ',');
		tk_buf_adds(&out, a[i]);
	}
	free_items(a, o);
	free_items(b, nb);
	return out.p ? out.p : tk_xstrdup("");
}

void
tk_pairs_encode(tk_buf *b, const tk_dcol *cols, char *const *v, size_t from, size_t to)
{
	size_t i;

	b->len = 0;
	for (i = from; i < to; i++)
		if (v[i][0]) {
			tk_buf_add(b, cols[i].name, strlen(cols[i].name) + 1);
			tk_buf_add(b, v[i], strlen(v[i]) + 1);
		}
}

int
tk_pairs_decode(const void *data, size_t n, const tk_dcol *cols, size_t from, size_t to, char **v,
    const char *what)
{
	const char *p = data, *end = p + n, *name, *val, *z;
	size_t i;

	for (i = from; i < to; i++)
		if (v[i][0]) {
			free(v[i]);
			v[i] = tk_xstrdup("");
		}
	while (p < end) {
		name = p;
		if (!(z = memchr(p, '\0', (size_t)(end - p))))
			return tk_error("%s: corrupt record", what);
		val = z + 1;
		if (val >= end || !(z = memchr(val, '\0', (size_t)(end - val))))
			return tk_error("%s: corrupt record", what);
		p = z + 1;
		for (i = from; i < to; i++)
			if (!strcmp(name, cols[i].name)) {
				free(v[i]);
				v[i] = tk_xstrdup(val);
				break;
			}
	}
	return 0;
}

void
tk_pairs_summary(tk_buf *b, const tk_dcol *cols, char *const *v, size_t from, size_t to)
{
	size_t i;

	b->len = 0;
	for (i = from; i < to; i++)
		if (v[i][0]) {
			if (b->len)
				tk_buf_addc(b, '\t');
			tk_buf_adds(b, cols[i].name);
			tk_buf_addc(b, '=');
			tk_buf_adds(b, v[i]);
		}
	tk_buf_cstr(b);
}

/* ---- the assignment language of directory records ---- */

static int
word_ok(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return 0;
	return i <= 64;
}

int
tk_dir_word_ok(const char *s)
{
	return word_ok(s);
}

static int
lang_ok(const char *s)
{
	size_t i, part = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == '-' || s[i] == '_') {
			if (!part)
				return 0;
			part = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) || ++part > 8)
			return 0;
	}
	return i && i <= 35 && part && isalpha((unsigned char)s[0]);
}

/* A domain: labels of letters, digits and '-' (or UTF-8), two at least. */
int
tk_domain_ok(const char *d)
{
	size_t i, label = 0, labels = 0;

	for (i = 0; d[i]; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '.') {
			if (!label || d[i - 1] == '-')
				return 0;
			label = 0;
			labels++;
			continue;
		}
		if (!(isalnum(ch) || ch >= 0x80 || (ch == '-' && label)))
			return 0;
		label++;
	}
	return label && labels && i <= 253;
}

int
tk_dcol_lookup(const tk_dcol *cols, size_t ncols, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		if ((strlen(cols[i].name) == n && !strncasecmp(cols[i].name, name, n)) ||
		    (cols[i].alias && strlen(cols[i].alias) == n && !strncasecmp(cols[i].alias, name, n)))
			return (int)i;
	return -1;
}

static int
unknown_col(const tk_dcol *cols, size_t ncols, const char *arg, const char *name, int assigning)
{
	tk_nearest nr;
	size_t i;

	tk_buf b = { 0 };

	tk_nearest_init(&nr, name);
	for (i = 0; i < ncols; i++)
		if (!assigning || cols[i].kind != TK_DK_COUNT)
			tk_nearest_try(&nr, cols[i].name);
	if (nr.best)
		return tk_error("%s: no field %s; did you mean %s?", arg, name, nr.best);
	for (i = 0; i < ncols; i++)
		if (!assigning || (cols[i].kind != TK_DK_COUNT && !cols[i].readonly))
			tk_buf_printf(&b, "%s%s", b.len ? ", " : "", cols[i].name);
	tk_error("%s: no field %s (%s)", arg, name, b.p ? b.p : "");
	tk_buf_free(&b);
	return -1;
}

/* One item of a set column checked and made as kept: an address bare and
 * lowercased, a domain lowercased. A new string, or NULL with tk_errmsg. */
static char *
item_norm(const tk_dcol *col, const char *arg, const char *item)
{
	tk_str name, addr;
	char digits[64], *s;

	switch (col->kind) {
	case TK_DK_EMAILS:
		/* "Wang Li <wl@x>" is taken for its address */
		if (!tk_address_split(item, strlen(item), &name, &addr)) {
			tk_error("%s: %s is not an e-mail address", arg, item);
			return NULL;
		}
		s = tk_xstrndup(addr.p, addr.n);
		tk_address_lower(s, addr.n);
		return s;
	case TK_DK_PHONES:
		if (!tk_phone_digits(item, strlen(item), NULL, digits, sizeof digits)) {
			tk_error("%s: %s is not a phone number (digits, spaces, + - ( ) . /)", arg, item);
			return NULL;
		}
		return tk_xstrdup(item);
	case TK_DK_DOMAINS:
		s = tk_xstrdup(item);
		tk_address_lower(s, strlen(s));
		if (s[0] == '@')
			memmove(s, s + 1, strlen(s));
		if (!tk_domain_ok(s)) {
			tk_error("%s: %s is not a domain", arg, item);
			free(s);
			return NULL;
		}
		return s;
	default:	/* a tag: one word, no '=' (DESIGN.md 5) */
		if (strchr(item, '=')) {
			tk_error("%s: a tag cannot hold '='", arg);
			return NULL;
		}
		return tk_xstrdup(item);
	}
}

int
tk_dval_kept(const tk_dcol *c, const char *value)
{
	switch (c->kind) {
	case TK_DK_WORD:
		return word_ok(value);
	case TK_DK_LANG:
		return lang_ok(value);
	case TK_DK_TIME:
		return tk_iso_parse(value, strlen(value), NULL) == 0;
	case TK_DK_TEXT:
		return !tk_blank(value, strlen(value));
	default:
		return 0;
	}
}

static int
is_set(int kind)
{
	return kind == TK_DK_EMAILS || kind == TK_DK_PHONES || kind == TK_DK_WORDS || kind == TK_DK_DOMAINS;
}

static void
push(tk_dasgs *as, int col, char op, char *value)
{
	if (as->n == as->cap)
		as->a = tk_xrealloc(as->a, (as->cap = as->cap ? 2 * as->cap : 8) * sizeof *as->a);
	as->a[as->n].col = col;
	as->a[as->n].op = op;
	as->a[as->n].value = value;
	as->n++;
}

int
tk_dasg_add(tk_dasgs *as, const tk_dcol *cols, size_t ncols, const char *arg, const char *name, char op,
    const char *value)
{
	int col = tk_dcol_lookup(cols, ncols, name, strlen(name));

	if (col < 0)
		return unknown_col(cols, ncols, arg, name, 1);
	return tk_dasg_add_col(as, cols, col, arg, op, value);
}

int
tk_dasg_add_col(tk_dasgs *as, const tk_dcol *cols, int col, const char *arg, char op, const char *value)
{
	const tk_dcol *c = &cols[col];
	time_t when;
	char iso[21];

	if (c->kind == TK_DK_COUNT || c->readonly)
		return tk_error("%s: %s is kept by tk, not assigned", arg, c->name);
	if (tk_text_check(c->name, value, strlen(value)) < 0)
		return -1;
	if (strpbrk(value, "\t\n\r"))
		return tk_error("%s: a value cannot hold tabs or newlines", arg);
	if (op != '=' && !is_set(c->kind))
		return tk_error("%s: %s is not a set: %s=value sets it", arg, c->name, c->name);
	if (is_set(c->kind)) {
		size_t n, i;
		char **items;
		tk_buf b = { 0 };

		/* one item, nothing to trim (the common case): no split */
		if (*value && !strpbrk(value, c->kind == TK_DK_PHONES ? "," : ", \t") && value[0] != ' ' &&
		    value[strlen(value) - 1] != ' ') {
			char *s = item_norm(c, arg, value);

			if (!s)
				return -1;
			push(as, col, op, s);
			return 0;
		}
		items = split(value, c->kind == TK_DK_PHONES, &n);

		if (op != '=' && !n) {
			free_items(items, n);
			return tk_error("%s: no item to %s", arg, op == '+' ? "add" : "take out");
		}
		for (i = 0; i < n; i++) {
			char *s = item_norm(c, arg, items[i]);

			if (!s) {
				free_items(items, n);
				tk_buf_free(&b);
				return -1;
			}
			if (i)
				tk_buf_addc(&b, ',');
			tk_buf_adds(&b, s);
			free(s);
		}
		free_items(items, n);
		push(as, col, op, b.p ? b.p : tk_xstrdup(""));
		return 0;
	}
	if (!*value) {
		push(as, col, '=', tk_xstrdup(""));
		return 0;
	}
	if (tk_dval_kept(c, value)) {
		push(as, col, '=', tk_xstrdup(value));
		return 0;
	}
	switch (c->kind) {
	case TK_DK_WORD:
		return tk_error("%s: %s is not a word (a letter, then letters, digits, _ - .)", arg, value);
	case TK_DK_LANG:
		return tk_error("%s: %s is not a language tag (zh, en, pt-BR)", arg, value);
	case TK_DK_TIME:	/* another form of time: made ISO 8601 UTC */
		if (tk_import_time(value, iso) < 0) {
			if (tk_time_parse(value, &when, NULL) < 0)
				return tk_error("%s: %s", arg, tk_errmsg);
			tk_time_iso(when, iso);
		}
		push(as, col, '=', tk_xstrdup(iso));
		return 0;
	default:
		return tk_error("%s: blank", arg);
	}
}

int
tk_dasg_parse(tk_dasgs *as, const tk_dcol *cols, size_t ncols, const char *arg)
{
	const char *eq, *name = arg;
	char *nm;
	char op = '=';
	int rc, tags;

	if (arg[0] == '+' || arg[0] == '-') {
		op = arg[0];
		name = arg + 1;
	}
	eq = strchr(name, '=');
	if (!eq && op != '=') {
		/* +tag, -tag: the record's words set, if it has one */
		tags = tk_dcol_lookup(cols, ncols, "tags", 4);
		if (tags < 0)
			return tk_error("%s: not an assignment (field=value, +field=value, -field=value)", arg);
		return tk_dasg_add(as, cols, ncols, arg, "tags", op, name);
	}
	if (!eq || eq == name)
		return tk_error("%s: not an assignment (field=value, +field=value, -field=value)", arg);
	nm = tk_xstrndup(name, (size_t)(eq - name));
	rc = tk_dasg_add(as, cols, ncols, arg, nm, op, eq + 1);
	free(nm);
	return rc;
}

void
tk_dasgs_free(tk_dasgs *as)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		free(as->a[i].value);
	free(as->a);
	memset(as, 0, sizeof *as);
}

void
tk_dasg_apply(char **v, const tk_dasgs *as, const tk_dcol *cols)
{
	size_t i;
	char *s;

	for (i = 0; i < as->n; i++) {
		const tk_dasg *a = &as->a[i];

		if (is_set(cols[a->col].kind))
			s = tk_list_op(v[a->col], a->value, a->op, cols[a->col].kind == TK_DK_PHONES);
		else
			s = tk_xstrdup(a->value);
		free(v[a->col]);
		v[a->col] = s;
	}
}

int
tk_dasg_has(const tk_dasgs *as, int col)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		if (as->a[i].col == col)
			return 1;
	return 0;
}

/* ---- filters over directory records ---- */

enum { F_EQ, F_NE, F_RE, F_NRE, F_RANGE };

struct dterm {
	char *text;
	int col, op;
	char **vals;
	size_t nvals;
	pcre2_code *re;
	pcre2_match_data *md;
	int has_lo, has_hi;
	long long lo, hi;
	char slo[21], shi[21];
};

struct tk_dfilter {
	const tk_dcol *cols;
	size_t ncols;
	struct dterm *t;
	size_t n;
};

tk_dfilter *
tk_dfilter_new(const tk_dcol *cols, size_t ncols)
{
	tk_dfilter *f = tk_xmalloc(sizeof *f);

	memset(f, 0, sizeof *f);
	f->cols = cols;
	f->ncols = ncols;
	return f;
}

void
tk_dfilter_free(tk_dfilter *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free_items(f->t[i].vals, f->t[i].nvals);
		free(f->t[i].text);
		if (f->t[i].md)
			pcre2_match_data_free(f->t[i].md);
		if (f->t[i].re)
			pcre2_code_free(f->t[i].re);
	}
	free(f->t);
	free(f);
}

static int
range_end(struct dterm *t, int kind, const char *v, int hi)
{
	long long n;
	char *end;
	time_t when;
	int dateonly;

	if (kind == TK_DK_TIME) {
		if (tk_time_parse(v, &when, &dateonly) < 0)
			return tk_error("%s: %s", t->text, tk_errmsg);
		if (hi && dateonly)
			when += 86399;
		tk_time_iso(when, hi ? t->shi : t->slo);
	} else {
		n = strtoll(v, &end, 10);
		if (!*v || *end)
			return tk_error("%s: %s is not a number", t->text, v);
		*(hi ? &t->hi : &t->lo) = n;
	}
	*(hi ? &t->has_hi : &t->has_lo) = 1;
	return 0;
}

int
tk_dfilter_add(tk_dfilter *f, const char *term)
{
	struct dterm t;
	size_t n = 0;
	const char *p, *v, *dots;
	int kind, errcode;
	PCRE2_SIZE erroff;
	char msg[256], *name;

	memset(&t, 0, sizeof t);
	while (isalnum((unsigned char)term[n]) || term[n] == '_')
		n++;
	p = term + n;
	if (!n || !*p || !strchr("=!~", *p))
		return tk_error("%s: not a filter (field=value, field!=value, field~regex, field=a..b)", term);
	name = tk_xstrndup(term, n);
	t.col = tk_dcol_lookup(f->cols, f->ncols, name, n);
	if (t.col < 0) {
		unknown_col(f->cols, f->ncols, term, name, 0);
		free(name);
		return -1;
	}
	free(name);
	kind = f->cols[t.col].kind;
	t.text = tk_xstrdup(term);
	if (!strncmp(p, "!~", 2))
		t.op = F_NRE, v = p + 2;
	else if (!strncmp(p, "!=", 2))
		t.op = F_NE, v = p + 2;
	else if (*p == '~')
		t.op = F_RE, v = p + 1;
	else if (*p == '=')
		t.op = F_EQ, v = p + 1;
	else {
		free(t.text);
		return tk_error("%s: not a filter", term);
	}
	if (t.op == F_RE || t.op == F_NRE) {
		t.re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
		    &errcode, &erroff, NULL);
		if (!t.re) {
			pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg, sizeof msg);
			tk_error("%s: bad regex at offset %zu: %s", term, (size_t)erroff, msg);
			free(t.text);
			return -1;
		}
		t.md = pcre2_match_data_create_from_pattern(t.re, NULL);
	} else if (t.op == F_EQ && (kind == TK_DK_COUNT || kind == TK_DK_TIME) && (dots = strstr(v, ".."))) {
		char *lo = tk_xstrndup(v, (size_t)(dots - v));
		int rc = 0;

		t.op = F_RANGE;
		if (!*lo && !dots[2])
			rc = tk_error("%s: a range needs at least one end", term);
		if (!rc && *lo)
			rc = range_end(&t, kind, lo, 0);
		if (!rc && dots[2])
			rc = range_end(&t, kind, dots + 2, 1);
		free(lo);
		if (rc < 0) {
			free(t.text);
			return -1;
		}
	} else {
		size_t i;

		t.vals = split(v, kind == TK_DK_PHONES || kind == TK_DK_TEXT, &t.nvals);
		if (!t.nvals)
			t.vals = tk_xrealloc(t.vals, sizeof *t.vals), t.vals[t.nvals++] = tk_xstrdup("");
		for (i = 0; i < t.nvals; i++)
			if (kind == TK_DK_EMAILS || kind == TK_DK_DOMAINS) {
				tk_str nm, ad;

				if (kind == TK_DK_EMAILS && tk_address_split(t.vals[i], strlen(t.vals[i]), &nm, &ad)) {
					memmove(t.vals[i], ad.p, ad.n);
					t.vals[i][ad.n] = '\0';
				}
				tk_address_lower(t.vals[i], strlen(t.vals[i]));
			}
	}
	f->t = tk_xrealloc(f->t, (f->n + 1) * sizeof *f->t);
	f->t[f->n++] = t;
	return 0;
}

/* A value equal to one of the term's: for a set, one item equal to one. */
static int
eq_any(const struct dterm *t, int kind, const char *v)
{
	size_t i;
	char a[64], b[64];

	for (i = 0; i < t->nvals; i++) {
		if (!t->vals[i][0]) {
			if (!v[0])
				return 1;
			continue;
		}
		if (kind == TK_DK_PHONES) {
			/* by their digits: "138 0013 8000" finds "+86 138-0013-8000" */
			size_t k = tk_phone_digits(t->vals[i], strlen(t->vals[i]), NULL, a, sizeof a);
			const char *p = v, *c;

			while (k && *p) {
				c = strchr(p, ',');
				if (!c)
					c = p + strlen(p);
				if (tk_phone_digits(p, (size_t)(c - p), NULL, b, sizeof b) >= k &&
				    !strcmp(b + strlen(b) - k, a))
					return 1;
				p = *c ? c + 1 : c;
			}
		} else if (is_set(kind)) {
			if (tk_list_has(v, t->vals[i], strlen(t->vals[i])))
				return 1;
		} else if (!strcmp(v, t->vals[i]))
			return 1;
	}
	return 0;
}

int
tk_dfilter_match(tk_dfilter *f, char *const *v)
{
	size_t i;
	int rc, kind;

	for (i = 0; i < f->n; i++) {
		struct dterm *t = &f->t[i];
		const char *s = v[t->col];

		kind = f->cols[t->col].kind;
		switch (t->op) {
		case F_EQ:
			rc = eq_any(t, kind, s);
			break;
		case F_NE:
			rc = !eq_any(t, kind, s);
			break;
		case F_RANGE:
			if (!*s)
				rc = 0;
			else if (kind == TK_DK_TIME)
				rc = (!t->has_lo || strcmp(s, t->slo) >= 0) && (!t->has_hi || strcmp(s, t->shi) <= 0);
			else {
				long long n = strtoll(s, NULL, 10);

				rc = (!t->has_lo || n >= t->lo) && (!t->has_hi || n <= t->hi);
			}
			break;
		default:
			rc = pcre2_match(t->re, (PCRE2_SPTR)s, strlen(s), 0, 0, t->md, NULL);
			if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
				return tk_error("%s: the regex gave up (PCRE2 error %d)", t->text, rc);
			rc = (rc >= 0) == (t->op == F_RE);
			break;
		}
		if (!rc)
			return 0;
	}
	return 1;
}

const char *
tk_dfilter_eq(const tk_dfilter *f, int col)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->t[i].col == col && f->t[i].op == F_EQ && f->t[i].nvals == 1 && f->t[i].vals[0][0])
			return f->t[i].vals[0];
	return NULL;
}

int
tk_dfilter_uses(const tk_dfilter *f, int col)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->t[i].col == col)
			return 1;
	return 0;
}

/* ---- listings ---- */

int
tk_drows_init(tk_drows *r, const tk_dcol *cols, size_t ncols, const char *defcols, const char *ocols,
    enum tk_format fmt, int header)
{
	char *copy = tk_xstrdup(ocols && *ocols ? ocols : defcols), *tok, *save;
	tk_buf names = { 0 };
	size_t k = 0, cap = 8;
	int i;

	memset(r, 0, sizeof *r);
	r->col = tk_xmalloc(cap * sizeof *r->col);
	r->kinds = tk_xmalloc(cap * sizeof *r->kinds);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++) {
		if ((i = tk_dcol_lookup(cols, ncols, tok, strlen(tok))) < 0) {
			unknown_col(cols, ncols, "-o", tok, 0);
			free(copy);
			tk_buf_free(&names);
			return -1;
		}
		if (k == cap) {
			cap *= 2;
			r->col = tk_xrealloc(r->col, cap * sizeof *r->col);
			r->kinds = tk_xrealloc(r->kinds, cap * sizeof *r->kinds);
		}
		r->col[k] = i;
		r->kinds[k] = cols[i].kind == TK_DK_COUNT ? TK_K_INT : cols[i].kind == TK_DK_TIME ? TK_K_TIME : TK_K_TEXT;
		tk_buf_printf(&names, "%s%s", k ? "," : "", cols[i].name);
	}
	free(copy);
	if (!k) {
		tk_buf_free(&names);
		return tk_error("-o: no columns");
	}
	r->n = k;
	i = tk_output_init(&r->out, fmt, names.p, header);
	tk_buf_free(&names);
	return i;
}

int
tk_drows_wants(const tk_drows *r, int col)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->col[i] == col)
			return 1;
	return 0;
}

void
tk_drows_put(tk_drows *r, char *const *v)
{
	tk_str *vals = tk_xmalloc(r->n * sizeof *vals);
	size_t i;

	for (i = 0; i < r->n; i++)
		vals[i] = TK_STR(v[r->col[i]]);
	tk_output_row(&r->out, vals, r->kinds);
	free(vals);
	r->printed++;
}

void
tk_drows_end(tk_drows *r)
{
	tk_output_finish(&r->out);
	tk_output_free(&r->out);
	free(r->col);
	free(r->kinds);
}

void
tk_dvals_init(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = tk_xstrdup("");
}

void
tk_dvals_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i]);
		v[i] = NULL;
	}
}

void
tk_dvals_copy(char **dst, char *const *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(dst[i]);
		dst[i] = tk_xstrdup(src[i]);
	}
}
