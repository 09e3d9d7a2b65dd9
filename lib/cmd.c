/* cmd.c - what every command does the same way: start, usage, store, ids. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tk.h"

static const char *usage_text;
#if !defined(__SANITIZE_ADDRESS__)	/* (tk_cmd_bulk_memory) */
#define REEXEC 1
static char **start_argv;	/* argv as given (getopt reorders argv) */
#endif

void
tk_cmd_start(int argc, char **argv, const char *usage)
{
	tk_setprogname(argv[0]);
	tk_sigpipe_default();
	usage_text = usage;
#ifdef REEXEC
	start_argv = tk_xmalloc(((size_t)argc + 1) * sizeof *start_argv);
	memcpy(start_argv, argv, ((size_t)argc + 1) * sizeof *start_argv);
#else
	(void)argc;
#endif
}

#define HUGETLB "glibc.malloc.hugetlb=1"

#ifdef REEXEC
/* GLIBC_TUNABLES back as TK_TUNABLES_WAS says it was ("+value", or "-"
 * for unset), and TK_TUNABLES_WAS gone. */
static void
tunables_back(void)
{
	const char *was = getenv("TK_TUNABLES_WAS");

	if (was && *was == '+')
		setenv("GLIBC_TUNABLES", was + 1, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	unsetenv("TK_TUNABLES_WAS");
}
#endif

/*
 * A bulk run (an import, tk-new -b, tk-kb reindex) allocates hundreds of
 * MiB, and on a virtual machine the first touch of each 4 KiB page can
 * cost 5-12 us (bench/RESULTS.md, thirteenth session). glibc's malloc asks
 * for transparent huge pages (2 MiB, one fault for 512) when the tunable
 * glibc.malloc.hugetlb=1 is set, which it reads from GLIBC_TUNABLES only as
 * a program starts: so the command starts itself again, once, with the
 * tunable added, before it has read or written anything. The environment
 * is put back as it was for the programs it runs (hooks, sendmail). Not
 * under valgrind (it would not follow) nor a sanitizer (its own malloc);
 * TK_HUGEPAGES=0 (tk.7) turns it off; if the exec fails the command goes
 * on as it is.
 */
void
tk_cmd_bulk_memory(void)
{
#ifndef REEXEC
	return;
#else
	const char *t = getenv("GLIBC_TUNABLES");
	const char *pre = getenv("LD_PRELOAD"), *off = getenv("TK_HUGEPAGES");
	tk_buf b = { 0 };
	char self[4096];
	ssize_t n;

	if (getenv("TK_TUNABLES_WAS")) {	/* started again */
		tunables_back();
		return;
	}
	if (!start_argv || (off && !strcmp(off, "0")) || (t && strstr(t, "glibc.malloc.hugetlb")) ||
	    (pre && strstr(pre, "vgpreload")))
		return;
	tk_buf_printf(&b, "%s%s", t ? "+" : "-", t ? t : "");
	setenv("TK_TUNABLES_WAS", tk_buf_cstr(&b), 1);
	b.len = 0;
	tk_buf_printf(&b, "%s%s%s", t && *t ? t : "", t && *t ? ":" : "", HUGETLB);
	setenv("GLIBC_TUNABLES", tk_buf_cstr(&b), 1);
	tk_buf_free(&b);
	/* the program's own path, so that ps and top show its name, not "exe" */
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0 && (size_t)n < sizeof self - 1) {
		self[n] = '\0';
		execv(self, start_argv);
	}
	tunables_back();	/* (no /proc, or the exec failed: on as it is) */
#endif
}

/*
 * A command's usage text is its synopsis, as in its man page, then a blank
 * line, then its help: free lines (a sentence, a heading such as "Output:")
 * and option lines "-o, --output columns<TAB>what it does". A usage error
 * prints the synopsis alone; --help prints it all, the option lines
 * aligned, then where the manual is. One text, so help has no second copy
 * to fall out of step with.
 */
static size_t
synopsis_len(const char *text)
{
	const char *end = strstr(text, "\n\n");

	return end ? (size_t)(end - text) + 1 : strlen(text);
}

