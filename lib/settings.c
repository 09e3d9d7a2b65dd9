/*
 * settings.c - the store's config file: general settings, one "key value"
 * a line (tk-config(5)). Only the keys tk acts on are taken; a key SPEC.md
 * names for a capability not built yet is refused as such, any other as
 * unknown, so that a setting never silently does nothing.
 *
 *   route-on-create yes|no     every intake path routes (tk-route(1))
 *   mail-rate-limit COUNT PERIOD
 *                              tk-mail makes at most COUNT tickets and
 *                              replies a sender in PERIOD (20 1h unless set;
 *                              0 for no limit)
 *   mail-domain DOMAIN         the right side of tk's own Message-IDs
 *   from NAME <ADDRESS>        the sender of tk-notify's mail (tk-notify(1))
 *   fulltext tickets yes|no    tickets in the full-text index (text=,
 *                              tk-kb suggest --tickets); unset: as the
 *                              store says (on for a store made since)
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

/* Keys of tk-config(5) whose capabilities come later. */
static const char *const later[] = { "tiers", "free-mail", "contact-lookup", NULL };

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

int
tk_settings_load(const char *dir, tk_settings *s)
{
	tk_conf c;
	int rc, seen_route = 0, seen_from = 0, seen_ft = 0;
	size_t i;

	memset(s, 0, sizeof *s);
	s->mail_rate_count = 20;
	s->mail_rate_period = 3600;
	s->fulltext_tickets = -1;
	if ((rc = tk_conf_open(&c, dir, "config")) <= 0)
		return rc;
	while ((rc = tk_conf_next(&c)) > 0) {
		if (c.indented) {
			rc = tk_conf_error(&c, "%s: an indented line, but config has no stanzas", c.w[0]);
			break;
		}
		if (!strcmp(c.w[0], "route-on-create")) {
			if (seen_route++) {
				rc = tk_conf_error(&c, "route-on-create: given twice");
				break;
			}
			if ((rc = yes_no(&c, &s->route_on_create)) < 0)
				break;
			continue;
		}
		if (!strcmp(c.w[0], "mail-rate-limit")) {
			char *end;

			if (c.nw != 3 || (s->mail_rate_count = strtol(c.w[1], &end, 10)) < 0 || *end ||
			    tk_duration_parse(c.w[2], &s->mail_rate_period) < 0 || s->mail_rate_period <= 0) {
				rc = tk_conf_error(&c, "mail-rate-limit: a count and a period (20 1h)");
				break;
			}
			continue;
		}
		if (!strcmp(c.w[0], "mail-domain")) {
			if (c.nw != 2 || strlen(c.w[1]) >= sizeof s->mail_domain || strchr(c.w[1], '@')) {
				rc = tk_conf_error(&c, "mail-domain: one domain");
				break;
			}
			strcpy(s->mail_domain, c.w[1]);
			continue;
		}
		if (!strcmp(c.w[0], "from")) {
			if (seen_from++) {
				rc = tk_conf_error(&c, "from: given twice");
				break;
			}
			if ((rc = from(&c, s)) < 0)
				break;
			continue;
		}
		if (!strcmp(c.w[0], "fulltext")) {
			if (seen_ft++) {
				rc = tk_conf_error(&c, "fulltext: given twice");
				break;
			}
			if (c.nw != 3 || strcmp(c.w[1], "tickets")) {
				rc = tk_conf_error(&c, "fulltext: fulltext tickets yes, or no");
				break;
			}
			if (!strcmp(c.w[2], "yes"))
				s->fulltext_tickets = 1;
			else if (!strcmp(c.w[2], "no"))
				s->fulltext_tickets = 0;
			else {
				rc = tk_conf_error(&c, "fulltext tickets %s: yes or no", c.w[2]);
				break;
			}
			continue;
		}
		for (i = 0; later[i] && strcmp(later[i], c.w[0]); i++)
			;
		rc = later[i] ? tk_conf_error(&c, "%s: not implemented yet", c.w[0]) :
		    tk_conf_error(&c, "%s: unknown setting (route-on-create, mail-rate-limit, mail-domain, from, fulltext)", c.w[0]);
		break;
	}
	tk_conf_close(&c);
	return rc < 0 ? -1 : 0;
}
