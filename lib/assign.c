/*
 * assign.c - who gets a ticket: tk-assign's strategies.
 *
 *   rr_cursor  team name, or "*" for all agents -> the login the last
 *              ticket went to by round-robin (no entry: none yet)
 *
 * An assigner holds the agents as one transaction sees them: their teams,
 * skills, capacity, duty and load (agent_load, load.c), the teams' queues,
 * and the round-robin cursors it has used. A real run reads them again at
 * the start of each batch's write transaction, so what another process
 * committed meanwhile counts, and writes the cursors it moved in the same
 * transaction as the assignments: LMDB runs one writer at a time, so two
 * runs that overlap never give the same turn twice. Within a batch, and
 * across a --dry-run's whole read-only run, each assignment is carried
 * forward in the loads held here.
 *
 * Every strategy skips an agent whose duty is off or whose load has
 * reached its capacity. The agents it chooses among are those of --team,
 * else of the team that owns the ticket's queue, else all of them; the
 * ticket's own assignee is weighed without this ticket (it stays where it
 * is when that is as good as any).
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

const char *const tk_strategy_names[TK_ASSIGN_NSTRATEGIES] = {
	"to", "unassign", "round-robin", "least-loaded", "skills", "to-lead"
};

struct cand {
	char *login, *teams, *skills;
	long cap;		/* -1: no limit */
	int off, lead;
	uint64_t load;
};

struct cursor {
	char *team;		/* "*": all agents */
	char *last;
	int dirty;
};

struct tk_assigner {
	int strategy, explain;
	char *to, *team;
	struct cand *c;
	size_t nc, ccap;
	char **tname, **tqueues;	/* the teams and their queues */
	size_t nt, tcap;
	struct cursor *cur;
	size_t ncur;
	const char *pool;	/* the last pick's team, NULL for all agents */
	tk_buf why;
};

tk_assigner *
tk_assigner_new(int strategy, const char *to, const char *team, int explain)
{
	tk_assigner *as = tk_xmalloc(sizeof *as);

	memset(as, 0, sizeof *as);
	as->strategy = strategy;
	as->explain = explain;
	as->to = to ? tk_xstrdup(to) : NULL;
	as->team = team ? tk_xstrdup(team) : NULL;
	return as;
}

static void
clear(tk_assigner *as)
{
	size_t i;

	for (i = 0; i < as->nc; i++) {
		free(as->c[i].login);
		free(as->c[i].teams);
		free(as->c[i].skills);
	}
	as->nc = 0;
	for (i = 0; i < as->nt; i++) {
		free(as->tname[i]);
		free(as->tqueues[i]);
	}
	as->nt = 0;
	for (i = 0; i < as->ncur; i++) {
		free(as->cur[i].team);
		free(as->cur[i].last);
	}
	as->ncur = 0;
}

void
tk_assigner_free(tk_assigner *as)
{
	if (!as)
		return;
	clear(as);
	free(as->c);
	free(as->tname);
	free(as->tqueues);
	free(as->cur);
	free(as->to);
	free(as->team);
	tk_buf_free(&as->why);
	free(as);
}

static int
add_cand(tk_txn *t, tk_agent *a, void *arg)
{
	tk_assigner *as = arg;
	struct cand *c;

	(void)t;
	if (as->nc == as->ccap)
		as->c = tk_xrealloc(as->c, (as->ccap = as->ccap ? 2 * as->ccap : 64) * sizeof *as->c);
	c = &as->c[as->nc++];
	c->login = tk_xstrdup(a->v[TK_A_LOGIN]);
	c->teams = tk_xstrdup(a->v[TK_A_TEAMS]);
	c->skills = tk_xstrdup(a->v[TK_A_SKILLS]);
	c->cap = tk_agent_capacity(a);
	c->off = !strcmp(a->v[TK_A_DUTY], "off");
	c->lead = !strcmp(a->v[TK_A_ROLE], "lead");
	c->load = strtoull(a->v[TK_A_LOAD], NULL, 10);
	return 0;
}

static int
add_team(tk_txn *t, tk_team *tm, void *arg)
{
	tk_assigner *as = arg;

	(void)t;
	if (as->nt == as->tcap) {
		as->tcap = as->tcap ? 2 * as->tcap : 16;
		as->tname = tk_xrealloc(as->tname, as->tcap * sizeof *as->tname);
		as->tqueues = tk_xrealloc(as->tqueues, as->tcap * sizeof *as->tqueues);
	}
	as->tname[as->nt] = tk_xstrdup(tm->v[TK_T_NAME]);
	as->tqueues[as->nt++] = tk_xstrdup(tm->v[TK_T_QUEUES]);
	return 0;
}

