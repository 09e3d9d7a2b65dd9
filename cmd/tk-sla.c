/* tk-sla - open tickets' SLA clocks; breaches and warnings claimed once; re-targeting. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-sla [-Hqt] [--table] [--json] [-d dir] [-o columns] [--at time]\n"
    "              [--within duration] [--breached] [--warn percent] [--new]\n"
    "              [--policy file] [filter | id ...] [-]\n"
    "       tk-sla [-d dir] [--at time] [--policy file] --explain id\n"
    "       tk-sla [-d dir] --rearm id\n"
    "       tk-sla [-q] [-d dir] [--dry-run] --recompute\n"
    "\n"
    "Lists the SLA clocks of open tickets, one record a ticket and metric:\n"
    "id metric deadline remaining policy state level (remaining in business\n"
    "seconds, negative past the deadline; state ok, warning, breached or\n"
    "paused; level the escalation level already acted on).\n"
    "\n"
    "Selecting:\n"
    "--breached\tclocks past their deadline\n"
    "--within duration\tdue within that much business time (30m), not yet breached\n"
    "--warn percent\tclocks past that share of their target (80%), not yet breached\n"
    "--new\tonly breaches (or, with --warn, warnings) not acted on yet, claimed\n"
    "\tin the store as they are listed: each is listed once\n"
    "--at time\tthe state at another moment (what-if; writes nothing)\n"
    "--policy file\tthe deadlines another sla file would give (what-if)\n"
    "filter, id, -\tthe tickets, as tk-ls selects them\n"
    "Other actions:\n"
    "--explain id\thow the ticket's deadlines are made\n"
    "--rearm id\tlist the ticket's last claimed breach or warning again (repeatable)\n"
    "--recompute\tdeadlines rebuilt by the sla file for every open ticket\n"
    "--dry-run\twith --recompute: print what would change, write nothing\n"
    "Output:\n"
    "-o, --output columns\tthe columns: id, metric, deadline, remaining, policy,\n"
    "\tstate, level, and ticket fields\n"
    "-H, --header\ta '#' header line first\n"
    "-q, --quiet\tprint nothing (--new, --recompute)\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a record\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

#define DEFAULT_COLUMNS "id,metric,deadline,remaining,policy,state,level"
enum { C_METRIC = -100, C_DEADLINE, C_REMAINING, C_POLICY, C_STATE, C_LEVEL, C_OLD, C_NEW };
static const struct {
	const char *name;
	int col, kind;
} sla_cols[] = {
	{ "metric", C_METRIC, TK_K_ENUM }, { "deadline", C_DEADLINE, TK_K_TIME },
	{ "remaining", C_REMAINING, TK_K_DURATION }, { "policy", C_POLICY, TK_K_TEXT },
	{ "state", C_STATE, TK_K_ENUM }, { "level", C_LEVEL, TK_K_INT },
	{ "old", C_OLD, TK_K_TIME }, { "new", C_NEW, TK_K_TIME },
};
#define NSLACOLS (sizeof sla_cols / sizeof *sla_cols)

struct opt {
	tk_sla *sla;
	tk_filter *q;
	int64_t now, within;
	int breached, warn, warnsel, isnew, replay;
	tk_output out;
	int *col, *kinds;	/* each output column: C_* or a ticket field (TK_F_CUSTOM: by name) */
	tk_buf rows;		/* --new: the records claimed, printed after the commit */
	size_t nrows;
	int claimed_any;
	long printed;
	tk_ids only;		/* "-": the ids read from standard input, sorted */
	int use_only;
};

