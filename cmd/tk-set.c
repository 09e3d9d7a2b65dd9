/* tk-set - change fields, tags and status of tickets. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-set [-qt] [--table] [--json] [--atomic] [-d dir] [-o columns]\n"
    "              assignment ... [id ...]\n"
    "\n"
    "Applies the assignments to each ticket given, or to each id read from\n"
    "standard input, and prints the tickets that changed.\n"
    "\n"
    "Assignments:\n"
    "field=value\tset a field; an empty value clears it\n"
    "+tag, -tag\tadd, remove a tag (after --, a -tag is never an option)\n"
    "escalation=+n\traise the escalation level (=-n: lower it)\n"
    "tags=a,b\treplace the whole set (watchers=a,b too)\n"
    "Output:\n"
    "-q, --quiet\tprint nothing\n"
    "-o, --output columns\tthe columns printed, as in tk-ls\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a ticket\n"
    "Other:\n"
    "--atomic\tall tickets or none, in one transaction\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

#define BATCH 10000

struct job {
	const tk_assignments *as;
	const uint64_t *ids;
	size_t n;
	int atomic;
	char **err;		/* per id: why it was refused */
	int *changed;
	int missing, refused;
};

static int
set_batch(tk_txn *t, void *arg)
{
	struct job *j = arg;
	tk_ticket tk;
	size_t i;
	int rc;

	j->missing = j->refused = 0;
	for (i = 0; i < j->n; i++) {
		free(j->err[i]);
		j->err[i] = NULL;
		j->changed[i] = 0;
		tk_ticket_init(&tk);
		rc = tk_ticket_get(t, j->ids[i], &tk, 1);
		if (rc == 0) {
			j->err[i] = tk_xstrdup("no such ticket");
			j->missing++;
		} else if (rc > 0)
			rc = tk_ticket_apply(t, &tk, j->as, 0);
		if (rc < 0) {
			tk_ticket_free(&tk);
			if (tk_map_full)
				return TK_EXIT_FAIL;
			j->err[i] = tk_xstrdup(tk_errmsg);
			j->refused++;
		} else
			j->changed[i] = rc == 0 && !j->err[i];
		tk_ticket_free(&tk);
		if (j->atomic && (j->missing || j->refused))
			return TK_EXIT_DATA;
	}
	return 0;
}

/* Dies with tk_errmsg and how getopt read the words that bundle options:
 * "-todo" meant as a tag removal reads as -t -o do. */
static _Noreturn void
bundled(int code, int nopt, char **argv)
{
	tk_buf how = { 0 };

	tk_opt_bundles(&how, nopt, argv, "qto:d:hV");
	tk_die(code, "%s%s%s", tk_errmsg, how.len ? "; " : "", how.len ? how.p : "");
}

