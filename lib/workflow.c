/*
 * workflow.c - the store's workflow file (tk-config(5)): its statuses
 * with their classes, its ticket types, and which status may follow which,
 * for all tickets or, in a flow of its own, for those of some queues or
 * types. One statement a line:
 *
 *	status NAME CLASS           in order; CLASS: open, paused, resolved,
 *	                            closed; the first is a new ticket's
 *	type NAME...                the ticket types (none: type is free text)
 *	allow FROM... -> TO...      FROM and TO statuses, or *: the moves
 *	                            allowed (none: the default rules by class)
 *	flow NAME                   a flow of its own: for the tickets a
 *	  match COND...             match line's condition holds for (several
 *	  allow FROM... -> TO...    lines: any), the first flow that matches
 *	                            has its own allow lines instead
 *
 * With no file, tk's default workflow (SPEC.md): new, open (class open),
 * pending (paused), resolved, closed. The statuses' classes are the
 * store's (status.c, meta "statuses"), which only tk-config apply changes
 * (confapply.c): the file says what they should be.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tk.h"

struct flow {
	char *name;
	long line;
	tk_when *match;		/* any of them */
	size_t nmatch;
	uint64_t allow[TK_STATUS_MAX];	/* allow[i]: bit j when status j may follow status i */
	int has_allow;
};

static struct {
	char *path;
	int present;		/* the file exists */
	tk_status_def st[TK_STATUS_MAX];
	long stline[TK_STATUS_MAX];
	size_t nst;
	char **types;
	size_t ntypes;
	long typeline;
	struct flow def;	/* the top-level allow lines */
	struct flow *flows;
	size_t nflows;
} wf;

static void
flow_free(struct flow *f)
{
	size_t i;

	for (i = 0; i < f->nmatch; i++)
		tk_when_free(&f->match[i]);
	free(f->match);
	free(f->name);
	memset(f, 0, sizeof *f);
}

void
tk_workflow_unload(void)
{
	size_t i;

	for (i = 0; i < wf.ntypes; i++)
		free(wf.types[i]);
	free(wf.types);
	for (i = 0; i < wf.nflows; i++)
		flow_free(&wf.flows[i]);
	free(wf.flows);
	flow_free(&wf.def);
	free(wf.path);
	memset(&wf, 0, sizeof wf);
}

static int
problem(tk_conf_errs *errs)
{
	if (!errs)
		return -1;
	tk_buf_printf(&errs->msgs, "%s\n", tk_errmsg);
	errs->n++;
	return 0;
}

static int
status_index(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < wf.nst; i++)
		if (wf.st[i].len == n && !memcmp(wf.st[i].name, name, n))
			return (int)i;
	return -1;
}

static int
add_status(tk_conf *c)
{
	size_t n;
	int cls;

	if (c->nw != 3)
		return tk_error("status: give a name and its class (status NAME open|paused|resolved|closed)");
	n = strlen(c->w[1]);
	if (!tk_status_name_ok(c->w[1], n))
		return tk_error("status %s: not a status name (1 to 64 bytes; no blank, comma, = or #; "
		    "not starting with + - *)", c->w[1]);
	if (!(cls = tk_class_lookup(c->w[2], strlen(c->w[2]))))
		return tk_error("status %s %s: no such class (open, paused, resolved, closed)", c->w[1], c->w[2]);
	if (status_index(c->w[1], n) >= 0)
		return tk_error("status %s: listed twice", c->w[1]);
	if (wf.nst == TK_STATUS_MAX)
		return tk_error("status %s: more than %d statuses", c->w[1], TK_STATUS_MAX);
	if (!wf.nst && cls != TK_CLASS_OPEN)
		return tk_error("status %s %s: the first status is a new ticket's: its class must be open",
		    c->w[1], c->w[2]);
	memset(&wf.st[wf.nst], 0, sizeof wf.st[wf.nst]);
	memcpy(wf.st[wf.nst].name, c->w[1], n);
	wf.st[wf.nst].len = (unsigned char)n;
	wf.st[wf.nst].cls = (unsigned char)cls;
	wf.stline[wf.nst++] = c->lineno;
	return 0;
}