/* Long options alone are indented past the "-x, " of the others, as GNU does. */
static int
spec_indent(const char *spec)
{
	return spec[0] == '-' && spec[1] == '-' ? 4 : 0;
}

void
tk_help_print(FILE *fp, const char *text)
{
	const char *p, *nl, *tab;
	int w, col = 0;

	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (tab && (w = spec_indent(p) + (int)(tab - p)) > col)
			col = w;
		if (!*nl)
			break;
	}
	if (col > 30)
		col = 30;	/* a longer one puts its description on the next line */
	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (!tab)
			fprintf(fp, "%.*s\n", (int)(nl - p), p);
		else {
			w = spec_indent(p) + (int)(tab - p);
			fprintf(fp, "  %*s%.*s", spec_indent(p), "", (int)(tab - p), p);
			if (w > col)
				fprintf(fp, "\n%*s", col + 2, "");
			fprintf(fp, "%*s  %.*s\n", w > col ? 0 : col - w, "", (int)(nl - tab - 1), tab + 1);
		}
		if (!*nl)
			break;
	}
}

_Noreturn void
tk_usage(int code)
{
	size_t n = synopsis_len(usage_text);

	if (code) {
		fprintf(stderr, "usage: %.*s", (int)n, usage_text);
		fprintf(stderr, "Try '%s --help' for more.\n", tk_progname);
		exit(code);
	}
	printf("usage: ");
	tk_help_print(stdout, usage_text);
	printf("\nSee 'man %s' for more.\n", tk_progname);
	exit(code);
}

_Noreturn void
tk_common_option(int c)
{
	switch (c) {
	case 'h':
		tk_usage(TK_EXIT_OK);
	case 'V':
		printf("%s (tk) %s\n", tk_progname, TK_VERSION);
		exit(TK_EXIT_OK);
	default:
		tk_usage(TK_EXIT_USAGE);
	}
}

/*
 * A writer's ticket index (tk-config(5) fulltext): kept when the config
 * says so or, unset there, when the store was made with it or rebuilt by
 * tk-kb reindex (meta's ft_tickets). Turned off, the index stops being
 * trusted, so text= reads the tickets themselves.
 */
static int
ft_built(tk_txn *t, void *arg)
{
	int *on = arg, rc = tk_ft_tickets_built(t);

	if (rc < 0)
		return TK_EXIT_FAIL;
	if (*on == 0 && rc == 1 && tk_ft_tickets_mark(t, 0) < 0)
		return TK_EXIT_FAIL;
	*on = *on < 0 ? rc : *on;
	return 0;
}

