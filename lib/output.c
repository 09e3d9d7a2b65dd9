/*
 * output.c - listing output: records (TSV), an aligned table for people at
 * a terminal, and JSON lines. Scripts never see the table: it is chosen only
 * when standard output is a terminal, and -t forces records.
 *
 * The table fits the terminal: when its columns are wider together, the
 * widest are cut first, each cut cell ending in an ellipsis. A cell never
 * keeps more of its value than the terminal's width, so a long subject or
 * body costs a line's worth of memory, not its own size.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tk.h"

#define ELLIPSIS "\xe2\x80\xa6"	/* U+2026, one column */

struct tk_cell {
	const char *s;		/* what is shown, in the output's arena */
	size_t len, width;	/* its bytes and columns */
	int cut;		/* the value goes on past s */
};

enum tk_format
tk_output_choose(int force_tsv, int force_table, int json)
{
	if (json)
		return TK_FMT_JSON;
	if (force_tsv)
		return TK_FMT_TSV;
	if (force_table)
		return TK_FMT_TABLE;
	return isatty(STDOUT_FILENO) ? TK_FMT_TABLE : TK_FMT_TSV;
}

int
tk_output_conflict(int tsv, int table, int json, int header)
{
	if (json && table)
		return tk_error("--json and --table: choose one");
	if (json && tsv)
		return tk_error("--json and -t: choose one");
	if (tsv && table)
		return tk_error("-t and --table: choose one");
	if (json && header)
		return tk_error("--json and -H: JSON lines have no header line");
	return 0;
}

/* COLUMNS, else the terminal's own width, else 80. */
static size_t
term_width(void)
{
	struct winsize ws;
	const char *s = getenv("COLUMNS");
	char *end;
	long n;

	if (s && *s) {
		n = strtol(s, &end, 10);
		if (!*end && n > 0)
			return n > 100000 ? 100000 : (size_t)n;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static int
field_kind(int f)
{
	return f >= 0 ? (int)tk_fields[f].kind : TK_K_TEXT;
}

int
tk_output_init(tk_output *o, enum tk_format fmt, const char *cols, int header)
{
	char *copy, *tok, *save;
	int f;

	memset(o, 0, sizeof *o);
	o->fmt = fmt;
	o->header = header;
	o->color = fmt == TK_FMT_TABLE && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	if (fmt == TK_FMT_TABLE)
		o->width = term_width();
	copy = tk_xstrdup(cols && *cols ? cols : TK_DEFAULT_COLUMNS);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		f = tk_field_lookup(tok);
		if (f == TK_F_CUSTOM && !tk_field_name_ok(tok)) {
			tk_error("-o: %s is not a column name", tok);
			free(copy);
			return -1;
		}
		o->cols = tk_xrealloc(o->cols, (o->ncols + 1) * sizeof *o->cols);
		o->cols[o->ncols].field = f;
		o->cols[o->ncols].kind = field_kind(f);
		o->cols[o->ncols].name = tk_xstrdup(f == TK_F_CUSTOM ? tok : tk_fields[f].name);
		tk_field_name_lower(o->cols[o->ncols].name);
		o->ncols++;
	}
	free(copy);
	if (!o->ncols)
		return tk_error("-o: no columns");
	o->scratch = tk_xmalloc(32 * o->ncols);
	return 0;
}

int
tk_output_check(tk_output *o, tk_txn *t)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		if (o->cols[i].field == TK_F_CUSTOM && tk_field_check(t->st, t, "-o", o->cols[i].name) < 0)
			return -1;
	return 0;
}

void
tk_json_string(tk_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	unsigned char c;
	char esc[8];

	tk_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		tk_buf_add(b, s + start, i - start);
		start = i + 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			tk_buf_add(b, esc, 2);
		} else if (c == '\n')
			tk_buf_add(b, "\\n", 2);
		else if (c == '\t')
			tk_buf_add(b, "\\t", 2);
		else if (c == '\r')
			tk_buf_add(b, "\\r", 2);
		else {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			tk_buf_add(b, esc, 6);
		}
	}
	tk_buf_add(b, s + start, n - start);
	tk_buf_addc(b, '"');
}

