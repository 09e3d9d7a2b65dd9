/*
 * record.c - the record format of tk-records(5).
 *
 * One record a line, fields separated by one TAB, ending in LF. Inside a
 * field a backslash starts an escape: \\ \t \n \r; any other byte after a
 * backslash is a malformed record, as is a NUL byte or invalid UTF-8. A CR
 * just before the LF is taken as part of the line ending, so files edited on
 * Windows still read; so does a last line without its LF, and a UTF-8 byte
 * order mark at the start of the input is taken off. Lines starting with '#'
 * are headers or comments.
 */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

void
tk_reader_init(tk_reader *r, FILE *fp, const char *name)
{
	memset(r, 0, sizeof *r);
	tk_lines_init(&r->in, fp);
	r->name = name;
}

void
tk_reader_free(tk_reader *r)
{
	tk_lines_free(&r->in);
	free(r->fields);
	free(r->lens);
}

long
tk_rec_unescape(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			s[o++] = s[i];
			continue;
		}
		if (++i == n)
			return -1;
		switch (s[i]) {
		case '\\': s[o++] = '\\'; break;
		case 't': s[o++] = '\t'; break;
		case 'n': s[o++] = '\n'; break;
		case 'r': s[o++] = '\r'; break;
		default: return -1;
		}
	}
	return (long)o;
}

void
tk_rec_escape(tk_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	const char *esc;

	for (i = 0; i < n; i++) {
		unsigned char c;

		/* eight bytes at a time while none is below 14 or a backslash
		 * (the bit tricks of "Bit Twiddling Hacks": a byte less than n,
		 * a byte zero after the XOR) */
		while (n - i >= 8) {
			uint64_t w, lo, bs;

			memcpy(&w, s + i, 8);
			lo = (w - 0x0e0e0e0e0e0e0e0eULL) & ~w & 0x8080808080808080ULL;
			bs = w ^ 0x5c5c5c5c5c5c5c5cULL;
			bs = (bs - 0x0101010101010101ULL) & ~bs & 0x8080808080808080ULL;
			if (lo | bs)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		c = (unsigned char)s[i];
		if (c > '\\' || (c > '\r' && c != '\\'))	/* (most bytes: one or two tests) */
			continue;
		switch (c) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		tk_buf_add(b, s + start, i - start);
		tk_buf_add(b, esc, 2);
		start = i + 1;
	}
	tk_buf_add(b, s + start, n - start);
}

/*
 * Splits the line in place: each field is unescaped where it stands and
 * ends in NUL where its TAB was, so reading a record copies nothing.
 */
int
tk_reader_next(tk_reader *r)
{
	ssize_t got;
	size_t n, len;
	long bad;
	char *s, *end, *tab, *bs;

	r->nfields = 0;
	r->header = 0;
	got = tk_lines_next(&r->in, &s, TK_MAX_LINE);
	while (got >= 0 && r->in.cont)	/* the rest of a line too long to keep */
		got = tk_lines_next(&r->in, &s, TK_MAX_LINE);
	if (got < 0) {
		if (r->in.err) {
			int e = r->in.err;

			r->lineno++;
			r->in.err = 0;	/* said once; then the end */
			return tk_error("cannot read on: %s", strerror(e));
		}
		return 0;
	}
	r->lineno++;
	n = (size_t)got;
	if (r->lineno == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3, n -= 3;	/* a UTF-8 byte order mark, as Notepad writes */
	if (n > TK_MAX_LINE)
		return tk_error("line longer than %u bytes", TK_MAX_LINE);
	if (memchr(s, '\0', n))
		return tk_error("NUL byte in record");
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	if ((bad = tk_utf8_invalid(s, n)) >= 0)
		return tk_error("invalid UTF-8 at byte %ld", bad + 1);
	if (n && s[0] == '#') {
		r->header = 1;
		s++, n--;
	}
	s[n] = '\0';
	r->base = s;
	r->baselen = n + 1;
	end = s + n;
	for (;;) {
		tab = memchr(s, '\t', (size_t)(end - s));
		if (!tab)
			tab = end;
		len = (size_t)(tab - s);
		bs = memchr(s, '\\', len);
		if (bs) {
			long ul = tk_rec_unescape(bs, len - (size_t)(bs - s));

			if (ul < 0)
				return tk_error("field %zu: bad backslash escape (only \\\\ \\t \\n \\r)", r->nfields + 1);
			len = (size_t)(bs - s) + (size_t)ul;
		}
		s[len] = '\0';
		if (r->nfields == r->fieldcap) {
			r->fieldcap = r->fieldcap ? 2 * r->fieldcap : 16;
			r->fields = tk_xrealloc(r->fields, r->fieldcap * sizeof *r->fields);
			r->lens = tk_xrealloc(r->lens, r->fieldcap * sizeof *r->lens);
		}
		r->fields[r->nfields] = s;
		r->lens[r->nfields] = len;
		r->nfields++;
		if (tab == end)
			break;
		s = tab + 1;
	}
	return 1;
}

void
tk_write_record(FILE *fp, const tk_str *fields, size_t n)
{
	static tk_buf b;
	size_t i;

	b.len = 0;
	for (i = 0; i < n; i++) {
		if (i)
			tk_buf_addc(&b, '\t');
		tk_rec_escape(&b, fields[i].p, fields[i].n);
	}
	tk_buf_addc(&b, '\n');
	tk_term_write(fp, b.p, b.len);
}