/* -o names columns the store knows, checked before anything is written. */
static void
check_columns(tk_store *st, tk_output *out, int nopt, char **argv)
{
	tk_txn t;

	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_output_check(out, &t) < 0)
		bundled(TK_EXIT_USAGE, nopt, argv);
	tk_txn_end(&t);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "output", required_argument, NULL, 'o' },
		{ "atomic", no_argument, NULL, 'A' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL;
	int c, nopt, undone = 0, quiet = 0, tsv = 0, table = 0, json = 0, atomic = 0, i, nidargs = 0, status = 0, bad;
	tk_assignments as = { 0 };
	tk_ids ids = { 0 };
	struct job j = { 0 };
	tk_output out;
	tk_store *st;
	tk_txn t;
	tk_ticket tk;
	size_t k, off;
	uint64_t id;
	char **idargs;

	tk_cmd_start(argc, argv, usage);
	nopt = tk_getopt_end(argc, argv, "qto:d:hV");
	while ((c = getopt_long(nopt, argv, "qto:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'o': cols = tk_opt_once("-o", cols, tk_opt_text("-o", optarg)); break;
		case 'A': atomic = 1; break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (tk_output_conflict(tsv, table, json, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_opt_conflict("-q", quiet, "-t", tsv);
	tk_opt_conflict("-q", quiet, "--table", table);
	tk_opt_conflict("-q", quiet, "--json", json);
	tk_opt_conflict("-q", quiet, "-o", cols != NULL);
	/* Operands: ids are numbers ("42" or "#42"), the rest assignments; "-5"
	 * would be a tag removal, so ids never take a sign. */
	idargs = tk_xmalloc((size_t)(argc + 1) * sizeof *idargs);
	for (i = optind; i < argc; i++) {
		if (i < nopt && !strcmp(argv[i], "--"))
			continue;
		if (tk_id_parse(argv[i], strlen(argv[i]), &id) == 0)
			idargs[nidargs++] = argv[i];
		else if (!tk_is_assignment(argv[i]))
			tk_die(TK_EXIT_USAGE, "%s: neither an assignment (field=value, +tag, -tag) nor a ticket id", argv[i]);
		else if (tk_assign_parse(&as, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	}
	if (!as.n) {
		tk_error("nothing to set: give field=value, +tag or -tag");
		bundled(TK_EXIT_USAGE, nopt, argv);
	}
	tk_cmd_assignments(&as, 0);
	if (tk_output_init(&out, tk_output_choose(tsv, table, json), cols, 0) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	bad = tk_cmd_ids(&ids, nidargs, idargs);
	free(idargs);
	if (bad && atomic)
		tk_die(TK_EXIT_DATA, "--atomic: %d bad lines on standard input, nothing changed", bad);
	if (bad)
		status = TK_EXIT_DATA;
	if (dir && !tk_store_exists(tk_store_path(dir)))
		bundled(TK_EXIT_FAIL, nopt, argv);	/* "-drafts": -d rafts */
	st = tk_cmd_store_assign(dir, TK_OPEN_WRITE, &as);
	if (cols)
		check_columns(st, &out, nopt, argv);
	j.as = &as;
	j.atomic = atomic;
	if (atomic) {
		j.ids = ids.v;
		j.n = ids.n;
	}
	j.err = tk_xmalloc((ids.n ? ids.n : 1) * sizeof *j.err);
	j.changed = tk_xmalloc((ids.n ? ids.n : 1) * sizeof *j.changed);
	memset(j.err, 0, (ids.n ? ids.n : 1) * sizeof *j.err);
	for (off = 0; off < ids.n; off += j.n) {
		struct job sub = j;
		int rc;

		sub.ids = ids.v + off;
		sub.n = atomic ? ids.n : (ids.n - off < BATCH ? ids.n - off : BATCH);
		sub.err = j.err + off;
		sub.changed = j.changed + off;
		j.n = sub.n;
		rc = tk_store_write(st, set_batch, &sub);
		if (rc && rc != TK_EXIT_DATA)
			tk_die(rc, "%s", tk_errmsg);
		for (k = 0; k < sub.n; k++)
			if (sub.err[k])
				tk_warn("ticket %llu: %s", (unsigned long long)sub.ids[k], sub.err[k]);
		if (rc == TK_EXIT_DATA) {
			tk_warn("--atomic: nothing changed");
			undone = 1;
			for (k = 0; k < sub.n; k++)
				sub.changed[k] = 0;
		}
		if (sub.refused || rc)
			status = TK_EXIT_DATA;
		else if (sub.missing && !status)
			status = TK_EXIT_NOMATCH;
	}
	if (!quiet && !undone) {
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_ticket_init(&tk);
		/* Ids from a pipe: every ticket read that exists and was not
		 * refused goes on, changed or not (DESIGN.md 4). */
		for (k = 0; k < ids.n; k++)
			if ((nidargs ? j.changed[k] : !j.err[k]) && tk_ticket_get(&t, ids.v[k], &tk, 0) == 1)
				tk_output_ticket(&out, &t, &tk);
		tk_output_finish(&out);
		tk_ticket_free(&tk);
		tk_txn_end(&t);
	}
	for (k = 0; k < ids.n; k++)
		free(j.err[k]);
	free(j.err);
	free(j.changed);
	tk_output_free(&out);
	tk_assignments_free(&as);
	tk_ids_free(&ids);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return status;
}
