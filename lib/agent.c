/*
 * agent.c - agents and teams (tk-agent): who works the tickets, what they
 * know, how much they take, and which queues their teams own.
 *
 *   agents     login -> record: NAME NUL VALUE NUL for each field set, in
 *              the order of tk_agent_cols (name, email, teams, skills,
 *              capacity, role, duty); a login is a letter, then letters,
 *              digits, '.', '_' or '-', as Unix user names are
 *   teams      team name (as a login) -> record: the same pairs (queues)
 *   agent_load an assignee's count of tickets in the working set (load.c)
 *   rr_cursor  team name, or "*" for all agents -> the login round-robin
 *              gave the last ticket to (assign.c)
 *   log_key    typed key -> seq, DUPSORT|DUPFIXED: the events about an
 *              agent (agent:LOGIN) and a team (team:NAME), which are in
 *              the log with ticket 0 (log.c)
 *
 * Sets (teams, skills, queues) are comma-separated, sorted, each item
 * once. A team is made when an agent first names it (tk-agent team makes
 * one too, and gives it queues); a queue belongs to one team at most, so
 * a ticket's queue names the team that works it. A team's leads are its
 * agents whose role is lead. Every change is logged under the typed key,
 * field by field with the old value, a new agent or team as "create" with
 * its fields and a removed agent as "rm" with what it had.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

const char *const tk_agent_cols[TK_A_NCOLS] = {
	"login", "name", "email", "teams", "skills", "capacity", "role", "duty", "load"
};
const char *const tk_team_cols[TK_T_NCOLS] = { "team", "queues", "agents", "leads" };

#define NAME_MAX_LEN 64
#define CAPACITY_MAX 1000000

int
tk_agent_name_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return i <= NAME_MAX_LEN;
}

int
tk_list_has(const char *set, const char *item, size_t n)
{
	const char *p = set, *c;

	while (*p) {
		c = strchr(p, ',');
		if (!c)
			c = p + strlen(p);
		if ((size_t)(c - p) == n && !memcmp(p, item, n))
			return 1;
		p = *c ? c + 1 : c;
	}
	return 0;
}

/* ---- records: NAME NUL VALUE NUL pairs ---- */

static void
enc_pairs(tk_buf *b, const char *const *names, char *const *v, size_t from, size_t to)
{
	size_t i;

	b->len = 0;
	for (i = from; i < to; i++)
		if (v[i][0]) {
			tk_buf_add(b, names[i], strlen(names[i]) + 1);
			tk_buf_add(b, v[i], strlen(v[i]) + 1);
		}
}

static int
dec_pairs(MDB_val rec, const char *const *names, size_t from, size_t to, char **v, const char *what)
{
	const char *p = rec.mv_data, *end = p + rec.mv_size, *name, *val, *z;
	size_t i;

	while (p < end) {
		name = p;
		if (!(z = memchr(p, '\0', (size_t)(end - p))))
			return tk_error("%s: corrupt record", what);
		val = z + 1;
		if (val >= end || !(z = memchr(val, '\0', (size_t)(end - val))))
			return tk_error("%s: corrupt record", what);
		p = z + 1;
		for (i = from; i < to; i++)
			if (!strcmp(name, names[i])) {
				free(v[i]);
				v[i] = tk_xstrdup(val);
			}
	}
	return 0;
}

/* Fields as the assignment language writes them, TAB-separated. */
static void
summary(tk_buf *b, const char *const *names, char *const *v, size_t from, size_t to)
{
	size_t i;

	b->len = 0;
	for (i = from; i < to; i++)
		if (v[i][0]) {
			if (b->len)
				tk_buf_addc(b, '\t');
			tk_buf_printf(b, "%s=%s", names[i], v[i]);
		}
	tk_buf_cstr(b);
}

static int
db_get(tk_txn *t, int db, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };
	int rc = mdb_get(t->txn, t->st->dbi[db], &k, v);

	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? tk_mdb_error(rc, db == TK_DB_AGENTS ? "agents" : "teams") : 1;
}

static int
db_put(tk_txn *t, int db, const char *key, tk_buf *rec)
{
	MDB_val k = { strlen(key), (void *)key }, v = { rec->len, rec->p ? rec->p : "" };
	int rc = mdb_put(t->txn, t->st->dbi[db], &k, &v, 0);

	return rc ? tk_mdb_error(rc, db == TK_DB_AGENTS ? "agents" : "teams") : 0;
}

