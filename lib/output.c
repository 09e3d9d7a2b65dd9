/*
 * output.c - listing output: records (TSV), an aligned table for people at
 * a terminal, and JSON lines. Scripts never see the table: it is chosen only
 * when standard output is a terminal, and -t forces records.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tk.h"

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
tk_output_init(tk_output *o, enum tk_format fmt, const char *cols, int header)
{
	char *copy, *tok, *save;
	int f;

	memset(o, 0, sizeof *o);
	o->fmt = fmt;
	o->header = header;
	o->color = fmt == TK_FMT_TABLE && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
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

static int numeric(int field);

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
		if (o->defuse && !numeric(o->cols[i].field) && formula(&vals[i])) {
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

static int
numeric(int field)
{
	return field >= 0 && (tk_fields[field].kind == TK_K_INT || tk_fields[field].kind == TK_K_DURATION);
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

/* A table cell: times in local time, durations as 2d14h, control
 * characters made visible. */
static char *
cell(int field, tk_str v)
{
	tk_buf b = { 0 };
	char local[32];
	time_t when;
	size_t i;

	if (field >= 0 && tk_fields[field].kind == TK_K_TIME && tk_iso_parse(v.p, v.n, &when) == 0) {
		tk_time_local(when, local);
		return tk_xstrdup(local);
	}
	if (field >= 0 && tk_fields[field].kind == TK_K_DURATION && v.n && v.n < 21) {
		char num[24], *end;
		long long secs;

		memcpy(num, v.p, v.n);
		num[v.n] = '\0';
		secs = strtoll(num, &end, 10);
		if (!*end) {
			human_duration(secs, local, sizeof local);
			return tk_xstrdup(local);
		}
	}
	for (i = 0; i < v.n; i++) {
		size_t ctl;

		if (v.p[i] == '\n')
			tk_buf_adds(&b, "\\n");
		else if (v.p[i] == '\t')
			tk_buf_adds(&b, "\\t");
		else if ((ctl = tk_term_ctl(v.p + i, v.n - i)) != 0)
			tk_buf_addc(&b, '?'), i += ctl - 1;
		else
			tk_buf_addc(&b, v.p[i]);
	}
	return b.p ? b.p : tk_xstrdup("");
}

void
tk_output_ticket(tk_output *o, tk_txn *t, tk_ticket *tk)
{
	tk_str *vals = tk_xmalloc(o->ncols * sizeof *vals);
	char **row;
	size_t i;

	if (o->header && !o->header_done && (o->fmt == TK_FMT_TSV || o->fmt == TK_FMT_CSV))
		header_line(o);
	o->header_done = 1;
	for (i = 0; i < o->ncols; i++)
		vals[i] = tk_ticket_value(t, tk, o->cols[i].field, o->cols[i].name,
		    o->scratch + 32 * i, 32);
	switch (o->fmt) {
	case TK_FMT_TSV:
		tk_write_record(stdout, vals, o->ncols);
		break;
	case TK_FMT_CSV:
		csv_line(o, vals);
		break;
	case TK_FMT_JSON:
		o->line.len = 0;
		tk_buf_addc(&o->line, '{');
		for (i = 0; i < o->ncols; i++) {
			if (i)
				tk_buf_addc(&o->line, ',');
			tk_json_string(&o->line, o->cols[i].name, strlen(o->cols[i].name));
			tk_buf_addc(&o->line, ':');
			if (!vals[i].n)
				tk_buf_adds(&o->line, "null");
			else if (numeric(o->cols[i].field))
				tk_buf_add(&o->line, vals[i].p, vals[i].n);
			else
				tk_json_string(&o->line, vals[i].p, vals[i].n);
		}
		if (o->json_extra)
			o->json_extra(&o->line, t, tk, o->json_arg);
		tk_buf_adds(&o->line, "}\n");
		tk_term_write(stdout, o->line.p, o->line.len);
		break;
	case TK_FMT_TABLE:
		row = tk_xmalloc(o->ncols * sizeof *row);
		for (i = 0; i < o->ncols; i++)
			row[i] = cell(o->cols[i].field, vals[i]);
		if (o->nrows == o->rowcap) {
			o->rowcap = o->rowcap ? 2 * o->rowcap : 64;
			o->rows = tk_xrealloc(o->rows, o->rowcap * sizeof *o->rows);
		}
		o->rows[o->nrows++] = row;
		break;
	}
	free(vals);
}

