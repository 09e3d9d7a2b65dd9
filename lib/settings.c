/*
 * settings.c - the store's config file: general settings, one "key value..."
 * a line (tk-config(5)), read with config.c. Each key tk acts on has a line
 * in the table below with its reader; a key of SPEC.md whose capability is
 * not built yet is refused as such, any other as unknown (with the nearest
 * key), so that a setting never silently does nothing. Every error names
 * config:line; commands refuse a broken file with exit 3.
 *
 *   tiers a b c               tiers by rank, most important first
 *                             (default vip gold standard)
 *   free-mail domain ...      domains added to the built-in free-mail list
 *                             (never an organisation's)
 *   contact-lookup PROGRAM    run for a requester tk has never seen
 *   contact-lookup-timeout D  its time limit (default 2s)
 *   phone-country CODE        country code of numbers written without one
 *   route-on-create yes|no    every intake path routes (tk-route(1))
 *   mail-rate-limit COUNT PERIOD
 *                             tk-mail makes at most COUNT tickets and
 *                             replies a sender in PERIOD (20 1h unless set;
 *                             0 for no limit)
 *   mail-domain DOMAIN        the right side of tk's own Message-IDs
 *   mail-org-replies QUEUE... a [tk #N] mail from anyone of the ticket's
 *                             org threads into tickets of these queues
 *                             (* every queue)
 *   from NAME <ADDRESS>       the sender of tk-notify's mail (tk-notify(1))
 *   fulltext tickets yes|no   tickets in the full-text index (text=,
 *                             tk-kb suggest --tickets); unset: as the
 *                             store says (on for a store made since)
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static const char *const default_tiers[] = { "vip", "gold", "standard" };

/* Keys of tk-config(5) whose capabilities come with other issues. */
static const char *const later[] = { NULL };

/* A tier, org key or queue word: a letter, then letters, digits, _ - . */
static int
word_ok(const char *s)
{
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("_-.", s[i])))
			return 0;
	return i <= 64;
}

static void
add(char ***v, size_t *n, const char *s)
{
	*v = tk_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = tk_xstrdup(s);
}

static int
read_tiers(tk_conf *c, tk_settings *s)
{
	size_t i, j;

	if (s->ntiers)
		return tk_conf_error(c, "tiers: given twice");
	if (c->nw < 2)
		return tk_conf_error(c, "tiers: name them, most important first (tiers vip gold standard)");
	for (i = 1; i < c->nw; i++) {
		if (!word_ok(c->w[i]))
			return tk_conf_error(c, "tiers: %s is not a tier name (a letter, then letters, digits, _ - .)",
			    c->w[i]);
		for (j = 1; j < i; j++)
			if (!strcmp(c->w[j], c->w[i]))
				return tk_conf_error(c, "tiers: %s named twice", c->w[i]);
		add(&s->tiers, &s->ntiers, c->w[i]);
	}
	return 0;
}

static int
read_free_mail(tk_conf *c, tk_settings *s)
{
	size_t i, k;
	char *d;

	if (c->nw < 2)
		return tk_conf_error(c, "free-mail: name the domains (free-mail example-mail.cn)");
	for (i = 1; i < c->nw; i++) {
		d = c->w[i];
		tk_address_lower(d, strlen(d));
		for (k = 0; d[k]; k++)
			if (!((d[k] >= 'a' && d[k] <= 'z') || (d[k] >= '0' && d[k] <= '9') || d[k] == '-' ||
			    d[k] == '.' || (unsigned char)d[k] >= 0x80))
				break;
		if (d[k] || !strchr(d, '.') || d[0] == '.' || d[k - 1] == '.')
			return tk_conf_error(c, "free-mail: %s is not a domain", c->w[i]);
		add(&s->free_mail, &s->nfree, d);
	}
	return 0;
}

static int
read_lookup(tk_conf *c, tk_settings *s)
{
	if (s->contact_lookup)
		return tk_conf_error(c, "contact-lookup: given twice");
	if (c->nw != 2)
		return tk_conf_error(c, "contact-lookup: one program, run with the address as its only argument "
		    "(contact-lookup /usr/local/bin/crm-lookup)");
	s->contact_lookup = tk_xstrdup(c->w[1]);
	return 0;
}

static int
read_timeout(tk_conf *c, tk_settings *s)
{
	long long secs;

	if (c->nw != 2)
		return tk_conf_error(c, "contact-lookup-timeout: one duration (2s, 500ms is not one: 1s at least)");
	if (tk_duration_parse(c->w[1], &secs) < 0 || secs < 1 || secs > 3600)
		return tk_conf_error(c, "contact-lookup-timeout %s: a duration from 1s to 1h", c->w[1]);
	s->lookup_ms = (long)secs * 1000;
	return 0;
}

