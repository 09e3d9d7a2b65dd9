/* tk - run tk-NAME: "tk ls status=open" is "tk-ls status=open". */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static const char usage[] =
    "tk command [argument ...]\n"
    "       tk --help | --version\n";

static const char *const commands[] = {
	"new", "ls", "show", "set", "comment", "log", "import", "export", "route", NULL
};

int
main(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 80], *slash, name[64];
	ssize_t n;
	size_t i;

	tk_cmd_start(argc, argv, usage);
	if (argc < 2)
		tk_usage(TK_EXIT_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		printf("usage: %s\ncommands:", usage);
		for (i = 0; commands[i]; i++)
			printf(" %s", commands[i]);
		printf("\nEach is also tk-NAME; see tk(7) and tk-NAME(1).\n");
		return TK_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tk %s\n", TK_VERSION);
		return TK_EXIT_OK;
	}
	if (argv[1][0] == '-' || strchr(argv[1], '/') || strlen(argv[1]) > 40)
		tk_die(TK_EXIT_USAGE, "%s: not a command", argv[1]);
	snprintf(name, sizeof name, "tk-%s", argv[1]);
	argv[1] = name;
	/* Prefer the tk-NAME beside this tk, so a build directory runs its own. */
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/%s", self, name);
			if (access(path, X_OK) == 0)
				execv(path, argv + 1);
		}
	}
	execvp(name, argv + 1);
	tk_die(127, "%s: no such command (tk --help lists them)", name);
}