static int
add_types(tk_conf *c)
{
	size_t i, j;

	if (c->nw < 2)
		return tk_error("type: give the types (type incident request problem change)");
	for (i = 1; i < c->nw; i++) {
		if (!tk_status_name_ok(c->w[i], strlen(c->w[i])))
			return tk_error("type %s: not a type name (no blank, comma, = or #)", c->w[i]);
		for (j = 0; j < wf.ntypes; j++)
			if (!strcasecmp(wf.types[j], c->w[i]))
				return tk_error("type %s: listed twice", c->w[i]);
		wf.types = tk_xrealloc(wf.types, (wf.ntypes + 1) * sizeof *wf.types);
		wf.types[wf.ntypes++] = tk_xstrdup(c->w[i]);
	}
	if (!wf.typeline)
		wf.typeline = c->lineno;
	return 0;
}

/* The statuses a word of an allow line names: a status, or * (all). */
static int
status_set(const char *w, uint64_t *set)
{
	int i;

	if (!strcmp(w, "*")) {
		*set |= wf.nst == 64 ? ~0ULL : (1ULL << wf.nst) - 1;
		return 0;
	}
	if ((i = status_index(w, strlen(w))) < 0)
		return tk_error("%s: not a status of this file (status lines come before allow lines)", w);
	*set |= 1ULL << i;
	return 0;
}

/* "allow FROM... -> TO...". */
static int
add_allow(tk_conf *c, struct flow *f)
{
	uint64_t from = 0, to = 0;
	size_t i, arrow = 0;

	for (i = 1; i < c->nw; i++)
		if (!strcmp(c->w[i], "->"))
			arrow = i;
	if (!arrow || arrow == 1 || arrow == c->nw - 1)
		return tk_error("allow: FROM... -> TO... (allow open pending -> resolved closed)");
	for (i = 1; i < c->nw; i++)
		if (i != arrow && status_set(c->w[i], i < arrow ? &from : &to) < 0)
			return -1;
	for (i = 0; i < wf.nst; i++)
		if (from & (1ULL << i))
			f->allow[i] |= to;
	f->has_allow = 1;
	return 0;
}