static struct cand *
find(tk_assigner *as, const char *login, size_t n)
{
	size_t lo = 0, hi = as->nc, mid;
	int r;

	/* in login order, as the agents sub-database holds them */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = tk_keycmp(as->c[mid].login, strlen(as->c[mid].login), login, n);
		if (!r)
			return &as->c[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
has_team(tk_assigner *as, const char *name)
{
	size_t i;

	for (i = 0; i < as->nt; i++)
		if (!strcmp(as->tname[i], name))
			return 1;
	return 0;
}

int
tk_assigner_begin(tk_assigner *as, tk_txn *t)
{
	clear(as);
	if (tk_agent_each(t, add_cand, as) < 0 || tk_team_each(t, 0, add_team, as) < 0)
		return -1;
	if (as->to && !find(as, as->to, strlen(as->to))) {
		tk_agent_unknown(t, as->to);
		return -2;
	}
	if (as->team && !has_team(as, as->team)) {
		tk_team_unknown(t, as->team);
		return -2;
	}
	return 0;
}

static struct cursor *
cursor(tk_assigner *as, tk_txn *t, const char *team)
{
	MDB_val k = { strlen(team), (void *)team }, v;
	struct cursor *c;
	size_t i;
	int rc;

	for (i = 0; i < as->ncur; i++)
		if (!strcmp(as->cur[i].team, team))
			return &as->cur[i];
	as->cur = tk_xrealloc(as->cur, (as->ncur + 1) * sizeof *as->cur);
	c = &as->cur[as->ncur++];
	c->team = tk_xstrdup(team);
	c->last = NULL;
	c->dirty = 0;
	rc = mdb_get(t->txn, t->st->dbi[TK_DB_RR_CURSOR], &k, &v);
	if (rc == 0)
		c->last = tk_xstrndup(v.mv_data, v.mv_size);
	else if (rc != MDB_NOTFOUND) {
		tk_mdb_error(rc, "rr_cursor");
		return NULL;
	}
	return c;
}

int
tk_assigner_end(tk_assigner *as, tk_txn *t)
{
	MDB_val k, v;
	size_t i;
	int rc;

	for (i = 0; i < as->ncur; i++) {
		if (!as->cur[i].dirty)
			continue;
		k.mv_size = strlen(as->cur[i].team);
		k.mv_data = as->cur[i].team;
		v.mv_size = strlen(as->cur[i].last);
		v.mv_data = as->cur[i].last;
		if (t->write && (rc = mdb_put(t->txn, t->st->dbi[TK_DB_RR_CURSOR], &k, &v, 0)))
			return tk_mdb_error(rc, "rr_cursor");
		as->cur[i].dirty = 0;
	}
	return 0;
}

/* The team that owns queue q: its name, or NULL. */
static const char *
owner(tk_assigner *as, tk_str q)
{
	size_t i;

	for (i = 0; q.n && i < as->nt; i++)
		if (tk_list_has(as->tqueues[i], q.p, q.n))
			return as->tname[i];
	return NULL;
}

static int
in_pool(tk_assigner *as, const struct cand *c, const char *team)
{
	if (team && !tk_list_has(c->teams, team, strlen(team)))
		return 0;
	return as->strategy != TK_ASSIGN_TO_LEAD || c->lead;
}

static int
eligible(const struct cand *c)
{
	return !c->off && (c->cap < 0 || c->load < (uint64_t)c->cap);
}

/* x before y: fewer open tickets, then more room left, then login order. */
static int
lighter(const struct cand *x, const struct cand *y)
{
	long long rx, ry;

	if (x->load != y->load)
		return x->load < y->load;
	rx = x->cap < 0 ? -1 : (long long)x->cap - (long long)x->load;
	ry = y->cap < 0 ? -1 : (long long)y->cap - (long long)y->load;
	if (rx != ry)
		return rx < 0 || (ry >= 0 && rx > ry);
	return strcmp(x->login, y->login) < 0;
}

static void
describe(tk_buf *b, const struct cand *c)
{
	tk_buf_printf(b, "%s ", c->login);
	if (c->off)
		tk_buf_adds(b, "off duty");
	else if (c->cap >= 0 && c->load >= (uint64_t)c->cap)
		tk_buf_printf(b, "at capacity (%llu of %ld)", (unsigned long long)c->load, c->cap);
	else if (c->cap >= 0)
		tk_buf_printf(b, "load %llu of %ld", (unsigned long long)c->load, c->cap);
	else
		tk_buf_printf(b, "load %llu", (unsigned long long)c->load);
}

/* The wanted skills of a ticket: its category, its tags, and zh when its
 * text is Chinese (the derived field script is han). */
static size_t
score(const struct cand *c, const tk_ticket *tk, int han, tk_buf *matched)
{
	const tk_str *cat = &tk->f[TK_F_CATEGORY], *tags = &tk->f[TK_F_TAGS];
	const char *p = tags->p, *end = tags->p + tags->n, *comma;
	size_t n = 0;

	if (han && tk_list_has(c->skills, "zh", 2)) {
		n++;
		if (matched)
			tk_buf_adds(matched, "zh (script=han)");
	}
	if (cat->n && tk_list_has(c->skills, cat->p, cat->n)) {
		n++;
		if (matched)
			tk_buf_printf(matched, "%scategory=%.*s", matched->len ? " " : "", (int)cat->n, cat->p);
	}
	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		if (comma > p && tk_list_has(c->skills, p, (size_t)(comma - p))) {
			n++;
			if (matched)
				tk_buf_printf(matched, "%s+%.*s", matched->len ? " " : "", (int)(comma - p), p);
		}
		p = comma + 1;
	}
	return n;
}

/* The others weighed, for --explain and for the reason none would do:
 * up to six, then how many more. */
static void
others(tk_buf *b, tk_assigner *as, const struct cand *chosen, const char *team, const tk_ticket *tk, int skills,
    int han)
{
	size_t i, shown = 0, more = 0;

	for (i = 0; i < as->nc; i++) {
		const struct cand *c = &as->c[i];

		if (c == chosen || !in_pool(as, c, team))
			continue;
		if (shown == 6) {
			more++;
			continue;
		}
		tk_buf_adds(b, shown++ ? ", " : "");
		describe(b, c);
		if (skills && !score(c, tk, han, NULL))
			tk_buf_adds(b, " (no skill asked)");
	}
	if (more)
		tk_buf_printf(b, " and %zu more", more);
	if (!shown)
		tk_buf_adds(b, "none");
}

static void
pool_name(tk_buf *b, const char *team, int by_queue)
{
	if (team)
		tk_buf_printf(b, "team %s%s", team, by_queue ? " (owns the queue)" : "");
	else
		tk_buf_adds(b, "all agents");
}

/* Why no one will do: nobody to choose from, or each one's state. */
static void
none(tk_assigner *as, const tk_ticket *tk, const char *team, int by_queue, int han)
{
	tk_buf *b = &as->why;
	size_t i, n = 0;

	for (i = 0; i < as->nc; i++)
		n += in_pool(as, &as->c[i], team);
	if (!n) {
		if (!team)
			tk_buf_adds(b, "no agents (tk-agent add LOGIN makes one)");
		else {
			pool_name(b, team, by_queue);
			tk_buf_adds(b, as->strategy == TK_ASSIGN_TO_LEAD ? " has no lead (tk-agent set LOGIN role=lead)" :
			    " has no agents");
		}
		return;
	}
	tk_buf_adds(b, as->strategy == TK_ASSIGN_TO_LEAD ? "no lead on duty with room" : "no agent on duty with room");
	if (as->strategy == TK_ASSIGN_SKILLS) {
		tk_buf_adds(b, " has a skill asked (");
		if (han)
			tk_buf_printf(b, "zh%s", tk->f[TK_F_CATEGORY].n || tk->f[TK_F_TAGS].n ? " " : "");
		if (tk->f[TK_F_CATEGORY].n)
			tk_buf_printf(b, "category=%.*s", (int)tk->f[TK_F_CATEGORY].n, tk->f[TK_F_CATEGORY].p);
		if (tk->f[TK_F_TAGS].n)
			tk_buf_printf(b, "%stags=%.*s", tk->f[TK_F_CATEGORY].n ? " " : "",
			    (int)tk->f[TK_F_TAGS].n, tk->f[TK_F_TAGS].p);
		tk_buf_adds(b, ")");
	}
	tk_buf_adds(b, " in ");
	pool_name(b, team, by_queue);
	tk_buf_adds(b, ": ");
	others(b, as, NULL, team, tk, as->strategy == TK_ASSIGN_SKILLS, han);
}

int
tk_assigner_pick(tk_assigner *as, tk_txn *t, tk_ticket *tk, const char **login)
{
	const tk_str *cur = &tk->f[TK_F_ASSIGNEE];
	struct cand *own = NULL, *best = NULL, *c;
	const char *team = as->team;
	struct cursor *rr = NULL;
	size_t i, s, bestscore = 0, start = 0;
	int active = tk_active_status(tk->f[TK_F_STATUS]), by_queue = 0, han = 0;
	tk_buf matched = { 0 };
	char scratch[32];

	as->why.len = 0;
	*login = NULL;
	if (as->strategy == TK_ASSIGN_UNASSIGN) {
		tk_buf_adds(&as->why, "unassigned");
		return 1;
	}
	/* this ticket's own assignee is weighed without it */
	if (active && cur->n && (own = find(as, cur->p, cur->n)) && own->load)
		own->load--;
	else
		own = NULL;
	if (as->strategy == TK_ASSIGN_TO) {
		best = find(as, as->to, strlen(as->to));
		if (!eligible(best)) {
			describe(&as->why, best);
			tk_error("not given to %s", tk_buf_cstr(&as->why));
			best = NULL;
			goto out;
		}
		describe(&as->why, best);
		goto out;
	}
	if (as->strategy == TK_ASSIGN_TO_LEAD || !team) {
		team = owner(as, tk->f[TK_F_QUEUE]);
		by_queue = team != NULL;
		if (!team && as->strategy == TK_ASSIGN_TO_LEAD) {
			if (tk->f[TK_F_QUEUE].n)
				tk_error("no lead: queue %.*s belongs to no team (tk-agent team NAME queues=%.*s)",
				    (int)tk->f[TK_F_QUEUE].n, tk->f[TK_F_QUEUE].p, (int)tk->f[TK_F_QUEUE].n,
				    tk->f[TK_F_QUEUE].p);
			else
				tk_error("no lead: the ticket has no queue");
			goto out;
		}
	}
	if (as->strategy == TK_ASSIGN_SKILLS) {
		han = tk_str_eq(tk_ticket_value(t, tk, TK_F_SCRIPT, NULL, scratch, sizeof scratch), "han");
		if (!han && !tk->f[TK_F_CATEGORY].n && !tk->f[TK_F_TAGS].n) {
			tk_error("no skill asked: the ticket has no category or tags, and is not in Chinese");
			goto out;
		}
	}
	as->pool = team;
	if (as->strategy == TK_ASSIGN_ROUND_ROBIN) {
		if (!(rr = cursor(as, t, team ? team : "*")))
			goto out;
		/* the first in login order after the last one given a ticket */
		while (rr->last && start < as->nc && strcmp(as->c[start].login, rr->last) <= 0)
			start++;
	}
	for (i = 0; i < as->nc; i++) {
		c = &as->c[(start + i) % as->nc];
		if (!in_pool(as, c, team) || !eligible(c))
			continue;
		switch (as->strategy) {
		case TK_ASSIGN_ROUND_ROBIN:
			best = c;
			i = as->nc;	/* the first in turn */
			break;
		case TK_ASSIGN_SKILLS:
			if (!(s = score(c, tk, han, NULL)))
				break;
			if (s > bestscore || (s == bestscore && lighter(c, best)))
				best = c, bestscore = s;
			break;
		default:	/* least-loaded, to-lead */
			if (!best || lighter(c, best))
				best = c;
		}
	}
	if (!best) {
		none(as, tk, team, by_queue, han);
		tk_error("%s", tk_buf_cstr(&as->why));
		goto out;
	}
	describe(&as->why, best);
	if (as->strategy == TK_ASSIGN_SKILLS) {
		score(best, tk, han, &matched);
		tk_buf_printf(&as->why, ", skills %s", tk_buf_cstr(&matched));
	}
	if (as->explain) {
		tk_buf_adds(&as->why, as->strategy == TK_ASSIGN_ROUND_ROBIN ? "; next in turn in " :
		    as->strategy == TK_ASSIGN_SKILLS ? "; most skills asked, then least loaded, in " :
		    as->strategy == TK_ASSIGN_TO_LEAD ? "; least loaded lead of " : "; least loaded in ");
		pool_name(&as->why, team, by_queue);
		tk_buf_adds(&as->why, "; others: ");
		others(&as->why, as, best, team, tk, as->strategy == TK_ASSIGN_SKILLS, han);
	}
out:
	if (own)
		own->load++;
	tk_buf_free(&matched);
	if (!best)
		return 0;
	*login = best->login;
	return 1;
}

const char *
tk_assigner_why(tk_assigner *as)
{
	return tk_buf_cstr(&as->why);
}

void
tk_assigner_moved(tk_assigner *as, tk_str ostatus, tk_str oassignee, tk_str status, tk_str assignee)
{
	struct cand *c;
	int was = tk_active_status(ostatus) && oassignee.n, now = tk_active_status(status) && assignee.n;

	if (was && now && tk_str_same(oassignee, assignee))
		return;
	if (was && (c = find(as, oassignee.p, oassignee.n)) && c->load)
		c->load--;
	if (now && (c = find(as, assignee.p, assignee.n)))
		c->load++;
}

void
tk_assigner_took(tk_assigner *as, tk_str status, tk_str assignee, const char *login)
{
	struct cursor *rr;
	size_t i;

	if (as->strategy == TK_ASSIGN_ROUND_ROBIN && login) {
		for (i = 0, rr = NULL; i < as->ncur; i++)
			if (!strcmp(as->cur[i].team, as->pool ? as->pool : "*"))
				rr = &as->cur[i];
		if (rr) {
			free(rr->last);
			rr->last = tk_xstrdup(login);
			rr->dirty = 1;
		}
	}
	tk_assigner_moved(as, status, assignee, status, TK_STR(login ? login : ""));
}