/* Runs between quotes are copied whole; a quote is doubled. */
void
tk_csv_field(tk_buf *b, const char *s, size_t n)
{
	const char *q, *end = s + n;

	if (!n)
		return;
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
		tk_buf_add(b, s, n);
		return;
	}
	tk_buf_addc(b, '"');
	while ((q = memchr(s, '"', (size_t)(end - s)))) {
		tk_buf_add(b, s, (size_t)(q - s) + 1);
		tk_buf_addc(b, '"');
		s = q + 1;
	}
	tk_buf_add(b, s, (size_t)(end - s));
	tk_buf_addc(b, '"');
}

static int
numeric(int kind)
{
	return kind == TK_K_INT || kind == TK_K_DURATION;
}

/* A cell a spreadsheet would take for a formula (CSV injection): = + - @,
 * and TAB and CR, which some strip before looking. */
static int
formula(const tk_str *v)
{
	return v->n && v->p[0] && strchr("=+-@\t\r", v->p[0]) != NULL;
}

static void
csv_line(tk_output *o, const tk_str *vals)
{
	size_t i;

	o->line.len = 0;
	for (i = 0; i < o->ncols; i++) {
		if (i)
			tk_buf_addc(&o->line, ',');
		if (o->defuse && !numeric(o->cols[i].kind) && formula(&vals[i])) {
			o->cellbuf.len = 0;
			tk_buf_addc(&o->cellbuf, '\'');
			tk_buf_add(&o->cellbuf, vals[i].p, vals[i].n);
			tk_csv_field(&o->line, o->cellbuf.p, o->cellbuf.len);
		} else
			tk_csv_field(&o->line, vals[i].p, vals[i].n);
	}
	tk_buf_add(&o->line, "\r\n", 2);
	tk_term_write(stdout, o->line.p, o->line.len);
}

static void
header_line(tk_output *o)
{
	tk_str *f = tk_xmalloc(o->ncols * sizeof *f);
	size_t i;

	for (i = 0; i < o->ncols; i++)
		f[i] = TK_STR(o->cols[i].name);
	if (o->fmt == TK_FMT_CSV)
		csv_line(o, f);
	else {
		fputc('#', stdout);
		tk_write_record(stdout, f, o->ncols);
	}
	free(f);
	o->header_done = 1;
}

/* Seconds as people read them, in the units a duration is typed in, the
 * two largest: 2d14h, 3h5m, 45m, 30s. */
static void
human_duration(long long s, char *out, size_t n)
{
	const char *sign = s < 0 ? "-" : "";
	long long a = s < 0 ? -s : s;

	if (a >= 86400)
		snprintf(out, n, a % 86400 / 3600 ? "%s%lldd%lldh" : "%s%lldd", sign, a / 86400, a % 86400 / 3600);
	else if (a >= 3600)
		snprintf(out, n, a % 3600 / 60 ? "%s%lldh%lldm" : "%s%lldh", sign, a / 3600, a % 3600 / 60);
	else if (a >= 60)
		snprintf(out, n, "%s%lldm", sign, a / 60);
	else
		snprintf(out, n, "%s%llds", sign, a);
}

/* A byte that starts what a table shows otherwise: a newline or TAB
 * (shown as \n, \t) or a control character (shown as ?). */
static int
special(const char *p, size_t n)
{
	return *p == '\n' || *p == '\t' || tk_term_ctl(p, n);
}

/*
 * What a table shows of p: at most max columns of it, control characters
 * made visible, never a UTF-8 sequence cut. Only as much of p is looked at
 * as can show. Sets *cut when p goes on past what is kept.
 */