int
tk_workflow_read(const char *dir, tk_conf_errs *errs)
{
	struct flow *cur = NULL;
	tk_conf c;
	size_t i;
	int rc;

	tk_workflow_unload();
	if ((rc = tk_conf_open(&c, dir, "workflow")) <= 0) {
		if (!rc)
			tk_status_defaults(wf.st, &wf.nst);
		return rc < 0 && errs ? problem(errs) : rc;
	}
	wf.present = 1;
	wf.path = tk_xstrdup(c.path);
	while ((rc = tk_conf_next(&c)) > 0) {
		const char *kw = c.w[0];
		int bad = 0;

		if (c.indented && cur && !strcmp(kw, "match")) {
			tk_when w = { 0 };

			if (c.nw < 2)
				bad = tk_conf_error(&c, "match: give a condition (match queue=hw type=change)");
			for (i = 1; i < c.nw && !bad; i++)
				if (tk_when_add(&w, c.w[i]) < 0)
					bad = tk_conf_error(&c, "%s", tk_errmsg);
			if (!bad && tk_when_undeclared(&w))
				bad = tk_conf_error(&c, "match: no field %s (declare it in the fields file)",
				    tk_when_undeclared(&w));
			if (bad)
				tk_when_free(&w);
			else {
				cur->match = tk_xrealloc(cur->match, (cur->nmatch + 1) * sizeof *cur->match);
				cur->match[cur->nmatch++] = w;
			}
		} else if (c.indented && cur && !strcmp(kw, "allow")) {
			if (add_allow(&c, cur) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else if (c.indented && cur) {
			bad = tk_conf_error(&c, "%s: not a line of a flow (match COND..., allow FROM... -> TO...)", kw);
		} else if (!strcmp(kw, "status")) {
			cur = NULL;
			if (add_status(&c) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else if (!strcmp(kw, "type")) {
			cur = NULL;
			if (add_types(&c) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else if (!strcmp(kw, "allow")) {
			cur = NULL;
			if (add_allow(&c, &wf.def) < 0)
				bad = tk_conf_error(&c, "%s", tk_errmsg);
		} else if (!strcmp(kw, "flow")) {
			cur = NULL;
			if (c.nw != 2)
				bad = tk_conf_error(&c, "flow: give its name (flow NAME), then indented match and allow lines");
			for (i = 0; i < wf.nflows && !bad; i++)
				if (!strcmp(wf.flows[i].name, c.w[1]))
					bad = tk_conf_error(&c, "flow %s: named twice", c.w[1]);
			if (!bad) {
				wf.flows = tk_xrealloc(wf.flows, (wf.nflows + 1) * sizeof *wf.flows);
				cur = &wf.flows[wf.nflows++];
				memset(cur, 0, sizeof *cur);
				cur->name = tk_xstrdup(c.w[1]);
				cur->line = c.lineno;
			}
		} else {
			cur = NULL;
			bad = tk_conf_error(&c, "%s: not a statement of this file (status, type, allow, flow)", kw);
		}
		if (bad < 0 && problem(errs) < 0)
			goto fail;
	}
	if (rc < 0 && problem(errs) < 0)
		goto fail;
	c.lineno = 0;
	if (!wf.nst && tk_conf_error(&c, "no status line: a workflow lists its statuses "
	    "(status new open, ...)") < 0 && problem(errs) < 0)
		goto fail;
	for (i = 0; i < wf.nflows; i++) {
		c.lineno = wf.flows[i].line;
		if (!wf.flows[i].nmatch && tk_conf_error(&c, "flow %s: no match line (the tickets it is for)",
		    wf.flows[i].name) < 0 && problem(errs) < 0)
			goto fail;
	}
	tk_conf_close(&c);
	if (errs && errs->n) {
		if (!wf.nst)
			tk_status_defaults(wf.st, &wf.nst);
		return -1;
	}
	return 0;
fail:
	tk_conf_close(&c);
	if (!wf.nst)
		tk_status_defaults(wf.st, &wf.nst);
	return -1;
}

int
tk_workflow_present(void)
{
	return wf.present;
}

const char *
tk_workflow_path(void)
{
	return wf.path ? wf.path : "workflow";
}

size_t
tk_workflow_statuses(const tk_status_def **defs, const long **lines)
{
	*defs = wf.st;
	*lines = wf.stline;
	return wf.nst;
}

size_t
tk_workflow_types(const char *const **types)
{
	*types = (const char *const *)wf.types;
	return wf.ntypes;
}

static const char *
file_name(void)
{
	const char *s = wf.path ? strrchr(wf.path, '/') : NULL;

	return s ? s + 1 : "workflow";
}

/* type=V: one of the file's types (as the file spells it), when it has any. */
int
tk_workflow_type(const char *v, tk_str *out)
{
	tk_buf b = { 0 };
	size_t i;
	int rc;

	*out = TK_STR(v);
	if (!wf.ntypes || !*v)
		return 0;
	for (i = 0; i < wf.ntypes; i++)
		if (!strcmp(wf.types[i], v)) {
			*out = TK_STR(wf.types[i]);
			return 0;
		}
	for (i = 0; i < wf.ntypes; i++)
		if (!strcasecmp(wf.types[i], v)) {
			*out = TK_STR(wf.types[i]);
			return 0;
		}
	for (i = 0; i < wf.ntypes; i++)
		tk_buf_printf(&b, "%s%s", i ? ", " : "", wf.types[i]);
	rc = tk_error("type=%s: not a type of this store (%s) (%s:%ld)", v, b.p, file_name(), wf.typeline);
	tk_buf_free(&b);
	return rc;
}

/* The flow a ticket follows: the first whose match holds, else the file's own. */
static const struct flow *
flow_of(const tk_ticket *tk)
{
	size_t i, j;

	for (i = 0; i < wf.nflows; i++)
		for (j = 0; j < wf.flows[i].nmatch; j++)
			if (tk_when_holds(&wf.flows[i].match[j], tk))
				return &wf.flows[i];
	return &wf.def;
}

const char *
tk_workflow_flow_of(const tk_ticket *tk)
{
	const struct flow *f = flow_of(tk);

	return f->name ? f->name : "";
}

/*
 * Status from -> the ticket's status now, for the flow the ticket (as the
 * change leaves it) follows: 0, or -1 with tk_errmsg naming the statuses
 * that may follow. A flow with no allow lines has the default rules by
 * class (tk_status_transition_check); a ticket in a status the file no
 * longer has may go to any of its statuses.
 */
int
tk_workflow_transition(tk_str from, const tk_ticket *tk)
{
	const struct flow *f = flow_of(tk);
	tk_str to = tk->f[TK_F_STATUS];
	tk_buf b = { 0 }, where = { 0 };
	int fi, ti;
	size_t i;
	char *tos;

	if (!from.n || tk_str_same(from, to))
		return 0;
	if (!f->has_allow) {
		int rc;

		tos = tk_xstrndup(to.p, to.n);
		rc = tk_status_transition_check(from, tos);
		free(tos);
		if (rc < 0 && f->name) {
			char msg[1024];

			snprintf(msg, sizeof msg, "%s", tk_errmsg);
			tk_error("%s (flow %s, %s:%ld)", msg, f->name, file_name(), f->line);
		}
		return rc;
	}
	if ((fi = status_index(from.p, from.n)) < 0)
		return 0;
	ti = status_index(to.p, to.n);
	if (ti >= 0 && (f->allow[fi] & (1ULL << ti)))
		return 0;
	for (i = 0; i < wf.nst; i++)
		if (f->allow[fi] & (1ULL << i) && (int)i != fi)
			tk_buf_printf(&b, "%s%s", b.len ? ", " : "", wf.st[i].name);
	if (f->name)
		tk_buf_printf(&where, "flow %s, %s:%ld", f->name, file_name(), f->line);
	else
		tk_buf_printf(&where, "%s", file_name());
	if (b.len)
		tk_error("status %.*s -> %.*s is not allowed (from %.*s: %s; %s)", (int)from.n, from.p, (int)to.n, to.p,
		    (int)from.n, from.p, b.p, where.p);
	else
		tk_error("status %.*s -> %.*s is not allowed (%.*s is final; %s)", (int)from.n, from.p, (int)to.n, to.p,
		    (int)from.n, from.p, where.p);
	tk_buf_free(&b);
	tk_buf_free(&where);
	return -1;
}

/*
 * The file and the store's table (status.c) agree: the same statuses in
 * the same order with the same classes (statuses the store keeps dropped
 * aside). 0, or -1 with tk_errmsg saying where they differ.
 */
int
tk_workflow_agrees(void)
{
	const tk_status_def *d;
	size_t i, k = 0;
	int si;

	for (i = 0; (d = tk_status_at(i)); i++) {
		if (d->dropped) {
			if ((si = status_index(d->name, d->len)) >= 0)
				return tk_error("%s:%ld: status %s: the store keeps it as dropped", tk_workflow_path(),
				    wf.stline[si], d->name);
			continue;
		}
		if ((si = status_index(d->name, d->len)) < 0)
			return tk_error("%s: status %s of the store is not in the file%s", tk_workflow_path(), d->name,
			    wf.present ? "" : " (there is no file: tk's default workflow)");
		if (wf.st[si].cls != d->cls)
			return tk_error("%s:%ld: status %s is %s in the file, %s in the store", tk_workflow_path(),
			    wf.stline[si], d->name, tk_class_name(wf.st[si].cls), tk_class_name(d->cls));
		if ((size_t)si != k && !tk_status_class((tk_str){ wf.st[k].name, wf.st[k].len }))
			return tk_error("%s:%ld: status %s is not in the store yet", tk_workflow_path(), wf.stline[k],
			    wf.st[k].name);
		if ((size_t)si != k)
			return tk_error("%s:%ld: status %s: the store has its statuses in another order (the first "
			    "is a new ticket's)", tk_workflow_path(), wf.stline[si], d->name);
		k++;
	}
	if (k < wf.nst)
		return tk_error("%s:%ld: status %s is not in the store yet", tk_workflow_path(), wf.stline[k],
		    wf.st[k].name);
	return 0;
}