static int
read_country(tk_conf *c, tk_settings *s)
{
	const char *v;
	size_t n;

	if (s->phone_country)
		return tk_conf_error(c, "phone-country: given twice");
	if (c->nw != 2)
		return tk_conf_error(c, "phone-country: one country calling code (phone-country 86)");
	v = c->w[1] + (c->w[1][0] == '+');
	n = strspn(v, "0123456789");
	if (!n || n > 3 || v[n] || v[0] == '0')
		return tk_conf_error(c, "phone-country %s: a country calling code, 1 to 3 digits (86, +1, 44)",
		    c->w[1]);
	s->phone_country = tk_xstrdup(v);
	return 0;
}

static int
yes_no(tk_conf *c, int *out)
{
	if (c->nw != 2)
		return tk_conf_error(c, "%s: one value, yes or no", c->w[0]);
	if (!strcmp(c->w[1], "yes"))
		*out = 1;
	else if (!strcmp(c->w[1], "no"))
		*out = 0;
	else
		return tk_conf_error(c, "%s %s: yes or no", c->w[0], c->w[1]);
	return 0;
}

/* from: the rest of the statement, as written (one space between words). */
static int
from(tk_conf *c, tk_settings *s)
{
	tk_buf v = { 0 };
	tk_str name, addr;
	size_t i;
	int rc = 0;

	for (i = 1; i < c->nw; i++) {
		if (i > 1)
			tk_buf_addc(&v, ' ');
		tk_buf_adds(&v, c->w[i]);
	}
	if (!v.len)
		rc = tk_conf_error(c, "from: give the sender (from NAME <ADDRESS>)");
	else if (v.len >= sizeof s->from)
		rc = tk_conf_error(c, "from: longer than %zu bytes", sizeof s->from - 1);
	else if (!tk_address_split(v.p, v.len, &name, &addr) || !tk_mime_addr_ok(addr.p, addr.n))
		rc = tk_conf_error(c, "from %s: not an address (from NAME <ADDRESS>, or the address alone)", v.p);
	else
		memcpy(s->from, v.p, v.len + 1);
	tk_buf_free(&v);
	return rc;
}

static int
read_route(tk_conf *c, tk_settings *s)
{
	if (s->seen_route++)
		return tk_conf_error(c, "route-on-create: given twice");
	return yes_no(c, &s->route_on_create);
}

static int
read_rate(tk_conf *c, tk_settings *s)
{
	char *end;

	if (c->nw != 3 || (s->mail_rate_count = strtol(c->w[1], &end, 10)) < 0 || *end ||
	    tk_duration_parse(c->w[2], &s->mail_rate_period) < 0 || s->mail_rate_period <= 0)
		return tk_conf_error(c, "mail-rate-limit: a count and a period (20 1h)");
	return 0;
}

static int
read_mail_domain(tk_conf *c, tk_settings *s)
{
	if (c->nw != 2 || strlen(c->w[1]) >= sizeof s->mail_domain || strchr(c->w[1], '@'))
		return tk_conf_error(c, "mail-domain: one domain");
	strcpy(s->mail_domain, c->w[1]);
	return 0;
}

static int
read_from(tk_conf *c, tk_settings *s)
{
	if (s->seen_from++)
		return tk_conf_error(c, "from: given twice");
	return from(c, s);
}

static int
read_fulltext(tk_conf *c, tk_settings *s)
{
	if (s->seen_ft++)
		return tk_conf_error(c, "fulltext: given twice");
	if (c->nw != 3 || strcmp(c->w[1], "tickets"))
		return tk_conf_error(c, "fulltext: fulltext tickets yes, or no");
	if (!strcmp(c->w[2], "yes"))
		s->fulltext_tickets = 1;
	else if (!strcmp(c->w[2], "no"))
		s->fulltext_tickets = 0;
	else
		return tk_conf_error(c, "fulltext tickets %s: yes or no", c->w[2]);
	return 0;
}

static int
read_org_replies(tk_conf *c, tk_settings *s)
{
	size_t i;

	if (s->norg_reply)
		return tk_conf_error(c, "mail-org-replies: given twice");
	if (c->nw < 2)
		return tk_conf_error(c, "mail-org-replies: name the queues, or * for every queue");
	for (i = 1; i < c->nw; i++) {
		if (strcmp(c->w[i], "*") && !word_ok(c->w[i]))
			return tk_conf_error(c, "mail-org-replies: %s is not a queue name", c->w[i]);
		add(&s->org_reply, &s->norg_reply, c->w[i]);
	}
	return 0;
}

