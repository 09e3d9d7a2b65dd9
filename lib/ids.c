/* ids.c - ticket ids from arguments or from the first field of records. */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

int
tk_id_parse(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n && s[0] == '#')	/* "#42", as people write ticket numbers */
		s++, n--;
	if (!n || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (!v)
		return -1;
	*out = v;
	return 0;
}

void
tk_ids_add(tk_ids *ids, uint64_t id)
{
	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? 2 * ids->cap : 64;
		ids->v = tk_xrealloc(ids->v, ids->cap * sizeof *ids->v);
	}
	ids->v[ids->n++] = id;
}

int
tk_ids_read(tk_ids *ids, FILE *fp, const char *name, int *bad)
{
	tk_reader r;
	uint64_t id;
	int rc;

	tk_reader_init(&r, fp, name);
	while ((rc = tk_reader_next(&r)) != 0) {
		if (rc < 0) {
			tk_warn("%s:%ld: %s", name, r.lineno, tk_errmsg);
			(*bad)++;
			continue;
		}
		if (r.header || (r.nfields == 1 && !r.lens[0]))
			continue;
		if (tk_id_parse(r.fields[0], r.lens[0], &id) < 0) {
			tk_warn("%s:%ld: %s: not a ticket id", name, r.lineno, r.fields[0]);
			(*bad)++;
			continue;
		}
		tk_ids_add(ids, id);
	}
	tk_reader_free(&r);
	return 0;
}

void
tk_ids_free(tk_ids *ids)
{
	free(ids->v);
	memset(ids, 0, sizeof *ids);
}
