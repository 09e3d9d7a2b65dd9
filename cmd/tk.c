/* tk - run tk-NAME: "tk ls status=open" is "tk-ls status=open". */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk [-d dir] command [argument ...]\n"
    "       tk help [command]\n"
    "       tk --help | --version\n"
    "\n"
    "Runs tk-command with the arguments: 'tk ls status=open' is 'tk-ls status=open'.\n";

static const char options[] =
    "Options:\n"
    "-d, --dir dir\tthe store, passed on to the command\n"
    TK_COMMON_HELP;

/* The commands tk knows, with their man pages' one-line descriptions. */
static const struct command {
	const char *name, *what;
} commands[] = {
	{ "new", "create tickets" },
	{ "ls", "select and list tickets" },
	{ "show", "everything about tickets" },
	{ "set", "change fields, tags and status of tickets" },
	{ "comment", "add a public reply or an internal note" },
	{ "log", "the event log as records" },
	{ "import", "bulk import of tickets from CSV, tk records or JSON lines" },
	{ "export", "tickets as CSV, tk records or JSON lines" },
	{ "agent", "agents and teams: skills, capacity, role, duty, queues" },
	{ "assign", "give tickets to agents, by name or by strategy" },
	{ "route", "apply routing rules to tickets" },
	{ "link", "link, merge and split tickets" },
	{ "mail", "mail into tickets: one message, an mbox or a Maildir" },
	{ "kb", "knowledge-base articles and full-text search" },
	{ "config", "check the configuration files of a store and apply them" },
	{ "notify", "send notices about tickets: mail through sendmail, or a hook" },
	{ "contact", "the customer directory: contacts, their addresses, org and tier" },
	{ "org", "organisations: domains, tier, queue and tags of their tickets" },
	{ "sla", "SLA clocks of open tickets; breaches claimed once; re-targeting" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The directory of this tk, so that a build directory runs its own commands. */
static int
self_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	if (!(slash = strrchr(dir, '/')))
		return -1;
	*slash = '\0';
	return 0;
}

struct names {
	const char **v;
	size_t n, cap;
};

/* Adds name unless it is there; copied when copy is set. */
static void
names_add(struct names *nm, const char *name, int copy)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (!strcmp(nm->v[i], name))
			return;
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? 2 * nm->cap : 32;
		nm->v = tk_xrealloc(nm->v, nm->cap * sizeof *nm->v);
	}
	nm->v[nm->n++] = copy ? tk_xstrdup(name) : name;
}

/* The NAMEs of the executable tk-NAME files in dir. */
static void
names_scan(struct names *nm, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	const char *p;
	DIR *d;

	if (!*dir)
		dir = ".";
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "tk-", 3) || !e->d_name[3] || strlen(e->d_name) > 40)
			continue;
		for (p = e->d_name + 3; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
				break;
		if (*p)
			continue;	/* tk-foo.c, tk-foo~: not a command */
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0)
			names_add(nm, e->d_name + 3, 1);
	}
	closedir(d);
}

