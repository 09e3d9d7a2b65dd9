/* tk-export - tickets as CSV, tk records or JSON lines, with comments and history. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char usage[] =
    "tk-export [--format csv | tsv | json] [--bom | --excel]\n"
    "                 [--with comments,history,links] [-d dir] [-o columns]\n"
    "                 [filter ...] [-]\n"
    "\n"
    "Writes tickets for other systems and for tk-import: with no filter, every\n"
    "ticket; filters are those of tk-ls, and - keeps the ids on standard input.\n"
    "\n"
    "Format:\n"
    "--format csv | tsv | json\tthe format; CSV by default\n"
    "--bom\tstart CSV with a byte order mark, for Excel\n"
    "--excel\t--bom, and text cells never read as formulas\n"
    "--with comments,history,links\twith JSON, each ticket's comments, history, links to it\n"
    "-o, --output columns\tthe columns; every field by default\n"
    "Other:\n"
    "-d, --dir dir\tthe store (else $TK_DIR)\n"
    TK_COMMON_HELP;

static int
emit(tk_txn *t, tk_ticket *tk, void *arg)
{
	tk_output_ticket(arg, t, tk);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "bom", no_argument, NULL, 'B' },
		{ "excel", no_argument, NULL, 'E' },
		{ "with", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *cols = NULL, *format = NULL;
	char *allcols = NULL, *copy, *tok, *save;
	int c, i, bom = 0, excel = 0, stdin_ids = 0;
	tk_json_with w = { 0 };
	enum tk_format fmt;
	tk_filter *q = tk_filter_new();
	tk_output out;
	tk_store *st;
	tk_txn t;
	long n;

	tk_cmd_start(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "o:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = tk_opt_once("--format", format, optarg); break;
		case 'B': bom = 1; break;
		case 'E': bom = excel = 1; break;
		case 'w':
			copy = tk_xstrdup(*optarg ? optarg : tk_opt_once("--with", NULL, optarg));
			for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "comments"))
					w.comments = 1;
				else if (!strcmp(tok, "history"))
					w.history = 1;
				else if (!strcmp(tok, "links"))
					w.links = 1;
				else
					tk_die(TK_EXIT_USAGE, "--with %s: comments, history or links", tok);
			}
			free(copy);
			break;
		case 'o': cols = tk_opt_once("-o", cols, tk_opt_text("-o", optarg)); break;
		case 'd': dir = tk_opt_once("-d", dir, optarg); break;
		default: tk_common_option(c);
		}
	}
	if (!format || !strcmp(format, "csv"))
		fmt = TK_FMT_CSV;
	else if (!strcmp(format, "tsv"))
		fmt = TK_FMT_TSV;
	else if (!strcmp(format, "json"))
		fmt = TK_FMT_JSON;
	else
		tk_die(TK_EXIT_USAGE, "--format %s: csv, tsv or json", format);
	if ((w.comments || w.history || w.links) && fmt != TK_FMT_JSON)
		tk_die(TK_EXIT_USAGE, "--with goes with --format json");
	if (bom && fmt != TK_FMT_CSV)
		tk_die(TK_EXIT_USAGE, "%s goes with --format csv", excel ? "--excel" : "--bom");
	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "-"))
			stdin_ids = 1;
		else if (tk_filter_add(q, argv[i]) < 0)
			tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
		else if (tk_filter_warning(q))
			tk_warn("%s", tk_filter_warning(q));
	}
	if (stdin_ids) {
		tk_ids ids = { 0 };
		int bad = 0;

		if (tk_ids_read(&ids, stdin, "stdin", &bad) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		if (bad)
			tk_die(TK_EXIT_DATA, "stdin: %d bad lines; nothing exported", bad);
		tk_filter_ids(q, ids.v, ids.n);
		tk_ids_free(&ids);
	}
	st = tk_cmd_store(dir, TK_OPEN_READ);
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (!cols)
		cols = allcols = tk_output_all_columns(&t);
	if (tk_output_init(&out, fmt, cols, fmt != TK_FMT_JSON) < 0 || tk_output_check(&out, &t) < 0 ||
	    tk_filter_prepare(q, &t) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	out.json_extra = (w.comments || w.history || w.links) ? tk_json_extra : NULL;
	out.json_arg = &w;
	out.defuse = excel;
	if (bom)
		fputs("\xef\xbb\xbf", stdout);
	n = tk_filter_run(q, &t, emit, &out);
	if (n < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	tk_output_finish(&out);
	tk_txn_end(&t);
	tk_output_free(&out);
	tk_filter_free(q);
	tk_cmd_leave(st);
	free(allcols);
	tk_flush_stdout();
	return n ? TK_EXIT_OK : TK_EXIT_NOMATCH;
}