/* ---- agents ---- */

void
tk_agent_init(tk_agent *a)
{
	size_t i;

	for (i = 0; i < TK_A_NCOLS; i++)
		a->v[i] = tk_xstrdup("");
}

void
tk_agent_free(tk_agent *a)
{
	size_t i;

	for (i = 0; i < TK_A_NCOLS; i++) {
		free(a->v[i]);
		a->v[i] = NULL;
	}
}

static void
set_col(char **v, size_t i, const char *s)
{
	free(v[i]);
	v[i] = tk_xstrdup(s);
}

long
tk_agent_capacity(const tk_agent *a)
{
	return a->v[TK_A_CAPACITY][0] ? atol(a->v[TK_A_CAPACITY]) : -1;
}

static int
fill_load(tk_txn *t, tk_agent *a)
{
	char num[24];
	uint64_t n;
	int rc;

	if ((rc = tk_load_get(t, a->v[TK_A_LOGIN], strlen(a->v[TK_A_LOGIN]), &n)))
		return tk_mdb_error(rc, "agent_load");
	snprintf(num, sizeof num, "%llu", (unsigned long long)n);
	set_col(a->v, TK_A_LOAD, num);
	return 0;
}

static int
agent_decode(tk_txn *t, const char *login, size_t n, MDB_val rec, tk_agent *a)
{
	size_t i;

	for (i = 1; i < TK_A_NCOLS; i++)
		set_col(a->v, i, "");
	free(a->v[TK_A_LOGIN]);
	a->v[TK_A_LOGIN] = tk_xstrndup(login, n);
	if (dec_pairs(rec, tk_agent_cols, TK_A_NAME, TK_A_LOAD, a->v, a->v[TK_A_LOGIN]) < 0)
		return -1;
	return fill_load(t, a);
}

int
tk_agent_get(tk_txn *t, const char *login, tk_agent *a)
{
	MDB_val v;
	int rc;

	if (!login[0] || strlen(login) > 511)
		return 0;
	if ((rc = db_get(t, TK_DB_AGENTS, login, &v)) <= 0)
		return rc;
	return agent_decode(t, login, strlen(login), v, a) < 0 ? -1 : 1;
}

int
tk_agent_each(tk_txn *t, int (*fn)(tk_txn *, tk_agent *, void *), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_agent a;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_AGENTS], &c)))
		return tk_mdb_error(rc, "agents");
	tk_agent_init(&a);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (agent_decode(t, k.mv_data, k.mv_size, v, &a) < 0 || fn(t, &a, arg)) {
			rc = -1;
			break;
		}
	}
	mdb_cursor_close(c);
	tk_agent_free(&a);
	if (rc == -1)
		return -1;
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "agents");
}

static int
nearest_login(tk_txn *t, tk_agent *a, void *arg)
{
	tk_nearest *nr = arg;
	const char *old = nr->best;

	(void)t;
	tk_nearest_try(nr, a->v[TK_A_LOGIN]);
	if (nr->best != old)	/* kept: the agent's strings go with the next */
		nr->best = tk_xstrdup(nr->best);
	if (old && nr->best != old)
		free((char *)old);
	return 0;
}

int
tk_agent_unknown(tk_txn *t, const char *login)
{
	tk_nearest nr;

	tk_nearest_init(&nr, login);
	if (tk_agent_each(t, nearest_login, &nr) < 0)
		return -1;
	if (nr.best) {
		tk_error("no agent %s; did you mean %s?", login, nr.best);
		free((char *)nr.best);
	} else
		tk_error("no agent %s (tk-agent add %s makes one)", login, login);
	return -1;
}

int
tk_agent_exists(tk_txn *t, const char *login)
{
	MDB_val v;

	if (!login[0] || strlen(login) > 511)
		return 0;
	return db_get(t, TK_DB_AGENTS, login, &v);
}

/* Make each team of set that is not there yet. */
static int
teams_made(tk_txn *t, const char *set)
{
	char *copy = tk_xstrdup(set), *tok, *save;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = tk_team_make(t, tok);
	free(copy);
	return rc;
}

