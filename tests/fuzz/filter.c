/* Fuzz target: the filter parser and matcher. Each input line is a filter
 * term; the filter is run over a small store made once per process. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

static tk_store *st;
static char dir[] = "/tmp/tk-fuzz.XXXXXX";

#include "../remove_store.h"

static void
cleanup(void)
{
	remove_store(dir);
}

static int
seed(tk_txn *t, void *arg)
{
	static const char *const rows[][4] = {
		{ "subject=VPN down", "priority=P1", "assignee=alice", "+vpn" },
		{ "subject=\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba", "queue=desk", "product=X200", "status=open" },
		{ "subject=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "requester=bob@example.com", "csat=4", "due=2h" },
	};
	tk_ticket tk;
	size_t i, j;

	(void)arg;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tk_assignments as = { 0 };

		for (j = 0; j < 4; j++)
			tk_assign_parse(&as, rows[i][j]);
		if (tk_ticket_create(t, &tk, &as, "body text", 9) < 0)
			abort();
		tk_ticket_free(&tk);
		tk_assignments_free(&as);
	}
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TK_NOW", "2026-11-22T09:30:00Z", 1);
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	if (!(st = tk_store_open(dir, 1)) || tk_store_write(st, seed, NULL))
		abort();
	return 0;
}

static int
count(tk_txn *t, tk_ticket *tk, void *arg)
{
	(void)t;
	(void)tk;
	++*(int *)arg;
	return 0;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = tk_xstrndup((const char *)data, size), *line, *save;
	tk_filter *q = tk_filter_new();
	tk_txn t;
	int n = 0;

	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		tk_filter_add(q, line);
	if (tk_txn_read(st, &t) == 0) {
		if (tk_filter_prepare(q, &t) == 0)
			tk_filter_run(q, &t, count, &n);
		tk_txn_end(&t);
	}
	tk_filter_free(q);
	free(s);
	return 0;
}