static void
cell_text(tk_buf *b, const char *p, size_t n, size_t max, size_t *width, int *cut)
{
	size_t i = 0, w = 0, k, fit, len;
	const char *vis;

	*cut = 0;
	while (i < n) {
		vis = NULL;
		len = 1;
		if (p[i] == '\n')
			vis = "\\n";
		else if (p[i] == '\t')
			vis = "\\t";
		else if ((len = tk_term_ctl(p + i, n - i)) != 0)
			vis = "?";
		if (vis) {
			if (w + strlen(vis) > max) {
				*cut = 1;
				break;
			}
			tk_buf_adds(b, vis);
			w += strlen(vis);
			i += len;
			continue;
		}
		/* A run of plain text, a piece of a few bytes a column left. */
		for (k = i + 1; k < n && k - i < 4 * (max - w) + 4 && !special(p + k, n - k); k++)
			;
		while (k < n && ((unsigned char)p[k] & 0xc0) == 0x80)
			k++;
		fit = tk_display_prefix(p + i, k - i, max - w);
		tk_buf_add(b, p + i, fit);
		w += tk_display_width(p + i, fit);
		if (fit < k - i) {
			*cut = 1;
			break;
		}
		i = k;
	}
	*width = w;
}

/* A table cell: times in local time, durations as 2d14h. */
static void
cell(tk_output *o, tk_cell *c, int kind, tk_str v)
{
	char local[32];
	tk_str s = v;

	if (kind == TK_K_TIME)
		s = tk_time_for_people(v, local);
	else if (kind == TK_K_DURATION && v.n && v.n < 21) {
		char num[24], *end;
		long long secs;

		memcpy(num, v.p, v.n);
		num[v.n] = '\0';
		secs = strtoll(num, &end, 10);
		if (!*end) {
			human_duration(secs, local, sizeof local);
			s = TK_STR(local);
		}
	}
	o->cellbuf.len = 0;
	cell_text(&o->cellbuf, s.p, s.n, o->width, &c->width, &c->cut);
	c->len = o->cellbuf.len;
	c->s = memcpy(tk_arena_alloc(&o->arena, c->len + 1), o->cellbuf.p ? o->cellbuf.p : "", c->len);
}

static void
json_row(tk_output *o, const tk_str *vals, const int *kinds)
{
	size_t i;

	tk_buf_addc(&o->line, '{');
	for (i = 0; i < o->ncols; i++) {
		if (i)
			tk_buf_addc(&o->line, ',');
		tk_json_string(&o->line, o->cols[i].name, strlen(o->cols[i].name));
		tk_buf_addc(&o->line, ':');
		if (!vals[i].n)
			tk_buf_adds(&o->line, "null");
		else if (numeric(kinds && kinds[i] >= 0 ? kinds[i] : o->cols[i].kind))
			tk_buf_add(&o->line, vals[i].p, vals[i].n);
		else
			tk_json_string(&o->line, vals[i].p, vals[i].n);
	}
}

void
tk_output_row(tk_output *o, const tk_str *vals, const int *kinds)
{
	tk_cell *row;
	size_t i;

	if (o->header && !o->header_done && (o->fmt == TK_FMT_TSV || o->fmt == TK_FMT_CSV))
		header_line(o);
	o->header_done = 1;
	switch (o->fmt) {
	case TK_FMT_TSV:
		tk_write_record(stdout, vals, o->ncols);
		break;
	case TK_FMT_CSV:
		csv_line(o, vals);
		break;
	case TK_FMT_JSON:
		o->line.len = 0;
		json_row(o, vals, kinds);
		tk_buf_adds(&o->line, "}\n");
		tk_term_write(stdout, o->line.p, o->line.len);
		break;
	case TK_FMT_TABLE:
		if (o->nrows == o->rowcap) {
			o->rowcap = o->rowcap ? 2 * o->rowcap : 64;
			o->cells = tk_xrealloc(o->cells, o->rowcap * o->ncols * sizeof *o->cells);
			o->sgr = tk_xrealloc(o->sgr, o->rowcap * sizeof *o->sgr);
		}
		o->sgr[o->nrows] = o->next_sgr;
		row = o->cells + o->nrows++ * o->ncols;
		for (i = 0; i < o->ncols; i++)
			cell(o, &row[i], kinds && kinds[i] >= 0 ? kinds[i] : o->cols[i].kind, vals[i]);
		break;
	}
}

