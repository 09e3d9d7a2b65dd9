/*
 * status.c - the store's statuses and their classes (DESIGN.md 1): open
 * (being worked), paused (waiting, SLA clock stopped), resolved (done,
 * reopenable) and closed (final). Open and paused statuses are active:
 * their tickets are the working set (active.c) and the indexes leave them
 * to it (index.c); resolved and closed ones are done.
 *
 * The ground floor of the ticket model: the indexes, the working set, the
 * model and the queries ask it which tickets they hold. The table is the
 * store's (meta "statuses", read when the store opens: every command
 * agrees without reading the workflow file); until then it is tk's
 * default workflow. Only tk-config apply changes what a store keeps.
 *
 * meta "statuses": one status a line, "NAME TAB CLASS", or "NAME TAB
 * CLASS TAB dropped" for a status the workflow no longer has, kept with
 * its class for the tickets that may still hold it. The first status
 * that is not dropped is a new ticket's.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char *const class_names[] = { "", "open", "paused", "resolved", "closed" };

#define DEF(n, c) { n, sizeof n - 1, c, 0 }
static const tk_status_def defaults[] = {
	DEF("new", TK_CLASS_OPEN), DEF("open", TK_CLASS_OPEN), DEF("pending", TK_CLASS_PAUSED),
	DEF("resolved", TK_CLASS_RESOLVED), DEF("closed", TK_CLASS_CLOSED),
};
#define NDEFAULTS (sizeof defaults / sizeof defaults[0])

static tk_status_def table[TK_STATUS_MAX];
static size_t ntable;
static int loaded;		/* table holds something: else the defaults */
static int installed;		/* by tk_status_install: a store's (or a file's) */
static char words[TK_STATUS_MAX * (TK_ACTIVE_MAXSTATUS + 2) + 1];

static void install(const tk_status_def *defs, size_t n);

static void
ensure(void)
{
	if (!loaded)
		install(defaults, NDEFAULTS);
}

int
tk_status_installed(void)
{
	return installed;
}

void
tk_status_defaults(tk_status_def *defs, size_t *n)
{
	memcpy(defs, defaults, sizeof defaults);
	*n = NDEFAULTS;
}

void
tk_status_install(const tk_status_def *defs, size_t n)
{
	install(defs, n);
	installed = 1;
}

static void
install(const tk_status_def *defs, size_t n)
{
	size_t i, len = 0;

	if (n > TK_STATUS_MAX)
		n = TK_STATUS_MAX;
	if (defs != table)
		memmove(table, defs, n * sizeof *defs);
	ntable = n;
	loaded = 1;
	words[0] = '\0';
	for (i = 0; i < n; i++) {
		if (table[i].dropped)
			continue;
		len += (size_t)snprintf(words + len, sizeof words - len, "%s%s", len ? ", " : "", table[i].name);
	}
}

size_t
tk_status_count(void)
{
	ensure();
	return ntable;
}

const tk_status_def *
tk_status_at(size_t i)
{
	ensure();
	return i < ntable ? &table[i] : NULL;
}

static const tk_status_def *
find(tk_str s)
{
	size_t i;

	ensure();
	for (i = 0; i < ntable; i++)
		if (table[i].len == s.n && !memcmp(table[i].name, s.p, s.n))
			return &table[i];
	return NULL;
}

int
tk_status_class(tk_str s)
{
	const tk_status_def *d = find(s);

	return d ? d->cls : TK_CLASS_NONE;
}

int
tk_status_known(tk_str s)
{
	const tk_status_def *d = find(s);

	return d && !d->dropped;
}

int
tk_active_status(tk_str s)
{
	int c = tk_status_class(s);

	return c == TK_CLASS_OPEN || c == TK_CLASS_PAUSED;
}

int
tk_class_active(int cls)
{
	return cls == TK_CLASS_OPEN || cls == TK_CLASS_PAUSED;
}

const char *
tk_status_words(void)
{
	ensure();
	return words;
}

const char *
tk_status_initial(void)
{
	size_t i;

	ensure();
	for (i = 0; i < ntable; i++)
		if (!table[i].dropped)
			return table[i].name;
	return "new";
}

/* A requester's reply to a paused or resolved ticket, or an agent's first
 * reply to a new one, moves it here: the first open status after the
 * initial one (open, in tk's default workflow). */
const char *
tk_status_reopen(void)
{
	const char *init = tk_status_initial();
	size_t i;

	for (i = 0; i < ntable; i++)
		if (!table[i].dropped && table[i].cls == TK_CLASS_OPEN && strcmp(table[i].name, init))
			return table[i].name;
	return init;
}

const char *
tk_status_first_of(int cls)
{
	size_t i;

	ensure();
	for (i = 0; i < ntable; i++)
		if (!table[i].dropped && table[i].cls == cls)
			return table[i].name;
	return NULL;
}

const char *
tk_class_name(int cls)
{
	return cls > 0 && cls < (int)(sizeof class_names / sizeof *class_names) ? class_names[cls] : "";
}

int
tk_class_lookup(const char *s, size_t n)
{
	int i;

	for (i = 1; i < (int)(sizeof class_names / sizeof *class_names); i++)
		if (strlen(class_names[i]) == n && !memcmp(class_names[i], s, n))
			return i;
	return TK_CLASS_NONE;
}

/*
 * A status name: 1 to 64 bytes of UTF-8 with no white space, control
 * character, comma (status=a,b is a list), '=' or '#', and not starting
 * with '+', '-' or '*' (words of the assignment and workflow languages).
 */
int
tk_status_name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > TK_ACTIVE_MAXSTATUS || strchr("+-*", s[0]) || tk_utf8_invalid(s, n) >= 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || strchr(",=#", s[i]))
			return 0;
	return 1;
}

void
tk_status_encode(const tk_status_def *defs, size_t n, tk_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		tk_buf_printf(out, "%s\t%s%s\n", defs[i].name, tk_class_name(defs[i].cls),
		    defs[i].dropped ? "\tdropped" : "");
}

int
tk_status_decode(const char *p, size_t n, tk_status_def *defs, size_t *count)
{
	const char *end = p + n, *nl, *tab, *tab2;
	size_t k = 0, len;
	int cls;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (!tab || k == TK_STATUS_MAX || !tk_status_name_ok(p, (size_t)(tab - p)))
			return tk_error("meta \"statuses\" is damaged");
		tab2 = memchr(tab + 1, '\t', (size_t)(nl - tab - 1));
		len = (size_t)((tab2 ? tab2 : nl) - tab - 1);
		if (!(cls = tk_class_lookup(tab + 1, len)) ||
		    (tab2 && ((size_t)(nl - tab2 - 1) != 7 || memcmp(tab2 + 1, "dropped", 7))))
			return tk_error("meta \"statuses\" is damaged");
		memset(&defs[k], 0, sizeof defs[k]);
		memcpy(defs[k].name, p, (size_t)(tab - p));
		defs[k].len = (unsigned char)(tab - p);
		defs[k].cls = (unsigned char)cls;
		defs[k].dropped = tab2 != NULL;
		k++;
		p = nl + 1;
	}
	if (!k)
		return tk_error("meta \"statuses\" is damaged");
	*count = k;
	return 0;
}
