/*
 * literals.c - a prefilter for many regexes over the same text: the
 * literal strings a match of each pattern must contain, found all at once.
 *
 * tk-route runs hundreds of rules over every ticket of a store. Most
 * patterns are keywords, or hold some: "(?i)printer|打印机|toner",
 * "error\s+0x[0-9a-f]+". For each pattern we take, from each of its
 * top-level branches, the longest run of characters that any match of the
 * branch must contain ("printer", "打印机", "toner"; "error"); one pass of an
 * Aho-Corasick automaton over the text then says which patterns could
 * match, and only those are run. A pattern none of whose branches holds a
 * run (\d+, a branch in a group of its own) is a candidate always.
 *
 * The text and the literals are case-folded (utf8proc's full folding, which
 * makes equal all that PCRE2's caseless matching does, and more), so one
 * automaton serves caseless and case-sensitive patterns alike: a literal
 * found is only a reason to run the pattern, never a match.
 *
 * What is not taken apart, conservatively: groups (their contents), classes,
 * escapes of letters or digits (\d, \b, \x41, \p{Han}), ".", anchors; a
 * character followed by a quantifier that allows none of it ("?", "*",
 * "{0,"); extended mode "(?x)" and "\Q" make a pattern a candidate always.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tk.h"

struct lit {
	char *s;		/* folded */
	size_t n;
	unsigned key;
};

struct tk_lits {
	struct lit *v;
	size_t n, cap;
	/* the automaton, once built: states x byte classes */
	unsigned char cls[256];
	unsigned ncls;
	uint32_t *delta;
	uint32_t *outstart, *outlen;	/* each state's keys in outs */
	unsigned *outs;
	uint32_t nstates;
	int built;
	tk_buf cur, f;		/* tk_lits_add's scratch */
};

tk_lits *
tk_lits_new(void)
{
	tk_lits *l = tk_xmalloc(sizeof *l);

	memset(l, 0, sizeof *l);
	return l;
}

void
tk_lits_free(tk_lits *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].s);
	free(l->v);
	free(l->delta);
	free(l->outstart);
	free(l->outlen);
	free(l->outs);
	tk_buf_free(&l->cur);
	tk_buf_free(&l->f);
	free(l);
}

/* Case-folds s (n bytes of UTF-8) onto the end of out. */
void
tk_lits_fold(const char *s, size_t n, tk_buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run;
	utf8proc_int32_t c, f[8];
	utf8proc_ssize_t len, k;
	utf8proc_uint8_t enc[4];
	int lb;

	while (p < end) {
		/* ASCII: lowercased by hand, a run at a time. */
		for (run = p; p < end && *p < 0x80; p++)
			;
		if (p > run) {
			size_t at = out->len, i;

			tk_buf_add(out, run, (size_t)(p - run));
			for (i = at; i < out->len; i++)
				if (out->p[i] >= 'A' && out->p[i] <= 'Z')
					out->p[i] = (char)(out->p[i] + 32);
			continue;
		}
		len = utf8proc_iterate(p, end - p, &c);
		if (len <= 0) {
			tk_buf_addc(out, (char)*p++);
			continue;
		}
		/* Han, kana, Hangul and CJK punctuation have no case. */
		if ((c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) ||
		    c >= 0x20000) {
			tk_buf_add(out, p, (size_t)len);
			p += len;
			continue;
		}
		lb = 0;
		k = utf8proc_decompose_char(c, f, 8, UTF8PROC_CASEFOLD, &lb);
		if (k <= 0 || k > 8)
			tk_buf_add(out, p, (size_t)len);
		else
			for (utf8proc_ssize_t j = 0; j < k; j++)
				tk_buf_add(out, enc, (size_t)utf8proc_encode_char(f[j], enc));
		p += len;
	}
}

/* A quantifier at p ("?", "*", "+", "{n}", "{n,}", "{n,m}"): its length, else 0. */
static size_t
quantifier(const char *p)
{
	size_t i = 1;

	if (*p == '?' || *p == '*' || *p == '+')
		return 1;
	if (*p != '{' || p[1] < '0' || p[1] > '9')
		return 0;
	while (p[i] >= '0' && p[i] <= '9')
		i++;
	if (p[i] == ',')
		for (i++; p[i] >= '0' && p[i] <= '9'; i++)
			;
	return p[i] == '}' ? i + 1 : 0;
}

/* Past a class "[...]" starting at p. */
static const char *
skip_class(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;	/* a ']' first is one of the class */
	while (*p && *p != ']') {
		if (*p == '\\' && p[1])
			p += 2;
		else if (*p == '[' && p[1] == ':') {
			const char *e = strstr(p + 2, ":]");

			p = e ? e + 2 : p + 1;
		} else
			p++;
	}
	return *p ? p + 1 : p;
}

