/* tk-ls - select tickets with filters and list them. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-ls [-aHt] [--table] [--json] [-d dir] [-o columns]\n"
    "             [-s [-]field[,...]] [-n count] [--explain] [filter | id ...] [-]\n"
    "\n"
    "Lists the tickets every filter matches, one record a line, in id order;\n"
    "with no status filter, those not yet resolved or closed.\n"
    "\n"
    "Filters:\n"
    "field=value[,...]\tequal to one of the values; empty: unset\n"
    "field!=value[,...]\tnone of the values\n"
    "field~regex\ta PCRE2 regex matches (field!~regex: does not)\n"
    "field=a..b\ta range of times, numbers, durations (age=2d..)\n"
    "id\ta ticket number (4, #4): id=4; several: id=4,7\n"
    "-\tonly the tickets whose ids are on standard input\n"
    "Selecting:\n"
    "-a, --all\tresolved and closed tickets too\n"
    "-s, --sort [-]field[,...]\tsort by the fields, descending with -\n"
    "-n, --limit count\tat most count tickets\n"
    "--explain\tsay on standard error how the tickets were found\n"
    "Output:\n"
    "-o, --output columns\tthe columns, comma-separated\n"
    "-H, --header\ta '#' header line first\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a ticket\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

#define MAXKEYS 8

/* A row to sort: its id, its record (in the map, for the read
 * transaction's life: printed from there once sorted, not fetched again),
 * and where its keys start in keyv (nkeys of them). */
struct sortrow {
	size_t at;
	uint64_t id;
	tk_str rec;
};
static char **keyv;

/* The sort keys of -s, in order: field, name, descending, numeric. */
static struct sortkey {
	int field;
	char *name;
	int desc, numeric;
} keys[MAXKEYS];
static size_t nkeys;
/* -s tier: tiers by their rank in the store's config, not by name */
static const tk_settings *tiers;

/* A tier's sort key: its rank, four digits; one of no rank after them. */
static char *
tier_key(tk_str v)
{
	char *k;
	int r;

	if (!v.n)
		return tk_xstrdup("");
	r = tk_settings_tier_rank(tiers, v.p, v.n);
	k = tk_xmalloc(v.n + 6);
	if (r >= 0)
		snprintf(k, v.n + 6, "%04d", r);
	else
		snprintf(k, v.n + 6, "9999:%.*s", (int)v.n, v.p);
	return k;
}

struct ctx {
	tk_output *out;
	long limit, count;
	struct sortrow *rows;
	size_t nrows, cap;
};

static int cmp_rows(const void *a, const void *b);

static void
swap_rows(struct sortrow *h, size_t i, size_t j)
{
	struct sortrow x = h[i];

	h[i] = h[j];
	h[j] = x;
}

/* -s with -n: the rows kept are a heap whose top sorts last, so a row that
 * sorts before it takes its place; memory for n rows, not for every match. */
static void
heap_up(struct sortrow *h, size_t i)
{
	for (; i && cmp_rows(&h[(i - 1) / 2], &h[i]) < 0; i = (i - 1) / 2)
		swap_rows(h, i, (i - 1) / 2);
}

static void
heap_down(struct sortrow *h, size_t n, size_t i)
{
	size_t m, l;

	for (;;) {
		m = i;
		l = 2 * i + 1;
		if (l < n && cmp_rows(&h[l], &h[m]) > 0)
			m = l;
		if (l + 1 < n && cmp_rows(&h[l + 1], &h[m]) > 0)
			m = l + 1;
		if (m == i)
			return;
		swap_rows(h, i, m);
		i = m;
	}
}