/* Every command: the known ones, then any other tk-NAME beside tk or on PATH. */
static void
names_all(struct names *nm)
{
	char self[PATH_MAX], *path, *dir, *save = NULL;
	const char *env = getenv("PATH");
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		names_add(nm, commands[i].name, 0);
	if (self_dir(self, sizeof self) == 0)
		names_scan(nm, self);
	path = tk_xstrdup(env ? env : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		names_scan(nm, dir);
	free(path);
}

static _Noreturn void
help(void)
{
	struct names nm = { 0 };
	size_t i;
	int w = 0;

	names_all(&nm);
	for (i = 0; i < nm.n; i++)
		if ((int)strlen(nm.v[i]) > w)
			w = (int)strlen(nm.v[i]);
	printf("usage: ");
	tk_help_print(stdout, usage);
	printf("\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %-*s  %s\n", w, commands[i].name, commands[i].what);
	if (nm.n > NCOMMANDS) {
		printf("Other commands found beside tk or on PATH:\n");
		for (i = NCOMMANDS; i < nm.n; i++)
			printf("  %s\n", nm.v[i]);
	}
	printf("\n");
	tk_help_print(stdout, options);
	printf("\nSee 'tk help command' or 'man tk-command' for a command, 'man 7 tk' for a tour.\n");
	exit(TK_EXIT_OK);
}

/* The names nearest to name, as tk_nearest_try judges nearness, joined with "or". */
static void
nearest(const char *name, const struct names *nm, tk_buf *b)
{
	const char *near[8];
	tk_nearest nr, one;
	size_t i, k = 0;

	tk_nearest_init(&nr, name);
	for (i = 0; i < nm->n; i++)
		tk_nearest_try(&nr, nm->v[i]);
	for (i = 0; nr.best && i < nm->n && k < 8; i++) {
		tk_nearest_init(&one, name);
		tk_nearest_try(&one, nm->v[i]);
		if (one.best && one.dist == nr.dist)
			near[k++] = nm->v[i];
	}
	for (i = 0; i < k; i++)
		tk_buf_printf(b, "%s%s", i == 0 ? "" : i + 1 < k ? ", " : " or ", near[i]);
}

/*
 * The command was not found: say what was probably meant, or list the
 * commands; a usage error. A known command that is missing is the
 * installation's fault.
 */
static _Noreturn void
not_found(const char *name)
{
	struct names nm = { 0 };
	tk_buf b = { 0 };
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			tk_die(TK_EXIT_FAIL, "%s: tk-%s is neither beside tk nor on PATH", name, name);
	names_all(&nm);
	nearest(name, &nm, &b);
	if (b.len)
		tk_die(TK_EXIT_USAGE, "%s: no such command; did you mean %s?", name, tk_buf_cstr(&b));
	for (i = 0; i < nm.n; i++)
		tk_buf_printf(&b, " %s", nm.v[i]);
	tk_die(TK_EXIT_USAGE, "%s: no such command; the commands are:%s", name, tk_buf_cstr(&b));
}

/* Runs tk-NAME with argv (argv[0] is replaced), passing -d dir on. */
static _Noreturn void
run(const char *name, int argc, char **argv, const char *dir)
{
	char self[PATH_MAX], path[PATH_MAX + 80], prog[64];
	char **av = tk_xmalloc((size_t)(argc + 3) * sizeof *av);
	int i, n = 0, err;

	if (!*name || name[0] == '-' || strchr(name, '/') || strlen(name) > 40)
		tk_die(TK_EXIT_USAGE, "%s: not a command (tk --help lists them)", name);
	snprintf(prog, sizeof prog, "tk-%s", name);
	av[n++] = prog;
	if (dir) {
		av[n++] = "-d";
		av[n++] = (char *)dir;
	}
	for (i = 1; i < argc; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	if (self_dir(self, sizeof self) == 0) {
		snprintf(path, sizeof path, "%s/%s", self, prog);
		if (access(path, X_OK) == 0)
			execv(path, av);
	}
	execvp(prog, av);
	err = errno;
	free(av);
	if (err != ENOENT && err != ENOTDIR)
		tk_die(TK_EXIT_FAIL, "%s: %s", prog, strerror(err));
	not_found(name);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		TK_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL;
	int c;

	tk_cmd_start(argc, argv, usage);
	/* "+": the options end at the command, whose own options follow it. */
	while ((c = getopt_long(argc, argv, "+d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'h': help();
		case 'V': printf("tk %s\n", TK_VERSION); return TK_EXIT_OK;
		default: tk_common_option(c);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		tk_usage(TK_EXIT_USAGE);
	if (!strcmp(argv[0], "help")) {
		static char *help_argv[] = { NULL, "--help", NULL };

		if (argc == 1)
			help();
		if (argc > 2)
			tk_usage(TK_EXIT_USAGE);
		run(argv[1], 2, help_argv, NULL);
	}
	run(argv[0], argc, argv, dir);
}
