/*
 * mime.c - the parts of a mail message tk writes (tk-notify): header
 * fields kept to one logical line each, RFC 2047 encoded words for text
 * that is not ASCII, addresses with their names, and a body in 8bit or
 * quoted-printable. Ground layer: text in, text out.
 *
 * Every header value passes through here, so no ticket text can end a
 * header line early: a CR, LF or other control character in a value
 * becomes a space before anything else is done, and a value with bytes
 * past ASCII (or text that would read as an encoded word, "=?") is
 * written as encoded words, which carry no line break either.
 */
#include <string.h>

#include "tk.h"

#define LINE_SOFT 78	/* RFC 5322's line length to keep to */
#define LINE_EW 76	/* RFC 2047: a line holding an encoded word */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64(tk_buf *b, const unsigned char *p, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		tk_buf_addc(b, b64[v >> 18 & 63]);
		tk_buf_addc(b, b64[v >> 12 & 63]);
		tk_buf_addc(b, b64[v >> 6 & 63]);
		tk_buf_addc(b, b64[v & 63]);
	}
	if (i < n) {
		v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		tk_buf_addc(b, b64[v >> 18 & 63]);
		tk_buf_addc(b, b64[v >> 12 & 63]);
		tk_buf_addc(b, i + 1 < n ? b64[v >> 6 & 63] : '=');
		tk_buf_addc(b, '=');
	}
}

/* The value with every control character (C0, DEL; CR and LF too) made a
 * space, runs of white space made one, and the ends trimmed. */
static void
clean(tk_buf *out, const char *s, size_t n)
{
	size_t i;
	int space = 0;

	out->len = 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == ' ') {
			space = out->len > 0;
			continue;
		}
		if (space)
			tk_buf_addc(out, ' ');
		space = 0;
		tk_buf_addc(out, (char)c);
	}
	tk_buf_cstr(out);
}

static int
ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* Where a UTF-8 sequence may be cut: not before a continuation byte. */
static size_t
utf8_cut(const char *s, size_t n, size_t at)
{
	if (at >= n)
		return n;
	while (at > 0 && ((unsigned char)s[at] & 0xc0) == 0x80)
		at--;
	return at;
}

/*
 * s (n bytes) as base64 encoded words of UTF-8 added to b, whose current
 * line is col columns long: each word on a line of at most LINE_EW
 * columns, the next one after a fold ("\n "). No UTF-8 character is split
 * between two words (RFC 2047, 5). Returns the column after the last.
 */
static size_t
encoded_words(tk_buf *b, size_t col, const char *s, size_t n)
{
	size_t pos = 0, room, take, cut;

	while (pos < n) {
		/* "=?UTF-8?B?" and "?=" take 12 columns; each 3 bytes 4. */
		room = col + 12 + 8 <= LINE_EW ? (LINE_EW - col - 12) / 4 * 3 : 0;
		if (!room) {
			tk_buf_adds(b, "\n ");
			col = 1;
			continue;
		}
		take = n - pos < room ? n - pos : room;
		cut = utf8_cut(s + pos, n - pos, take);
		if (!cut && take)	/* (a character longer than the room: cannot be) */
			cut = take;
		tk_buf_adds(b, "=?UTF-8?B?");
		base64(b, (const unsigned char *)s + pos, cut);
		tk_buf_adds(b, "?=");
		col += 12 + (cut + 2) / 3 * 4;
		pos += cut;
		if (pos < n) {
			tk_buf_adds(b, "\n ");
			col = 1;
		}
	}
	return col;
}

/*
 * ASCII text added to b from column col, folded at its spaces so that no
 * line passes LINE_SOFT columns where a space allows (a longer word goes
 * on a line of its own). Returns the column after it.
 */
static size_t
folded(tk_buf *b, size_t col, const char *s, size_t n)
{
	size_t i = 0, w;

	while (i < n) {
		for (w = i; w < n && s[w] != ' '; w++)
			;
		if (i && col + 1 + (w - i) > LINE_SOFT) {
			tk_buf_adds(b, "\n ");
			col = 1;
		} else if (i) {
			tk_buf_addc(b, ' ');
			col++;
		}
		tk_buf_add(b, s + i, w - i);
		col += w - i;
		i = w < n ? w + 1 : w;
	}
	return col;
}

/* Words longer than a line may be (998 bytes, RFC 5322 2.1.1) cannot be
 * folded: encoded words can. */
static int
long_word(const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		run = s[i] == ' ' ? 0 : run + 1;
		if (run > 900)
			return 1;
	}
	return 0;
}