/* The output's columns: tk-sla's own and ticket fields (custom ones known to the store). */
static void
columns(struct opt *o, tk_txn *t)
{
	size_t i, k;

	o->col = tk_xmalloc(o->out.ncols * sizeof *o->col);
	o->kinds = tk_xmalloc(o->out.ncols * sizeof *o->kinds);
	for (i = 0; i < o->out.ncols; i++) {
		o->col[i] = o->out.cols[i].field;
		o->kinds[i] = -1;
		for (k = 0; k < NSLACOLS; k++)
			if (o->out.cols[i].field == TK_F_CUSTOM && !strcmp(o->out.cols[i].name, sla_cols[k].name)) {
				o->col[i] = sla_cols[k].col;
				o->kinds[i] = sla_cols[k].kind;
			}
		if (o->col[i] == TK_F_CUSTOM && tk_field_check(t->st, t, "-o", o->out.cols[i].name) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	}
}

/* One record: the state st of a clock of ticket tk (level: the one to show). */
static void
record(struct opt *o, tk_txn *t, tk_ticket *tk, const tk_sla_state *st, int level, tk_buf *keep)
{
	tk_str *v = tk_xmalloc(o->out.ncols * sizeof *v);
	char dl[21], rem[24], lv[16], *scratch = tk_xmalloc(32 * o->out.ncols);
	size_t i;

	tk_time_iso((time_t)(st->deadline > 253402300799LL ? 253402300799LL : st->deadline), dl);
	snprintf(rem, sizeof rem, "%lld", (long long)st->remaining);
	if (level >= 0)
		snprintf(lv, sizeof lv, "%d", level);
	else
		lv[0] = '\0';
	for (i = 0; i < o->out.ncols; i++)
		switch (o->col[i]) {
		case C_METRIC: v[i] = TK_STR(tk_sla_metrics[st->metric]); break;
		case C_DEADLINE: v[i] = TK_STR(dl); break;
		case C_REMAINING: v[i] = TK_STR(rem); break;
		case C_POLICY: v[i] = TK_STR(st->policy ? tk_policy_name(st->policy) : ""); break;
		case C_STATE: v[i] = TK_STR(tk_sla_state_names[st->state]); break;
		case C_LEVEL: v[i] = TK_STR(lv); break;
		case C_OLD: case C_NEW: v[i] = (tk_str){ "", 0 }; break;
		default:
			v[i] = tk_ticket_value(t, tk, o->col[i], o->out.cols[i].name, scratch + 32 * i, 32);
		}
	if (keep) {
		/* --new: kept as a record until the claims are committed */
		for (i = 0; i < o->out.ncols; i++) {
			tk_buf_addc(keep, i ? '\t' : '\n');
			tk_rec_escape(keep, v[i].p, v[i].n);
		}
		o->nrows++;
	} else {
		tk_output_row_sgr(&o->out, v, o->kinds, st->state == TK_SLA_BREACHED ? "31" :
		    st->state == TK_SLA_WARNING ? "33" : NULL);
		o->printed++;
	}
	free(scratch);
	free(v);
}

/* Whether a clock's state is one the options select. */
static int
selected(const struct opt *o, const tk_sla_state *st)
{
	if (!o->breached && !o->within && !o->warnsel)
		return 1;
	if (o->breached && st->state == TK_SLA_BREACHED)
		return 1;
	if (o->warnsel && st->state == TK_SLA_WARNING)
		return 1;
	return o->within && st->state != TK_SLA_BREACHED && st->state != TK_SLA_PAUSED &&
	    st->remaining <= o->within;
}

/* Each selected clock of tk printed (or, --new in a write transaction,
 * claimed and kept): 0 or -1. */
static int
one(tk_txn *t, tk_ticket *tk, void *arg)
{
	struct opt *o = arg;
	tk_sla_state st[TK_SLA_NMETRICS];
	int n, i;

	if ((n = tk_sla_states(o->sla, t, tk, o->now, o->replay, o->warn, st)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!selected(o, &st[i]))
			continue;
		if (!o->isnew) {
			record(o, t, tk, &st[i], st[i].claimed, NULL);
			continue;
		}
		/* Not acted on yet: a level reached above the highest claimed
		 * (a breach 1 and up; a warning 0). */
		if (st[i].reached < 0 || st[i].reached <= st[i].claimed ||
		    (st[i].reached == 0 && !o->warnsel) || (st[i].reached > 0 && !o->breached))
			continue;
		o->claimed_any = 1;
		if (!t->write)
			continue;	/* (the look without the lock) */
		if (tk_sla_claim(t, tk->id, st[i].metric, st[i].reached, st[i].deadline) < 0)
			return -1;
		record(o, t, tk, &st[i], st[i].reached, &o->rows);
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The tickets whose earliest running deadline is at or before bound,
 * through the sla_due index: what a window costs is its tickets. */
static int
window(struct opt *o, tk_txn *t, int64_t bound)
{
	tk_ids ids = { 0 };
	tk_ticket tk;
	size_t i;
	int rc;

	if (tk_sla_due_by(t, bound, &ids) < 0)
		return -1;
	tk_ticket_init(&tk);
	for (i = 0, rc = 0; i < ids.n && rc >= 0; i++) {
		if (o->use_only && !bsearch(&ids.v[i], o->only.v, o->only.n, sizeof *o->only.v, cmp_u64))
			continue;
		if ((rc = tk_ticket_get(t, ids.v[i], &tk, 0)) <= 0)
			continue;
		if ((rc = tk_filter_match(o->q, t, &tk)) > 0)
			rc = one(t, &tk, o);
	}
	tk_ticket_free(&tk);
	tk_ids_free(&ids);
	return rc < 0 ? -1 : 0;
}

static int
select_all(struct opt *o, tk_txn *t)
{
	int64_t bound;

	if (!o->replay && (o->breached || o->within || o->warnsel)) {
		bound = tk_sla_window(o->sla, o->now, o->within, o->warn, o->warnsel);
		return window(o, t, bound);
	}
	return tk_filter_run(o->q, t, one, o) < 0 ? -1 : 0;
}

static int
claim(tk_txn *t, void *arg)
{
	struct opt *o = arg;

	o->rows.len = 0;
	o->nrows = 0;
	return select_all(o, t) < 0 ? (tk_map_full ? TK_EXIT_FAIL : TK_EXIT_DATA) : 0;
}

/* --new: claimed in one write transaction, committed, then printed (at
 * most once: a second run at the same time waits for the lock and finds
 * the claims). Nothing new in a read transaction first: no lock taken. */
static int
new_claims(struct opt *o, tk_store *st, int quiet)
{
	tk_reader r;
	FILE *fp;
	int rc;

	if ((rc = tk_store_write(st, claim, o)))
		tk_die(rc, "%s", tk_errmsg);
	if (!o->nrows)
		return TK_EXIT_NOMATCH;
	if (quiet)
		return 0;
	/* The kept records, written as the output writes any row. */
	fp = fmemopen(o->rows.p + 1, o->rows.len - 1, "r");
	tk_reader_init(&r, fp, "claims");
	while (tk_reader_next(&r) == 1) {
		tk_str *v = tk_xmalloc(r.nfields * sizeof *v);
		size_t i;
		const char *sgr = NULL;

		for (i = 0; i < r.nfields; i++) {
			v[i] = (tk_str){ r.fields[i], r.lens[i] };
			if (o->col[i] == C_STATE)
				sgr = !strcmp(r.fields[i], "breached") ? "31" : !strcmp(r.fields[i], "warning") ? "33" : NULL;
		}
		tk_output_row_sgr(&o->out, v, o->kinds, sgr);
		free(v);
	}
	tk_reader_free(&r);
	fclose(fp);
	return 0;
}

struct recompute {
	tk_sla *sla;
	tk_ids ids;
	size_t from, n;
	int dry;
	tk_output *out;
	tk_buf rows;
	size_t changed;
};

/* A ticket's deadlines that --recompute changes: records id metric old new policy. */
static int
diff(struct recompute *rc, tk_txn *t, tk_ticket *tk, int *changed)
{
	static const int fields[TK_SLA_NMETRICS] = { TK_F_DUE_RESPONSE, TK_F_DUE_UPDATE, TK_F_DUE_RESOLUTION };
	const tk_policy *p;
	int64_t d[TK_SLA_NMETRICS];
	int m;

	*changed = 0;
	if (tk_sla_deadlines(rc->sla, t, tk, d, &p) < 0)
		return -1;
	for (m = 0; m < TK_SLA_NMETRICS; m++) {
		char iso[21] = "";
		tk_str old = tk->f[fields[m]];

		if (d[m] != INT64_MIN)
			tk_time_iso((time_t)(d[m] > 253402300799LL ? 253402300799LL : d[m]), iso);
		if (tk_str_eq(old, iso))
			continue;
		*changed = 1;
		tk_buf_printf(&rc->rows, "%llu\t%s\t", (unsigned long long)tk->id, tk_sla_metrics[m]);
		tk_rec_escape(&rc->rows, old.p, old.n);
		tk_buf_printf(&rc->rows, "\t%s\t", iso);
		tk_rec_escape(&rc->rows, p ? tk_policy_name(p) : "", p ? strlen(tk_policy_name(p)) : 0);
		tk_buf_addc(&rc->rows, '\n');
	}
	return 0;
}

static int
recompute_batch(tk_txn *t, void *arg)
{
	struct recompute *rc = arg;
	tk_assignments none = { 0 };
	tk_ticket tk;
	size_t i;
	int ch, r = 0;

	rc->rows.len = 0;
	rc->changed = 0;
	for (i = rc->from; i < rc->from + rc->n && r >= 0; i++) {
		tk_ticket_init(&tk);
		if ((r = tk_ticket_get(t, rc->ids.v[i], &tk, t->write)) > 0 && (r = diff(rc, t, &tk, &ch)) >= 0) {
			if (t->write)
				r = tk_ticket_apply(t, &tk, &none, TK_APPLY_SLA);
			rc->changed += ch;
		}
		tk_ticket_free(&tk);
	}
	return r < 0 ? (tk_map_full ? TK_EXIT_FAIL : TK_EXIT_DATA) : 0;
}

static int
collect(tk_txn *t, tk_ticket *tk, void *arg)
{
	(void)t;
	tk_ids_add(arg, tk->id);
	return 0;
}

/* --recompute: every open ticket's deadlines rebuilt by the file, in
 * batches (logged via sla:POLICY); --dry-run prints the changes only. */
static int
recompute(tk_store *st, tk_sla *sla, int dry, int quiet)
{
	struct recompute rc = { sla, { 0 }, 0, 0, dry, NULL, { 0 }, 0 };
	tk_filter *q = tk_filter_new();
	size_t total = 0;
	tk_txn t;
	int r;

	tk_filter_default_status(q, 0);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_filter_prepare(q, &t) < 0 || tk_filter_run(q, &t, collect, &rc.ids) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	tk_filter_free(q);
	if (dry) {
		rc.n = rc.ids.n;
		if (recompute_batch(&t, &rc))
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		tk_txn_end(&t);
		if (!quiet)
			fwrite(rc.rows.p ? rc.rows.p : "", 1, rc.rows.len, stdout);
		total = rc.changed;
	} else {
		tk_txn_end(&t);
		for (rc.from = 0; rc.from < rc.ids.n; rc.from += rc.n) {
			rc.n = rc.ids.n - rc.from < 1000 ? rc.ids.n - rc.from : 1000;
			if ((r = tk_store_write(st, recompute_batch, &rc)))
				tk_die(r, "%s", tk_errmsg);
			if (!quiet)
				fwrite(rc.rows.p ? rc.rows.p : "", 1, rc.rows.len, stdout);
			total += rc.changed;
		}
	}
	tk_buf_free(&rc.rows);
	tk_ids_free(&rc.ids);
	return 0;
}

struct rearm {
	tk_ids *ids;
	int dropped;
	uint64_t missing;
};

static int
rearm(tk_txn *t, void *arg)
{
	struct rearm *r = arg;
	size_t i;
	int n;

	r->dropped = 0;
	for (i = 0; i < r->ids->n; i++) {
		if ((n = tk_sla_rearm(t, r->ids->v[i])) < 0)
			return TK_EXIT_FAIL;
		if (!n)
			r->missing = r->ids->v[i];
		r->dropped += n;
	}
	return 0;
}

/* What main made, let go before it returns rc. */
static int
finish(struct opt *o, tk_store *st, const char *policy, int rc)
{
	tk_output_free(&o->out);
	tk_buf_free(&o->rows);
	free(o->col);
	free(o->kinds);
	tk_filter_free(o->q);
	tk_ids_free(&o->only);
	if (policy)
		tk_sla_free(o->sla);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return rc;
}

static int
percent(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || (*end && strcmp(end, "%")) || v < 1 || v > 99)
		tk_die(TK_EXIT_USAGE, "--warn %s: a share of the target, 1%% to 99%% (80%%)", s);
	return (int)v;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "header", no_argument, NULL, 'H' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "at", required_argument, NULL, 'a' },
		{ "within", required_argument, NULL, 'w' },
		{ "breached", no_argument, NULL, 'b' },
		{ "warn", required_argument, NULL, 'W' },
		{ "new", no_argument, NULL, 'n' },
		{ "policy", required_argument, NULL, 'p' },
		{ "explain", required_argument, NULL, 'e' },
		{ "rearm", required_argument, NULL, 'r' },
		{ "recompute", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL, *at = NULL, *within = NULL, *policy = NULL, *explain = NULL;
	int c, i, header = 0, quiet = 0, tsv = 0, table = 0, json = 0, recomp = 0, dry = 0, stdin_ids = 0, rc;
	tk_ids rearm_ids = { 0 };
	struct opt o;
	tk_buf idterm = { 0 };
	tk_store *st;
	tk_txn t;
	time_t when;
	uint64_t id;
	long long secs;

	memset(&o, 0, sizeof o);
	o.q = tk_filter_new();
	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "Hqto:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'H': header = 1; break;
		case 'q': quiet = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'o': cols = tk_opt_once("-o", cols, tk_opt_text("-o", optarg)); break;
		case 'a': at = tk_opt_once("--at", at, tk_opt_text("--at", optarg)); break;
		case 'w': within = tk_opt_once("--within", within, tk_opt_text("--within", optarg)); break;
		case 'b': o.breached = 1; break;
		case 'W': o.warn = percent(optarg); o.warnsel = 1; break;
		case 'n': o.isnew = 1; break;
		case 'p': policy = tk_opt_once("--policy", policy, optarg); break;
		case 'e': explain = tk_opt_once("--explain", explain, optarg); break;
		case 'r':
			if (tk_id_parse(optarg, strlen(optarg), &id) < 0)
				tk_die(TK_EXIT_USAGE, "--rearm %s: not a ticket id", optarg);
			tk_ids_add(&rearm_ids, id);
			break;
		case 'R': recomp = 1; break;
		case 'D': dry = 1; break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (tk_output_conflict(tsv, table, json, header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	if (dry && !recomp)
		tk_die(TK_EXIT_USAGE, "--dry-run goes with --recompute");
	tk_opt_conflict("--explain", explain != NULL, "--rearm", rearm_ids.n > 0);
	tk_opt_conflict("--explain", explain != NULL, "--recompute", recomp);
	tk_opt_conflict("--rearm", rearm_ids.n > 0, "--recompute", recomp);
	tk_opt_conflict("--new", o.isnew, "--at", at != NULL);
	tk_opt_conflict("--new", o.isnew, "--policy", policy != NULL);
	tk_opt_conflict("--recompute", recomp, "--policy", policy != NULL);
	tk_opt_conflict("--new", o.isnew, "--within", within != NULL);
	tk_opt_conflict("--recompute", recomp, "-o", cols != NULL);
	if (o.isnew && !o.breached && !o.warnsel)
		o.breached = 1;	/* --new alone: the breaches */
	if (within && tk_duration_parse(within, &secs) < 0)
		tk_die(TK_EXIT_USAGE, "--within %s", tk_errmsg);
	if (within && secs <= 0)
		tk_die(TK_EXIT_USAGE, "--within %s: a duration ahead (30m, 4h)", within);
	o.within = within ? secs : 0;
	if (at) {
		if (tk_time_parse(at, &when, NULL) < 0)
			tk_die(TK_EXIT_USAGE, "--at %s", tk_errmsg);
		o.now = when;
	} else
		o.now = tk_now();
	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			stdin_ids = 1;
			continue;
		}
		if (argv[i][0] && !tk_is_filter(argv[i]) && strchr("#0123456789", argv[i][0])) {
			if (tk_id_parse(argv[i], strlen(argv[i]), &id) < 0)
				tk_die(TK_EXIT_USAGE, "%s: not a ticket id", argv[i]);
			tk_buf_printf(&idterm, "%s%llu", idterm.len ? "," : "id=", (unsigned long long)id);
			continue;
		}
		if (tk_filter_add(o.q, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	}
	if ((explain || rearm_ids.n || recomp) && (optind < argc))
		tk_die(TK_EXIT_USAGE, "%s: filters go with a listing, not with --explain, --rearm or --recompute",
		    argv[optind]);
	if (idterm.len && tk_filter_add(o.q, idterm.p) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_buf_free(&idterm);
	tk_filter_default_status(o.q, 0);
	if (stdin_ids) {
		tk_ids ids = { 0 };
		int bad = 0;

		if (tk_ids_read(&ids, stdin, "stdin", &bad) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		if (bad)
			tk_die(TK_EXIT_DATA, "stdin: %d bad lines; nothing listed", bad);
		tk_filter_ids(o.q, ids.v, ids.n);
		o.only = ids;
		o.use_only = 1;
		if (o.only.n > 1)
			qsort(o.only.v, o.only.n, sizeof *o.only.v, cmp_u64);
	}
	if (tk_output_init(&o.out, tk_output_choose(tsv, table, json), cols ? cols : DEFAULT_COLUMNS, header) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	st = tk_cmd_store(dir, o.isnew || rearm_ids.n || (recomp && !dry) ? TK_OPEN_WRITE : TK_OPEN_READ);
	if (policy) {
		if ((rc = tk_sla_read(&o.sla, st->dir, policy)) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		o.replay = 1;
	} else if (tk_sla_get(st, &o.sla) < 0)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	if (rearm_ids.n) {
		struct rearm r = { &rearm_ids, 0, 0 };

		if ((rc = tk_store_write(st, rearm, &r)))
			tk_die(rc, "%s", tk_errmsg);
		if (r.missing)
			tk_warn("ticket %llu: no breach or warning claimed", (unsigned long long)r.missing);
		tk_ids_free(&rearm_ids);
		return finish(&o, st, policy, r.missing ? TK_EXIT_NOMATCH : 0);
	}
	if (recomp)
		return finish(&o, st, policy, recompute(st, o.sla, dry, quiet));
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (explain) {
		tk_ticket tk;
		tk_buf b = { 0 };

		if (tk_id_parse(explain, strlen(explain), &id) < 0)
			tk_die(TK_EXIT_USAGE, "--explain %s: not a ticket id", explain);
		tk_ticket_init(&tk);
		if ((rc = tk_ticket_get(&t, id, &tk, 0)) <= 0)
			tk_die(rc < 0 ? TK_EXIT_FAIL : TK_EXIT_NOMATCH, "ticket %llu: %s", (unsigned long long)id,
			    rc < 0 ? tk_errmsg : "no such ticket");
		if (tk_sla_explain(o.sla, &t, &tk, o.now, &b) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		tk_term_write(stdout, b.p, b.len);
		tk_buf_free(&b);
		tk_ticket_free(&tk);
		tk_txn_end(&t);
		return finish(&o, st, policy, 0);
	}
	if (tk_filter_prepare(o.q, &t) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	columns(&o, &t);
	if (o.isnew) {
		/* Anything new? Found without the write lock. */
		o.claimed_any = 0;
		rc = select_all(&o, &t);
		tk_txn_end(&t);
		if (rc < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		rc = o.claimed_any ? new_claims(&o, st, quiet) : TK_EXIT_NOMATCH;
	} else {
		if (select_all(&o, &t) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		rc = o.printed ? 0 : TK_EXIT_NOMATCH;
		tk_txn_end(&t);
	}
	tk_output_finish(&o.out);
	if (rc == TK_EXIT_NOMATCH && o.out.fmt == TK_FMT_TABLE && !o.isnew)
		tk_warn("no clocks match");
	return finish(&o, st, policy, rc);
}