/* Past an escape "\X..." of a letter or digit starting at p. */
static const char *
skip_escape(const char *p)
{
	p++;
	if (strchr("pPxoNgk", *p) && (p[1] == '{' || p[1] == '<' || p[1] == '\'')) {
		char close = p[1] == '{' ? '}' : p[1] == '<' ? '>' : '\'';
		const char *e = strchr(p + 2, close);

		return e ? e + 1 : p + 1;
	}
	if (*p == 'x') {
		p++;
		for (int i = 0; i < 2 && ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')); i++)
			p++;
		return p;
	}
	if (*p == 'c' && p[1])
		return p + 2;
	if (*p == 'p' || *p == 'P')
		return p + 2;	/* \pL */
	if (*p >= '0' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
		return p;
	}
	return p + 1;
}

/* The byte length of the UTF-8 character at p. */
static size_t
charlen(const char *p)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	size_t i;

	for (i = 1; i < n; i++)
		if (!p[i])
			return i;
	return n;
}

/*
 * The longest run of literal characters of the branch [p, end) that every
 * match of it holds, into best (*bestn bytes; 0 when it has none). cur and
 * best hold end - p bytes.
 */
static void
branch_run(const char *p, const char *end, char *cur, char *best, size_t *bestn)
{
	size_t q, curn = 0;

	*bestn = 0;
#define END_RUN() do { \
		if (curn > *bestn) { memcpy(best, cur, curn); *bestn = curn; } \
		curn = 0; \
	} while (0)
	while (p < end) {
		const char *atom = p;
		int literal = 0;

		if (*p == '\\' && p + 1 < end) {
			unsigned char e = (unsigned char)p[1];

			if (e < 0x80 && !((e | 0x20) >= 'a' && (e | 0x20) <= 'z') && !(e >= '0' && e <= '9')) {
				atom = p + 1;	/* an escaped sign: itself */
				literal = 1;
				p += 2;
			} else
				p = skip_escape(p);
		} else if (*p == '[')
			p = skip_class(p);
		else if (*p == '(') {
			int depth = 0;

			/* A group: opaque, its end found past escapes and classes. */
			while (p < end) {
				if (*p == '\\' && p + 1 < end)
					p += 2;
				else if (*p == '[')
					p = skip_class(p);
				else {
					if (*p == '(')
						depth++;
					else if (*p == ')' && --depth == 0) {
						p++;
						break;
					}
					p++;
				}
			}
		} else if (*p == '.' || *p == '^' || *p == '$')
			p++;
		else {
			p += charlen(p);
			literal = 1;
		}
		if (p > end)
			p = end;
		q = p < end ? quantifier(p) : 0;
		if (!literal)
			END_RUN();
		else if (q && (*p == '?' || *p == '*' || (*p == '{' && p[1] == '0')))
			END_RUN();	/* "c?", "c*", "c{0,}": a match may hold no c */
		else {
			memcpy(cur + curn, atom, (size_t)(p - atom));
			curn += (size_t)(p - atom);
			if (q)
				END_RUN();	/* "c+", "c{2}": what follows need not be next to c */
		}
		p += q;
		if (q && p < end && (*p == '?' || *p == '+'))
			p++;	/* lazy, possessive */
	}
	END_RUN();
#undef END_RUN
}

int
tk_lits_add(tk_lits *l, const char *pattern, unsigned key)
{
	const char *p, *b;
	size_t i, first = l->n, runn, plen = strlen(pattern);
	int depth = 0;

	/* Extended mode drops white space from literals; \Q quotes anything. */
	if (strstr(pattern, "\\Q"))
		return 0;
	for (p = pattern; (p = strstr(p, "(?")); p++) {
		for (i = 2; p[i] && p[i] != ')' && p[i] != ':'; i++)
			if (p[i] == 'x')
				return 0;
	}
	if (l->cur.cap < 2 * plen + 2) {
		l->cur.cap = 2 * plen + 2;
		l->cur.p = tk_xrealloc(l->cur.p, l->cur.cap);
	}
	/* Top-level branches: each must give a run, or the pattern gives none. */
	for (p = b = pattern;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '[') {
			p = skip_class(p) - 1;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (*p && (*p != '|' || depth))
			continue;
		branch_run(b, p, l->cur.p, l->cur.p + plen + 1, &runn);
		if (!runn)
			goto none;
		l->f.len = 0;
		tk_lits_fold(l->cur.p + plen + 1, runn, &l->f);
		if (l->n == l->cap)
			l->v = tk_xrealloc(l->v, (l->cap = l->cap ? 2 * l->cap : 64) * sizeof *l->v);
		l->v[l->n].s = tk_xstrndup(l->f.p, l->f.len);
		l->v[l->n].n = l->f.len;
		l->v[l->n++].key = key;
		if (!*p)
			break;
		b = p + 1;
	}
	l->built = 0;
	return 1;
none:
	while (l->n > first)
		free(l->v[--l->n].s);
	return 0;
}

size_t
tk_lits_count(const tk_lits *l)
{
	return l->n;
}

/*
 * The automaton: a trie of the literals' bytes, then every state's move on
 * every byte class worked out (a DFA), breadth first through the failure
 * links; each state's keys are those of the literals ending there and at
 * its failure state.
 */
