/*
 * profile.c - what tk-contact show and tk-org show print: the record, then
 * its tickets counted by status, the CSAT mean, the median first response
 * and resolution times, and the last tickets. The tickets are found through
 * the indexes (ix_contact; ix_org and the working set) and read once each.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tk.h"

#define LAST 10

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long
median(long long *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
tk_profile_of(tk_txn *t, const tk_ids *ids, tk_profile *p)
{
	static const char *const names[] = { "new", "open", "pending", "resolved", "closed" };
	long long *frt = NULL, *ttr = NULL, sum = 0;
	size_t nfrt = 0, nttr = 0, i, k;
	time_t cr, r;
	unsigned char kb[8];
	MDB_cursor *c;
	tk_ticket tk;
	MDB_val key, v;
	int rc = 0;

	memset(p, 0, sizeof *p);
	frt = tk_xmalloc((ids->n ? ids->n : 1) * sizeof *frt);
	ttr = tk_xmalloc((ids->n ? ids->n : 1) * sizeof *ttr);
	/* One cursor over the ids in order: a key on its page needs no search
	 * from the root. */
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi[TK_DB_TICKETS], &c))) {
		free(frt);
		free(ttr);
		return tk_mdb_error(rc, "tickets");
	}
	tk_ticket_init(&tk);
	for (i = 0; i < ids->n; i++) {
		tk_put_u64(kb, ids->v[i]);
		key.mv_size = 8;
		key.mv_data = kb;
		if ((rc = mdb_cursor_get(c, &key, &v, MDB_SET_KEY)) == MDB_NOTFOUND)
			continue;
		if (rc) {
			rc = tk_mdb_error(rc, "tickets");
			break;
		}
		tk.id = ids->v[i];
		if ((rc = tk_ticket_decode_upto(&tk, v.mv_data, v.mv_size, TK_F_CSAT)) < 0)
			break;
		p->tickets++;
		if (tk.f[TK_F_CREATED].n == 20 && memcmp(tk.f[TK_F_CREATED].p, p->last_created, 20) > 0) {
			memcpy(p->last_created, tk.f[TK_F_CREATED].p, 20);
			p->last_created[20] = '\0';
		}
		for (k = 0; k < 5; k++)
			if (tk_str_eq(tk.f[TK_F_STATUS], names[k]))
				p->status[k]++;
		if (tk_active_status(tk.f[TK_F_STATUS]))
			p->open++;
		if (tk.f[TK_F_CSAT].n == 1 && tk.f[TK_F_CSAT].p[0] >= '1' && tk.f[TK_F_CSAT].p[0] <= '5') {
			sum += tk.f[TK_F_CSAT].p[0] - '0';
			p->rated++;
		}
		if (tk_iso_parse(tk.f[TK_F_CREATED].p, tk.f[TK_F_CREATED].n, &cr) == 0) {
			if (tk_iso_parse(tk.f[TK_F_FIRST_RESPONSE].p, tk.f[TK_F_FIRST_RESPONSE].n, &r) == 0 && r >= cr)
				frt[nfrt++] = (long long)(r - cr);
			if (tk_iso_parse(tk.f[TK_F_RESOLVED].p, tk.f[TK_F_RESOLVED].n, &r) == 0 && r >= cr)
				ttr[nttr++] = (long long)(r - cr);
		}
	}
	mdb_cursor_close(c);
	tk_ticket_free(&tk);
	if (rc >= 0 || rc == MDB_NOTFOUND) {
		rc = 0;
		p->csat_mean = p->rated ? (double)sum / (double)p->rated : 0;
		if ((p->has_frt = nfrt > 0))
			p->frt_median = median(frt, nfrt);
		if ((p->has_ttr = nttr > 0))
			p->ttr_median = median(ttr, nttr);
		for (i = ids->n; i-- > 0 && p->nlast < LAST;)
			p->last[p->nlast++] = ids->v[i];
	}
	free(frt);
	free(ttr);
	return rc;
}

/* Seconds as people read them: 2d14h, 3h5m, 45m, 30s. */
static void
duration(long long s, char *out, size_t n)
{
	if (s >= 86400)
		snprintf(out, n, s % 86400 / 3600 ? "%lldd%lldh" : "%lldd", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, n, s % 3600 / 60 ? "%lldh%lldm" : "%lldh", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, n, "%lldm", s / 60);
	else
		snprintf(out, n, "%llds", s);
}

