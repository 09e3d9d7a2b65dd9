/*
 * jsonin.c - one JSON text (a line of JSON lines) into a tree of nodes.
 *
 * tk-import reads tk-export's JSON lines with it: each line one object,
 * whose members are a ticket's fields, its comments and its history.
 * RFC 8259, strictly: no comments, no trailing commas, no control
 * characters in strings, valid UTF-8 (escapes too: a lone surrogate is
 * refused), and, since no stored value holds one, no \u0000. Nesting
 * stops at TK_JSON_DEPTH. Strings are unescaped into the document's own
 * buffer, each ending in NUL; numbers are kept as their text.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

struct parser {
	const char *p, *end, *start;
	tk_jdoc *d;
};

static int
fail(struct parser *ps, const char *what)
{
	return tk_error("byte %zu: %s", (size_t)(ps->p - ps->start) + 1, what);
}

static void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static size_t
new_node(tk_jdoc *d, int type)
{
	tk_jnode *n;

	if (d->n == d->cap)
		d->nodes = tk_xrealloc(d->nodes, (d->cap = d->cap ? 2 * d->cap : 64) * sizeof *d->nodes);
	n = &d->nodes[d->n];
	memset(n, 0, sizeof *n);
	n->type = type;
	n->koff = (size_t)-1;
	return d->n++;
}

static int
hex4(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static void
put_utf8(tk_buf *b, unsigned c)
{
	char u[4];

	if (c < 0x80) {
		tk_buf_addc(b, (char)c);
		return;
	}
	if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		tk_buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		tk_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		tk_buf_add(b, u, 4);
	}
}

/* A string at ps->p (its opening quote): unescaped into the document's
 * buffer, NUL after; its offset and length. */
static int
string(struct parser *ps, size_t *off, size_t *len)
{
	tk_buf *b = &ps->d->str;
	const char *run;
	unsigned c, lo;
	long bad;

	ps->p++;
	*off = b->len;
	for (;;) {
		run = ps->p;
		while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && (unsigned char)*ps->p >= 0x20)
			ps->p++;
		if ((bad = tk_utf8_invalid(run, (size_t)(ps->p - run))) >= 0) {
			ps->p = run + bad;
			return fail(ps, "invalid UTF-8 in a string");
		}
		tk_buf_add(b, run, (size_t)(ps->p - run));
		if (ps->p == ps->end)
			return fail(ps, "a string not closed");
		if (*ps->p == '"')
			break;
		if (*ps->p != '\\')
			return fail(ps, "a control character in a string (write it as an escape)");
		if (ps->end - ps->p < 2)
			return fail(ps, "a string not closed");
		switch (ps->p[1]) {
		case '"': tk_buf_addc(b, '"'); break;
		case '\\': tk_buf_addc(b, '\\'); break;
		case '/': tk_buf_addc(b, '/'); break;
		case 'b': tk_buf_addc(b, '\b'); break;
		case 'f': tk_buf_addc(b, '\f'); break;
		case 'n': tk_buf_addc(b, '\n'); break;
		case 'r': tk_buf_addc(b, '\r'); break;
		case 't': tk_buf_addc(b, '\t'); break;
		case 'u':
			if (ps->end - ps->p < 6 || hex4(ps->p + 2, &c) < 0)
				return fail(ps, "a bad \\u escape");
			if (c >= 0xdc00 && c <= 0xdfff)
				return fail(ps, "a lone low surrogate");
			if (c >= 0xd800 && c <= 0xdbff) {
				if (ps->end - ps->p < 12 || ps->p[6] != '\\' || ps->p[7] != 'u' ||
				    hex4(ps->p + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return fail(ps, "a high surrogate without its low one");
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				ps->p += 6;
			}
			if (c == 0)
				return fail(ps, "\\u0000: tk keeps no NUL bytes");
			put_utf8(b, c);
			ps->p += 4;
			break;
		default:
			return fail(ps, "a bad escape");
		}
		ps->p += 2;
	}
	ps->p++;
	*len = b->len - *off;
	tk_buf_addc(b, '\0');
	return 0;
}

static int
number(struct parser *ps, size_t *off, size_t *len)
{
	const char *s = ps->p;
	int digits;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else {
		for (digits = 0; ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9'; ps->p++)
			digits++;
		if (!digits)
			return fail(ps, "not a value");
	}
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		for (digits = 0; ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9'; ps->p++)
			digits++;
		if (!digits)
			return fail(ps, "a number with no digits after its point");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		for (digits = 0; ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9'; ps->p++)
			digits++;
		if (!digits)
			return fail(ps, "a number with no digits in its exponent");
	}
	*off = ps->d->str.len;
	*len = (size_t)(ps->p - s);
	tk_buf_add(&ps->d->str, s, *len);
	tk_buf_addc(&ps->d->str, '\0');
	return 0;
}

static int
word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n))
		return fail(ps, "not a value");
	ps->p += n;
	return 0;
}