void
tk_output_row_sgr(tk_output *o, const tk_str *vals, const int *kinds, const char *sgr)
{
	o->next_sgr = sgr;
	tk_output_row(o, vals, kinds);
	o->next_sgr = NULL;
}

void
tk_output_ticket(tk_output *o, tk_txn *t, tk_ticket *tk)
{
	tk_str *vals = tk_xmalloc(o->ncols * sizeof *vals);
	size_t i;

	for (i = 0; i < o->ncols; i++)
		vals[i] = tk_ticket_value(t, tk, o->cols[i].field, o->cols[i].name,
		    o->scratch + 32 * i, 32);
	if (o->fmt != TK_FMT_JSON)
		tk_output_row(o, vals, NULL);
	else {
		o->line.len = 0;
		json_row(o, vals, NULL);
		if (o->json_extra)
			o->json_extra(&o->line, t, tk, o->json_arg);
		tk_buf_adds(&o->line, "}\n");
		tk_term_write(stdout, o->line.p, o->line.len);
	}
	free(vals);
}

/*
 * Columns w (n of them, two spaces apart) made to fit in width: the widest
 * are cut first, to the largest width they can all keep, and what is left
 * over goes back to them from the left. Returns how many columns show:
 * fewer than n only when even one column each would not fit.
 */
static size_t
fit(size_t *w, size_t n, size_t width)
{
	size_t i, lo, hi, cap, total, maxw = 0;

	while (n > 1 && 3 * n - 2 > width)
		n--;	/* the columns past the last that fits at one column */
	total = 2 * (n - 1);
	for (i = 0; i < n; i++) {
		total += w[i];
		if (w[i] > maxw)
			maxw = w[i];
	}
	if (total <= width)
		return n;
	/* The largest cap with every column cut to it fitting: at least 1. */
	lo = 1;
	hi = maxw;
	while (lo < hi) {
		cap = lo + (hi - lo + 1) / 2;
		for (total = 2 * (n - 1), i = 0; i < n; i++)
			total += w[i] < cap ? w[i] : cap;
		if (total <= width)
			lo = cap;
		else
			hi = cap - 1;
	}
	cap = lo;
	for (total = 2 * (n - 1), i = 0; i < n; i++)
		total += w[i] < cap ? w[i] : cap;
	for (i = 0; i < n; i++) {
		if (w[i] <= cap)
			continue;
		w[i] = cap;
		if (total < width) {
			w[i]++;
			total++;
		}
	}
	if (n == 1 && w[0] > width)
		w[0] = width;
	return n;
}

static void
pad(size_t n)
{
	while (n--)
		fputc(' ', stdout);
}

/* s (len bytes, width columns; cut: more followed) in w columns, padded
 * to them and the two spaces after unless last. */
static void
put_cell(const char *s, size_t len, size_t width, int cut, size_t w, int last)
{
	size_t n;

	if (width <= w && !cut) {
		fwrite(s, 1, len, stdout);
		if (!last)
			pad(w - width + 2);
		return;
	}
	if (!w) {
		if (!last)
			pad(2);
		return;
	}
	n = tk_display_prefix(s, len, w - 1);
	fwrite(s, 1, n, stdout);
	fputs(ELLIPSIS, stdout);
	if (!last)
		pad(w - 1 - tk_display_width(s, n) + 2);
}