static int
emit(tk_txn *t, tk_ticket *tk, void *arg)
{
	struct ctx *c = arg;
	char scratch[32];
	struct sortrow cand;
	size_t k, at;
	tk_str v;

	if (nkeys) {
		int full = c->limit > 0 && c->nrows == (size_t)c->limit;

		if (!full && c->nrows == c->cap) {
			c->cap = c->limit > 0 ? (size_t)c->limit : c->cap ? 2 * c->cap : 256;
			c->rows = tk_xrealloc(c->rows, c->cap * sizeof *c->rows);
			/* (with -n, one more row's room: the row weighed against the top) */
			keyv = tk_xrealloc(keyv, (c->cap + (c->limit > 0)) * nkeys * sizeof *keyv);
		}
		at = c->nrows * nkeys;	/* when full, the room after the n rows */
		for (k = 0; k < nkeys; k++) {
			v = tk_ticket_compared(t, tk, keys[k].field, keys[k].name, scratch, sizeof scratch);
			keyv[at + k] = keys[k].field == TK_F_TIER ? tier_key(v) : tk_xstrndup(v.p, v.n);
		}
		if (!full) {
			c->rows[c->nrows].at = at;
			c->rows[c->nrows].id = tk->id;
			c->rows[c->nrows].rec = tk->rec;
			if (c->limit > 0)
				heap_up(c->rows, c->nrows);
			c->nrows++;
			return 0;
		}
		cand.at = at;
		cand.id = tk->id;
		if (cmp_rows(&cand, &c->rows[0]) < 0) {
			for (k = 0; k < nkeys; k++) {
				free(keyv[c->rows[0].at + k]);
				keyv[c->rows[0].at + k] = keyv[at + k];
			}
			c->rows[0].id = tk->id;
			c->rows[0].rec = tk->rec;
			heap_down(c->rows, c->nrows, 0);
		} else
			for (k = 0; k < nkeys; k++)
				free(keyv[at + k]);
		return 0;
	}
	tk_output_ticket(c->out, t, tk);
	return c->limit > 0 && ++c->count >= c->limit;
}

/* Key by key: empty values last either way, numbers by value; ties by id,
 * in the first key's direction. */
static int
cmp_rows(const void *a, const void *b)
{
	const struct sortrow *x = a, *y = b;
	size_t k;
	int r;

	for (k = 0; k < nkeys; k++) {
		const char *p = keyv[x->at + k], *q = keyv[y->at + k];

		if (!*p != !*q)
			return *p ? -1 : 1;
		if (keys[k].numeric) {
			long long m = strtoll(p, NULL, 10), n = strtoll(q, NULL, 10);

			r = (m > n) - (m < n);
		} else
			r = strcmp(p, q);
		if (r)
			return keys[k].desc ? -r : r;
	}
	r = (x->id > y->id) - (x->id < y->id);
	return keys[0].desc ? -r : r;
}