static void
line(const char *name, const char *v, size_t n)
{
	if (!n)
		return;
	printf("%-15s  ", name);
	tk_term_write(stdout, v, n);
	fputc('\n', stdout);
}

void
tk_profile_print(tk_txn *t, const char *title, const tk_dcol *cols, char *const *v, size_t from, size_t to,
    const tk_profile *p, int json)
{
	static const char *const names[] = { "new", "open", "pending", "resolved", "closed" };
	char buf[64], lbuf[32];
	tk_buf b = { 0 };
	tk_output out;
	tk_ticket tk;
	size_t i;
	int local = !json && isatty(STDOUT_FILENO);

	if (json) {
		tk_buf_addc(&b, '{');
		for (i = 0; i < to; i++) {
			if (b.len > 1)
				tk_buf_addc(&b, ',');
			tk_json_string(&b, cols[i].name, strlen(cols[i].name));
			tk_buf_addc(&b, ':');
			if (!v[i][0])
				tk_buf_adds(&b, "null");
			else if (cols[i].kind == TK_DK_COUNT)
				tk_buf_adds(&b, v[i]);
			else
				tk_json_string(&b, v[i], strlen(v[i]));
		}
		tk_buf_printf(&b, ",\"tickets\":%zu,\"open\":%zu,\"by_status\":{", p->tickets, p->open);
		for (i = 0; i < 5; i++)
			tk_buf_printf(&b, "%s\"%s\":%zu", i ? "," : "", names[i], p->status[i]);
		tk_buf_addc(&b, '}');
		if (p->rated)
			tk_buf_printf(&b, ",\"csat_mean\":%.2f,\"csat_rated\":%zu", p->csat_mean, p->rated);
		else
			tk_buf_adds(&b, ",\"csat_mean\":null,\"csat_rated\":0");
		if (p->has_frt)
			tk_buf_printf(&b, ",\"frt_median\":%lld", p->frt_median);
		else
			tk_buf_adds(&b, ",\"frt_median\":null");
		if (p->has_ttr)
			tk_buf_printf(&b, ",\"ttr_median\":%lld", p->ttr_median);
		else
			tk_buf_adds(&b, ",\"ttr_median\":null");
		tk_buf_adds(&b, ",\"last_tickets\":[");
		for (i = 0; i < p->nlast; i++)
			tk_buf_printf(&b, "%s%llu", i ? "," : "", (unsigned long long)p->last[i]);
		tk_buf_adds(&b, "]}\n");
		tk_term_write(stdout, b.p, b.len);
		tk_buf_free(&b);
		return;
	}
	tk_term_write(stdout, title, strlen(title));
	fputc('\n', stdout);
	for (i = from; i < to; i++) {
		tk_str s = TK_STR(v[i]);

		if (local && cols[i].kind == TK_DK_TIME)
			s = tk_time_for_people(s, lbuf);
		line(cols[i].name, s.p, s.n);
	}
	b.len = 0;
	tk_buf_printf(&b, "%zu", p->tickets);
	for (i = 0; i < 5 && p->tickets; i++)
		if (p->status[i])
			tk_buf_printf(&b, "%s%s %zu", b.len && !strchr(b.p, ':') ? ": " : ", ", names[i], p->status[i]);
	line("tickets", b.p, b.len);
	if (p->rated) {
		snprintf(buf, sizeof buf, "%.2f (%zu rated)", p->csat_mean, p->rated);
		line("csat", buf, strlen(buf));
	}
	if (p->has_frt) {
		duration(p->frt_median, buf, sizeof buf);
		line("frt median", buf, strlen(buf));
	}
	if (p->has_ttr) {
		duration(p->ttr_median, buf, sizeof buf);
		line("ttr median", buf, strlen(buf));
	}
	tk_buf_free(&b);
	if (!p->nlast)
		return;
	printf("\n--- last tickets\n");
	tk_flush_stdout();
	if (tk_output_init(&out, tk_output_choose(0, 0, 0), "id,status,priority,created,subject", 0) < 0)
		return;
	tk_ticket_init(&tk);
	for (i = 0; i < p->nlast; i++)
		if (tk_ticket_get(t, p->last[i], &tk, 0) > 0)
			tk_output_ticket(&out, t, &tk);
	tk_ticket_free(&tk);
	tk_output_finish(&out);
	tk_output_free(&out);
}
