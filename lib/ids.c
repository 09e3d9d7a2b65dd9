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
tk_id_typed(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (!i || i > 4 || i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

struct at {
	uint64_t id;
	size_t i;
};

static int
cmp_at(const void *a, const void *b)
{
	const struct at *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
cmp_index(const void *a, const void *b)
{
	const struct at *x = a, *y = b;

	return x->i < y->i ? -1 : x->i > y->i;
}

void
tk_ids_unique(tk_ids *ids)
{
	struct at *v;
	size_t i, j;

	if (ids->n < 2)
		return;
	v = tk_xmalloc(ids->n * sizeof *v);
	for (i = 0; i < ids->n; i++)
		v[i] = (struct at){ ids->v[i], i };
	qsort(v, ids->n, sizeof *v, cmp_at);
	for (i = 1, j = 1; i < ids->n; i++)
		if (v[i].id != v[j - 1].id)
			v[j++] = v[i];
	qsort(v, j, sizeof *v, cmp_index);
	for (i = 0; i < j; i++)
		ids->v[i] = v[i].id;
	ids->n = j;
	free(v);
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
		if (r.header && r.nfields == 1 && !strcmp(r.fields[0], "dry-run")) {
			/* What --dry-run steps would have done, not tickets to act on. */
			tk_error("%s:%ld: a dry-run stream (#dry-run): only a --dry-run command reads it", name, r.lineno);
			tk_reader_free(&r);
			return -1;
		}
		if (r.header || (r.nfields == 1 && !r.lens[0]))
			continue;
		if (tk_id_typed(r.fields[0], r.lens[0])) {
			/* c123, kb7: a record about something else (DESIGN.md 4) */
			tk_warn("%s:%ld: %s: not a ticket, skipped", name, r.lineno, r.fields[0]);
			continue;
		}
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

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
tk_ids_sort(tk_ids *ids)
{
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof *ids->v, cmp_u64);
}