/* -s: fields, comma-separated, each descending with '-' in front. */
static void
sort_keys(const char *arg)
{
	char *copy = tk_xstrdup(arg), *tok, *save;
	struct sortkey *k;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nkeys == MAXKEYS)
			tk_die(TK_EXIT_USAGE, "-s %s: at most %d fields", arg, MAXKEYS);
		k = &keys[nkeys];
		k->desc = tok[0] == '-';
		k->field = tk_field_lookup(tok + k->desc);
		if (k->field == TK_F_CUSTOM && !tk_field_name_ok(tok + k->desc))
			tk_die(TK_EXIT_USAGE, "-s %s: %s is not a field", arg, tok);
		k->numeric = k->field >= 0 && (tk_fields[k->field].kind == TK_K_INT ||
		    tk_fields[k->field].kind == TK_K_DURATION);
		k->name = tk_xstrdup(tok + k->desc);
		tk_field_name_lower(k->name);
		nkeys++;
	}
	free(copy);
	if (!nkeys)
		tk_die(TK_EXIT_USAGE, "-s %s: no field", arg);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "header", no_argument, NULL, 'H' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "sort", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "explain", no_argument, NULL, 'E' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL, *sort = NULL, *limit = NULL;
	int c, all = 0, header = 0, tsv = 0, table = 0, json = 0, explain = 0, stdin_ids = 0, i;
	struct ctx ctx = { 0 };
	tk_filter *q = tk_filter_new();
	tk_output out;
	tk_store *st;
	tk_txn t;
	tk_buf idterm = { 0 };
	uint64_t id;
	long n;
	char *end;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "aHto:s:n:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': all = 1; break;
		case 'H': header = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'o': cols = tk_opt_once("-o", cols, tk_opt_text("-o", optarg)); break;
		case 's': sort = tk_opt_once("-s", sort, tk_opt_text("-s", optarg)); break;
		case 'n':
			limit = tk_opt_once("-n", limit, optarg);
			ctx.limit = strtol(optarg, &end, 10);
			if (*end || ctx.limit <= 0)
				tk_die(TK_EXIT_USAGE, "-n %s: not a positive count", optarg);
			break;
		case 'E': explain = 1; break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (tk_output_conflict(tsv, table, json, header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			stdin_ids = 1;
			continue;
		}
		/* "tk-ls 4 7" is "tk-ls id=4,7", as taskwarrior and gh read it. */
		if (argv[i][0] && !tk_is_filter(argv[i]) && strchr("#0123456789", argv[i][0])) {
			if (tk_id_parse(argv[i], strlen(argv[i]), &id) < 0)
				tk_die(TK_EXIT_USAGE, "%s: not a ticket id", argv[i]);
			tk_buf_printf(&idterm, "%s%llu", idterm.len ? "," : "id=", (unsigned long long)id);
			continue;
		}
		if (tk_filter_add(q, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		if (tk_filter_warning(q))
			tk_warn("%s", tk_filter_warning(q));
	}
	if (idterm.len && tk_filter_add(q, idterm.p) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_buf_free(&idterm);
	tk_filter_default_status(q, all);
	if (tk_output_init(&out, tk_output_choose(tsv, table, json), cols, header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (stdin_ids) {
		tk_ids ids = { 0 };
		int bad = 0;

		if (tk_ids_read(&ids, stdin, "stdin", &bad) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		if (bad)
			tk_die(TK_EXIT_DATA, "stdin: %d bad lines; nothing listed", bad);
		tk_filter_ids(q, ids.v, ids.n);
		tk_ids_free(&ids);
	}
	if (sort)
		sort_keys(sort);
	ctx.out = &out;
	st = tk_cmd_store(dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_filter_prepare(q, &t) < 0 || tk_output_check(&out, &t) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	for (i = 0; i < (int)nkeys; i++) {
		if (keys[i].field == TK_F_CUSTOM && tk_field_check(st, &t, "-s", keys[i].name) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		if (keys[i].field == TK_F_TIER && !tiers && !(tiers = tk_settings_get(st->dir)))
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	}
	n = tk_filter_run(q, &t, emit, &ctx);
	if (n < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (explain)
		fprintf(stderr, "%s: plan: %s; %ld matched\n", tk_progname, tk_filter_plan(q), n);
	if (nkeys) {
		size_t k, j;
		tk_ticket tk;

		if (ctx.nrows > 1)
			qsort(ctx.rows, ctx.nrows, sizeof *ctx.rows, cmp_rows);
		tk_ticket_init(&tk);
		for (k = 0; k < ctx.nrows; k++) {
			if (!ctx.limit || (long)k < ctx.limit) {
				tk.id = ctx.rows[k].id;
				if (tk_ticket_decode(&tk, ctx.rows[k].rec.p, ctx.rows[k].rec.n) < 0)
					tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
				tk_output_ticket(&out, &t, &tk);
			}
			for (j = 0; j < nkeys; j++)
				free(keyv[ctx.rows[k].at + j]);
		}
		free(keyv);
		tk_ticket_free(&tk);
		free(ctx.rows);
		for (j = 0; j < nkeys; j++)
			free(keys[j].name);
	}
	tk_output_finish(&out);
	/* A person sees a message for an empty table, not a header alone. */
	if (!n && out.fmt == TK_FMT_TABLE)
		tk_warn("no tickets match");
	tk_txn_end(&t);
	tk_output_free(&out);
	tk_filter_free(q);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return n ? TK_EXIT_OK : TK_EXIT_NOMATCH;
}