/* The value at ps->p into node i (made by the caller). */
static int
value(struct parser *ps, size_t i, int depth)
{
	tk_jdoc *d = ps->d;
	size_t child, last = 0, off = 0, len = 0;

	skip_ws(ps);
	if (ps->p == ps->end)
		return fail(ps, "a value missing");
	if (depth > TK_JSON_DEPTH)
		return fail(ps, "nested too deep");
	switch (*ps->p) {
	case '"':
		d->nodes[i].type = TK_J_STRING;
		if (string(ps, &off, &len) < 0)
			return -1;
		d->nodes[i].soff = off;
		d->nodes[i].n = len;
		return 0;
	case 't':
		d->nodes[i].type = TK_J_TRUE;
		return word(ps, "true");
	case 'f':
		d->nodes[i].type = TK_J_FALSE;
		return word(ps, "false");
	case 'n':
		d->nodes[i].type = TK_J_NULL;
		return word(ps, "null");
	case '[':
	case '{':
		break;
	default:
		d->nodes[i].type = TK_J_NUMBER;
		if (number(ps, &off, &len) < 0)
			return -1;
		d->nodes[i].soff = off;
		d->nodes[i].n = len;
		return 0;
	}
	d->nodes[i].type = *ps->p == '[' ? TK_J_ARRAY : TK_J_OBJECT;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (d->nodes[i].type == TK_J_ARRAY ? ']' : '}')) {
		ps->p++;
		return 0;
	}
	for (;;) {
		child = new_node(d, TK_J_NULL);
		if (d->nodes[i].type == TK_J_OBJECT) {
			skip_ws(ps);
			if (ps->p == ps->end || *ps->p != '"')
				return fail(ps, "a member name missing");
			if (string(ps, &off, &len) < 0)
				return -1;
			d->nodes[child].koff = off;
			d->nodes[child].keylen = len;
			skip_ws(ps);
			if (ps->p == ps->end || *ps->p != ':')
				return fail(ps, "a ':' missing after a member name");
			ps->p++;
		}
		if (value(ps, child, depth + 1) < 0)
			return -1;
		if (last)
			d->nodes[last].next = child;
		else
			d->nodes[i].first = child;
		last = child;
		d->nodes[i].count++;
		skip_ws(ps);
		if (ps->p == ps->end)
			return fail(ps, d->nodes[i].type == TK_J_ARRAY ? "an array not closed" : "an object not closed");
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == (d->nodes[i].type == TK_J_ARRAY ? ']' : '}')) {
			ps->p++;
			return 0;
		}
		return fail(ps, d->nodes[i].type == TK_J_ARRAY ? "a ',' or ']' missing" : "a ',' or '}' missing");
	}
}

int
tk_json_parse(tk_jdoc *d, const char *s, size_t n)
{
	struct parser ps = { s, s + n, s, d };
	size_t i;

	d->n = 0;
	d->str.len = 0;
	new_node(d, TK_J_NULL);
	if (value(&ps, 0, 0) < 0)
		return -1;
	skip_ws(&ps);
	if (ps.p != ps.end)
		return fail(&ps, "more after the value");
	/* The buffer has stopped moving: offsets become pointers. */
	tk_buf_addc(&d->str, '\0');
	for (i = 0; i < d->n; i++) {
		d->nodes[i].s = d->str.p + d->nodes[i].soff;
		d->nodes[i].key = d->nodes[i].koff == (size_t)-1 ? NULL : d->str.p + d->nodes[i].koff;
	}
	return 0;
}

void
tk_jdoc_free(tk_jdoc *d)
{
	free(d->nodes);
	tk_buf_free(&d->str);
	memset(d, 0, sizeof *d);
}

/*
 * JSON lines as tk-import reads them (tk-export --format json): one
 * object a line, blank lines skipped. The first object's member names are
 * the header, and each object, the first too, a row of values under them:
 * a string, a number (its text), true or false, null (empty), or an array
 * of those (joined by commas: tags). A member "comments" that is an array
 * holds the ticket's comments, objects (time, author, internal, body) or
 * strings; a member "history" is not a column, and tk-import says it does
 * not take it.
 */