int
tk_agent_write(tk_txn *t, const tk_agent *a, const tk_agent *old)
{
	static tk_buf rec, key;
	size_t i;

	key.len = 0;
	tk_buf_printf(&key, "agent:%s", a->v[TK_A_LOGIN]);
	if (!old) {
		summary(&rec, tk_agent_cols, a->v, TK_A_NAME, TK_A_LOAD);
		if (tk_log_append_key(t, key.p, "create", (tk_str){ "", 0 }, (tk_str){ rec.p, rec.len }) < 0)
			return -1;
	} else
		for (i = TK_A_NAME; i < TK_A_LOAD; i++)
			if (strcmp(old->v[i], a->v[i]) &&
			    tk_log_append_key(t, key.p, tk_agent_cols[i], TK_STR(old->v[i]), TK_STR(a->v[i])) < 0)
				return -1;
	if (teams_made(t, a->v[TK_A_TEAMS]) < 0)
		return -1;
	enc_pairs(&rec, tk_agent_cols, a->v, TK_A_NAME, TK_A_LOAD);
	return db_put(t, TK_DB_AGENTS, a->v[TK_A_LOGIN], &rec);
}

int
tk_agent_remove(tk_txn *t, const tk_agent *a)
{
	static tk_buf rec, key;
	MDB_val k = { strlen(a->v[TK_A_LOGIN]), a->v[TK_A_LOGIN] };
	int rc;

	key.len = 0;
	tk_buf_printf(&key, "agent:%s", a->v[TK_A_LOGIN]);
	summary(&rec, tk_agent_cols, a->v, TK_A_NAME, TK_A_LOAD);
	if (tk_log_append_key(t, key.p, "rm", (tk_str){ rec.p, rec.len }, (tk_str){ "", 0 }) < 0)
		return -1;
	if ((rc = mdb_del(t->txn, t->st->dbi[TK_DB_AGENTS], &k, NULL)))
		return tk_mdb_error(rc, "agents");
	return 0;
}

/* ---- teams ---- */

void
tk_team_init(tk_team *tm)
{
	size_t i;

	for (i = 0; i < TK_T_NCOLS; i++)
		tm->v[i] = tk_xstrdup("");
}

void
tk_team_free(tk_team *tm)
{
	size_t i;

	for (i = 0; i < TK_T_NCOLS; i++) {
		free(tm->v[i]);
		tm->v[i] = NULL;
	}
}

/* A team's agents and leads, from the agents. */
struct members {
	const char *team;
	tk_buf agents, leads;
};

static int
member(tk_txn *t, tk_agent *a, void *arg)
{
	struct members *m = arg;
	tk_buf *b;
	int i;

	(void)t;
	if (!tk_list_has(a->v[TK_A_TEAMS], m->team, strlen(m->team)))
		return 0;
	for (i = 0; i < 2; i++) {
		if (i && strcmp(a->v[TK_A_ROLE], "lead"))
			break;
		b = i ? &m->leads : &m->agents;
		if (b->len)
			tk_buf_addc(b, ',');
		tk_buf_adds(b, a->v[TK_A_LOGIN]);
	}
	return 0;
}

static int
team_decode(tk_txn *t, const char *name, size_t n, MDB_val rec, tk_team *tm, int members)
{
	struct members m;
	size_t i;
	int rc = 0;

	for (i = 1; i < TK_T_NCOLS; i++)
		set_col(tm->v, i, "");
	free(tm->v[TK_T_NAME]);
	tm->v[TK_T_NAME] = tk_xstrndup(name, n);
	if (dec_pairs(rec, tk_team_cols, TK_T_QUEUES, TK_T_AGENTS, tm->v, tm->v[TK_T_NAME]) < 0)
		return -1;
	if (!members)
		return 0;
	memset(&m, 0, sizeof m);
	m.team = tm->v[TK_T_NAME];
	if ((rc = tk_agent_each(t, member, &m)) == 0) {
		set_col(tm->v, TK_T_AGENTS, tk_buf_cstr(&m.agents));
		set_col(tm->v, TK_T_LEADS, tk_buf_cstr(&m.leads));
	}
	tk_buf_free(&m.agents);
	tk_buf_free(&m.leads);
	return rc;
}