static void
ft_setup(tk_store *st, const char *path)
{
	const tk_settings *set = tk_settings_get(path);	/* read once a process, shared */
	int on;

	if (!set)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	on = set->fulltext_tickets;
	if (on != 1) {
		tk_txn t;
		int rc;

		if (on < 0) {	/* a reader's look at meta is enough */
			if (tk_txn_read(st, &t) < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			rc = tk_ft_tickets_built(&t);
			tk_txn_end(&t);
			if (rc < 0)
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
			on = rc;
		} else if ((rc = tk_store_write(st, ft_built, &on)))
			tk_die(rc, "%s", tk_errmsg);
	}
	st->ft_tickets = on == 1;
	st->ft_drain = tk_ft_drain;
	st->ft_new = tk_ft_bulk_new;
	st->ft_touch = tk_ft_touch;
	st->ft_committed = tk_ft_committed;
	st->ft_aborted = tk_ft_aborted;
	st->ft_finish = tk_ft_finish;
}

tk_store *
tk_cmd_store(const char *dir, int mode)
{
	const char *path;
	tk_store *st;
	size_t size;
	int made;

	if (tk_map_size(&size) < 0 || tk_hugepages(-1) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	path = tk_store_path(dir);
	/* Only a command about to write makes a store (DESIGN.md 9), and
	 * not with a broken configuration file it would refuse. */
	made = mode == TK_OPEN_CREATE && !tk_store_exists(path);
	if (mode != TK_OPEN_CREATE && !tk_store_exists(path))
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (mode == TK_OPEN_CREATE && !tk_store_exists(path) && tk_config_read(path, NULL) < 0)
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	st = tk_store_open(path, mode != TK_OPEN_READ && mode != TK_OPEN_CHECK);
	if (st && mode == TK_OPEN_CONFIG && st->created) {
		/* (tk-config makes no store: it has nothing to apply to one) */
		tk_die(TK_EXIT_FAIL, "%s: no tk store here", path);
	}
	if (!st)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	if (st->schema < TK_SCHEMA_VERSION) {
		/* An older store: brought up to date by a writer, then opened. */
		if (mode == TK_OPEN_READ || mode == TK_OPEN_CHECK) {
			tk_store_close(st);
			if (!(st = tk_store_open(path, 1)))
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		}
		if (st->schema < TK_SCHEMA_VERSION && tk_store_upgrade(st) < 0)
			tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		if (mode == TK_OPEN_READ || mode == TK_OPEN_CHECK) {
			tk_store_close(st);
			if (!(st = tk_store_open(path, 0)))
				tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
		}
	}
	tk_config_load(st, mode);
	/* Every ticket a writing command makes gets its requester's contact,
	 * and the contacts' summaries follow (cstats.c). */
	if (mode == TK_OPEN_WRITE || mode == TK_OPEN_CREATE) {
		tk_contacts_install(st);
		tk_summary_hook = tk_cstats_hook;
		tk_bulk_end_hook = tk_cstats_fold_store;
	}
	/* (tk-config check and apply report a broken config file themselves.) */
	/* Every ticket a writing command makes or changes gets its SLA
	 * deadlines; a broken sla or calendars file refuses the command, as
	 * a broken fields file does, before anything is written (a store
	 * made just now is taken back). */
	if ((mode == TK_OPEN_WRITE || mode == TK_OPEN_CREATE) && tk_sla_attach(st) < 0) {
		if (made)
			tk_cmd_unmake_on_exit(path);
		tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
	}
	if (mode == TK_OPEN_WRITE || mode == TK_OPEN_CREATE)
		ft_setup(st, path);
	return st;
}

tk_store *
tk_cmd_store_assign(const char *dir, int mode, const tk_assignments *as)
{
	const char *path = tk_store_path(dir);
	tk_store *st, none;
	tk_txn t;
	size_t i;
	int rc;

	for (i = 0; i < as->n && as->a[i].field != TK_F_CUSTOM; i++)
		;
	if (mode == TK_OPEN_CREATE && !tk_store_exists(path)) {
		const tk_status_def *defs;
		const long *lines;
		size_t n;

		/* No store yet: its directory's files say what it will take
		 * (the store is made with them): names, types, statuses. */
		memset(&none, 0, sizeof none);
		none.dir = (char *)path;
		if (tk_fields_load(&none) < 0 || tk_workflow_read(path, NULL) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		n = tk_workflow_statuses(&defs, &lines);
		tk_status_install(defs, n);
		tk_config_install();
		rc = i == as->n ? 0 : tk_assignments_check(&none, NULL, as);
		for (i = 0; i < none.ndeclared; i++)
			free(none.declared[i]);
		free(none.declared);
		if (rc < 0 || (rc = tk_assignments_validate(as)) < 0)
			tk_die(rc == -2 ? TK_EXIT_DATA : TK_EXIT_USAGE, "%s", tk_errmsg);
		return tk_cmd_store(dir, mode);
	}
	st = tk_cmd_store(dir, mode);
	/* A status the store does not have is a malformed word (exit 2); a
	 * value a declared type refuses, the data's refusal (exit 3),
	 * wherever it came from (DESIGN.md 9). */
	if ((rc = tk_assignments_validate(as)) < 0)
		tk_die(rc == -2 ? TK_EXIT_DATA : TK_EXIT_USAGE, "%s", tk_errmsg);
	if (i == as->n)
		return st;
	if (tk_txn_read(st, &t) < 0)
		tk_die(TK_EXIT_FAIL, "%s", tk_errmsg);
	rc = tk_assignments_check(st, &t, as);
	tk_txn_end(&t);
	if (rc < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	return st;
}

/*
 * A command that is about to exit leaves its store open: the kernel closes
 * the files and drops the map as the process ends, with no work of ours.
 * mdb_env_close would unmap the map first (a 1 GiB map with the pages a
 * query touched: a TLB flush on every core) and free LMDB's write buffers
 * (3 MiB, given back page by page): 0.1 ms of a one-ticket tk-new's
 * 1.1 ms of CPU. Every transaction has ended by now, so no reader slot
 * is held, and every commit has been flushed. The store stays reachable
 * from here, so leak checkers do not count it as lost.
 */
static tk_store *volatile left;	/* volatile: kept, though never read */

void
tk_cmd_leave(tk_store *st)
{
	left = st;
}

int
tk_cmd_ids(tk_ids *ids, int argc, char **argv)
{
	int i, bad = 0;
	uint64_t id;

	if (argc == 0) {
		if (isatty(STDIN_FILENO))
			tk_die(TK_EXIT_USAGE, "no ticket ids: give them as arguments or on standard input");
		if (tk_ids_read(ids, stdin, "stdin", &bad) < 0)
			tk_die(TK_EXIT_DATA, "%s", tk_errmsg);
		tk_ids_unique(ids);
		return bad;
	}
	for (i = 0; i < argc; i++) {
		if (tk_id_parse(argv[i], strlen(argv[i]), &id) < 0)
			tk_die(TK_EXIT_USAGE, "%s: not a ticket id", argv[i]);
		tk_ids_add(ids, id);
	}
	tk_ids_unique(ids);
	return 0;
}

/* Word w is an option whose argument is the next word ("-o", "-qo"). */
static int
option_argument(const char *w, const char *shortopts)
{
	const char *o;
	size_t j;

	if (w[0] != '-' || w[1] == '-' || !w[1])
		return 0;
	for (j = 1; w[j]; j++) {
		if (w[j] == ':' || !(o = strchr(shortopts, w[j])))
			return 0;
		if (o[1] == ':')
			return !w[j + 1];
	}
	return 0;
}

char *
tk_read_all(FILE *fp, const char *name, size_t *len)
{
	tk_buf b = { 0 };
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		tk_buf_add(&b, chunk, n);
	if (ferror(fp))
		tk_die(TK_EXIT_FAIL, "%s: read error", name);
	*len = b.len;
	return b.p ? b.p : tk_xstrdup("");
}

static int option_argument(const char *w, const char *shortopts);

int
tk_getopt_end_assign(int argc, char **argv, const char *shortopts)
{
	int i, end = tk_getopt_end(argc, argv, shortopts);

	/* "-domain=x", "-phone=x": removals from a set, whatever their letters */
	for (i = 1; i < end; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (argv[i][0] == '-' && ((argv[i][1] >= 'a' && argv[i][1] <= 'z') || (argv[i][1] >= 'A' &&
		    argv[i][1] <= 'Z')) && strchr(argv[i], '=') && (i == 1 || !option_argument(argv[i - 1], shortopts)))
			return i;
	}
	return end;
}

int
tk_getopt_end(int argc, char **argv, const char *shortopts)
{
	int i, j;
	const char *o;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			return argc;
		if (a[0] != '-' || !a[1] || a[1] == '-')
			continue;
		/* "-qt" are options; "-urgent" has a letter that is none: a tag. */
		for (j = 1; a[j]; j++) {
			o = a[j] == ':' ? NULL : strchr(shortopts, a[j]);
			if (!o)
				return j > 1 || a[2] ? i : argc;
			if (o[1] == ':') {
				if (!a[j + 1])
					i++;	/* the option's argument is the next word */
				break;
			}
		}
	}
	return argc;
}

/*
 * Options are words of the command line like any other: a value that is
 * empty, or a second value for an option that takes one, is a usage error
 * (exit 2) rather than a silent choice, so "-o ''" or "-d a -d b" never
 * run with something the user did not ask for.
 */
const char *
tk_opt_once(const char *opt, const char *prev, const char *arg)
{
	if (!*arg)
		tk_die(TK_EXIT_USAGE, "%s '': an empty value (leave %s out for the default)", opt, opt);
	if (prev && strcmp(prev, arg))
		tk_die(TK_EXIT_USAGE, "%s given twice (%s, %s): give it once", opt, prev, arg);
	return arg;
}

const char *
tk_opt_text(const char *opt, const char *arg)
{
	if (tk_text_check(opt, arg, strlen(arg)) < 0)
		tk_die(TK_EXIT_USAGE, "%s", tk_errmsg);
	return arg;
}

void
tk_opt_conflict(const char *a, int has_a, const char *b, int has_b)
{
	if (has_a && has_b)
		tk_die(TK_EXIT_USAGE, "%s and %s: choose one", a, b);
}

/*
 * How getopt reads each word before argument end that bundles option
 * letters ("-qt", "-ostatus", "-todo" as -t -o do), said for a message
 * when a command that takes "-tag" operands found nothing to do: the word
 * was perhaps meant as a tag removal, and "--" ends the options.
 */
void
tk_opt_bundles(tk_buf *out, int end, char **argv, const char *shortopts)
{
	int i, j;
	const char *o;

	for (i = 1; i < end; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (a[0] != '-' || !a[1] || a[1] == '-')
			continue;
		if (!a[2]) {	/* one letter: its argument, if any, is the next word */
			o = strchr(shortopts, a[1]);
			i += o && a[1] != ':' && o[1] == ':';
			continue;
		}
		if (out->len)
			tk_buf_adds(out, "; ");
		tk_buf_printf(out, "%s was read as", a);
		for (j = 1; a[j]; j++) {
			o = a[j] == ':' ? NULL : strchr(shortopts, a[j]);
			tk_buf_printf(out, " -%c", a[j]);
			if (o && o[1] == ':') {
				if (a[j + 1])
					tk_buf_printf(out, " %s", a + j + 1);
				else if (i + 1 < end)
					tk_buf_printf(out, " %s", argv[++i]);
				break;
			}
		}
		tk_buf_printf(out, "; write -- %s to remove the tag %s (-- ends the options)", a, a + 1);
	}
}

/*
 * What the assignments of a command line say on their face, whatever the
 * ticket: a field set twice to different values (-s a subject=b), a
 * creation time on a ticket that exists. Refused as usage errors
 * (exit 2), before the store is opened; what depends on the ticket (the
 * workflow, links) is the store's to refuse (exit 3).
 */
void
tk_cmd_assignments(const tk_assignments *as, int creating)
{
	const tk_assign *a, *b;
	size_t i, j;

	for (i = 0; i < as->n; i++) {
		a = &as->a[i];
		if (a->op != '=')
			continue;
		if (a->field == TK_F_CREATED && !creating)
			tk_die(TK_EXIT_USAGE, "created=%s: set when the ticket is made, cannot be changed", a->value);
		if (a->field == TK_F_ESCALATION && (a->value[0] == '+' || a->value[0] == '-'))
			continue;	/* escalation=+1 escalation=+1 adds up */
		for (j = i + 1; j < as->n; j++) {
			b = &as->a[j];
			if (b->op == '=' && b->field == a->field && !strcasecmp(b->name, a->name) &&
			    strcmp(b->value, a->value))
				tk_die(TK_EXIT_USAGE, "%s given twice (%s=%s, %s=%s): give it once",
				    a->name, a->name, a->value, b->name, b->value);
		}
	}
}

static char *unmake_dir;

static void
unmake(void)
{
	tk_buf p = { 0 };

	if (!unmake_dir)
		return;
	tk_buf_printf(&p, "%s/data.mdb", unmake_dir);
	unlink(tk_buf_cstr(&p));
	p.len = 0;
	tk_buf_printf(&p, "%s/lock.mdb", unmake_dir);
	unlink(tk_buf_cstr(&p));
	rmdir(unmake_dir);	/* only when empty: a fields file stays */
	tk_buf_free(&p);
}

void
tk_cmd_unmake_on_exit(const char *dir)
{
	static int registered;

	free(unmake_dir);
	unmake_dir = dir ? tk_xstrdup(dir) : NULL;
	if (dir && !registered++)
		atexit(unmake);
}