struct tk_jsonl {
	const char *name;
	tk_lines in;
	long lineno;
	tk_jdoc doc;
	int first;		/* the first object is read: its row comes next */
	char **names;
	size_t nnames;
	tk_buf row;		/* the row's values, NUL after each */
	size_t *offs;
	char **f;
	size_t *l;
	size_t comments;	/* the node of the row's comments, 0 for none */
	int history;
};

tk_jsonl *
tk_jsonl_open(FILE *fp, const char *name)
{
	tk_jsonl *j = tk_xmalloc(sizeof *j);

	memset(j, 0, sizeof *j);
	j->name = name;
	tk_lines_init(&j->in, fp);
	return j;
}

void
tk_jsonl_close(tk_jsonl *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->nnames; i++)
		free(j->names[i]);
	free(j->names);
	free(j->offs);
	free(j->f);
	free(j->l);
	tk_buf_free(&j->row);
	tk_jdoc_free(&j->doc);
	tk_lines_free(&j->in);
	free(j);
}

/* The next line that is not blank, parsed: 1, 0 at the end, -1 a bad line. */
static int
next_object(tk_jsonl *j, long *lineno)
{
	ssize_t got;
	size_t n, i;
	char *s;

	for (;;) {
		got = tk_lines_next(&j->in, &s, TK_MAX_LINE);
		while (got >= 0 && j->in.cont)	/* the rest of a line too long to keep */
			got = tk_lines_next(&j->in, &s, TK_MAX_LINE);
		if (got < 0) {
			if (j->in.err) {
				int e = j->in.err;

				*lineno = ++j->lineno;
				j->in.err = 0;
				return tk_error("cannot read on: %s", strerror(e));
			}
			return 0;
		}
		*lineno = ++j->lineno;
		n = (size_t)got;
		if (j->lineno == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
			s += 3, n -= 3;
		if (n > TK_MAX_LINE)
			return tk_error("line %ld longer than %u bytes", j->lineno, TK_MAX_LINE);
		if (memchr(s, '\0', n))
			return tk_error("NUL byte");
		for (i = 0; i < n && strchr(" \t\r\n", s[i]); i++)
			;
		if (i == n)
			continue;
		if (tk_json_parse(&j->doc, s, n) < 0)
			return -1;
		if (j->doc.nodes[0].type != TK_J_OBJECT)
			return tk_error("not an object: each line is one ticket, {\"subject\": ...}");
		return 1;
	}
}

static int
is_comments(const tk_jnode *m)
{
	return !strcmp(m->key, "comments") && m->type == TK_J_ARRAY;
}

/* A member's value as text, added to j->row; -1 with tk_errmsg for one
 * that has none. */
static int
add_value(tk_jsonl *j, const tk_jnode *m)
{
	const tk_jnode *e;
	size_t k;

	switch (m->type) {
	case TK_J_STRING:
	case TK_J_NUMBER:
		tk_buf_add(&j->row, m->s, m->n);
		return 0;
	case TK_J_TRUE:
		tk_buf_adds(&j->row, "true");
		return 0;
	case TK_J_FALSE:
		tk_buf_adds(&j->row, "false");
		return 0;
	case TK_J_NULL:
		return 0;
	case TK_J_ARRAY:
		for (k = m->first; k; k = e->next) {
			e = &j->doc.nodes[k];
			if (e->type == TK_J_ARRAY || e->type == TK_J_OBJECT)
				break;
			if (k != m->first)
				tk_buf_addc(&j->row, ',');
			if (add_value(j, e) < 0)
				return -1;
		}
		if (!k)
			return 0;
		/* FALLTHROUGH */
	default:
		return tk_error("member \"%s\": %s; tk-import takes text, numbers, true, false, null and lists of them",
		    m->key, m->type == TK_J_OBJECT ? "an object" : "a list holding lists or objects");
	}
}

int
tk_jsonl_header(tk_jsonl *j, char ***f, size_t **l, size_t *n, long *lineno)
{
	const tk_jnode *m;
	size_t k;
	int rc;

	if ((rc = next_object(j, lineno)) <= 0)
		return rc;
	for (k = j->doc.nodes[0].first; k; k = m->next) {
		m = &j->doc.nodes[k];
		if (is_comments(m) || !strcmp(m->key, "history"))
			continue;
		j->names = tk_xrealloc(j->names, (j->nnames + 1) * sizeof *j->names);
		j->names[j->nnames++] = tk_xstrndup(m->key, m->keylen);
	}
	j->offs = tk_xmalloc((j->nnames + 1) * sizeof *j->offs);
	j->f = tk_xmalloc((j->nnames + 1) * sizeof *j->f);
	j->l = tk_xmalloc((j->nnames + 1) * sizeof *j->l);
	for (k = 0; k < j->nnames; k++) {
		j->f[k] = j->names[k];
		j->l[k] = strlen(j->names[k]);
	}
	*f = j->f;
	*l = j->l;
	*n = j->nnames;
	j->first = 1;
	return 1;
}

int
tk_jsonl_next(tk_jsonl *j, char ***f, size_t **l, size_t *n, long *lineno)
{
	const tk_jnode *m;
	size_t k, col, pos = 0;
	int rc;

	if (j->first) {		/* the header's object is the first row */
		j->first = 0;
		*lineno = j->lineno;
	} else if ((rc = next_object(j, lineno)) <= 0)
		return rc;
	j->comments = 0;
	j->row.len = 0;
	for (col = 0; col < j->nnames; col++)
		j->offs[col] = (size_t)-1;
	for (k = j->doc.nodes[0].first; k; k = m->next) {
		m = &j->doc.nodes[k];
		if (is_comments(m)) {
			j->comments = k;
			continue;
		}
		if (!strcmp(m->key, "history")) {
			j->history |= m->type != TK_J_ARRAY || m->count;
			continue;
		}
		/* Members come in the header's order, as tk-export writes them. */
		col = pos < j->nnames && !strcmp(j->names[pos], m->key) ? pos : 0;
		for (; col < j->nnames && strcmp(j->names[col], m->key); col++)
			;
		if (col == j->nnames)
			return tk_error("member \"%s\" is not one of the first line's (they are the columns)", m->key);
		pos = col + 1;
		j->offs[col] = j->row.len;
		if (add_value(j, m) < 0)
			return -1;
		tk_buf_addc(&j->row, '\0');
	}
	tk_buf_addc(&j->row, '\0');	/* the members missing: empty */
	for (col = 0; col < j->nnames; col++) {
		size_t o = j->offs[col] == (size_t)-1 ? j->row.len - 1 : j->offs[col];

		j->f[col] = j->row.p + o;
		j->l[col] = strlen(j->f[col]);
	}
	*f = j->f;
	*l = j->l;
	*n = j->nnames;
	return 1;
}

/* The member name of object node o, or NULL. */
static const tk_jnode *
member(const tk_jdoc *d, const tk_jnode *o, const char *name)
{
	size_t k;

	for (k = o->first; k; k = d->nodes[k].next)
		if (!strcmp(d->nodes[k].key, name))
			return &d->nodes[k];
	return NULL;
}

int
tk_jsonl_comments(tk_jsonl *j, tk_improw *r)
{
	const tk_jdoc *d = &j->doc;
	const tk_jnode *c, *time, *author, *internal, *body;
	size_t k, i = 0;

	if (!j->comments)
		return 0;
	for (k = d->nodes[j->comments].first; k; k = c->next) {
		c = &d->nodes[k];
		i++;
		if (c->type == TK_J_STRING) {
			tk_import_comment(r, NULL, NULL, 0, c->s, c->n);
			continue;
		}
		if (c->type != TK_J_OBJECT)
			return tk_error("comment %zu: neither an object (time, author, internal, body) nor text", i);
		time = member(d, c, "time");
		author = member(d, c, "author");
		internal = member(d, c, "internal");
		body = member(d, c, "body");
		if (!body || body->type != TK_J_STRING)
			return tk_error("comment %zu: no \"body\" text", i);
		if ((time && time->type != TK_J_STRING && time->type != TK_J_NULL) ||
		    (author && author->type != TK_J_STRING && author->type != TK_J_NULL))
			return tk_error("comment %zu: \"time\" and \"author\" are text", i);
		if (internal && internal->type != TK_J_TRUE && internal->type != TK_J_FALSE && internal->type != TK_J_NULL)
			return tk_error("comment %zu: \"internal\" is true or false", i);
		if (tk_import_comment(r, time && time->type == TK_J_STRING ? time->s : NULL,
		    author && author->type == TK_J_STRING ? author->s : NULL,
		    internal && internal->type == TK_J_TRUE, body->s, body->n) < 0)
			return tk_error("comment %zu: %s", i, tk_errmsg);
	}
	return 0;
}

int
tk_jsonl_history(const tk_jsonl *j)
{
	return j->history;
}