int
tk_team_get(tk_txn *t, const char *name, tk_team *tm, int members)
{
	MDB_val v;
	int rc;

	if (!name[0] || strlen(name) > 511)
		return 0;
	if ((rc = db_get(t, TK_DB_TEAMS, name, &v)) <= 0)
		return rc;
	return team_decode(t, name, strlen(name), v, tm, members) < 0 ? -1 : 1;
}

int
tk_team_each(tk_txn *t, int members, int (*fn)(tk_txn *, tk_team *, void *), void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	tk_team tm;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TEAMS], &c)))
		return tk_mdb_error(rc, "teams");
	tk_team_init(&tm);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (team_decode(t, k.mv_data, k.mv_size, v, &tm, members) < 0 || fn(t, &tm, arg)) {
			rc = -1;
			break;
		}
	}
	mdb_cursor_close(c);
	tk_team_free(&tm);
	if (rc == -1)
		return -1;
	return rc == MDB_NOTFOUND ? 0 : tk_mdb_error(rc, "teams");
}

static int
nearest_team(tk_txn *t, tk_team *tm, void *arg)
{
	tk_nearest *nr = arg;
	const char *old = nr->best;

	(void)t;
	tk_nearest_try(nr, tm->v[TK_T_NAME]);
	if (nr->best != old)
		nr->best = tk_xstrdup(nr->best);
	if (old && nr->best != old)
		free((char *)old);
	return 0;
}

int
tk_team_unknown(tk_txn *t, const char *name)
{
	tk_nearest nr;

	tk_nearest_init(&nr, name);
	if (tk_team_each(t, 0, nearest_team, &nr) < 0)
		return -1;
	if (nr.best) {
		tk_error("no team %s; did you mean %s?", name, nr.best);
		free((char *)nr.best);
	} else
		tk_error("no team %s (tk-agent team %s makes one)", name, name);
	return -1;
}

struct owner {
	const char *queue;
	size_t n;
	char *team;
};

static int
owns(tk_txn *t, tk_team *tm, void *arg)
{
	struct owner *o = arg;

	(void)t;
	if (!tk_list_has(tm->v[TK_T_QUEUES], o->queue, o->n))
		return 0;
	o->team = tk_xstrdup(tm->v[TK_T_NAME]);
	return 1;
}

int
tk_team_of_queue(tk_txn *t, const char *queue, size_t n, char **team)
{
	struct owner o = { queue, n, NULL };

	*team = NULL;
	if (!n)
		return 0;
	if (tk_team_each(t, 0, owns, &o) < 0 && !o.team)
		return -1;
	*team = o.team;
	return o.team != NULL;
}

int
tk_team_write(tk_txn *t, const tk_team *tm, const tk_team *old)
{
	static tk_buf rec, key;
	char *copy, *tok, *save, *owner;
	int rc = 0;

	/* A queue names one team: the team that works its tickets. */
	copy = tk_xstrdup(tm->v[TK_T_QUEUES]);
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		if ((rc = tk_team_of_queue(t, tok, strlen(tok), &owner)) > 0 && strcmp(owner, tm->v[TK_T_NAME])) {
			tk_error("queue %s belongs to team %s (tk-agent team %s -queue=%s gives it up)",
			    tok, owner, owner, tok);
			rc = -2;
		} else if (rc > 0)
			rc = 0;
		free(owner);
	}
	free(copy);
	if (rc)
		return rc;
	key.len = 0;
	tk_buf_printf(&key, "team:%s", tm->v[TK_T_NAME]);
	if (!old) {
		summary(&rec, tk_team_cols, tm->v, TK_T_QUEUES, TK_T_AGENTS);
		if (tk_log_append_key(t, key.p, "create", (tk_str){ "", 0 }, (tk_str){ rec.p, rec.len }) < 0)
			return -1;
	} else if (strcmp(old->v[TK_T_QUEUES], tm->v[TK_T_QUEUES]) &&
	    tk_log_append_key(t, key.p, "queues", TK_STR(old->v[TK_T_QUEUES]), TK_STR(tm->v[TK_T_QUEUES])) < 0)
		return -1;
	enc_pairs(&rec, tk_team_cols, tm->v, TK_T_QUEUES, TK_T_AGENTS);
	return db_put(t, TK_DB_TEAMS, tm->v[TK_T_NAME], &rec);
}