static void
table_header(tk_output *o, size_t n)
{
	char *up;
	size_t i, j;

	if (o->color)
		fputs("\033[1m", stdout);
	for (i = 0; i < n; i++) {
		up = tk_xstrdup(o->cols[i].name);
		for (j = 0; up[j]; j++)
			up[j] = (char)(up[j] >= 'a' && up[j] <= 'z' ? up[j] - 32 : up[j]);
		put_cell(up, j, tk_display_width(up, j), 0, o->widths[i], i + 1 == n);
		free(up);
	}
	if (o->color)
		fputs("\033[0m", stdout);
	fputc('\n', stdout);
}

/* The table's rows held; the widths are those of the first rows printed. */
static void
table_flush(tk_output *o)
{
	size_t i, r, n, want;
	tk_cell *c;

	if (!o->nrows)
		return;
	if (!o->widths) {
		o->widths = tk_xmalloc(o->ncols * sizeof *o->widths);
		for (i = 0; i < o->ncols; i++) {
			o->widths[i] = strlen(o->cols[i].name);
			for (r = 0; r < o->nrows; r++) {
				c = &o->cells[r * o->ncols + i];
				want = c->width + (c->cut != 0);
				if (want > o->widths[i])
					o->widths[i] = want;
			}
		}
		o->tcols = fit(o->widths, o->ncols, o->width);
		table_header(o, o->tcols);
	}
	n = o->tcols;
	for (r = 0; r < o->nrows; r++) {
		c = o->cells + r * o->ncols;
		if (o->color && o->sgr[r])
			printf("\033[%sm", o->sgr[r]);
		for (i = 0; i < n; i++)
			put_cell(c[i].s, c[i].len, c[i].width, c[i].cut, o->widths[i], i + 1 == n);
		if (o->color && o->sgr[r])
			fputs("\033[0m", stdout);
		fputc('\n', stdout);
	}
	o->shown += o->nrows;
	o->nrows = 0;
	tk_arena_reset(&o->arena);
}

void
tk_output_flush(tk_output *o)
{
	if ((o->fmt == TK_FMT_TSV || o->fmt == TK_FMT_CSV) && o->header && !o->header_done)
		header_line(o);
	if (o->fmt == TK_FMT_TABLE)
		table_flush(o);
}

void
tk_output_finish(tk_output *o)
{
	tk_output_flush(o);
}

void
tk_output_free(tk_output *o)
{
	size_t i;

	free(o->cells);
	free(o->sgr);
	free(o->widths);
	tk_arena_free(&o->arena);
	for (i = 0; i < o->ncols; i++)
		free(o->cols[i].name);
	free(o->cols);
	free(o->scratch);
	tk_buf_free(&o->line);
	tk_buf_free(&o->cellbuf);
}

char *
tk_output_all_columns(tk_txn *t)
{
	tk_buf b = { 0 };
	MDB_cursor *c;
	MDB_val k, v;
	int i, rc;

	for (i = 0; i < TK_F_NSTORED; i++) {
		if (i == TK_F_SUBJECT)
			continue;
		tk_buf_printf(&b, "%s%s", b.len ? "," : "", tk_fields[i].name);
	}
	tk_buf_adds(&b, ",subject,body");
	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_FIELDS], &c) == 0) {
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			tk_buf_addc(&b, ',');
			tk_buf_add(&b, k.mv_data, k.mv_size);
		}
		mdb_cursor_close(c);
	}
	return b.p;
}

static int
comment_json(const tk_comment *c, void *arg)
{
	tk_buf *b = arg;

	if (b->p[b->len - 1] != '[')	/* (numbers may have gaps: an unmerge took some back) */
		tk_buf_addc(b, ',');
	tk_buf_printf(b, "{\"n\":%u,\"time\":", c->n);
	tk_json_string(b, c->time.p, c->time.n);
	tk_buf_adds(b, ",\"author\":");
	tk_json_string(b, c->author.p, c->author.n);
	tk_buf_printf(b, ",\"internal\":%s,\"body\":", c->internal ? "true" : "false");
	tk_json_string(b, c->body.p, c->body.n);
	/* moved here by a merge: the ticket and number it had there */
	if (c->from)
		tk_buf_printf(b, ",\"from\":%llu,\"from_n\":%u", (unsigned long long)c->from, c->from_n);
	tk_buf_addc(b, '}');
	return 0;
}

