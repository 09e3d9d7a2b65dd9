/*
 * fields.c - which field names a store knows and what its fields file
 * says of them: tk's own (ticket.c), the custom ones the file declares,
 * and those already holding values (sub-database fields). A writing
 * command refuses any other name and suggests the nearest known one, so a
 * typo never becomes a field.
 *
 * The fields file (tk-config(5)), one statement a line:
 *
 *	field NAME [TYPE [ARG...]]      a custom field; TYPE: text (the
 *	                                default), int [RANGE], number [RANGE],
 *	                                date, time, bool, email, or enum
 *	                                VALUE... ALIAS=VALUE...; RANGE: 1..,
 *	                                ..100, 1..5
 *	  indexed                       (indented, below a field) kept in
 *	                                ix_custom once tk-config apply built it
 *	  default VALUE                 a new ticket's value when it has none
 *	  required [in COND...]         as the statement below, for this field
 *	required NAME [in COND...]      a ticket (being made, or changing that
 *	                                field or the condition's) must have it
 *	default NAME VALUE              a new ticket's value of a field of tk's
 *
 * A condition (COND, also workflow.c's "match") is terms field=a,b (any
 * of the values) or field!=a,b, all of which must hold. Names are
 * case-insensitive and kept lowercased.
 *
 * What the file says is checked on every value that enters a ticket, by
 * the model's hooks (tk_hooks, installed by confapply.c): this module is
 * above the model and the model never calls it by name. A stored value
 * the file no longer allows stays as it is and readable: tk-config check
 * --tickets lists it.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tk.h"

/* Event names that are not field changes (DESIGN.md 3): no field takes
 * them. (workflow and index: tk-config apply's events.) */
static const char *const reserved[] = {
	"create", "body", "link", "unlink", "merge", "unmerge", "split", "mention", "reply", "note", "notify", "via",
	"workflow", "index",
	NULL
};

enum { FT_TEXT, FT_INT, FT_NUMBER, FT_DATE, FT_TIME, FT_BOOL, FT_ENUM, FT_EMAIL };
static const char *const type_names[] = { "text", "int", "number", "date", "time", "bool", "enum", "email", NULL };


struct fdef {
	char *name;
	long line;
	int type;
	char *rule;		/* "int 1..": the declaration after the name, for messages */
	int has_lo, has_hi;
	long long ilo, ihi;
	double dlo, dhi;
	char **vals;		/* enum: its values, then its aliases' names */
	size_t nvals;
	char **afrom, **ato;	/* enum: alias -> value (ato points into vals) */
	size_t nalias;
	int indexed;
	long ixline;
};

struct req {
	char *name;
	int field;
	tk_when when;
	char *text;		/* "in queue=hw", or "" */
	long line;
};

struct dflt {
	char *name;
	int field;
	char *value;
	long line;
};

static struct {
	char *path;		/* "DIR/fields": for messages */
	struct fdef *f;
	size_t nf;
	struct req *r;
	size_t nr;
	struct dflt *d;
	size_t nd;
} fc;

int
tk_event_reserved(const char *name, size_t n)
{
	const char *const *r;

	for (r = reserved; *r; r++)
		if (strlen(*r) == n && !memcmp(*r, name, n))
			return 1;
	return 0;
}

static int
is_reserved(const char *name)
{
	return tk_event_reserved(name, strlen(name));
}

int
tk_field_reserved(const char *name)
{
	return is_reserved(name);
}

/* ---- conditions ---- */

/*
 * A condition is filter terms of tk-ls(1) (query.c), all of which must
 * hold: the one filter language, on the fields a ticket stores (tk's and
 * custom ones). The ticket in hand is matched with no transaction, so
 * the fields tk works out (age, comments), id and text= are refused.
 * Matched from bulk commands' reading threads too: tk_filter_shared.
 */
void
tk_when_free(tk_when *w)
{
	tk_filter_free(w->q);
	memset(w, 0, sizeof *w);
}

int
tk_when_add(tk_when *w, const char *term)
{
	tk_term_info ti;
	int f;

	if (!tk_is_filter(term))
		return tk_error("%s: not a condition (a filter term: field=value, field=a,b, field!=value, "
		    "field~regex, field=a..b)", term);
	if (!w->q) {
		w->q = tk_filter_new();
		tk_filter_jit(w->q, 0);
		tk_filter_shared(w->q, 1);
	}
	if (tk_filter_add(w->q, term) < 0)
		return -1;
	tk_filter_term(w->q, tk_filter_size(w->q) - 1, &ti);
	f = ti.field;
	if (!strcmp(ti.name, "text"))
		return tk_error("%s: a condition cannot search the full text", term);
	if (f == TK_F_ID)
		return tk_error("id: a condition cannot ask a ticket's id");
	if (f != TK_F_CUSTOM && f >= TK_F_NSTORED)
		return tk_error("%s: a field tk works out (not stored): a condition cannot ask it", ti.name);
	w->n = tk_filter_size(w->q);
	return 0;
}