void
tk_lits_build(tk_lits *l)
{
	size_t i, j, total = 1, nout = 0;
	uint32_t s, *fail, *queue, qh = 0, qt = 0, **own = NULL;
	uint32_t *nown;
	unsigned c;

	free(l->delta);
	free(l->outstart);
	free(l->outlen);
	free(l->outs);
	memset(l->cls, 0, sizeof l->cls);
	l->ncls = 1;	/* class 0: bytes in no literal */
	for (i = 0; i < l->n; i++) {
		total += l->v[i].n;
		for (j = 0; j < l->v[i].n; j++) {
			unsigned char b = (unsigned char)l->v[i].s[j];

			if (!l->cls[b])
				l->cls[b] = (unsigned char)l->ncls++;
		}
	}
	l->delta = tk_xmalloc(total * l->ncls * sizeof *l->delta);
	memset(l->delta, 0, total * l->ncls * sizeof *l->delta);
	nown = tk_xmalloc(total * sizeof *nown);
	own = tk_xmalloc(total * sizeof *own);
	memset(nown, 0, total * sizeof *nown);
	memset(own, 0, total * sizeof *own);
	l->nstates = 1;
	/* The trie: delta holds its edges (0 = none yet; the root is 0). */
	for (i = 0; i < l->n; i++) {
		s = 0;
		for (j = 0; j < l->v[i].n; j++) {
			uint32_t *d = &l->delta[(size_t)s * l->ncls + l->cls[(unsigned char)l->v[i].s[j]]];

			if (!*d)
				*d = l->nstates++;
			s = *d;
		}
		own[s] = tk_xrealloc(own[s], (nown[s] + 1) * sizeof **own);
		own[s][nown[s]++] = l->v[i].key;
	}
	fail = tk_xmalloc(l->nstates * sizeof *fail);
	queue = tk_xmalloc(l->nstates * sizeof *queue);
	fail[0] = 0;
	for (c = 0; c < l->ncls; c++) {
		uint32_t t = l->delta[c];

		if (t) {
			fail[t] = 0;
			queue[qt++] = t;
		}
	}
	l->outstart = tk_xmalloc(l->nstates * sizeof *l->outstart);
	l->outlen = tk_xmalloc(l->nstates * sizeof *l->outlen);
	l->outs = NULL;
	l->outstart[0] = l->outlen[0] = 0;
	/* Breadth first: a state's failure state is done before it. */
	while (qh < qt) {
		s = queue[qh++];
		/* Keys: its own, then its failure state's (already merged). */
		l->outstart[s] = (uint32_t)nout;
		l->outs = tk_xrealloc(l->outs, (nout + nown[s] + l->outlen[fail[s]] + 1) * sizeof *l->outs);
		for (j = 0; j < nown[s]; j++)
			l->outs[nout++] = own[s][j];
		for (j = 0; j < l->outlen[fail[s]]; j++)
			l->outs[nout++] = l->outs[l->outstart[fail[s]] + j];
		l->outlen[s] = (uint32_t)nout - l->outstart[s];
		for (c = 0; c < l->ncls; c++) {
			uint32_t *d = &l->delta[(size_t)s * l->ncls + c];

			if (*d) {
				fail[*d] = l->delta[(size_t)fail[s] * l->ncls + c];
				queue[qt++] = *d;
			} else
				*d = l->delta[(size_t)fail[s] * l->ncls + c];
		}
	}
	for (i = 0; i < l->nstates; i++)
		free(own[i]);
	free(own);
	free(nown);
	free(fail);
	free(queue);
	l->built = 1;
}

void
tk_lits_scan(tk_lits *l, const char *s, size_t n, uint64_t *hits, tk_buf *fold)
{
	const unsigned char *p, *end;
	uint32_t st = 0, j;
	const uint32_t *delta;
	size_t ncls;

	if (!l->n)
		return;
	if (!l->built)
		tk_lits_build(l);
	fold->len = 0;
	tk_lits_fold(s, n, fold);
	p = (const unsigned char *)fold->p;
	end = p + fold->len;
	delta = l->delta;
	ncls = l->ncls;
	for (; p < end; p++) {
		st = delta[(size_t)st * ncls + l->cls[*p]];
		if (l->outlen[st])
			for (j = 0; j < l->outlen[st]; j++)
				hits[l->outs[l->outstart[st] + j] >> 6] |= 1ULL << (l->outs[l->outstart[st] + j] & 63);
	}
}

void
tk_lits_scan_each(tk_lits *l, const char *s, size_t n, uint64_t *hits, tk_buf *fold)
{
	size_t i;

	fold->len = 0;
	tk_lits_fold(s, n, fold);
	for (i = 0; i < l->n; i++) {
		unsigned k = l->v[i].key;

		if (!(hits[k >> 6] & 1ULL << (k & 63)) && memmem(fold->p ? fold->p : "", fold->len, l->v[i].s, l->v[i].n))
			hits[k >> 6] |= 1ULL << (k & 63);
	}
}