int
tk_team_make(tk_txn *t, const char *name)
{
	MDB_val v;
	tk_team tm;
	int rc;

	if ((rc = db_get(t, TK_DB_TEAMS, name, &v)) != 0)
		return rc < 0 ? -1 : 0;
	tk_team_init(&tm);
	set_col(tm.v, TK_T_NAME, name);
	rc = tk_team_write(t, &tm, NULL);
	tk_team_free(&tm);
	return rc < 0 ? -1 : 0;
}

/* ---- the assignment language of agents and teams (DESIGN.md 5, 10) ---- */

/* Field names of agents, then of teams; singular aliases. */
static const struct {
	const char *name;
	int col, team;
} names[] = {
	{ "name", TK_A_NAME, 0 }, { "email", TK_A_EMAIL, 0 }, { "teams", TK_A_TEAMS, 0 },
	{ "team", TK_A_TEAMS, 0 }, { "skills", TK_A_SKILLS, 0 }, { "skill", TK_A_SKILLS, 0 },
	{ "capacity", TK_A_CAPACITY, 0 }, { "role", TK_A_ROLE, 0 }, { "duty", TK_A_DUTY, 0 },
	{ "queues", TK_T_QUEUES, 1 }, { "queue", TK_T_QUEUES, 1 },
};

static int
is_set(int col, int team)
{
	return team ? col == TK_T_QUEUES : col == TK_A_TEAMS || col == TK_A_SKILLS;
}

static int
lookup(const char *name, size_t n, int team)
{
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].team == team && strlen(names[i].name) == n && !strncmp(names[i].name, name, n))
			return names[i].col;
	return -1;
}

static int
unknown_field(const char *arg, const char *name, int team)
{
	tk_nearest nr;
	size_t i;

	tk_nearest_init(&nr, name);
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].team == team)
			tk_nearest_try(&nr, names[i].name);
	if (nr.best)
		return tk_error("%s: %s has no field %s; did you mean %s?", arg, team ? "a team" : "an agent",
		    name, nr.best);
	return tk_error("%s: %s has no field %s (%s)", arg, team ? "a team" : "an agent", name,
	    team ? "queues" : "name, email, teams, skills, capacity, role, duty");
}

/* The items of a set, each checked: one word, no comma or white space. */
static int
check_items(const char *arg, const char *v, int col, int team)
{
	char *copy = tk_xstrdup(v), *tok, *save;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		if (!team && col == TK_A_TEAMS && !tk_agent_name_ok(tok))
			rc = tk_error("%s: %s is not a team name (a letter, then letters, digits, '.', '_', '-')",
			    arg, tok);
		else if (strpbrk(tok, " \t\n\r") || strlen(tok) > 400)
			rc = tk_error("%s: %s: an item is one word", arg, tok);
	}
	free(copy);
	return rc;
}

int
tk_dir_assign_parse(tk_dir_asgs *as, const char *arg, int team)
{
	const char *eq = strchr(arg, '='), *name = arg, *v;
	char op = '=', *nm;
	int col;
	tk_str dn, addr;

	if (tk_text_check(arg, arg, strlen(arg)) < 0)
		return -1;
	if (*name == '+' || *name == '-')
		op = *name++;
	if (!eq || eq == name)
		return tk_error("%s: not an assignment (field=value, +field=value, -field=value)", arg);
	nm = tk_xstrndup(name, (size_t)(eq - name));
	tk_field_name_lower(nm);
	col = lookup(nm, strlen(nm), team);
	if (col < 0) {
		unknown_field(arg, nm, team);
		free(nm);
		return -1;
	}
	free(nm);
	v = eq + 1;
	if (op != '=' && !is_set(col, team))
		return tk_error("%s: only a set (%s) takes +field= and -field=", arg,
		    team ? "queues" : "teams, skills");
	if (op != '=' && !*v)
		return tk_error("%s: nothing to add or remove", arg);
	if (is_set(col, team) && check_items(arg, v, col, team) < 0)
		return -1;
	if (!team && col == TK_A_CAPACITY && *v) {
		size_t i, n = strlen(v);

		for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			;
		if (i < n || n > 7 || atol(v) > CAPACITY_MAX)
			return tk_error("%s: capacity is a whole number of open tickets, 0 to %d (empty: no limit)",
			    arg, CAPACITY_MAX);
	}
	if (!team && col == TK_A_ROLE && strcmp(v, "agent") && strcmp(v, "lead") && strcmp(v, "admin"))
		return tk_error("%s: a role is agent, lead or admin", arg);
	if (!team && col == TK_A_DUTY && strcmp(v, "on") && strcmp(v, "off"))
		return tk_error("%s: duty is on or off", arg);
	if (!team && col == TK_A_EMAIL && *v && (!tk_address_split(v, strlen(v), &dn, &addr) || !addr.n))
		return tk_error("%s: not a mail address", arg);
	if (as->n == as->cap)
		as->a = tk_xrealloc(as->a, (as->cap = as->cap ? 2 * as->cap : 8) * sizeof *as->a);
	as->a[as->n].col = col;
	as->a[as->n].op = op;
	if (!team && col == TK_A_EMAIL && *v) {
		tk_address_split(v, strlen(v), &dn, &addr);
		as->a[as->n].value = tk_xstrndup(addr.p, addr.n);
		tk_address_lower(as->a[as->n].value, addr.n);
	} else
		as->a[as->n].value = tk_xstrdup(v);
	as->n++;
	return 0;
}

