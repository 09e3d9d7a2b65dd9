/*
 * template.c - the store's templates (templates/NAME, tk-config(5)): the
 * text of a notice (tk-notify) or a canned reply (tk-comment --template),
 * with {{field}} replaced by the ticket's values.
 *
 * A template may start with header lines, as a mail does: "Subject: ..."
 * (a notice's subject) and "Set: ..." (a canned reply's field changes, in
 * the assignment language), up to the first empty line; the rest is the
 * text. A file whose first line is no such header is all text. In the
 * subject and the text, {{name}} is the value of field name (any of tk's
 * fields, the store's custom ones, and what the caller adds, such as the
 * columns of tk-sla's records), {{name|words}} the same with words when
 * the field is empty. A value goes in as it is, once: braces in a value
 * are text, never a field. Every mistake is said with file:line.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tk.h"

#define TEMPLATE_MAX (1u << 20)	/* a template is a page or two */

struct seg {
	char *text;		/* literal text, or the field's name */
	size_t n;
	char *dflt;		/* {{name|words}}: words; NULL for none */
	long line;
	int field;
};

struct part {
	struct seg *s;
	size_t n, cap;
};

struct tk_template {
	char *path;		/* for messages */
	int has_subject;
	struct part part[2];	/* TK_TPL_SUBJECT, TK_TPL_BODY */
	tk_assignments sets;
	long *set_lines;	/* the line of each of sets */
	long body_line;
};

static void
seg_add(struct part *p, int field, const char *text, size_t n, const char *dflt, size_t dn, long line)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->s = tk_xrealloc(p->s, p->cap * sizeof *p->s);
	}
	p->s[p->n].text = tk_xstrndup(text, n);
	p->s[p->n].n = n;
	p->s[p->n].dflt = dflt ? tk_xstrndup(dflt, dn) : NULL;
	p->s[p->n].line = line;
	p->s[p->n].field = field;
	p->n++;
}

