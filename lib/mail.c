/*
 * mail.c - one mail message into tk's terms (tk_mail): sender, subject,
 * ids, text, attachments, and whether it is noise (an auto-reply, a
 * bounce, a list) or tk's own mail.
 *
 * GMime 3 reads the structure (headers with folding, MIME nesting,
 * base64 and quoted-printable, RFC 2231 parameters). The text is tk's:
 * encoded words (RFC 2047) are decoded here, adjacent words of one
 * charset joined before conversion so a character split between two
 * words comes out whole; charsets go through iconv with tk's choices:
 * GB2312 and GBK read as GB18030 (their superset; senders mislabel),
 * Big5 as Big5-HKSCS, Latin-1 as Windows-1252, and text that declares
 * no charset tried as UTF-8, then GB18030, then Windows-1252. Whatever
 * comes out is valid UTF-8 with no NUL (invalid bytes become U+FFFD).
 *
 * Only tk-mail (and its fuzz target) link this file and GMime: the other
 * commands never pay GMime's start-up.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "tk.h"

#define MAX_DEPTH 32
#define MAX_PARTS 20000	/* parts walked a message; the rest left unread */

void
tk_mail_init(void)
{
	static int done;

	if (!done) {
		g_mime_init();
		done = 1;
	}
}

/* ---- text ---- */

/* The iconv name for a charset as tk reads it, or NULL for "undeclared". */
static const char *
charset_name(const char *cs, char *buf, size_t size)
{
	size_t i;

	if (!cs || !*cs)
		return NULL;
	for (i = 0; cs[i] && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)cs[i]);
	buf[i] = '\0';
	if (!strcmp(buf, "gb2312") || !strcmp(buf, "gbk") || !strcmp(buf, "x-gbk") || !strcmp(buf, "cp936") ||
	    !strcmp(buf, "euc-cn") || !strcmp(buf, "csgb2312") || !strcmp(buf, "gb_2312-80") ||
	    !strcmp(buf, "windows-936") || !strcmp(buf, "gb18030"))
		return "GB18030";
	if (!strcmp(buf, "big5") || !strcmp(buf, "x-big5") || !strcmp(buf, "cp950") || !strcmp(buf, "big5-hkscs") ||
	    !strcmp(buf, "csbig5"))
		return "BIG5-HKSCS";
	if (!strcmp(buf, "iso-8859-1") || !strcmp(buf, "latin1") || !strcmp(buf, "latin-1") ||
	    !strcmp(buf, "us-ascii") || !strcmp(buf, "ascii") || !strcmp(buf, "cp1252"))
		return "WINDOWS-1252";
	if (!strcmp(buf, "utf8") || !strcmp(buf, "utf-8") || !strcmp(buf, "unicode-1-1-utf-8"))
		return "UTF-8";
	return buf;
}

static void
add_fffd(tk_buf *b)
{
	tk_buf_add(b, "\xef\xbf\xbd", 3);
}

/* s as valid UTF-8 with no NUL: invalid bytes as U+FFFD. */
static void
add_utf8_clean(tk_buf *b, const char *s, size_t n)
{
	long bad;

	while (n) {
		bad = tk_utf8_invalid(s, n);
		if (bad < 0) {
			bad = (long)n;
		}
		{
			const char *z = memchr(s, '\0', (size_t)bad);

			if (z)
				bad = z - s;
		}
		tk_buf_add(b, s, (size_t)bad);
		s += bad;
		n -= (size_t)bad;
		if (n) {
			if (*s)
				add_fffd(b);
			s++;
			n--;
		}
	}
}

/* Converted through iconv from cs: 1 done, 0 cs unknown to iconv, -1 a
 * strict conversion met an invalid sequence. Lenient: U+FFFD for each. */