void
tk_dir_asgs_free(tk_dir_asgs *as)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		free(as->a[i].value);
	free(as->a);
	memset(as, 0, sizeof *as);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* set with items added (op '+'), taken out ('-') or in its place ('='):
 * sorted, each once. */
static char *
set_op(const char *set, const char *items, char op)
{
	char **v = NULL, *all, *tok, *save, *out;
	size_t n = 0, cap = 0, i, j, len = 0;
	tk_buf b = { 0 };

	tk_buf_adds(&b, op == '=' ? "" : set);
	if (op == '+' && b.len && *items)
		tk_buf_addc(&b, ',');
	if (op != '-')
		tk_buf_adds(&b, items);
	all = tk_xstrdup(tk_buf_cstr(&b));
	tk_buf_free(&b);
	for (tok = strtok_r(all, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (op == '-' && tk_list_has(items, tok, strlen(tok)))
			continue;
		if (n == cap)
			v = tk_xrealloc(v, (cap = cap ? 2 * cap : 8) * sizeof *v);
		v[n++] = tok;
		len += strlen(tok) + 1;
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_str);
	out = tk_xmalloc(len + 1);
	out[0] = '\0';
	for (i = 0, j = 0; i < n; i++) {
		if (i && !strcmp(v[i], v[i - 1]))
			continue;
		if (j++)
			strcat(out, ",");
		strcat(out, v[i]);
	}
	free(v);
	free(all);
	return out;
}

void
tk_dir_apply(char **v, const tk_dir_asgs *as, int team)
{
	size_t i;
	char *s;

	for (i = 0; i < as->n; i++) {
		if (is_set(as->a[i].col, team)) {
			s = set_op(v[as->a[i].col], as->a[i].value, as->a[i].op);
			free(v[as->a[i].col]);
			v[as->a[i].col] = s;
		} else
			set_col(v, (size_t)as->a[i].col, as->a[i].value);
	}
}

/* ---- tk-agent ls: filters on agents ---- */

enum aop { A_EQ, A_NE, A_RE, A_NRE, A_RANGE };

struct aterm {
	char *text;
	int col;
	enum aop op;
	char **vals;
	size_t nvals;
	long long lo, hi;
	int has_hi;
	pcre2_code *re;
	pcre2_match_data *md;
};

struct tk_agent_filter {
	struct aterm *t;
	size_t n;
};

tk_agent_filter *
tk_agent_filter_new(void)
{
	tk_agent_filter *f = tk_xmalloc(sizeof *f);

	memset(f, 0, sizeof *f);
	return f;
}

void
tk_agent_filter_free(tk_agent_filter *f)
{
	size_t i, j;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->t[i].text);
		for (j = 0; j < f->t[i].nvals; j++)
			free(f->t[i].vals[j]);
		free(f->t[i].vals);
		pcre2_match_data_free(f->t[i].md);
		pcre2_code_free(f->t[i].re);
	}
	free(f->t);
	free(f);
}

static int
numeric_col(int col)
{
	return col == TK_A_CAPACITY || col == TK_A_LOAD;
}