static int
name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (!first && ((c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'));
}

/* Text (n bytes, from line on) into segments: literal runs and fields. */
static int
split(tk_template *tp, struct part *p, const char *s, size_t n, long line)
{
	const char *end = s + n, *lit = s, *q, *close, *nl, *a, *b, *bar;
	char name[65];
	size_t i;

	for (q = s; q < end; q++) {
		if (*q == '\n') {
			line++;
			continue;
		}
		if (q + 1 >= end || q[0] != '{' || q[1] != '{')
			continue;
		if (q > lit)
			seg_add(p, 0, lit, (size_t)(q - lit), NULL, 0, line);
		nl = memchr(q, '\n', (size_t)(end - q));
		close = memmem(q + 2, (size_t)((nl ? nl : end) - q - 2), "}}", 2);
		if (!close)
			return tk_error("%s:%ld: {{ with no }} on its line", tp->path, line);
		a = q + 2;
		bar = memchr(a, '|', (size_t)(close - a));
		b = bar ? bar : close;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (a == b || (size_t)(b - a) > 64 || !name_char(*a, 1))
			goto bad;
		for (i = 1; i < (size_t)(b - a); i++)
			if (!name_char(a[i], 0))
				goto bad;
		memcpy(name, a, (size_t)(b - a));
		name[b - a] = '\0';
		tk_field_name_lower(name);
		if (bar)
			seg_add(p, 1, name, strlen(name), bar + 1, (size_t)(close - bar - 1), line);
		else
			seg_add(p, 1, name, strlen(name), NULL, 0, line);
		q = close + 1;
		lit = close + 2;
	}
	if (end > lit)
		seg_add(p, 0, lit, (size_t)(end - lit), NULL, 0, line);
	return 0;
bad:
	return tk_error("%s:%ld: {{%.*s}}: not a field name (a letter, then letters, digits, _ - .)",
	    tp->path, line, (int)(close - q - 2 > 64 ? 64 : close - q - 2), q + 2);
}

/* Words of a Set: line, quotes as a shell takes them ('...', "..."), none
 * kept; each parsed as an assignment. */
static int
set_line(tk_template *tp, const char *s, size_t n, long line)
{
	tk_buf w = { 0 };
	size_t i = 0;
	char quote;
	int rc = 0, any;

	while (i < n && !rc) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		w.len = 0;
		any = 0;
		while (i < n && s[i] != ' ' && s[i] != '\t') {
			if (s[i] == '\'' || s[i] == '"') {
				quote = s[i++];
				while (i < n && s[i] != quote)
					tk_buf_addc(&w, s[i++]);
				if (i == n) {
					rc = tk_error("%s:%ld: Set: %c with no closing %c", tp->path, line, quote, quote);
					break;
				}
				i++;
				any = 1;
				continue;
			}
			tk_buf_addc(&w, s[i++]);
			any = 1;
		}
		if (rc || !any)
			break;
		if (!tk_is_assignment(tk_buf_cstr(&w)))
			rc = tk_error("%s:%ld: Set: %s: not an assignment (field=value, +tag, -tag)", tp->path, line, w.p);
		else if (tk_assign_parse(&tp->sets, w.p) < 0)
			rc = tk_error("%s:%ld: Set: %s", tp->path, line, tk_errmsg);
		else {
			tp->set_lines = tk_xrealloc(tp->set_lines, tp->sets.n * sizeof *tp->set_lines);
			tp->set_lines[tp->sets.n - 1] = line;
		}
	}
	tk_buf_free(&w);
	return rc;
}

/* "Subject:" or "Set:" at s: the header's number (0, 1), -1 none. */
static int
header_name(const char *s, size_t n, size_t *vstart)
{
	static const char *const names[] = { "subject", "set" };
	size_t i, len;

	for (i = 0; i < 2; i++) {
		len = strlen(names[i]);
		if (n > len && !strncasecmp(s, names[i], len) && s[len] == ':') {
			*vstart = len + 1;
			return (int)i;
		}
	}
	return -1;
}

tk_template *
tk_template_parse(const char *path, const char *text, size_t n, int *code)
{
	tk_template *tp = tk_xmalloc(sizeof *tp);
	const char *p = text, *end = text + n, *nl;
	long line = 1, bad;
	size_t vs, len;
	int h;

	memset(tp, 0, sizeof *tp);
	tp->path = tk_xstrdup(path);
	*code = TK_EXIT_DATA;
	bad = tk_utf8_invalid(text, n);
	if (bad < 0 && (nl = memchr(text, '\0', n)))
		bad = nl - text;
	if (bad >= 0) {
		for (p = text; p < text + bad; p++)
			line += *p == '\n';
		tk_error("%s:%ld: %s", path, line, text[bad] ? "invalid UTF-8" : "a NUL byte");
		goto fail;
	}
	nl = memchr(p, '\n', n);
	if (header_name(p, (size_t)((nl ? nl : end) - p), &vs) >= 0) {
		for (;;) {
			nl = memchr(p, '\n', (size_t)(end - p));
			len = (size_t)((nl ? nl : end) - p);
			if (len && p[len - 1] == '\r')
				len--;
			if (tk_blank(p, len)) {
				p = nl ? nl + 1 : end;
				line++;
				break;
			}
			h = header_name(p, len, &vs);
			if (h < 0) {
				const char *colon = memchr(p, ':', len);
				size_t show = colon ? (size_t)(colon - p) : len;

				tk_error("%s:%ld: %.*s: not a template header (Subject:, Set:); an empty line ends them",
				    path, line, (int)(show > 40 ? 40 : show), p);
				goto fail;
			}
			while (vs < len && (p[vs] == ' ' || p[vs] == '\t'))
				vs++;
			if (h == 0) {
				if (tp->has_subject++) {
					tk_error("%s:%ld: Subject: given twice", path, line);
					goto fail;
				}
				if (split(tp, &tp->part[TK_TPL_SUBJECT], p + vs, len - vs, line) < 0)
					goto fail;
			} else if (set_line(tp, p + vs, len - vs, line) < 0)
				goto fail;
			if (!nl) {
				p = end;
				line++;
				break;
			}
			p = nl + 1;
			line++;
		}
	}
	tp->body_line = line;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (split(tp, &tp->part[TK_TPL_BODY], p, (size_t)(end - p), line) < 0)
		goto fail;
	return tp;
fail:
	tk_template_free(tp);
	return NULL;
}

int
tk_template_name_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 1; s[i]; i++)
		if (!name_char(s[i], 0))
			return 0;
	return i <= 64;
}