int
tk_settings_org_replies(const tk_settings *s, tk_str queue)
{
	size_t i;

	for (i = 0; i < s->norg_reply; i++)
		if (!strcmp(s->org_reply[i], "*") || tk_str_eq(queue, s->org_reply[i]))
			return 1;
	return 0;
}

static const struct {
	const char *key;
	int (*read)(tk_conf *, tk_settings *);
} keys[] = {
	{ "tiers", read_tiers },
	{ "free-mail", read_free_mail },
	{ "contact-lookup", read_lookup },
	{ "contact-lookup-timeout", read_timeout },
	{ "phone-country", read_country },
	{ "route-on-create", read_route },
	{ "mail-rate-limit", read_rate },
	{ "mail-domain", read_mail_domain },
	{ "mail-org-replies", read_org_replies },
	{ "from", read_from },
	{ "fulltext", read_fulltext },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static int
unknown(tk_conf *c)
{
	tk_nearest nr;
	size_t i;

	for (i = 0; later[i]; i++)
		if (!strcmp(later[i], c->w[0]))
			return tk_conf_error(c, "%s: not implemented yet", c->w[0]);
	tk_nearest_init(&nr, c->w[0]);
	for (i = 0; i < NKEYS; i++)
		tk_nearest_try(&nr, keys[i].key);
	if (nr.best)
		return tk_conf_error(c, "%s: unknown setting; did you mean %s?", c->w[0], nr.best);
	return tk_conf_error(c, "%s: unknown setting (tiers, free-mail, contact-lookup, "
	    "contact-lookup-timeout, phone-country, route-on-create, mail-rate-limit, mail-domain, "
	    "mail-org-replies, from, "
	    "fulltext)",
	    c->w[0]);
}

int
tk_settings_load(const char *dir, tk_settings *s)
{
	tk_conf c;
	size_t i;
	int rc;

	memset(s, 0, sizeof *s);
	s->lookup_ms = 2000;
	s->mail_rate_count = 20;
	s->mail_rate_period = 3600;
	s->fulltext_tickets = -1;
	if ((rc = tk_conf_open(&c, dir, "config")) < 0)
		return -1;
	while (rc > 0 && (rc = tk_conf_next(&c)) > 0) {
		if (c.indented) {
			rc = tk_conf_error(&c, "%s: an indented line, but config has no stanzas", c.w[0]);
			break;
		}
		for (i = 0; i < NKEYS && strcmp(keys[i].key, c.w[0]); i++)
			;
		rc = i < NKEYS ? keys[i].read(&c, s) : unknown(&c);
		if (rc < 0)
			break;
		rc = 1;
	}
	tk_conf_close(&c);
	if (rc < 0) {
		tk_settings_free(s);
		return -1;
	}
	if (!s->ntiers)
		for (i = 0; i < sizeof default_tiers / sizeof *default_tiers; i++)
			add(&s->tiers, &s->ntiers, default_tiers[i]);
	return 0;
}

void
tk_settings_free(tk_settings *s)
{
	size_t i;

	for (i = 0; i < s->ntiers; i++)
		free(s->tiers[i]);
	for (i = 0; i < s->nfree; i++)
		free(s->free_mail[i]);
	for (i = 0; i < s->norg_reply; i++)
		free(s->org_reply[i]);
	free(s->org_reply);
	free(s->tiers);
	free(s->free_mail);
	free(s->contact_lookup);
	free(s->phone_country);
	memset(s, 0, sizeof *s);
}

const tk_settings *
tk_settings_get(const char *dir)
{
	static tk_settings cache;
	static char *cached_dir;

	if (cached_dir && !strcmp(cached_dir, dir))
		return &cache;
	if (cached_dir) {
		tk_settings_free(&cache);
		free(cached_dir);
		cached_dir = NULL;
	}
	if (tk_settings_load(dir, &cache) < 0)
		return NULL;
	cached_dir = tk_xstrdup(dir);
	return &cache;
}

int
tk_settings_tier_rank(const tk_settings *s, const char *tier, size_t n)
{
	size_t i;

	for (i = 0; i < s->ntiers; i++)
		if (strlen(s->tiers[i]) == n && !memcmp(s->tiers[i], tier, n))
			return (int)i;
	return -1;
}