static int
number(const char *term, const char *s, size_t n, long long *out)
{
	char buf[24], *end;

	if (!n || n >= sizeof buf)
		return tk_error("%s: %.*s is not a whole number", term, (int)n, s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtoll(buf, &end, 10);
	if (*end || *out < 0)
		return tk_error("%s: %s is not a whole number", term, buf);
	return 0;
}

int
tk_agent_filter_add(tk_agent_filter *f, const char *term)
{
	struct aterm t;
	const char *p = term, *v, *dots;
	char *name;
	size_t n, i;
	int errcode;
	PCRE2_SIZE erroff;
	char msg[256];

	memset(&t, 0, sizeof t);
	while (*p && !strchr("=!~<>", *p))
		p++;
	if (p == term || !*p)
		return tk_error("%s: not a filter (field=value, field!=value, field~regex, load=a..b)", term);
	name = tk_xstrndup(term, (size_t)(p - term));
	tk_field_name_lower(name);
	t.col = -1;
	for (i = 0; i < TK_A_NCOLS; i++)
		if (!strcmp(name, tk_agent_cols[i]))
			t.col = (int)i;
	if (!strcmp(name, "team"))
		t.col = TK_A_TEAMS;
	if (!strcmp(name, "skill"))
		t.col = TK_A_SKILLS;
	if (t.col < 0) {
		tk_nearest nr;

		tk_nearest_init(&nr, name);
		for (i = 0; i < TK_A_NCOLS; i++)
			tk_nearest_try(&nr, tk_agent_cols[i]);
		if (nr.best)
			tk_error("%s: an agent has no field %s; did you mean %s?", term, name, nr.best);
		else
			tk_error("%s: an agent has no field %s (%s)", term, name,
			    "login, name, email, teams, skills, capacity, role, duty, load");
		free(name);
		return -1;
	}
	free(name);
	if (!strncmp(p, "!~", 2))
		t.op = A_NRE, v = p + 2;
	else if (!strncmp(p, "!=", 2))
		t.op = A_NE, v = p + 2;
	else if (*p == '~')
		t.op = A_RE, v = p + 1;
	else if (*p == '=')
		t.op = A_EQ, v = p + 1;
	else {	/* < <= > >= */
		int lt = *p == '<', incl = p[1] == '=';

		v = p + 1 + incl;
		if (!numeric_col(t.col))
			return tk_error("%s: ranges work on capacity and load", term);
		if (number(term, v, strlen(v), lt ? &t.hi : &t.lo) < 0)
			return -1;
		t.op = A_RANGE;
		if (lt) {
			t.lo = 0;
			t.has_hi = 1;
			t.hi -= !incl;
		} else
			t.lo += !incl;
	}
	if (t.op == A_EQ && numeric_col(t.col) && (dots = strstr(v, ".."))) {
		t.op = A_RANGE;
		if (dots == v && !dots[2])
			return tk_error("%s: a range needs at least one end", term);
		if ((dots > v && number(term, v, (size_t)(dots - v), &t.lo) < 0) ||
		    (dots[2] && number(term, dots + 2, strlen(dots + 2), &t.hi) < 0))
			return -1;
		t.has_hi = dots[2] != '\0';
	}
	if (t.op == A_EQ || t.op == A_NE) {
		const char *s = v, *c;

		do {	/* "a,b": any of them; an empty value: unset */
			c = strchr(s, ',');
			n = c ? (size_t)(c - s) : strlen(s);
			t.vals = tk_xrealloc(t.vals, (t.nvals + 1) * sizeof *t.vals);
			t.vals[t.nvals++] = tk_xstrndup(s, n);
			s = c ? c + 1 : NULL;
		} while (s);
		if (t.col == TK_A_LOGIN)
			for (i = 0; i < t.nvals; i++)
				if (!strcmp(t.vals[i], "me"))
					set_col(t.vals, i, tk_actor());
	}
	if (t.op == A_RE || t.op == A_NRE) {
		t.re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &errcode, &erroff, NULL);
		if (!t.re) {
			pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg, sizeof msg);
			return tk_error("%s: bad regex at offset %zu: %s", term, (size_t)erroff, msg);
		}
		t.md = pcre2_match_data_create_from_pattern(t.re, NULL);
	}
	t.text = tk_xstrdup(term);
	f->t = tk_xrealloc(f->t, (f->n + 1) * sizeof *f->t);
	f->t[f->n++] = t;
	return 0;
}