static tk_str
value_of(const tk_ticket *tk, int field, const char *name)
{
	return field == TK_F_CUSTOM ? tk_ticket_custom(tk, name) : tk->f[field];
}

int
tk_when_holds(const tk_when *w, const tk_ticket *tk)
{
	/* (stored fields only: no transaction is read) */
	return !w->q || tk_filter_match(w->q, NULL, (tk_ticket *)tk) == 1;
}

/* 1 when a field the condition asks is one of a ticket's changes (old:
 * its stored fields before, oldc its custom ones). */
static int
when_changed(const tk_when *w, const tk_str *old, const tk_custom *oldc, size_t noldc, const tk_ticket *tk)
{
	tk_term_info ti;
	size_t i, j;

	for (i = 0; i < w->n; i++) {
		tk_str was = { "", 0 };

		tk_filter_term(w->q, i, &ti);
		if (ti.field != TK_F_CUSTOM) {
			if (!tk_str_same(old[ti.field], tk->f[ti.field]))
				return 1;
			continue;
		}
		for (j = 0; j < noldc; j++)
			if (tk_str_eq(oldc[j].name, ti.name))
				was = oldc[j].value;
		if (!tk_str_same(was, tk_ticket_custom(tk, ti.name)))
			return 1;
	}
	return 0;
}

/* Custom names of a condition that the fields file does not declare:
 * the first, or NULL. */
const char *
tk_when_undeclared(const tk_when *w)
{
	tk_term_info ti;
	size_t i;

	for (i = 0; i < w->n; i++) {
		tk_filter_term(w->q, i, &ti);
		if (ti.field == TK_F_CUSTOM && !tk_fields_def(ti.name))
			return ti.name;
	}
	return NULL;
}

/* ---- loading ---- */

/* An error of the file: with errs, kept (a line each) and reading goes
 * on; without, the load stops with it in tk_errmsg. */
static int
problem(tk_conf_errs *errs)
{
	if (!errs)
		return -1;
	tk_buf_printf(&errs->msgs, "%s\n", tk_errmsg);
	errs->n++;
	return 0;
}

static void
fdef_free(struct fdef *d)
{
	size_t i;

	for (i = 0; i < d->nvals; i++)
		free(d->vals[i]);
	free(d->vals);
	for (i = 0; i < d->nalias; i++)
		free(d->afrom[i]);
	free(d->afrom);
	free(d->ato);
	free(d->name);
	free(d->rule);
}

void
tk_fields_unload(void)
{
	size_t i;

	for (i = 0; i < fc.nf; i++)
		fdef_free(&fc.f[i]);
	for (i = 0; i < fc.nr; i++) {
		free(fc.r[i].name);
		free(fc.r[i].text);
		tk_when_free(&fc.r[i].when);
	}
	for (i = 0; i < fc.nd; i++) {
		free(fc.d[i].name);
		free(fc.d[i].value);
	}
	free(fc.f);
	free(fc.r);
	free(fc.d);
	free(fc.path);
	memset(&fc, 0, sizeof fc);
}

static struct fdef *
find_def(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < fc.nf; i++)
		if (!strncmp(fc.f[i].name, name, n) && !fc.f[i].name[n])
			return &fc.f[i];
	return NULL;
}

const char *
tk_fields_def(const char *name)
{
	struct fdef *d = find_def(name, strlen(name));

	return d ? d->name : NULL;
}

int
tk_fields_kind(const char *name)
{
	struct fdef *d = find_def(name, strlen(name));

	if (!d)
		return 0;
	switch (d->type) {
	case FT_INT: return 'i';
	case FT_NUMBER: return 'n';
	case FT_DATE: return 'd';
	case FT_TIME: return 't';
	default: return 0;
	}
}