static int
convert(tk_buf *out, const char *s, size_t n, const char *cs, int strict)
{
	iconv_t cd = iconv_open("UTF-8", cs);
	char tmp[4096];
	char *in = (char *)s;
	size_t inleft = n, start = out->len;

	if (cd == (iconv_t)-1)
		return 0;
	while (inleft) {
		char *o = tmp;
		size_t oleft = sizeof tmp;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);

		tk_buf_add(out, tmp, (size_t)(o - tmp));
		if (r == (size_t)-1 && errno == E2BIG)
			continue;
		if (r == (size_t)-1) {
			if (strict) {
				iconv_close(cd);
				out->len = start;
				return -1;
			}
			add_fffd(out);
			in++;
			inleft--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	iconv_close(cd);
	return 1;
}

/* Bytes that declare no charset: UTF-8 if they are, else GB18030, else
 * Windows-1252. */
static void
add_undeclared(tk_buf *b, const char *s, size_t n)
{
	tk_buf tmp = { 0 };

	if (tk_utf8_invalid(s, n) < 0) {
		add_utf8_clean(b, s, n);
		return;
	}
	if (convert(&tmp, s, n, "GB18030", 1) == 1 || convert(&tmp, s, n, "WINDOWS-1252", 0) == 1)
		add_utf8_clean(b, tmp.p ? tmp.p : "", tmp.len);
	else
		add_utf8_clean(b, s, n);
	tk_buf_free(&tmp);
}

/* s in charset cs (NULL: undeclared) appended as UTF-8; 0, or -1 when cs
 * is unknown (read as undeclared then). */
static int
add_text(tk_buf *b, const char *s, size_t n, const char *cs)
{
	char buf[80];
	const char *name = charset_name(cs, buf, sizeof buf);
	tk_buf tmp = { 0 };
	int rc;

	if (!n)
		return 0;
	if (!name || !strcmp(name, "UTF-8") || (!strcmp(name, "WINDOWS-1252") && tk_utf8_invalid(s, n) < 0)) {
		add_undeclared(b, s, n);
		return 0;
	}
	rc = convert(&tmp, s, n, name, 0);
	if (rc == 1)
		add_utf8_clean(b, tmp.p ? tmp.p : "", tmp.len);
	else
		add_undeclared(b, s, n);
	tk_buf_free(&tmp);
	return rc == 1 ? 0 : -1;
}

char *
tk_mail_to_utf8(const char *s, size_t n, const char *charset, size_t *outlen)
{
	tk_buf b = { 0 };

	add_text(&b, s, n, charset);
	tk_buf_addc(&b, '\0');
	*outlen = b.len - 1;
	return b.p;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* An encoded word at s (n bytes from "=?"): its length with charset and
 * decoded bytes, or 0 when it is none. */
static size_t
encoded_word(const char *s, size_t n, char *cs, size_t cssize, tk_buf *dec)
{
	size_t i = 2, c0, t0, j;
	int enc, v, bits = 0;
	unsigned acc = 0;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	for (c0 = i; i < n && s[i] != '?' && !isspace((unsigned char)s[i]); i++)
		;
	if (i >= n || s[i] != '?' || i == c0 || i - c0 >= cssize)
		return 0;
	memcpy(cs, s + c0, i - c0);
	cs[i - c0] = '\0';
	if (strchr(cs, '*'))	/* RFC 2231 language: =?utf-8*en?... */
		*strchr(cs, '*') = '\0';
	if (i + 2 >= n || s[i + 2] != '?')
		return 0;
	enc = toupper((unsigned char)s[i + 1]);
	if (enc != 'B' && enc != 'Q')
		return 0;
	t0 = i + 3;
	for (j = t0; j + 1 < n && !(s[j] == '?' && s[j + 1] == '='); j++)
		if (isspace((unsigned char)s[j]))
			return 0;
	if (j + 1 >= n)
		return 0;
	for (i = t0; i < j; i++) {
		if (enc == 'B') {
			if ((v = b64val((unsigned char)s[i])) < 0)
				continue;
			acc = (acc << 6 | (unsigned)v) & 0xffffffu;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				tk_buf_addc(dec, (char)(acc >> bits & 0xff));
			}
		} else if (s[i] == '_')
			tk_buf_addc(dec, ' ');
		else if (s[i] == '=' && i + 2 < j + 1 && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			tk_buf_addc(dec, (char)(hexval((unsigned char)s[i + 1]) << 4 | hexval((unsigned char)s[i + 2])));
			i += 2;
		} else
			tk_buf_addc(dec, s[i]);
	}
	return j + 2;
}

char *
tk_mail_decode_words(const char *s, size_t n)
{
	tk_buf out = { 0 }, pend = { 0 }, dec = { 0 };
	char cs[80], pcs[80] = "";
	size_t i = 0, w, j, k;

	while (i < n) {
		if (s[i] == '=' && i + 1 < n && s[i + 1] == '?') {
			dec.len = 0;
			if ((w = encoded_word(s + i, n - i, cs, sizeof cs, &dec))) {
				if (pend.len && strcasecmp(cs, pcs)) {
					add_text(&out, pend.p, pend.len, pcs);
					pend.len = 0;
				}
				strcpy(pcs, cs);
				tk_buf_add(&pend, dec.p ? dec.p : "", dec.len);
				i += w;
				/* White space between two encoded words is not text. */
				for (j = i; j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'); j++)
					;
				if (j > i && j + 1 < n && s[j] == '=' && s[j + 1] == '?') {
					dec.len = 0;
					if (encoded_word(s + j, n - j, cs, sizeof cs, &dec))
						i = j;
				}
				continue;
			}
		}
		if (pend.len) {
			add_text(&out, pend.p, pend.len, pcs);
			pend.len = 0;
		}
		for (k = i + 1; k < n && !(s[k] == '=' && k + 1 < n && s[k + 1] == '?'); k++)
			;
		add_undeclared(&out, s + i, k - i);
		i = k;
	}
	if (pend.len)
		add_text(&out, pend.p, pend.len, pcs);
	tk_buf_free(&pend);
	tk_buf_free(&dec);
	/* One line: folding, tabs and control characters as spaces, runs of
	 * spaces as one, none at the ends. */
	{
		char *p = out.p ? out.p : "";
		size_t r, o = 0;

		for (r = 0; r < out.len; r++) {
			char c = p[r];

			if ((unsigned char)c < 0x20 || c == 0x7f)
				c = ' ';
			if (c == ' ' && (o == 0 || p[o - 1] == ' '))
				continue;
			p[o++] = c;
		}
		while (o && p[o - 1] == ' ')
			o--;
		out.len = o;
	}
	tk_buf_addc(&out, '\0');
	return out.p;
}

/* ---- HTML to text ---- */

static int
tag_is(const char *t, size_t n, const char *name)
{
	size_t l = strlen(name);

	if (n && *t == '/')
		t++, n--;
	return n >= l && !strncasecmp(t, name, l) && (n == l || !isalnum((unsigned char)t[l]));
}

static void
add_cp(tk_buf *b, unsigned long cp)
{
	char u[4];

	if (!cp || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
		add_fffd(b);
		return;
	}
	if (cp < 0x80)
		tk_buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		tk_buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		tk_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		tk_buf_add(b, u, 4);
	}
}

char *
tk_mail_html_text(const char *s, size_t n, size_t *outlen)
{
	static const struct {
		const char *name;
		const char *text;
	} ents[] = {
		{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
		{ "nbsp", " " }, { "copy", "\xc2\xa9" }, { "mdash", "\xe2\x80\x94" }, { "ndash", "\xe2\x80\x93" },
	};
	tk_buf b = { 0 };
	size_t i = 0, j, k;
	int skip = 0, space = 0;

	while (i < n) {
		if (s[i] == '<') {
			for (j = i + 1; j < n && s[j] != '>'; j++)
				;
			if (i + 3 < n && !strncmp(s + i, "<!--", 4)) {
				const char *e = memmem(s + i + 4, n - i - 4, "-->", 3);

				i = e ? (size_t)(e - s) + 3 : n;
				continue;
			}
			if (tag_is(s + i + 1, j - i - 1, "script") || tag_is(s + i + 1, j - i - 1, "style") ||
			    tag_is(s + i + 1, j - i - 1, "head"))
				skip = s[i + 1] != '/';
			else if (tag_is(s + i + 1, j - i - 1, "br") || tag_is(s + i + 1, j - i - 1, "p") ||
			    tag_is(s + i + 1, j - i - 1, "div") || tag_is(s + i + 1, j - i - 1, "tr") ||
			    tag_is(s + i + 1, j - i - 1, "li") || tag_is(s + i + 1, j - i - 1, "h1") ||
			    tag_is(s + i + 1, j - i - 1, "h2") || tag_is(s + i + 1, j - i - 1, "h3") ||
			    tag_is(s + i + 1, j - i - 1, "blockquote") || tag_is(s + i + 1, j - i - 1, "table")) {
				if (!skip && b.len && b.p[b.len - 1] != '\n') {
					while (b.len && b.p[b.len - 1] == ' ')
						b.len--;
					tk_buf_addc(&b, '\n');
				}
				space = 0;
			} else if (tag_is(s + i + 1, j - i - 1, "td"))
				space = 1;
			i = j < n ? j + 1 : n;
			continue;
		}
		if (skip) {
			i++;
			continue;
		}
		if (isspace((unsigned char)s[i])) {
			space = 1;
			i++;
			continue;
		}
		if (space && b.len && b.p[b.len - 1] != '\n')
			tk_buf_addc(&b, ' ');
		space = 0;
		if (s[i] == '&') {
			for (j = i + 1; j < n && j < i + 12 && s[j] != ';' && !isspace((unsigned char)s[j]); j++)
				;
			if (j < n && s[j] == ';') {
				if (s[i + 1] == '#') {
					unsigned long cp = s[i + 2] == 'x' || s[i + 2] == 'X' ? strtoul(s + i + 3, NULL, 16) :
					    strtoul(s + i + 2, NULL, 10);

					add_cp(&b, cp);
					i = j + 1;
					continue;
				}
				for (k = 0; k < sizeof ents / sizeof *ents; k++)
					if (j - i - 1 == strlen(ents[k].name) && !strncmp(s + i + 1, ents[k].name, j - i - 1))
						break;
				if (k < sizeof ents / sizeof *ents) {
					tk_buf_adds(&b, ents[k].text);
					i = j + 1;
					continue;
				}
			}
		}
		tk_buf_addc(&b, s[i++]);
	}
	while (b.len && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == ' '))
		b.len--;
	tk_buf_addc(&b, '\0');
	*outlen = b.len - 1;
	return b.p;
}

/* ---- quotes and signatures ---- */

static int
starts(const char *l, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && !memcmp(l, p, k);
}

/* A line that starts the quoted history or the signature. */
static int
cut_line(const char *l, size_t n)
{
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\r'))
		n--;
	if ((n == 2 && !memcmp(l, "--", 2)) || (n == 3 && !memcmp(l, "-- ", 3)))
		return 1;
	if (starts(l, n, "-----Original Message-----") || starts(l, n, "________________________________"))
		return 1;
	if (memmem(l, n, "\xe5\x8e\x9f\xe5\xa7\x8b\xe9\x82\xae\xe4\xbb\xb6", 12))	/* 原始邮件 */
		return 1;
	if (n >= 6 && !memcmp(l + n - 6, "wrote:", 6) && (starts(l, n, "On ") || starts(l, n, "Am ") ||
	    starts(l, n, "Le ") || n < 200))
		return 1;
	if (n >= 9 && (!memcmp(l + n - 9, "\xe5\x86\x99\xe9\x81\x93\xef\xbc\x9a", 9) ||	/* 写道： */
	    !memcmp(l + n - 9, "\xe5\xaf\xab\xe9\x81\x93\xef\xbc\x9a", 9)))	/* 寫道： */
		return 1;
	return 0;
}

size_t
tk_mail_trim(const char *s, size_t n)
{
	size_t i = 0, e, keep = n, last;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);

		e = nl ? (size_t)(nl - s) : n;
		if (cut_line(s + i, e - i)) {
			keep = i;
			break;
		}
		i = e + 1;
	}
	/* Quoted lines and blank ones at the end go too. */
	for (;;) {
		while (keep && (s[keep - 1] == '\n' || s[keep - 1] == ' ' || s[keep - 1] == '\r'))
			keep--;
		for (last = keep; last && s[last - 1] != '\n'; last--)
			;
		if (keep && s[last] == '>')
			keep = last;
		else
			break;
	}
	/* All of it quoted: the whole text stays. */
	if (tk_blank(s, keep)) {
		keep = n;
		while (keep && (s[keep - 1] == '\n' || s[keep - 1] == ' ' || s[keep - 1] == '\r'))
			keep--;
	}
	return keep;
}