int
tk_agent_filter_check(tk_agent_filter *f, tk_txn *t)
{
	size_t i, j;
	tk_team tm;
	int rc;

	/* team=NAME naming no team is a mistake, not an empty answer */
	for (i = 0; i < f->n; i++) {
		if (f->t[i].col != TK_A_TEAMS || (f->t[i].op != A_EQ && f->t[i].op != A_NE))
			continue;
		for (j = 0; j < f->t[i].nvals; j++) {
			if (!f->t[i].vals[j][0])
				continue;
			tk_team_init(&tm);
			rc = tk_team_get(t, f->t[i].vals[j], &tm, 0);
			tk_team_free(&tm);
			if (rc < 0)
				return -1;
			if (!rc) {
				char *msg;

				tk_team_unknown(t, f->t[i].vals[j]);
				msg = tk_xstrdup(tk_errmsg);
				tk_error("%s: %s", f->t[i].text, msg);
				free(msg);
				return -1;
			}
		}
	}
	return 0;
}

static int
term_match(struct aterm *t, const char *v)
{
	size_t i, n = strlen(v);
	long long x;
	int rc;

	switch (t->op) {
	case A_EQ:
	case A_NE:
		for (i = 0; i < t->nvals; i++) {
			if (t->col == TK_A_TEAMS || t->col == TK_A_SKILLS ? (t->vals[i][0] ?
			    tk_list_has(v, t->vals[i], strlen(t->vals[i])) : !*v) : !strcmp(v, t->vals[i]))
				return t->op == A_EQ;
		}
		return t->op == A_NE;
	case A_RE:
	case A_NRE:
		rc = pcre2_match(t->re, (PCRE2_SPTR)v, n, 0, 0, t->md, NULL);
		return (rc >= 0) == (t->op == A_RE);
	case A_RANGE:
		if (!*v)
			return 0;	/* no capacity: no number to compare */
		x = atoll(v);
		return x >= t->lo && (!t->has_hi || x <= t->hi);
	}
	return 0;
}

int
tk_agent_filter_match(tk_agent_filter *f, const tk_agent *a)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!term_match(&f->t[i], a->v[f->t[i].col]))
			return 0;
	return 1;
}

/* ---- an agent's tickets ---- */

static int
collect_id(tk_txn *t, tk_ticket *tk, void *arg)
{
	(void)t;
	tk_ids_add(arg, tk->id);
	return 0;
}

int
tk_agent_tickets(tk_txn *t, const char *login, const char *status, tk_ids *ids)
{
	tk_filter *q = tk_filter_new();
	tk_buf term = { 0 };
	long n;

	/* (a login holds no comma: one value, not a list) */
	tk_buf_printf(&term, "assignee=%s", login);
	if (tk_filter_add(q, term.p) < 0)
		goto fail;
	if (status) {
		term.len = 0;
		tk_buf_printf(&term, "status=%s", status);
		if (tk_filter_add(q, term.p) < 0)
			goto fail;
	} else
		tk_filter_default_status(q, 0);
	n = tk_filter_run(q, t, collect_id, ids);
	tk_buf_free(&term);
	tk_filter_free(q);
	return n < 0 ? -1 : 0;
fail:
	tk_buf_free(&term);
	tk_filter_free(q);
	return -1;
}

int
tk_agent_reassign(tk_txn *t, const char *from, const char *to, size_t *moved)
{
	tk_assignments as = { 0 };
	tk_ids ids = { 0 };
	tk_ticket tk;
	size_t i;
	int rc = 0;

	*moved = 0;
	if (tk_agent_tickets(t, from, NULL, &ids) < 0)
		return -1;
	tk_assign_add(&as, "assignee", to);
	for (i = 0; i < ids.n && !rc; i++) {
		tk_ticket_init(&tk);
		if ((rc = tk_ticket_get(t, ids.v[i], &tk, 1)) > 0) {
			rc = tk_ticket_apply(t, &tk, &as, 0);
			if (rc == 0)
				++*moved;
			rc = rc < 0 ? -1 : 0;
		}
		tk_ticket_free(&tk);
	}
	tk_assignments_free(&as);
	tk_ids_free(&ids);
	return rc;
}