/* A number of a range: long long for int, double for number. */
static int
range_num(const char *s, size_t n, int type, long long *il, double *dl)
{
	char buf[64], *end;

	if (!n || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (type == FT_INT)
		*il = strtoll(buf, &end, 10);
	else
		*dl = strtod(buf, &end);
	return *end || errno || (type == FT_NUMBER && !isfinite(*dl)) ? -1 : 0;
}

static int
parse_range(struct fdef *d, const char *w)
{
	const char *dots = strstr(w, "..");

	if (!dots || (dots == w && !dots[2]))
		return tk_error("%s: not a range (1.., ..100, 1..5)", w);
	if (dots > w && range_num(w, (size_t)(dots - w), d->type, &d->ilo, &d->dlo) < 0)
		return tk_error("%s: %.*s is not a %s", w, (int)(dots - w), w,
		    d->type == FT_INT ? "whole number" : "number");
	if (dots[2] && range_num(dots + 2, strlen(dots + 2), d->type, &d->ihi, &d->dhi) < 0)
		return tk_error("%s: %s is not a %s", w, dots + 2, d->type == FT_INT ? "whole number" : "number");
	d->has_lo = dots > w;
	d->has_hi = dots[2] != '\0';
	if (d->has_lo && d->has_hi && (d->type == FT_INT ? d->ilo > d->ihi : d->dlo > d->dhi))
		return tk_error("%s: its low end is above its high end", w);
	return 0;
}

static int
cmp_nocase(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* An enum's words: values, and ALIAS=VALUE. */
static int
parse_enum(struct fdef *d, char **w, size_t n)
{
	size_t i, j, k;
	const char *eq;
	char **sorted;

	if (!n)
		return tk_error("enum: give its values (field %s enum A B C)", d->name);
	d->vals = tk_xmalloc(n * sizeof *d->vals);
	for (i = 0; i < n; i++)
		if (!strchr(w[i], '='))
			d->vals[d->nvals++] = tk_xstrdup(w[i]);
	/* Two values the same but for case (sorted: neighbours; an enum of a
	 * hundred values is read by every command, so values written in
	 * order, as they mostly are, are not sorted again). */
	sorted = tk_xmalloc((d->nvals + 1) * sizeof *sorted);
	memcpy(sorted, d->vals, d->nvals * sizeof *sorted);
	for (i = 1; i < d->nvals && strcasecmp(sorted[i - 1], sorted[i]) < 0; i++)
		;
	if (i < d->nvals)
		qsort(sorted, d->nvals, sizeof *sorted, cmp_nocase);
	for (i = 1; i < d->nvals; i++)
		if (!strcasecmp(sorted[i - 1], sorted[i])) {
			tk_error("enum: %s and %s differ only by case", sorted[i - 1], sorted[i]);
			free(sorted);
			return -1;
		}
	free(sorted);
	for (i = 0; i < n; i++) {
		if (!(eq = strchr(w[i], '=')))
			continue;
		if (eq == w[i] || !eq[1])
			return tk_error("%s: not an alias (ALIAS=VALUE)", w[i]);
		for (j = 0; j < d->nvals && strcmp(d->vals[j], eq + 1); j++)
			;
		if (j == d->nvals)
			return tk_error("%s: %s is not one of the values (%s)", w[i], eq + 1, d->rule + 5);
		for (k = 0; k < d->nvals; k++)
			if (!strncasecmp(d->vals[k], w[i], (size_t)(eq - w[i])) && !d->vals[k][eq - w[i]])
				return tk_error("%s: %.*s is a value already", w[i], (int)(eq - w[i]), w[i]);
		d->afrom = tk_xrealloc(d->afrom, (d->nalias + 1) * sizeof *d->afrom);
		d->ato = tk_xrealloc(d->ato, (d->nalias + 1) * sizeof *d->ato);
		d->afrom[d->nalias] = tk_xstrndup(w[i], (size_t)(eq - w[i]));
		d->ato[d->nalias++] = d->vals[j];
	}
	return 0;
}

static char *
join_words(char **w, size_t n)
{
	tk_buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			tk_buf_addc(&b, ' ');
		tk_buf_adds(&b, w[i]);
	}
	return b.p ? b.p : tk_xstrdup("");
}

/* "field NAME [TYPE ARG...]": 0, or -1 with tk_errmsg (the caller adds file:line). */
static int
parse_field(tk_conf *c, struct fdef *d)
{
	size_t i;

	memset(d, 0, sizeof *d);
	d->line = c->lineno;
	if (c->nw < 2)
		return tk_error("field: give its name (field NAME [TYPE])");
	d->name = tk_xstrdup(c->w[1]);
	tk_field_name_lower(d->name);
	if (!tk_field_name_ok(d->name))
		return tk_error("field %s: not a field name (a letter, then letters, digits, _ - .; "
		    "at most 64 bytes)", c->w[1]);
	if (tk_field_lookup(d->name) != TK_F_CUSTOM)
		return tk_error("field %s: a built-in field of tk, not to be declared", c->w[1]);
	if (is_reserved(d->name))
		return tk_error("field %s: a reserved word of the event log", c->w[1]);
	if (find_def(d->name, strlen(d->name)))
		return tk_error("field %s: declared twice", d->name);
	d->rule = join_words(c->w + 2, c->nw - 2);
	if (c->nw == 2) {
		free(d->rule);
		d->rule = tk_xstrdup("text");
		return 0;
	}
	for (i = 0; type_names[i] && strcmp(type_names[i], c->w[2]); i++)
		;
	if (!type_names[i])
		return tk_error("field %s %s: no such type (text, int, number, date, time, bool, enum, email)",
		    d->name, c->w[2]);
	d->type = (int)i;
	switch (d->type) {
	case FT_ENUM:
		return parse_enum(d, c->w + 3, c->nw - 3);
	case FT_INT:
	case FT_NUMBER:
		if (c->nw > 4)
			return tk_error("field %s %s %s: a %s takes one range at most", d->name, c->w[2], c->w[4], c->w[2]);
		return c->nw == 4 ? parse_range(d, c->w[3]) : 0;
	default:
		if (c->nw > 3)
			return tk_error("field %s %s %s: a %s field takes nothing more", d->name, c->w[2], c->w[3], c->w[2]);
		return 0;
	}
}

/* "... in COND..." from word i: 0, or -1. */
static int
parse_in(tk_conf *c, size_t i, tk_when *w, char **text)
{
	*text = tk_xstrdup("");
	if (i == c->nw)
		return 0;
	if (strcmp(c->w[i], "in") || i + 1 == c->nw)
		return tk_error("%s: \"in\" and a condition expected (required NAME in queue=hw)", c->w[i]);
	free(*text);
	*text = join_words(c->w + i, c->nw - i);
	for (i++; i < c->nw; i++)
		if (tk_when_add(w, c->w[i]) < 0)
			return -1;
	return 0;
}

static int
add_required(tk_conf *c, const char *name, size_t from)
{
	struct req r;

	memset(&r, 0, sizeof r);
	r.line = c->lineno;
	r.name = tk_xstrdup(name);
	tk_field_name_lower(r.name);
	r.field = tk_field_lookup(r.name);
	if (parse_in(c, from, &r.when, &r.text) < 0 ||
	    (r.field != TK_F_CUSTOM && (r.field >= TK_F_NSTORED || tk_fields[r.field].readonly) &&
	    tk_error("required %s: a field tk sets itself", r.name) < 0)) {
		free(r.name);
		free(r.text);
		tk_when_free(&r.when);
		return -1;
	}
	fc.r = tk_xrealloc(fc.r, (fc.nr + 1) * sizeof *fc.r);
	fc.r[fc.nr++] = r;
	return 0;
}

static int
add_default(tk_conf *c, const char *name, char **w, size_t n)
{
	struct dflt d;

	if (!n)
		return tk_error("default: give the value (default VALUE under a field, or default NAME VALUE)");
	memset(&d, 0, sizeof d);
	d.line = c->lineno;
	d.name = tk_xstrdup(name);
	tk_field_name_lower(d.name);
	d.field = tk_field_lookup(d.name);
	d.value = join_words(w, n);
	if (d.field == TK_F_STATUS || (d.field != TK_F_CUSTOM && (d.field >= TK_F_NSTORED || tk_fields[d.field].readonly))) {
		tk_error("default %s: %s", d.name, d.field == TK_F_STATUS ?
		    "a new ticket's status is the first of the workflow (workflow file)" : "a field tk sets itself");
		free(d.name);
		free(d.value);
		return -1;
	}
	fc.d = tk_xrealloc(fc.d, (fc.nd + 1) * sizeof *fc.d);
	fc.d[fc.nd++] = d;
	return 0;
}

/* After the whole file: names used before their field line, defaults
 * and conditions checked against the types. */
static int
finish(tk_conf *c, tk_conf_errs *errs)
{
	char buf[TK_VALUE_BUF];
	size_t i;
	tk_str out;
	const char *u;

	for (i = 0; i < fc.nr; i++) {
		c->lineno = fc.r[i].line;
		if ((fc.r[i].field == TK_F_CUSTOM && !find_def(fc.r[i].name, strlen(fc.r[i].name)) &&
		    tk_conf_error(c, "required %s: no such field (declare it with a field line)", fc.r[i].name) < 0 &&
		    problem(errs) < 0) ||
		    ((u = tk_when_undeclared(&fc.r[i].when)) &&
		    tk_conf_error(c, "required %s %s: no field %s", fc.r[i].name, fc.r[i].text, u) < 0 &&
		    problem(errs) < 0))
			return -1;
	}
	for (i = 0; i < fc.nd; i++) {
		struct dflt *d = &fc.d[i];
		int rc = 0;

		c->lineno = d->line;
		if (d->field == TK_F_CUSTOM && !find_def(d->name, strlen(d->name)))
			rc = tk_conf_error(c, "default %s: no such field (declare it with a field line)", d->name);
		else if (d->field == TK_F_CUSTOM && tk_field_value(d->name, d->value, buf, &out) < 0)
			rc = tk_conf_error(c, "default: %s", tk_errmsg);
		else if (d->field != TK_F_CUSTOM) {
			tk_assign a = { d->field, d->name, d->value, '=', 1 };
			tk_ticket scratch;

			tk_ticket_init(&scratch);
			if (tk_ticket_assign_one(&scratch, &a, TK_APPLY_CREATE | TK_APPLY_SYNTAX) < 0)
				rc = tk_conf_error(c, "default: %s", tk_errmsg);
			tk_ticket_free(&scratch);
		}
		if (rc < 0 && problem(errs) < 0)
			return -1;
	}
	return 0;
}

int
tk_fields_read(const char *dir, tk_conf_errs *errs)
{
	struct fdef *cur = NULL;
	struct fdef d;
	tk_conf c;
	int rc;

	tk_fields_unload();
	if ((rc = tk_conf_open(&c, dir, "fields")) <= 0)
		return rc < 0 && errs ? problem(errs) : rc;
	fc.path = tk_xstrdup(c.path);
	while ((rc = tk_conf_next(&c)) > 0) {
		const char *kw = c.w[0];
		int bad = 0;

		if (c.indented && !strcmp(kw, "indexed")) {
			if (!cur)
				bad = tk_conf_error(&c, "indexed: under a field line (field NAME ..., then \"  indexed\")");
			else if (c.nw > 1)
				bad = tk_conf_error(&c, "indexed %s: takes nothing more", c.w[1]);
			else {
				cur->indexed = 1;
				cur->ixline = c.lineno;
			}
		} else if (c.indented && !strcmp(kw, "default")) {
			if (!cur)
				bad = tk_conf_error(&c, "default: under a field line, or \"default NAME VALUE\"");
			else if (add_default(&c, cur->name, c.w + 1, c.nw - 1) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else if (c.indented && !strcmp(kw, "required")) {
			if (!cur)
				bad = tk_conf_error(&c, "required: under a field line, or \"required NAME [in ...]\"");
			else if (add_required(&c, cur->name, 1) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else if (c.indented && cur) {
			bad = tk_conf_error(&c, "%s: not a line of a field (indexed, default VALUE, required [in ...])", kw);
		} else if (!strcmp(kw, "field")) {
			cur = NULL;
			if (parse_field(&c, &d) < 0) {
				bad = tk_conf_error(&c, "%s", tk_errmsg);
				fdef_free(&d);
			} else {
				fc.f = tk_xrealloc(fc.f, (fc.nf + 1) * sizeof *fc.f);
				fc.f[fc.nf] = d;
				cur = &fc.f[fc.nf++];
			}
		} else if (!strcmp(kw, "required")) {
			cur = NULL;
			if (c.nw < 2)
				bad = tk_conf_error(&c, "required: give the field (required NAME [in queue=hw])");
			else if (add_required(&c, c.w[1], 2) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else if (!strcmp(kw, "default")) {
			cur = NULL;
			if (c.nw < 3)
				bad = tk_conf_error(&c, "default: give the field and its value (default NAME VALUE)");
			else if (add_default(&c, c.w[1], c.w + 2, c.nw - 2) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else {
			cur = NULL;
			bad = tk_conf_error(&c, "%s: not a statement of this file (field, required, default)", kw);
		}
		if (bad < 0 && problem(errs) < 0)
			goto fail;
	}
	if (rc < 0 && problem(errs) < 0)
		goto fail;
	if (finish(&c, errs) < 0)
		goto fail;
	tk_conf_close(&c);
	return errs && errs->n ? -1 : 0;
fail:
	tk_conf_close(&c);
	return -1;
}

int
tk_fields_load(tk_store *st)
{
	size_t i;

	for (i = 0; i < st->ndeclared; i++)
		free(st->declared[i]);
	free(st->declared);
	st->declared = NULL;
	st->ndeclared = 0;
	if (tk_fields_read(st->dir, NULL) < 0)
		return -1;
	st->declared = tk_xmalloc((fc.nf ? fc.nf : 1) * sizeof *st->declared);
	for (i = 0; i < fc.nf; i++)
		st->declared[i] = tk_xstrdup(fc.f[i].name);
	st->ndeclared = fc.nf;
	return 0;
}

size_t
tk_fields_indexed(const char ***names, long **lines)
{
	static const char **nv;
	static long *lv;
	size_t i, n = 0;

	nv = tk_xrealloc(nv, (fc.nf + 1) * sizeof *nv);
	lv = tk_xrealloc(lv, (fc.nf + 1) * sizeof *lv);
	for (i = 0; i < fc.nf; i++)
		if (fc.f[i].indexed) {
			nv[n] = fc.f[i].name;
			lv[n++] = fc.f[i].ixline;
		}
	*names = nv;
	*lines = lv;
	return n;
}

const char *
tk_fields_path(void)
{
	return fc.path ? fc.path : "fields";
}

/* ---- values ---- */

static const char *
file_name(void)
{
	const char *s = fc.path ? strrchr(fc.path, '/') : NULL;

	return s ? s + 1 : "fields";
}

/* "name=v: why (fields:3: int 1..)": the field, the value, the rule. */
static int
refuse(const struct fdef *d, const char *v, const char *why)
{
	return tk_error("%s=%s: %s (%s:%ld: field %s %s)", d->name, v, why, file_name(), d->line, d->name, d->rule);
}

static int
check_int(const struct fdef *d, const char *v, char *buf, tk_str *out)
{
	long long n;
	char *end;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!isdigit((unsigned char)v[*v == '-' || *v == '+']) || *end || errno)
		return refuse(d, v, "not a whole number");
	if ((d->has_lo && n < d->ilo) || (d->has_hi && n > d->ihi))
		return refuse(d, v, "out of range");
	snprintf(buf, TK_VALUE_BUF, "%lld", n);
	*out = TK_STR(buf);
	return 0;
}

static int
check_number(const struct fdef *d, const char *v, tk_str *out)
{
	const char *p = v + (*v == '-' || *v == '+');
	double x;
	char *end;

	errno = 0;
	x = strtod(v, &end);
	if (!(isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) || *end || errno ||
	    !isfinite(x))
		return refuse(d, v, "not a number");
	if ((d->has_lo && x < d->dlo) || (d->has_hi && x > d->dhi))
		return refuse(d, v, "out of range");
	*out = TK_STR(v + (*v == '+'));
	return 0;
}

static int
check_date(const struct fdef *d, const char *v, char *buf, tk_str *out)
{
	time_t when;
	struct tm tm;

	if (tk_time_parse(v, &when, NULL) < 0)
		return refuse(d, v, "not a date (2026-11-30, or a time such as 3d)");
	localtime_r(&when, &tm);
	strftime(buf, TK_VALUE_BUF, "%Y-%m-%d", &tm);
	*out = TK_STR(buf);
	return 0;
}

static int
two_digits(const char *p, int *v)
{
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
		return -1;
	*v = (p[0] - '0') * 10 + p[1] - '0';
	return 0;
}

/* HH:MM or HH:MM:SS (H:MM too), a time of day: kept with two digits each. */
static int
check_time(const struct fdef *d, const char *v, char *buf, tk_str *out)
{
	const char *p;
	int h, m, s = -1;

	if (isdigit((unsigned char)v[0]) && v[1] == ':') {
		h = v[0] - '0';
		p = v + 2;
	} else if (two_digits(v, &h) == 0 && v[2] == ':')
		p = v + 3;
	else
		return refuse(d, v, "not a time of day (HH:MM or HH:MM:SS)");
	if (two_digits(p, &m) < 0 || (p[2] && (p[2] != ':' || two_digits(p + 3, &s) < 0 || p[5])))
		return refuse(d, v, "not a time of day (HH:MM or HH:MM:SS)");
	if (h > 23 || m > 59 || s > 59)
		return refuse(d, v, "no such time of day");
	if (s >= 0)
		snprintf(buf, TK_VALUE_BUF, "%02d:%02d:%02d", h, m, s);
	else
		snprintf(buf, TK_VALUE_BUF, "%02d:%02d", h, m);
	*out = TK_STR(buf);
	return 0;
}

static int
check_bool(const struct fdef *d, const char *v, tk_str *out)
{
	static const char *const yes[] = { "yes", "y", "true", "on", "1", "是", NULL };
	static const char *const no[] = { "no", "n", "false", "off", "0", "否", NULL };
	size_t i;

	for (i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i])) {
			*out = TK_STR("yes");
			return 0;
		}
	for (i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i])) {
			*out = TK_STR("no");
			return 0;
		}
	return refuse(d, v, "not yes or no");
}

static int
check_enum(const struct fdef *d, const char *v, tk_str *out)
{
	size_t i;

	for (i = 0; i < d->nvals; i++)
		if (!strcmp(d->vals[i], v)) {
			*out = TK_STR(d->vals[i]);
			return 0;
		}
	for (i = 0; i < d->nalias; i++)
		if (!strcmp(d->afrom[i], v)) {
			*out = TK_STR(d->ato[i]);
			return 0;
		}
	/* Letters as people type them: x200 is X200. */
	for (i = 0; i < d->nvals; i++)
		if (!strcasecmp(d->vals[i], v)) {
			*out = TK_STR(d->vals[i]);
			return 0;
		}
	for (i = 0; i < d->nalias; i++)
		if (!strcasecmp(d->afrom[i], v)) {
			*out = TK_STR(d->ato[i]);
			return 0;
		}
	{
		tk_buf b = { 0 };
		int rc;

		tk_buf_adds(&b, "not one of ");
		for (i = 0; i < d->nvals; i++)
			tk_buf_printf(&b, "%s%s", i ? ", " : "", d->vals[i]);
		rc = refuse(d, v, b.p);
		tk_buf_free(&b);
		return rc;
	}
}

static int
check_email(const struct fdef *d, const char *v, char *buf, tk_str *out)
{
	tk_str name, addr;
	const char *at, *dot;

	if (!tk_address_split(v, strlen(v), &name, &addr) || addr.n >= TK_VALUE_BUF)
		return refuse(d, v, "not an e-mail address");
	at = memchr(addr.p, '@', addr.n);
	dot = memchr(at, '.', (size_t)(addr.p + addr.n - at));
	if (!dot || dot == at + 1 || addr.p[addr.n - 1] == '.')
		return refuse(d, v, "not an e-mail address (its domain has no dot)");
	memcpy(buf, addr.p, addr.n);
	buf[addr.n] = '\0';
	tk_address_lower(buf, addr.n);
	*out = (tk_str){ buf, addr.n };
	return 0;
}

int
tk_field_value(const char *name, const char *v, char *buf, tk_str *out)
{
	const struct fdef *d = find_def(name, strlen(name));

	*out = TK_STR(v);
	if (!d || !*v)
		return 0;
	switch (d->type) {
	case FT_INT: return check_int(d, v, buf, out);
	case FT_NUMBER: return check_number(d, v, out);
	case FT_DATE: return check_date(d, v, buf, out);
	case FT_TIME: return check_time(d, v, buf, out);
	case FT_BOOL: return check_bool(d, v, out);
	case FT_ENUM: return check_enum(d, v, out);
	case FT_EMAIL: return check_email(d, v, buf, out);
	default: return 0;
	}
}

size_t
tk_field_enum_values(const char *name, const char *const **vals)
{
	const struct fdef *d = find_def(name, strlen(name));

	if (!d || d->type != FT_ENUM)
		return 0;
	*vals = (const char *const *)d->vals;
	return d->nvals;
}

/* ---- defaults and required fields (the model's hooks, confapply.c) ---- */

int
tk_fields_defaults(tk_ticket *tk)
{
	char buf[TK_VALUE_BUF];
	size_t i;
	tk_str out;

	for (i = 0; i < fc.nd; i++) {
		const struct dflt *d = &fc.d[i];

		if (d->field == TK_F_CUSTOM) {
			tk_custom *c;

			if (tk_ticket_custom(tk, d->name).n || tk_field_value(d->name, d->value, buf, &out) < 0)
				continue;	/* (checked when the file was read) */
			out = tk_ticket_own(tk, out.p, out.n);
			c = tk_ticket_custom_slot(tk, tk_ticket_own(tk, d->name, strlen(d->name)).p, strlen(d->name));
			c->value = out;
		} else if (!tk->f[d->field].n) {
			tk_assign a = { d->field, d->name, d->value, '=', 1 };

			if (tk_ticket_assign_one(tk, &a, TK_APPLY_CREATE) < 0)
				return -1;
		}
	}
	return 0;
}

int
tk_fields_required(const tk_str *old, const tk_custom *oldc, size_t noldc, const tk_ticket *tk)
{
	size_t i, j;

	for (i = 0; i < fc.nr; i++) {
		const struct req *r = &fc.r[i];
		tk_str now = value_of(tk, r->field, r->name);

		if (now.n || !tk_when_holds(&r->when, tk))
			continue;
		/* A change asks only what it touches: the field itself, or what
		 * the condition asks (a ticket moved into queue hw). */
		if (old) {
			tk_str was = { "", 0 };

			if (r->field != TK_F_CUSTOM)
				was = old[r->field];
			else
				for (j = 0; j < noldc; j++)
					if (tk_str_eq(oldc[j].name, r->name))
						was = oldc[j].value;
			if (!was.n && !when_changed(&r->when, old, oldc, noldc, tk))
				continue;
		}
		return tk_error("%s: required%s%s, and the ticket has none (%s:%ld)", r->name, *r->text ? " " : "",
		    r->text, file_name(), r->line);
	}
	return 0;
}

/* What a stored ticket holds that the fields file refuses now (tk-config
 * check --tickets): fn for each such field with its value and why. */
int
tk_fields_ticket_problems(const tk_ticket *tk, int (*fn)(const tk_ticket *, const char *, tk_str, const char *, void *),
    void *arg)
{
	char buf[TK_VALUE_BUF], *v;
	size_t i;
	tk_str out;
	int rc;

	for (i = 0; i < tk->ncustom; i++) {
		const tk_custom *c = &tk->custom[i];
		const struct fdef *d = find_def(c->name.p, c->name.n);

		if (!d || !c->value.n)
			continue;
		v = tk_xstrndup(c->value.p, c->value.n);
		rc = tk_field_value(d->name, v, buf, &out);
		/* A value the file would keep otherwise (x200 for X200) is as
		 * good as its own. */
		if (rc < 0 && (rc = fn(tk, d->name, c->value, tk_errmsg, arg)) != 0) {
			free(v);
			return rc;
		}
		free(v);
	}
	for (i = 0; i < fc.nr; i++) {
		const struct req *r = &fc.r[i];
		char why[256];

		if (value_of(tk, r->field, r->name).n || !tk_when_holds(&r->when, tk))
			continue;
		snprintf(why, sizeof why, "%s: required%s%s, and the ticket has none (%s:%ld)", r->name,
		    *r->text ? " " : "", r->text, file_name(), r->line);
		if ((rc = fn(tk, r->name, (tk_str){ "", 0 }, why, arg)) != 0)
			return rc;
	}
	return 0;
}

/* ---- names ---- */

int
tk_field_declared(const tk_store *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->ndeclared; i++)
		if (!strcmp(st->declared[i], name))
			return 1;
	return 0;
}

int
tk_field_known(tk_txn *t, const char *name)
{
	return tk_field_declared(t->st, name) || tk_field_registered(t, name, strlen(name));
}

/*
 * "NAME: no such field": the nearest of tk's fields, the declared ones and
 * those the store holds (t NULL: a store not made yet, st its directory's
 * fields file only), as "did you mean".
 */
static int
unknown(tk_store *st, tk_txn *t, const char *what, const char *name)
{
	tk_nearest nr;
	MDB_cursor *c;
	MDB_val k, v;
	char *held = NULL;
	size_t i;
	int rc;

	tk_nearest_init(&nr, name);
	for (i = 1; i < TK_F_NFIELDS; i++)
		tk_nearest_try(&nr, tk_fields[i].name);
	for (i = 0; i < st->ndeclared; i++)
		tk_nearest_try(&nr, st->declared[i]);
	if (t && !mdb_cursor_open(t->txn, st->dbi[TK_DB_FIELDS], &c)) {
		/* (A store holds a few dozen names; the nearest is copied out.) */
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			char *s = tk_xstrndup(k.mv_data, k.mv_size);

			tk_nearest_try(&nr, s);
			if (nr.best == s) {
				free(held);
				held = s;
			} else
				free(s);
		}
		mdb_cursor_close(c);
	}
	if (nr.best)
		tk_error("%s: no field %s; did you mean %s?", what, name, nr.best);
	else
		tk_error("%s: no field %s (tk-ls(1) lists tk's fields; declare a custom one with a line "
		    "\"field %s\" in %s/fields)", what, name, name, st->dir);
	free(held);
	return -1;
}

int
tk_field_check(tk_store *st, tk_txn *t, const char *what, const char *name)
{
	if (tk_field_lookup(name) != TK_F_CUSTOM)
		return 0;
	if (tk_field_declared(st, name) || (t && tk_field_registered(t, name, strlen(name))))
		return 0;
	return unknown(st, t, what, name);
}

int
tk_assignments_check(tk_store *st, tk_txn *t, const tk_assignments *as)
{
	size_t i;
	char what[96];

	for (i = 0; i < as->n; i++) {
		if (as->a[i].field != TK_F_CUSTOM)
			continue;
		snprintf(what, sizeof what, "%s=%.*s%s", as->a[i].name, 24, as->a[i].value,
		    strlen(as->a[i].value) > 24 ? "..." : "");
		if (tk_field_check(st, t, what, as->a[i].name) < 0)
			return -1;
	}
	return 0;
}