static size_t
term_width(void)
{
	struct winsize ws;
	const char *s = getenv("COLUMNS");

	if (s && atoi(s) > 0)
		return (size_t)atoi(s);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

static void
pad(size_t n)
{
	while (n--)
		fputc(' ', stdout);
}

void
tk_output_finish(tk_output *o)
{
	size_t *w, i, r, used = 0, tw, len, cw;
	char up[128];

	if ((o->fmt == TK_FMT_TSV || o->fmt == TK_FMT_CSV) && o->header && !o->header_done)
		header_line(o);
	if (o->fmt != TK_FMT_TABLE)
		return;
	w = tk_xmalloc(o->ncols * sizeof *w);
	for (i = 0; i < o->ncols; i++) {
		w[i] = strlen(o->cols[i].name);
		for (r = 0; r < o->nrows; r++) {
			cw = tk_display_width(o->rows[r][i], strlen(o->rows[r][i]));
			if (cw > w[i])
				w[i] = cw;
		}
	}
	tw = term_width();
	for (i = 0; i + 1 < o->ncols; i++)
		used += w[i] + 2;
	/* The last column gives way so rows fit the terminal. */
	if (tw && o->ncols && used < tw && used + w[o->ncols - 1] > tw)
		w[o->ncols - 1] = tw - used;
	if (o->color)
		fputs("\033[1m", stdout);
	for (i = 0; i < o->ncols; i++) {
		size_t j;

		snprintf(up, sizeof up, "%s", o->cols[i].name);
		for (j = 0; up[j]; j++)
			up[j] = (char)(up[j] >= 'a' && up[j] <= 'z' ? up[j] - 32 : up[j]);
		fputs(up, stdout);
		if (i + 1 < o->ncols)
			pad(w[i] + 2 - strlen(up));
	}
	if (o->color)
		fputs("\033[0m", stdout);
	fputc('\n', stdout);
	for (r = 0; r < o->nrows; r++) {
		for (i = 0; i < o->ncols; i++) {
			const char *s = o->rows[r][i];

			len = tk_display_prefix(s, strlen(s), w[i]);
			fwrite(s, 1, len, stdout);
			if (i + 1 < o->ncols)
				pad(w[i] + 2 - tk_display_width(s, len));
		}
		fputc('\n', stdout);
	}
	free(w);
}

void
tk_output_free(tk_output *o)
{
	size_t i, r;

	for (r = 0; r < o->nrows; r++) {
		for (i = 0; i < o->ncols; i++)
			free(o->rows[r][i]);
		free(o->rows[r]);
	}
	free(o->rows);
	for (i = 0; i < o->ncols; i++)
		free(o->cols[i].name);
	free(o->cols);
	free(o->scratch);
	tk_buf_free(&o->line);
	tk_buf_free(&o->cellbuf);
}

/*
 * A row that is not a ticket: agents and teams (tk-agent). (The branch
 * h-terminal brings a tk_output_row of the same signature with its
 * fitted tables; when both meet, keep that one.)
 */
void
tk_output_row(tk_output *o, const tk_str *vals, const int *kinds)
{
	char **row;
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
		tk_buf_addc(&o->line, '{');
		for (i = 0; i < o->ncols; i++) {
			if (i)
				tk_buf_addc(&o->line, ',');
			tk_json_string(&o->line, o->cols[i].name, strlen(o->cols[i].name));
			tk_buf_addc(&o->line, ':');
			if (!vals[i].n)
				tk_buf_adds(&o->line, "null");
			else if (kinds && kinds[i] == TK_K_INT)
				tk_buf_add(&o->line, vals[i].p, vals[i].n);
			else
				tk_json_string(&o->line, vals[i].p, vals[i].n);
		}
		tk_buf_adds(&o->line, "}\n");
		tk_term_write(stdout, o->line.p, o->line.len);
		break;
	case TK_FMT_TABLE:
		row = tk_xmalloc(o->ncols * sizeof *row);
		for (i = 0; i < o->ncols; i++)
			row[i] = cell(TK_F_CUSTOM, vals[i]);	/* shown as they are */
		if (o->nrows == o->rowcap) {
			o->rowcap = o->rowcap ? 2 * o->rowcap : 64;
			o->rows = tk_xrealloc(o->rows, o->rowcap * sizeof *o->rows);
		}
		o->rows[o->nrows++] = row;
		break;
	}
}