/* ---- the message ---- */

struct walk {
	tk_mail *m;
	tk_buf plain, html;
	int have_plain, have_html;
	size_t parts, skipped;
	int unknown_cs;
	char unknown[64];
};

static char *
part_bytes(GMimePart *part, size_t *len)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;
	char *p;

	*len = 0;
	if (!dw)
		return tk_xstrdup("");
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*len = ba->len;
	/* The decoded bytes taken over, not copied (an attachment can be tens
	 * of megabytes): GLib allocates with malloc, so free() frees them. */
	g_byte_array_append(ba, (const guint8 *)"", 1);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	p = (char *)g_byte_array_free(ba, FALSE);
	return p;
}

static void
crlf(tk_buf *b)
{
	size_t i, o = 0;

	for (i = 0; i < b->len; i++)
		if (!(b->p[i] == '\r' && (i + 1 == b->len || b->p[i + 1] == '\n')))
			b->p[o++] = b->p[i] == '\r' ? '\n' : b->p[i];
	b->len = o;
}

static void
walk(struct walk *w, GMimeObject *obj, int depth)
{
	GMimeContentType *ct;

	if (!obj || depth > MAX_DEPTH)
		return;
	if (++w->parts > MAX_PARTS) {
		w->skipped++;
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		int i, n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));

		for (i = 0; i < n && w->parts <= MAX_PARTS; i++)
			walk(w, g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		/* A forwarded message: its text after ours, its files with ours. */
		if (inner)
			walk(w, g_mime_message_get_mime_part(inner), depth + 1);
		return;
	}
	if (!GMIME_IS_PART(obj))
		return;
	ct = g_mime_object_get_content_type(obj);
	{
		GMimePart *part = GMIME_PART(obj);
		const char *fname = g_mime_part_get_filename(part);
		int text = ct && g_mime_content_type_is_type(ct, "text", "plain");
		int html = ct && g_mime_content_type_is_type(ct, "text", "html");
		int attach = g_mime_part_is_attachment(part) || (fname && *fname) || (!text && !html);
		const char *cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
		size_t len;
		char *bytes;

		if (!attach && ((text && w->have_plain) || (html && (w->have_plain || w->have_html))))
			return;	/* an alternative, or a second text part: the first does */
		bytes = part_bytes(part, &len);
		if (!attach) {
			tk_buf *b = text ? &w->plain : &w->html;

			if (len > TK_MAIL_MAX_TEXT)
				len = TK_MAIL_MAX_TEXT;
			if (add_text(b, bytes, len, cs) < 0 && !w->unknown_cs) {
				w->unknown_cs = 1;
				snprintf(w->unknown, sizeof w->unknown, "%.40s", cs);
			}
			if (text)
				w->have_plain = 1;
			else
				w->have_html = 1;
			free(bytes);
			return;
		}
		if (w->m->natt >= TK_MAIL_MAX_ATT) {
			w->skipped++;
			free(bytes);
			return;
		}
		{
			tk_mail_att *a;
			char *mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
			tk_buf nb = { 0 };

			w->m->att = tk_xrealloc(w->m->att, (w->m->natt + 1) * sizeof *w->m->att);
			a = &w->m->att[w->m->natt++];
			if (fname && *fname) {
				char *d = tk_mail_decode_words(fname, strlen(fname));

				/* No path in a name: the last component, no control characters. */
				char *base = strrchr(d, '/');

				tk_buf_adds(&nb, base ? base + 1 : d);
				free(d);
			}
			if (!nb.len)
				tk_buf_printf(&nb, "part%zu", w->m->natt);
			a->name = tk_xstrdup(tk_buf_cstr(&nb));
			tk_buf_free(&nb);
			{
				tk_buf tb = { 0 };

				add_utf8_clean(&tb, mt ? mt : "application/octet-stream",
				    strlen(mt ? mt : "application/octet-stream"));
				a->type = tk_xstrdup(tk_buf_cstr(&tb));
				tk_buf_free(&tb);
			}
			g_free(mt);
			a->data = bytes;
			a->len = len;
		}
	}
}

