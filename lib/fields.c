/*
 * fields.c - which field names a store knows: tk's own (ticket.c), the
 * custom ones its fields file declares, and those already holding values
 * (sub-database fields). A writing command refuses any other name and
 * suggests the nearest known one, so a typo never becomes a field.
 *
 * The fields file (tk-config(5)): one statement a line,
 *	field NAME
 * Names are case-insensitive and kept lowercased. Types, allowed values
 * and ranges come with the lifecycle issue; until then a line with more
 * words is refused, so a file written for them is not half understood.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

/* Event names that are not field changes (DESIGN.md 3): no field takes them. */
static const char *const reserved[] = {
	"create", "body", "link", "unlink", "merge", "unmerge", "split", "mention", "reply", "note", "notify", "via",
	NULL
};

int
tk_event_reserved(const char *name, size_t n)
{
	const char *const *r;

	for (r = reserved; *r; r++)
		if (strlen(*r) == n && !memcmp(*r, name, n))
			return 1;
	return 0;
}

static int
is_reserved(const char *name)
{
	return tk_event_reserved(name, strlen(name));
}

int
tk_fields_load(tk_store *st)
{
	tk_conf c;
	size_t i;
	int rc;
	char *name;

	if ((rc = tk_conf_open(&c, st->dir, "fields")) <= 0)
		return rc;
	while ((rc = tk_conf_next(&c)) > 0) {
		if (strcmp(c.w[0], "field")) {
			tk_conf_error(&c, "%s: not a statement of this file (field NAME)", c.w[0]);
			goto fail;
		}
		if (c.nw < 2) {
			tk_conf_error(&c, "field: give its name (field NAME)");
			goto fail;
		}
		if (c.nw > 2) {
			tk_conf_error(&c, "field %s %s: only \"field NAME\" is understood yet "
			    "(types, values and ranges are not implemented)", c.w[1], c.w[2]);
			goto fail;
		}
		name = tk_xstrdup(c.w[1]);
		tk_field_name_lower(name);
		if (!tk_field_name_ok(name))
			tk_conf_error(&c, "field %s: not a field name (a letter, then letters, digits, _ - .; "
			    "at most 64 bytes)", c.w[1]);
		else if (tk_field_lookup(name) != TK_F_CUSTOM)
			tk_conf_error(&c, "field %s: a built-in field of tk, not to be declared", c.w[1]);
		else if (is_reserved(name))
			tk_conf_error(&c, "field %s: a reserved word of the event log", c.w[1]);
		else {
			for (i = 0; i < st->ndeclared; i++)
				if (!strcmp(st->declared[i], name))
					break;
			if (i == st->ndeclared) {
				st->declared = tk_xrealloc(st->declared, (st->ndeclared + 1) * sizeof *st->declared);
				st->declared[st->ndeclared++] = name;
			} else
				free(name);
			continue;
		}
		free(name);
		goto fail;
	}
	if (rc < 0)
		goto fail;
	tk_conf_close(&c);
	return 0;
fail:
	tk_conf_close(&c);
	return -1;
}

int
tk_field_declared(const tk_store *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->ndeclared; i++)
		if (!strcmp(st->declared[i], name))
			return 1;
	return 0;
}

int
tk_field_known(tk_txn *t, const char *name)
{
	return tk_field_declared(t->st, name) || tk_field_registered(t, name, strlen(name));
}

/*
 * "NAME: no such field": the nearest of tk's fields, the declared ones and
 * those the store holds (t NULL: a store not made yet, st its directory's
 * fields file only), as "did you mean".
 */
static int
unknown(tk_store *st, tk_txn *t, const char *what, const char *name)
{
	tk_nearest nr;
	MDB_cursor *c;
	MDB_val k, v;
	char *held = NULL;
	size_t i;
	int rc;

	tk_nearest_init(&nr, name);
	for (i = 1; i < TK_F_NFIELDS; i++)
		tk_nearest_try(&nr, tk_fields[i].name);
	for (i = 0; i < st->ndeclared; i++)
		tk_nearest_try(&nr, st->declared[i]);
	if (t && !mdb_cursor_open(t->txn, st->dbi[TK_DB_FIELDS], &c)) {
		/* (A store holds a few dozen names; the nearest is copied out.) */
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			char *s = tk_xstrndup(k.mv_data, k.mv_size);

			tk_nearest_try(&nr, s);
			if (nr.best == s) {
				free(held);
				held = s;
			} else
				free(s);
		}
		mdb_cursor_close(c);
	}
	if (nr.best)
		tk_error("%s: no field %s; did you mean %s?", what, name, nr.best);
	else
		tk_error("%s: no field %s (tk-ls(1) lists tk's fields; declare a custom one with a line "
		    "\"field %s\" in %s/fields)", what, name, name, st->dir);
	free(held);
	return -1;
}

int
tk_field_check(tk_store *st, tk_txn *t, const char *what, const char *name)
{
	if (tk_field_lookup(name) != TK_F_CUSTOM)
		return 0;
	if (tk_field_declared(st, name) || (t && tk_field_registered(t, name, strlen(name))))
		return 0;
	return unknown(st, t, what, name);
}

int
tk_assignments_check(tk_store *st, tk_txn *t, const tk_assignments *as)
{
	size_t i;
	char what[96];

	for (i = 0; i < as->n; i++) {
		if (as->a[i].field != TK_F_CUSTOM)
			continue;
		snprintf(what, sizeof what, "%s=%.*s%s", as->a[i].name, 24, as->a[i].value,
		    strlen(as->a[i].value) > 24 ? "..." : "");
		if (tk_field_check(st, t, what, as->a[i].name) < 0)
			return -1;
	}
	return 0;
}