void
tk_mime_header(tk_buf *b, const char *name, const char *value, size_t n)
{
	tk_buf v = { 0 };
	size_t col;

	clean(&v, value, n);
	tk_buf_printf(b, "%s:", name);
	col = strlen(name) + 1;
	if (v.len) {
		tk_buf_addc(b, ' ');
		col++;
		if (!ascii(v.p, v.len) || strstr(v.p, "=?") || long_word(v.p, v.len))
			encoded_words(b, col, v.p, v.len);
		else
			folded(b, col, v.p, v.len);
	}
	tk_buf_addc(b, '\n');
	tk_buf_free(&v);
}

/* RFC 5322 atext, and the space between a phrase's words. */
static int
atext(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr(" !#$%&'*+-/=?^_`{|}~", s[i])))
			return 0;
	return 1;
}

int
tk_mime_addr_ok(const char *s, size_t n)
{
	size_t i;
	const char *at = NULL;

	if (!n || n > 254)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || strchr("<>()[],;:\\\"", c))
			return 0;
		if (c == '@' && at)
			return 0;
		if (c == '@')
			at = s + i;
	}
	return at && at > s && at < s + n - 1;
}

/*
 * One mailbox, "name <addr>" or the bare address, added to b at column
 * col after a blank (a fold instead when it would not fit): the name as
 * an atom phrase, a quoted string, or encoded words. Returns the new
 * column.
 */
static size_t
mailbox(tk_buf *b, size_t col, const char *name, size_t nn, const char *addr, size_t an)
{
	tk_buf v = { 0 }, q = { 0 };
	size_t i, need;

	clean(&v, name, nn);
	if (v.len && ascii(v.p, v.len) && !strstr(v.p, "=?")) {
		if (atext(v.p, v.len))
			tk_buf_add(&q, v.p, v.len);
		else {
			tk_buf_addc(&q, '"');
			for (i = 0; i < v.len; i++) {
				if (v.p[i] == '"' || v.p[i] == '\\')
					tk_buf_addc(&q, '\\');
				tk_buf_addc(&q, v.p[i]);
			}
			tk_buf_addc(&q, '"');
		}
		if (q.len > 800)	/* too long for a line: as encoded words, which fold */
			q.len = 0;
	}
	need = (q.len ? q.len + 1 : 0) + an + (v.len ? 2 : 0);
	if (col + 1 + need > LINE_SOFT && col > 1) {
		tk_buf_adds(b, "\n ");
		col = 1;
	} else {
		tk_buf_addc(b, ' ');
		col++;
	}
	if (v.len && !q.len) {
		col = encoded_words(b, col, v.p, v.len) + 1;
		tk_buf_addc(b, ' ');
	} else if (q.len) {
		tk_buf_add(b, q.p, q.len);
		tk_buf_addc(b, ' ');
		col += q.len + 1;
	}
	if (v.len) {
		if (col + an + 2 > LINE_SOFT && col > 1) {
			tk_buf_adds(b, "\n ");
			col = 1;
		}
		tk_buf_addc(b, '<');
		tk_buf_add(b, addr, an);
		tk_buf_addc(b, '>');
		col += an + 2;
	} else {
		tk_buf_add(b, addr, an);
		col += an;
	}
	tk_buf_free(&v);
	tk_buf_free(&q);
	return col;
}

void
tk_mime_addresses(tk_buf *b, const char *field, const tk_mime_addr *a, size_t n)
{
	size_t i, col;

	tk_buf_printf(b, "%s:", field);
	col = strlen(field) + 1;
	for (i = 0; i < n; i++) {
		col = mailbox(b, col, a[i].name ? a[i].name : "", a[i].name ? strlen(a[i].name) : 0,
		    a[i].addr, strlen(a[i].addr));
		if (i + 1 < n) {
			tk_buf_addc(b, ',');
			col++;
		}
	}
	tk_buf_addc(b, '\n');
}

int
tk_mime_needs_qp(const char *s, size_t n)
{
	size_t i, line = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			line = 0;
			continue;
		}
		if (s[i] == '\r' || s[i] == '\0' || ++line > 998)
			return 1;
	}
	return 0;
}

/* RFC 2045 6.7: lines of at most 76 columns, '=' soft breaks; bytes past
 * ASCII, '=', controls and white space before a line's end as =XX. */
void
tk_mime_qp(tk_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int lit = (c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && i + 1 < n && s[i + 1] != '\n');
		size_t w = lit ? 1 : 3;

		if (c == '\n') {
			tk_buf_addc(b, '\n');
			col = 0;
			continue;
		}
		if (col + w > 75) {
			tk_buf_adds(b, "=\n");
			col = 0;
		}
		if (lit)
			tk_buf_addc(b, (char)c);
		else {
			tk_buf_addc(b, '=');
			tk_buf_addc(b, hex[c >> 4]);
			tk_buf_addc(b, hex[c & 15]);
		}
		col += w;
	}
}