static void
history_json(tk_buf *b, tk_txn *t, uint64_t id)
{
	unsigned char kb[8];
	MDB_cursor *c;
	MDB_val k = { 8, kb }, d;
	tk_event ev;
	int rc, first = 1;

	tk_put_u64(kb, id);
	if (mdb_cursor_open(t->txn, t->st->dbi[TK_DB_LOG_TICKET], &c))
		return;
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY); rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) {
		if (tk_event_get(t, tk_get_u64(d.mv_data), &ev) <= 0)
			continue;
		tk_buf_printf(b, "%s{\"seq\":%llu,\"time\":", first ? "" : ",", (unsigned long long)ev.seq);
		tk_json_string(b, ev.time.p, ev.time.n);
		tk_buf_adds(b, ",\"actor\":");
		tk_json_string(b, ev.actor.p, ev.actor.n);
		tk_buf_adds(b, ",\"field\":");
		tk_json_string(b, ev.field.p, ev.field.n);
		tk_buf_adds(b, ",\"old\":");
		tk_json_string(b, ev.old.p, ev.old.n);
		tk_buf_adds(b, ",\"new\":");
		tk_json_string(b, ev.new.p, ev.new.n);
		tk_buf_addc(b, '}');
		first = 0;
	}
	mdb_cursor_close(c);
}

/* The links that point at a ticket (its own are its link fields):
 * "links":{"children":[3,4],"duplicates":[],"merged_from":[]}. */
static void
links_json(tk_buf *b, tk_txn *t, uint64_t id)
{
	static const char *const rel[][2] = {
		{ "child", "children" }, { "duplicate", "duplicates" }, { "merged_from", "merged_from" },
	};
	tk_ids ids = { 0 };
	size_t i, k;

	tk_buf_adds(b, ",\"links\":{");
	for (i = 0; i < sizeof rel / sizeof *rel; i++) {
		ids.n = 0;
		tk_links_get(t, id, rel[i][0], &ids);
		tk_buf_printf(b, "%s\"%s\":[", i ? "," : "", rel[i][1]);
		for (k = 0; k < ids.n; k++)
			tk_buf_printf(b, "%s%llu", k ? "," : "", (unsigned long long)ids.v[k]);
		tk_buf_addc(b, ']');
	}
	tk_buf_addc(b, '}');
	tk_ids_free(&ids);
}

void
tk_json_extra(tk_buf *b, tk_txn *t, tk_ticket *tk, void *arg)
{
	tk_json_with *w = arg;

	if (w->comments) {
		tk_buf_adds(b, ",\"comments\":[");
		tk_comment_each(t, tk->id, comment_json, b);
		tk_buf_addc(b, ']');
	}
	if (w->history) {
		tk_buf_adds(b, ",\"history\":[");
		history_json(b, t, tk->id);
		tk_buf_addc(b, ']');
	}
	if (w->links)
		links_json(b, t, tk->id);
}

void
tk_summary_for_people(tk_buf *b, tk_str v, int local)
{
	const char *p = v.p, *end = v.p + v.n, *tab, *eq;
	char buf[32];
	int f;

	while (p < end) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab)
			tab = end;
		if (p != v.p)
			tk_buf_adds(b, "  ");
		eq = memchr(p, '=', (size_t)(tab - p));
		f = eq ? tk_field_lookup_n(p, (size_t)(eq - p)) : TK_F_CUSTOM;
		if (local && f >= 0 && tk_fields[f].kind == TK_K_TIME) {
			tk_str t = tk_time_for_people((tk_str){ eq + 1, (size_t)(tab - eq - 1) }, buf);

			tk_buf_add(b, p, (size_t)(eq + 1 - p));
			tk_buf_add(b, t.p, t.n);
		} else
			tk_buf_add(b, p, (size_t)(tab - p));
		p = tab + 1;
	}
}