/* A header's raw value (folded, encoded words as sent), or NULL. */
static const char *
raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, name) : NULL;

	return h ? g_mime_header_get_raw_value(h) : NULL;
}

/* An id without <> and white space, as its own string. */
static char *
bare_id(const char *s)
{
	size_t n;

	if (!s)
		return tk_xstrdup("");
	while (*s == '<' || isspace((unsigned char)*s))
		s++;
	for (n = 0; s[n] && s[n] != '>' && !isspace((unsigned char)s[n]); n++)
		;
	{
		tk_buf b = { 0 };
		char *r;

		add_utf8_clean(&b, s, n);
		r = tk_xstrdup(tk_buf_cstr(&b));
		tk_buf_free(&b);
		return r;
	}
}

/* Addresses of a header (To, Cc): bare, lowercased, comma-separated. */
static char *
addresses(GMimeObject *obj, const char *name)
{
	const char *raw = raw_header(obj, name);
	InternetAddressList *l;
	tk_buf b = { 0 };
	int i, n;

	if (raw && (l = internet_address_list_parse(NULL, raw))) {
		n = internet_address_list_length(l);
		for (i = 0; i < n && i < 1000; i++) {
			InternetAddress *ia = internet_address_list_get_address(l, i);
			const char *a;

			if (!INTERNET_ADDRESS_IS_MAILBOX(ia) || !(a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia))))
				continue;
			if (b.len)
				tk_buf_addc(&b, ',');
			add_utf8_clean(&b, a, strlen(a));
		}
		g_object_unref(l);
	}
	tk_buf_addc(&b, '\0');
	tk_address_lower(b.p, b.len - 1);
	return b.p;
}