/* "no such template", with the nearest name in dir/templates. */
static void
missing(const char *dir, const char *word)
{
	tk_buf path = { 0 };
	tk_nearest nr;
	struct dirent *e;
	char *held = NULL;
	DIR *d;

	tk_nearest_init(&nr, word);
	tk_buf_printf(&path, "%s/templates", dir);
	if ((d = opendir(path.p))) {
		while ((e = readdir(d))) {
			char *s;

			if (!tk_template_name_ok(e->d_name))
				continue;
			s = tk_xstrdup(e->d_name);
			tk_nearest_try(&nr, s);
			if (nr.best == s) {
				free(held);
				held = s;
			} else
				free(s);
		}
		closedir(d);
	}
	if (held)
		tk_error("%s/%s: no such template; did you mean %s?", path.p, word, held);
	else
		tk_error("%s/%s: no such template (a name is a file in %s, a path holds a /)", path.p, word, path.p);
	free(held);
	tk_buf_free(&path);
}

tk_template *
tk_template_load(const char *dir, const char *word, int *code)
{
	tk_buf path = { 0 };
	tk_template *tp = NULL;
	struct stat sb;
	FILE *fp;
	char *text;
	size_t n;

	*code = TK_EXIT_USAGE;
	if (!*word) {
		tk_error("--template '': give a name in %s/templates, or a path", dir);
		return NULL;
	}
	if (strchr(word, '/'))
		tk_buf_adds(&path, word);
	else if (!tk_template_name_ok(word)) {
		tk_error("--template %s: not a template name (a letter or digit, then letters, digits, _ - .), "
		    "nor a path (one holds a /)", word);
		return NULL;
	} else
		tk_buf_printf(&path, "%s/templates/%s", dir, word);
	if (!(fp = fopen(tk_buf_cstr(&path), "r"))) {
		if (errno == ENOENT && !strchr(word, '/'))
			missing(dir, word);
		else {
			*code = errno == ENOENT ? TK_EXIT_USAGE : TK_EXIT_FAIL;
			tk_error("%s: %s", path.p, strerror(errno));
		}
		tk_buf_free(&path);
		return NULL;
	}
	if (fstat(fileno(fp), &sb) == 0 && !S_ISREG(sb.st_mode)) {
		fclose(fp);
		tk_error("%s: not a file", path.p);
		tk_buf_free(&path);
		return NULL;
	}
	{
		tk_buf b = { 0 };
		char chunk[65536];

		while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0 && b.len <= TEMPLATE_MAX)
			tk_buf_add(&b, chunk, n);
		if (ferror(fp)) {
			*code = TK_EXIT_FAIL;
			tk_error("%s: read error", path.p);
		} else if (b.len > TEMPLATE_MAX) {
			*code = TK_EXIT_DATA;
			tk_error("%s: larger than %u KiB: not a template", path.p, TEMPLATE_MAX >> 10);
		} else {
			size_t i, j;

			/* Lines ended CR LF, as an editor elsewhere may write them: LF. */
			for (i = j = 0; i < b.len; i++)
				if (!(b.p[i] == '\r' && i + 1 < b.len && b.p[i + 1] == '\n'))
					b.p[j++] = b.p[i];
			b.len = j;
			text = b.p ? b.p : tk_xstrdup("");
			tp = tk_template_parse(path.p, text, b.len, code);
			if (!b.p)
				free(text);
		}
		tk_buf_free(&b);
	}
	fclose(fp);
	tk_buf_free(&path);
	return tp;
}

const char *
tk_template_path(const tk_template *tp)
{
	return tp->path;
}

