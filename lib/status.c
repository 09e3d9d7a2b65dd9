/*
 * status.c - the classes of statuses: which are active (new, open,
 * pending: the working set, SLA running or paused) and which are done.
 * The ground floor of the ticket model: the indexes and the working set
 * ask it which tickets they hold.
 */
#include <string.h>

#include "tk.h"

const char *const tk_active_names[TK_ACTIVE_N] = { "new", "open", "pending" };

int
tk_active_status(tk_str s)
{
	size_t i;

	for (i = 0; i < TK_ACTIVE_N; i++)
		if (tk_str_eq(s, tk_active_names[i]))
			return 1;
	return 0;
}

int
tk_status_paused(tk_str s)
{
	return tk_str_eq(s, "pending");
}