/* The first mailbox of an address list (a From of several authors) as
 * the sender: its address lowercased, its name (GMime's decoding). */
static void
first_mailbox(const char *raw, tk_mail *m)
{
	InternetAddressList *l = internet_address_list_parse(NULL, raw);
	int i, n = l ? internet_address_list_length(l) : 0;

	for (i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		const char *a, *nm;
		tk_buf b = { 0 };

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia) ||
		    !(a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia))) || !strchr(a, '@'))
			continue;
		add_utf8_clean(&b, a, strlen(a));
		tk_buf_addc(&b, '\0');
		tk_address_lower(b.p, b.len - 1);
		free(m->from_addr);
		m->from_addr = b.p;
		memset(&b, 0, sizeof b);
		nm = internet_address_get_name(ia);
		add_utf8_clean(&b, nm ? nm : "", nm ? strlen(nm) : 0);
		free(m->from_name);
		m->from_name = tk_xstrdup(tk_buf_cstr(&b));
		tk_buf_free(&b);
		break;
	}
	if (l)
		g_object_unref(l);
}

static void
noise(tk_mail *m, GMimeMessage *msg)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
	const char *v;
	int i, n = hl ? g_mime_header_list_get_count(hl) : 0;
	char *at;

	for (i = 0; i < n; i++) {
		const char *name = g_mime_header_get_name(g_mime_header_list_get_header_at(hl, i));

		if (name && (!strcasecmp(name, "X-tk") || !strncasecmp(name, "X-tk-", 5)))
			m->own = 1;
	}
	if ((v = g_mime_object_get_header(obj, "Auto-Submitted")) && strncasecmp(v + strspn(v, " \t"), "no", 2))
		m->noise = "auto-reply";
	else if (g_mime_object_get_header(obj, "X-Autoreply") || g_mime_object_get_header(obj, "X-Autorespond"))
		m->noise = "auto-reply";
	else if (ct && g_mime_content_type_is_type(ct, "multipart", "report"))
		m->noise = "bounce";
	else if ((v = g_mime_object_get_header(obj, "Precedence")) &&
	    (strcasestr(v, "bulk") || strcasestr(v, "junk") || strcasestr(v, "list")))
		m->noise = "bulk";
	else if (g_mime_object_get_header(obj, "X-Loop"))
		m->noise = "loop";
	else if ((at = strchr(m->from_addr, '@')) &&
	    ((at - m->from_addr == 13 && !strncmp(m->from_addr, "mailer-daemon", 13)) ||
	    (at - m->from_addr == 10 && !strncmp(m->from_addr, "postmaster", 10))))
		m->noise = "bounce";
}