int
tk_template_has_subject(const tk_template *tp)
{
	return tp->has_subject;
}

int
tk_template_has_text(const tk_template *tp)
{
	return tp->part[TK_TPL_BODY].n > 0;
}

const tk_assignments *
tk_template_sets(const tk_template *tp)
{
	return &tp->sets;
}

int
tk_template_set_check(const tk_template *tp, tk_store *st, tk_txn *t)
{
	char what[160];
	size_t i;

	for (i = 0; i < tp->sets.n; i++) {
		if (tp->sets.a[i].field != TK_F_CUSTOM)
			continue;
		snprintf(what, sizeof what, "%s:%ld: Set: %s", tp->path, tp->set_lines[i], tp->sets.a[i].name);
		if (tk_field_check(st, t, what, tp->sets.a[i].name) < 0)
			return -1;
	}
	return 0;
}

int
tk_template_uses(const tk_template *tp, const char *name)
{
	size_t i, j;

	for (j = 0; j < 2; j++)
		for (i = 0; i < tp->part[j].n; i++)
			if (tp->part[j].s[i].field && !strcmp(tp->part[j].s[i].text, name))
				return 1;
	return 0;
}

int
tk_template_check(const tk_template *tp, tk_txn *t, const char *const *extra)
{
	const struct seg *s;
	tk_nearest nr;
	size_t i, j, k;

	for (j = 0; j < 2; j++)
		for (i = 0; i < tp->part[j].n; i++) {
			s = &tp->part[j].s[i];
			if (!s->field || tk_field_lookup(s->text) != TK_F_CUSTOM)
				continue;
			for (k = 0; extra && extra[k] && strcmp(extra[k], s->text); k++)
				;
			if ((extra && extra[k]) || (t && tk_field_known(t, s->text)))
				continue;
			tk_nearest_init(&nr, s->text);
			for (k = 1; k < TK_F_NFIELDS; k++)
				tk_nearest_try(&nr, tk_fields[k].name);
			for (k = 0; t && k < t->st->ndeclared; k++)
				tk_nearest_try(&nr, t->st->declared[k]);
			for (k = 0; extra && extra[k]; k++)
				tk_nearest_try(&nr, extra[k]);
			if (nr.best)
				return tk_error("%s:%ld: {{%s}}: no field %s; did you mean %s?", tp->path, s->line,
				    s->text, s->text, nr.best);
			return tk_error("%s:%ld: {{%s}}: no field %s (tk's fields, the store's custom fields%s)",
			    tp->path, s->line, s->text, s->text, extra && extra[0] ? " and the names of the input's columns" : "");
		}
	return 0;
}

tk_str
tk_template_field(tk_txn *t, tk_ticket *tk, const char *name, char *scratch, size_t n)
{
	int f = tk_field_lookup(name);

	return f == TK_F_CUSTOM ? tk_ticket_custom(tk, name) : tk_ticket_value(t, tk, f, NULL, scratch, n);
}

void
tk_template_render(const tk_template *tp, int part, tk_buf *out, tk_str (*value)(const char *name, void *arg),
    void *arg)
{
	const struct part *p = &tp->part[part];
	const struct seg *s;
	tk_str v;
	size_t i;

	for (i = 0; i < p->n; i++) {
		s = &p->s[i];
		if (!s->field) {
			tk_buf_add(out, s->text, s->n);
			continue;
		}
		v = value(s->text, arg);
		if (!v.n && s->dflt)
			tk_buf_adds(out, s->dflt);
		else
			tk_buf_add(out, v.p, v.n);
	}
	tk_buf_cstr(out);
}

void
tk_template_free(tk_template *tp)
{
	size_t i, j;

	if (!tp)
		return;
	for (j = 0; j < 2; j++) {
		for (i = 0; i < tp->part[j].n; i++) {
			free(tp->part[j].s[i].text);
			free(tp->part[j].s[i].dflt);
		}
		free(tp->part[j].s);
	}
	tk_assignments_free(&tp->sets);
	free(tp->set_lines);
	free(tp->path);
	free(tp);
}
