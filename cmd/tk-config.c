/* tk-config - check the store's configuration files, and apply them to the store. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-config check [-Ht] [--table] [--json] [--tickets] [-d dir]\n"
    "       tk-config apply [-q] [-d dir]\n"
    "\n"
    "check reads every configuration file of the store (config, fields,\n"
    "workflow, rules, calendars, sla) and says what is wrong with\n"
    "file:line; apply makes the store keep what they say (statuses'\n"
    "classes, indexed fields), moving tickets.\n"
    "\n"
    "check:\n"
    "--tickets\talso list stored values the files refuse now\n"
    "-H, --header\ta '#' header line first\n"
    "-t, --tsv\trecords even on a terminal\n"
    "--table\tthe aligned table even when not on a terminal\n"
    "--json\tJSON lines, one object a problem\n"
    "apply:\n"
    "-q, --quiet\tprint nothing of what changed\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR, else ~/.local/share/tk)\n"
    TK_COMMON_HELP;

/* The files, and the store when there is one: 0 clean, 1 problems. */
static int
check(const char *dir, int tickets, tk_output *out)
{
	const char *path = tk_store_path(dir);
	tk_conf_errs errs = { { 0 }, 0 };
	const char *p, *nl;
	tk_store *st = NULL;
	long n = 0;
	tk_txn t;

	if (tickets && !tk_store_exists(path))
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (tk_store_exists(path)) {
		st = tk_cmd_store(dir, TK_OPEN_CHECK);
		if (tk_txn_read(st, &t) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	}
	tk_config_check_files(path, st, st ? &t : NULL, &errs);
	for (p = errs.msgs.p; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		tk_warn("%.*s", (int)(nl - p), p);
	}
	if (st) {
		if (!errs.n && tk_config_agrees(st) < 0) {
			tk_warn("%s: the store keeps another configuration: run tk-config apply", tk_errmsg);
			errs.n++;
		}
		if (tickets && (n = tk_config_check_tickets(&t, out)) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		tk_txn_end(&t);
		tk_cmd_leave(st);
	}
	tk_output_finish(out);
	tk_buf_free(&errs.msgs);
	return errs.n || n ? TK_EXIT_NOMATCH : TK_EXIT_OK;
}

static int
apply(const char *dir, int quiet)
{
	tk_conf_errs errs = { { 0 }, 0 };
	const char *path = tk_store_path(dir), *p, *nl;
	tk_buf report = { 0 };
	tk_store *st;
	int rc;

	if (!tk_store_exists(path))
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	/* Every problem of the files first: nothing is applied from a broken one. */
	if (tk_config_read(path, &errs) < 0) {
		for (p = errs.msgs.p; p && *p; p = nl + 1) {
			nl = strchr(p, '\n');
			tk_warn("%.*s", (int)(nl - p), p);
		}
		tk_die(TK_EXIT_DATA, "nothing applied: mend %s first", errs.n > 1 ? "these" : "it");
	}
	st = tk_cmd_store(dir, TK_OPEN_CONFIG);
	if ((rc = tk_config_apply(st, &report)))
		tk_die(rc, "%s", tk_errmsg);
	if (!report.len && !quiet)
		tk_warn("the store keeps what the files say: nothing to apply");
	else if (!quiet)
		fwrite(report.p, 1, report.len, stdout);
	tk_buf_free(&report);
	tk_cmd_leave(st);
	tk_flush_stdout();
	return TK_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tickets", no_argument, NULL, 'K' },
		{ "header", no_argument, NULL, 'H' },
		{ "tsv", no_argument, NULL, 't' },
		{ "table", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *verb;
	int c, tickets = 0, header = 0, tsv = 0, table = 0, json = 0, quiet = 0, rc;
	tk_output out;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "Htqd:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'K': tickets = 1; break;
		case 'H': header = 1; break;
		case 't': tsv = 1; break;
		case 'T': table = 1; break;
		case 'J': json = 1; break;
		case 'q': quiet = 1; break;
		case 'd': dir = optarg; break;
		default: tk_common_option(c);
		}
	}
	if (optind == argc)
		tk_usage(TK_EXIT_USAGE);
	verb = argv[optind];
	if (optind + 1 < argc)
		tk_die(TK_EXIT_USAGE, "%s %s: %s takes no operand", verb, argv[optind + 1], verb);
	if (!strcmp(verb, "check")) {
		if (quiet)
			tk_die(TK_EXIT_USAGE, "-q goes with apply");
		if (tk_output_conflict(tsv, table, json, header) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		if (tk_output_init(&out, tk_output_choose(tsv, table, json), "id,field,value,why", header) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		rc = check(dir, tickets, &out);
		tk_output_free(&out);
		tk_flush_stdout();
		return rc;
	}
	if (!strcmp(verb, "apply")) {
		if (tickets || header || tsv || table || json)
			tk_die(TK_EXIT_USAGE, "%s goes with check",
			    tickets ? "--tickets" : header ? "-H" : tsv ? "-t" : table ? "--table" : "--json");
		return apply(dir, quiet);
	}
	tk_die(TK_EXIT_USAGE, "%s: not a verb of tk-config (check, apply)", verb);
}