int
tk_mail_parse(const char *raw, size_t n, tk_mail *m)
{
	GMimeStream *stream;
	GByteArray *wrap;
	GMimeParser *parser;
	GMimeMessage *msg;
	GMimeObject *obj;
	struct walk w;
	const char *v;
	tk_str name, addr;
	char *from;

	memset(m, 0, sizeof *m);
	tk_mail_init();
	/* The message read where it lies (GMime's own buffer would be a second
	 * copy of it): an array wrapping the bytes, never to free them. */
	wrap = g_byte_array_new_take((guint8 *)raw, n);
	stream = g_mime_stream_mem_new_with_byte_array(wrap);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);	/* the message's parts still read from it */
	m->from_addr = tk_xstrdup("");
	m->from_name = tk_xstrdup("");
	m->message_id = tk_xstrdup("");
	m->in_reply_to = tk_xstrdup("");
	if (!msg) {
		m->to = tk_xstrdup("");
		m->cc = tk_xstrdup("");
		m->subject = tk_xstrdup("");
		m->body = tk_xstrdup("");
		snprintf(m->warn, sizeof m->warn, "not a mail message");
		g_byte_array_free(wrap, FALSE);
		return 0;
	}
	m->parsed = 1;
	obj = GMIME_OBJECT(msg);
	v = raw_header(obj, "Subject");
	m->subject = tk_mail_decode_words(v ? v : "", v ? strlen(v) : 0);
	if (strlen(m->subject) > 1000) {	/* a subject of a page is a broken header */
		size_t k = 1000;

		while (k && ((unsigned char)m->subject[k] & 0xc0) == 0x80)
			k--;
		m->subject[k] = '\0';
	}
	v = raw_header(obj, "From");
	from = tk_mail_decode_words(v ? v : "", v ? strlen(v) : 0);
	if (tk_address_split(from, strlen(from), &name, &addr) && memchr(addr.p, '@', addr.n)) {
		free(m->from_addr);
		free(m->from_name);
		m->from_addr = tk_xstrndup(addr.p, addr.n);
		tk_address_lower(m->from_addr, addr.n);
		m->from_name = tk_xstrndup(name.p, name.n);
	} else if (v)
		first_mailbox(v, m);	/* more than one author: the first */
	free(from);
	m->to = addresses(obj, "To");
	m->cc = addresses(obj, "Cc");
	free(m->message_id);
	m->message_id = bare_id(g_mime_message_get_message_id(msg));
	free(m->in_reply_to);
	m->in_reply_to = bare_id(raw_header(obj, "In-Reply-To"));
	if ((v = raw_header(obj, "References"))) {
		GMimeReferences *refs = g_mime_references_parse(NULL, v);
		int i, k = refs ? g_mime_references_length(refs) : 0;

		if (k > 100)	/* the last hundred: the nearest ancestors */
			i = k - 100;
		else
			i = 0;
		m->refs = tk_xmalloc(((size_t)(k - i) + 1) * sizeof *m->refs);
		for (; i < k; i++)
			m->refs[m->nrefs++] = bare_id(g_mime_references_get_message_id(refs, i));
		if (refs)
			g_mime_references_free(refs);
	}
	{
		GDateTime *d = g_mime_message_get_date(msg);

		if (d)
			m->date = (time_t)g_date_time_to_unix(d);
	}
	memset(&w, 0, sizeof w);
	w.m = m;
	walk(&w, g_mime_message_get_mime_part(msg), 0);
	if (w.have_plain) {
		crlf(&w.plain);
		m->bodylen = tk_mail_trim(w.plain.p ? w.plain.p : "", w.plain.len);
		m->body = tk_xstrndup(w.plain.p ? w.plain.p : "", m->bodylen);
	} else if (w.have_html) {
		char *t;
		size_t tl;

		crlf(&w.html);
		t = tk_mail_html_text(w.html.p ? w.html.p : "", w.html.len, &tl);
		m->bodylen = tk_mail_trim(t, tl);
		m->body = tk_xstrndup(t, m->bodylen);
		free(t);
	} else
		m->body = tk_xstrdup("");
	tk_buf_free(&w.plain);
	tk_buf_free(&w.html);
	if (w.unknown_cs)
		snprintf(m->warn, sizeof m->warn, "unknown charset %s, read as undeclared", w.unknown);
	else if (w.skipped)
		snprintf(m->warn, sizeof m->warn, "%zu parts past tk's limits left in the raw message only", w.skipped);
	noise(m, msg);
	g_object_unref(msg);
	g_byte_array_free(wrap, FALSE);	/* the wrapper only: the bytes are the caller's */
	return 0;
}

void
tk_mail_free(tk_mail *m)
{
	size_t i;

	free(m->from_addr);
	free(m->from_name);
	free(m->to);
	free(m->cc);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->body);
	for (i = 0; i < m->natt; i++) {
		free(m->att[i].name);
		free(m->att[i].type);
		free(m->att[i].data);
	}
	free(m->att);
	memset(m, 0, sizeof *m);
}
