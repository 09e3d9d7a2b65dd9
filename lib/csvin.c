/*
 * csvin.c - CSV rows through libcsv, with the line each row starts on.
 *
 * Input is read one physical line at a time and fed to libcsv in strict
 * mode, so a row ends on the line whose feed completes it, and a malformed
 * row (a stray quote) is reported with its first line and skipped: the
 * parser is started again on the next line. Before parsing, a UTF-8 BOM is
 * taken off and, with an encoding given, each line is converted to UTF-8
 * with iconv (GBK, GB18030 and Big5 never use the bytes LF or CR inside
 * a character, so lines can be converted one by one). Lines end in LF, or
 * in CR alone for a file whose first block has no LF outside quotes
 * (cr_only). With no delimiter given it is the one of ',', ';' and TAB
 * that the header line has most of, outside quotes. Nothing is trimmed:
 * spaces are data.
 *
 * The plain rows: libcsv looks at every byte through a state machine with
 * callbacks, 38 instructions a byte, two thirds of what tk-import's reading
 * thread does. A row that is plainly well formed (RFC 4180: fields quoted
 * or not, a quote inside a quoted field doubled, a quote nowhere else, the
 * row ended by CR LF or LF, no more than HOLD_MAX bytes) is split here
 * instead, a quoted field found with memchr; its fields are the ones
 * libcsv gives for the same bytes. Anything else goes to libcsv, whole: a
 * row's lines are held until its quotes pair up, and when the split finds
 * something it does not take (a stray quote, an unterminated field, a CR
 * alone, a line that is too long or not in the encoding, the end of the
 * input), the held lines are fed to libcsv one by one as they would have
 * been, so rows, errors and their lines are libcsv's. tests/fuzz/csv.c
 * reads every input both ways and compares.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csv.h>

#include "tk.h"

struct tk_csv {
	const char *name;
	struct csv_parser p;
	int delim, quote;
	iconv_t cd;
	tk_lines in;		/* the input, read in blocks */
	const char *line;
	tk_buf conv;
	long lineno;		/* physical lines read */
	long rowstart;		/* first line of the row being parsed */
	/* the row being built */
	tk_buf data;
	size_t *offs, nf, fcap;
	/* rows completed by the last feed, waiting to be returned */
	struct row {
		tk_buf data;
		size_t *offs, nf, fcap;
		long lineno;
	} *rows;
	size_t nrows, rowcap, next;
	int eof, first;
	long cur;		/* the line being fed: rows completed in it end before cur + 1 */
	/* the plain rows' fast path (above): the lines of a row begun, held */
	int fast, libcsv_only, odd;
	unsigned char stop[256];	/* bytes that end an unquoted field */
	tk_buf hold;
	struct held {
		size_t off, len;
		long lineno;
		int kind;	/* HELD_LINE, or why the line cannot be fed */
	} *held;
	size_t nheld, heldcap, replayed;
	int replaying;
	/* the row returned */
	char **f;
	size_t *l, retcap;
	/* raw bytes read, and their hash since tk_csv_hash_from (tk_csv_mark) */
	uint64_t bytes, rawhash;
	int hashing;
	int ended;		/* the last line read ended in its line end */
	FILE *wide;		/* a UTF-16 or UTF-32 input, read as UTF-8 (wide_open) */
	const char *wide_enc;
};

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* A field of the row being built begins at the end of its data; its bytes
 * follow (tk_buf_add), and the NUL tk_buf_add puts after them ends it
 * (field_end). */
static void
field_start(tk_csv *c)
{
	if (c->nf == c->fcap) {
		c->fcap = c->fcap ? 2 * c->fcap : 32;
		c->offs = tk_xrealloc(c->offs, c->fcap * sizeof *c->offs);
	}
	c->offs[c->nf++] = c->data.len;
}

static void
field_end(tk_csv *c)
{
	c->data.len++;
}

static void
field_cb(void *s, size_t len, void *arg)
{
	tk_csv *c = arg;

	field_start(c);
	tk_buf_add(&c->data, s, len);
	field_end(c);
}

static void
row_cb(int term, void *arg)
{
	tk_csv *c = arg;
	struct row *r;

	(void)term;
	if (c->nrows == c->rowcap) {
		c->rowcap = c->rowcap ? 2 * c->rowcap : 4;
		c->rows = tk_xrealloc(c->rows, c->rowcap * sizeof *c->rows);
		memset(c->rows + c->nrows, 0, (c->rowcap - c->nrows) * sizeof *c->rows);
	}
	r = &c->rows[c->nrows++];
	/* Swap buffers with the slot, so both keep their memory for the next rows. */
	{
		tk_buf tb = r->data;
		size_t *to = r->offs, tcap = r->fcap;

		r->data = c->data;
		r->offs = c->offs;
		r->fcap = c->fcap;
		c->data = tb;
		c->offs = to;
		c->fcap = tcap;
	}
	r->nf = c->nf;
	r->lineno = c->rowstart;
	c->data.len = 0;
	c->nf = 0;
	c->rowstart = c->cur + 1;
}

static void
parser_start(tk_csv *c)
{
	csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_delim(&c->p, (unsigned char)c->delim);
	csv_set_quote(&c->p, (unsigned char)c->quote);
	csv_set_space_func(&c->p, no_space);
}

static int
guess_delim(const char *s, size_t n)
{
	size_t i, comma = 0, semi = 0, tab = 0;
	int inq = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			inq = !inq;
		else if (!inq && s[i] == ',')
			comma++;
		else if (!inq && s[i] == ';')
			semi++;
		else if (!inq && s[i] == '\t')
			tab++;
	}
	if (tab > comma && tab > semi)
		return '\t';
	return semi > comma ? ';' : ',';
}

/*
 * Does the input end its lines in CR alone (classic Mac OS; Excel's "CSV
 * (Macintosh)")? Yes when its first block has a CR that ends a line (one
 * not followed by LF, nor last in the block) and no LF, or LFs only inside
 * quoted fields: Excel writes a line break within a cell as LF, inside
 * quotes, whatever the file's line ends. Lines are then cut at CR, so that
 * rows get their line numbers and a file over 64 MiB is not one overlong
 * line; libcsv ends a row at CR either way.
 */
static int
cr_only(tk_lines *in, int quote)
{
	const char *p;
	size_t n = tk_lines_peek(in, &p), i;
	int inq = 0, lf = 0, lf_out = 0, cr = 0, cr_out = 0;

	if (!memchr(p, '\r', n))	/* most files: LF alone, nothing to look at */
		return 0;
	if (!quote)
		quote = '"';
	for (i = 0; i < n; i++)
		if (p[i] == quote)
			inq = !inq;	/* a doubled quote turns it twice */
		else if (p[i] == '\n')
			lf = 1, lf_out |= !inq;
		else if (p[i] == '\r' && i + 1 < n && p[i + 1] != '\n')
			cr = 1, cr_out |= !inq;
	return lf ? cr_out && !lf_out : cr;
}

/*
 * UTF-16 and UTF-32: there LF and CR are not bytes of their own, so lines
 * cannot be cut before they are converted. Such an input is converted as
 * it is read instead, by a stream (fopencookie) that the line reader reads
 * UTF-8 from, so rows, line numbers and errors are the same as for the
 * input in UTF-8. Taken for an --encoding of that kind, or, with none
 * given, for a UTF-16 or UTF-32 byte order mark (Excel's "Unicode Text"
 * is UTF-16LE with one, TAB-separated); glibc's "UTF-16" and "UTF-32" read
 * the mark, take their byte order from it and drop it.
 */
struct wide {
	FILE *fp;		/* the input */
	iconv_t cd;
	char *ahead;		/* what the line reader had read of it first */
	size_t nahead, used;
	char in[1 << 16];	/* input not yet converted */
	size_t nin;
	int eof;
};

static ssize_t
wide_read(void *cookie, char *buf, size_t size)
{
	struct wide *w = cookie;
	char *out = buf, *ip;
	size_t left = size, il, r;

	while (left == size) {
		if (!w->eof && w->nin < sizeof w->in) {
			if (w->used < w->nahead) {
				r = w->nahead - w->used;
				if (r > sizeof w->in - w->nin)
					r = sizeof w->in - w->nin;
				memcpy(w->in + w->nin, w->ahead + w->used, r);
				w->used += r;
			} else {
				ssize_t got = tk_read_some(w->fp, w->in + w->nin, sizeof w->in - w->nin);

				if (got < 0)
					return -1;
				r = (size_t)got;
			}
			w->eof = !r;
			w->nin += r;
		}
		if (!w->nin)
			return 0;
		ip = w->in;
		il = w->nin;
		r = iconv(w->cd, &ip, &il, &out, &left);
		memmove(w->in, ip, il);
		w->nin = il;
		if (r != (size_t)-1 || (errno == E2BIG && left < size))
			continue;
		if (errno == E2BIG) {	/* no room for one character: stdio's buffer is larger */
			errno = EINVAL;
			return -1;
		}
		/* Cut in the middle of a character: more input, unless it ended. */
		if (errno == EINVAL && !w->eof)
			continue;
		if (left < size)	/* what came before first */
			break;
		errno = EILSEQ;
		return -1;
	}
	return (ssize_t)(size - left);
}

static int
wide_close(void *cookie)
{
	struct wide *w = cookie;

	iconv_close(w->cd);
	free(w->ahead);
	free(w);
	return 0;
}

/* The wide encoding to read the input in: encoding when it is one, else
 * one its byte order mark names when no encoding is given; or NULL. */
static const char *
wide_encoding(tk_lines *in, const char *encoding)
{
	static const char *const wide[] = { "UTF-16", "UTF16", "UTF-32", "UTF32",
		"UCS-2", "UCS2", "UCS-4", "UCS4", "UNICODE" };
	const unsigned char *p;
	size_t i, n;

	if (encoding && *encoding) {
		for (i = 0; i < sizeof wide / sizeof *wide; i++)
			if (!strncasecmp(encoding, wide[i], strlen(wide[i])))
				return encoding;
		return NULL;
	}
	n = tk_lines_peek(in, (const char **)&p);
	if (n >= 4 && ((p[0] == 0xff && p[1] == 0xfe && !p[2] && !p[3]) ||
	    (!p[0] && !p[1] && p[2] == 0xfe && p[3] == 0xff)))
		return "UTF-32";
	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return "UTF-16";
	return NULL;
}

/* Reads c's input through a stream converting it from enc: 0, or -1. */
static int
wide_open(tk_csv *c, const char *enc)
{
	cookie_io_functions_t io = { .read = wide_read, .close = wide_close };
	struct wide *w = tk_xmalloc(sizeof *w);
	const char *p;
	size_t n;

	memset(w, 0, sizeof *w);
	w->cd = iconv_open("UTF-8", enc);
	if (w->cd == (iconv_t)-1) {
		free(w);
		return tk_error("--encoding %s: not an encoding iconv knows", enc);
	}
	w->fp = c->in.fp;
	n = tk_lines_peek(&c->in, &p);
	w->ahead = tk_xmalloc(n + 1);
	memcpy(w->ahead, p, n);
	w->nahead = n;
	w->eof = c->in.eof && !n;
	if (!(c->wide = fopencookie(w, "r", io))) {
		wide_close(w);
		return tk_error("cannot read through iconv: %s", strerror(errno));
	}
	tk_lines_free(&c->in);
	tk_lines_init(&c->in, c->wide);
	c->wide_enc = enc;
	return 0;
}

tk_csv *
tk_csv_open(FILE *fp, const char *name, int delim, int quote, const char *encoding)
{
	tk_csv *c = tk_xmalloc(sizeof *c);
	const char *wide;

	memset(c, 0, sizeof *c);
	tk_lines_init(&c->in, fp);
	c->name = name;
	c->delim = delim;
	c->quote = quote;
	c->cd = (iconv_t)-1;
	c->first = 1;
	c->rowstart = 1;
	if ((wide = wide_encoding(&c->in, encoding)) != NULL) {
		if (wide_open(c, wide) < 0) {
			tk_lines_free(&c->in);
			free(c);
			return NULL;
		}
	} else if (encoding && *encoding && strcasecmp(encoding, "UTF-8") && strcasecmp(encoding, "UTF8")) {
		c->cd = iconv_open("UTF-8", encoding);
		if (c->cd == (iconv_t)-1) {
			tk_error("--encoding %s: not an encoding iconv knows", encoding);
			free(c);
			return NULL;
		}
	}
	if (cr_only(&c->in, quote))
		c->in.eol = '\r';
	return c;
}

void
tk_csv_close(tk_csv *c)
{
	size_t i;

	if (!c)
		return;
	if (!c->first)
		csv_free(&c->p);
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	for (i = 0; i < c->rowcap; i++) {
		tk_buf_free(&c->rows[i].data);
		free(c->rows[i].offs);
	}
	free(c->rows);
	free(c->offs);
	free(c->f);
	free(c->l);
	tk_lines_free(&c->in);
	if (c->wide)
		fclose(c->wide);
	tk_buf_free(&c->data);
	tk_buf_free(&c->conv);
	tk_buf_free(&c->hold);
	free(c->held);
	free(c);
}

/* Converts one line to UTF-8; -1 when it holds bytes the encoding has not. */
static int
convert(tk_csv *c, const char *in, size_t n, const char **out, size_t *outn)
{
	char *ip = (char *)in, *op;
	size_t il = n, ol, need = 4 * n + 16;	/* no legacy encoding grows past 4x */

	if (c->conv.cap < need) {
		c->conv.p = tk_xrealloc(c->conv.p, need);
		c->conv.cap = need;
	}
	iconv(c->cd, NULL, NULL, NULL, NULL);
	op = c->conv.p;
	ol = need;
	if (iconv(c->cd, &ip, &il, &op, &ol) == (size_t)-1 || iconv(c->cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return -1;
	*out = c->conv.p;
	*outn = (size_t)(op - c->conv.p);
	return 0;
}

/*
 * libcsv grows a field's buffer by a fixed block (128 bytes unless set), so
 * a field of megabytes would cost one copying realloc per block. A long line
 * is fed in pieces, and before each piece the block is set to the size of
 * the buffer so far: the buffer doubles, and a 10 MB field takes a few
 * dozen reallocs instead of eighty thousand.
 */
#define FEED_PIECE 65536

static int
feed(tk_csv *c, const char *s, size_t n)
{
	size_t k, blk;

	while (n) {
		k = n < FEED_PIECE ? n : FEED_PIECE;
		blk = csv_get_buffer_size(&c->p);
		csv_set_blk_size(&c->p, blk < 4096 ? 4096 : blk);
		if (csv_parse(&c->p, s, k, field_cb, row_cb, c) != k)
			return -1;
		s += k;
		n -= k;
	}
	return 0;
}

/* The next physical line at c->line (good until the next call), counted
 * and hashed (marks): its length, or -1 at the end. The rest of a line too
 * long to keep is read over here, its bytes counted and hashed. */
static ssize_t
read_line(tk_csv *c)
{
	char *s;
	ssize_t got;

	do {
		if ((got = tk_lines_next(&c->in, &s, TK_MAX_LINE)) < 0)
			return -1;
		c->bytes += (uint64_t)got;
		if (c->hashing)
			c->rawhash = tk_hash(c->rawhash, s, (size_t)got);
	} while (c->in.cont);
	c->line = s;
	c->lineno++;
	c->ended = s[got - 1] == c->in.eol;
	return got;
}

/*
 * The row being read is given up (line ln is malformed): the parser starts
 * again on the next line. Returns the row's first line.
 */
static long
drop_row(tk_csv *c, long ln)
{
	long start = c->rowstart;

	if (!c->first) {
		csv_free(&c->p);
		parser_start(c);
	}
	c->nf = 0;
	c->data.len = 0;
	c->rowstart = ln + 1;
	return start;
}

/* What is wrong with a line before it can be fed. */
enum { HELD_LINE, HELD_LONG, HELD_ENCODING, HELD_NUL };

/* Line ln cannot be fed (why: HELD_*): its row goes with it. -1. */
static int
line_error(tk_csv *c, int why, long ln, long *lineno)
{
	*lineno = drop_row(c, ln);
	if (why == HELD_LONG)
		return tk_error("line %ld longer than %u bytes", ln, TK_MAX_LINE);
	if (why == HELD_ENCODING)
		return tk_error("bytes that are not valid in the encoding given with --encoding");
	return tk_error("NUL byte in row");
}

/* Line ln through libcsv: 0, or -1 for a malformed row (*lineno its first line). */
static int
feed_line(tk_csv *c, const char *s, size_t n, long ln, long *lineno)
{
	c->cur = ln;
	if (feed(c, s, n) < 0) {
		int err = csv_error(&c->p);	/* before the parser starts again */

		*lineno = drop_row(c, ln);
		if (err == CSV_EPARSE)
			return tk_error("malformed quotes (a quote inside an unquoted field, or text after a closing quote)");
		return tk_error("malformed row (%s)", csv_strerror(err));
	}
	if (c->p.pstate == 0)	/* between rows, even after an empty line */
		c->rowstart = ln + 1;
	return 0;
}

/* The most a row split here may have; a longer one is libcsv's. */
#define HOLD_MAX (1u << 20)

static void
hold(tk_csv *c, const char *s, size_t n, long ln, int why)
{
	if (c->nheld == c->heldcap) {
		c->heldcap = c->heldcap ? 2 * c->heldcap : 16;
		c->held = tk_xrealloc(c->held, c->heldcap * sizeof *c->held);
	}
	c->held[c->nheld++] = (struct held){ c->hold.len, n, ln, why };
	tk_buf_add(&c->hold, s, n);
}

/* The held lines go to libcsv, one a call of tk_csv_next. */
static void
replay(tk_csv *c)
{
	c->replaying = 1;
	c->replayed = 0;
	c->odd = 0;
}

static size_t
count_quotes(const char *s, size_t n, int q)
{
	const char *e = s + n;
	size_t k = 0;

	while ((s = memchr(s, q, (size_t)(e - s))) != NULL) {
		k++;
		s++;
	}
	return k;
}

/*
 * Splits the bytes of one whole row (its lines, the last ending in LF) as
 * libcsv in strict mode would: 1 and the row is among the rows read, or 0
 * when the bytes are anything but one plain row (nothing kept).
 */
static int
split_row(tk_csv *c, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *r;
	int q = c->quote, d = c->delim;

	if (*p == '\r' || *p == '\n')	/* libcsv skips empty lines */
		return 0;
	for (;;) {
		field_start(c);
		if (*p == q) {
			for (p++;;) {
				if (!(r = memchr(p, q, (size_t)(end - p))))
					goto fail;
				tk_buf_add(&c->data, (const char *)p, (size_t)(r - p));
				if (r + 1 < end && r[1] == q) {	/* "" is a quote */
					tk_buf_add(&c->data, (const char *)r, 1);
					p = r + 2;
					continue;
				}
				p = r + 1;
				break;
			}
			if (p == end)
				goto fail;
		} else {
			for (r = p; r < end && !c->stop[*r]; r++)
				;
			if (r == end || *r == q)
				goto fail;
			tk_buf_add(&c->data, (const char *)p, (size_t)(r - p));
			p = r;
		}
		field_end(c);
		if (*p == d) {
			if (++p == end)
				goto fail;
			continue;
		}
		if (*p != '\r' && *p != '\n')
			goto fail;
		break;
	}
	for (; p < end; p++)	/* CR LF, or more line ends: libcsv skips them */
		if (*p != '\r' && *p != '\n')
			goto fail;
	c->cur = c->lineno;
	row_cb(0, c);
	return 1;
fail:
	c->nf = 0;
	c->data.len = 0;
	return 0;
}

/*
 * The fast path's turn at line ln, read between rows: 1 when it took the
 * line (a row split, a line held, or held lines to be replayed), 0 when
 * the line is to be fed to libcsv as it is.
 */
static int
fast_line(tk_csv *c, const char *s, size_t n, long ln)
{
	int odd = (int)(count_quotes(s, n, c->quote) & 1);

	if (!c->nheld) {
		if (!odd)	/* a row of one line, split where it lies */
			return split_row(c, s, n);
	} else if (c->hold.len + n > HOLD_MAX) {
		hold(c, s, n, ln, HELD_LINE);
		replay(c);
		return 1;
	}
	hold(c, s, n, ln, HELD_LINE);
	c->odd ^= odd;
	if (c->odd)	/* inside a quoted field: the row goes on */
		return 1;
	if (split_row(c, c->hold.p, c->hold.len)) {
		c->nheld = 0;
		c->hold.len = 0;
	} else
		replay(c);
	return 1;
}

/* With the delimiter known: may rows be split here? */
static void
fast_start(tk_csv *c)
{
	c->fast = !c->libcsv_only && c->delim != c->quote && c->delim != '\r' && c->delim != '\n';
	memset(c->stop, 0, sizeof c->stop);
	c->stop[(unsigned char)c->delim] = c->stop[(unsigned char)c->quote] = 1;
	c->stop['\r'] = c->stop['\n'] = 1;
}

void
tk_csv_libcsv_only(tk_csv *c)
{
	c->libcsv_only = 1;
}

/*
 * The next row: 1 with c's fields set, 0 at the end, -1 for a row that is
 * malformed (tk_errmsg says why, *lineno is its first line; go on calling
 * for the next row).
 */
int
tk_csv_next(tk_csv *c, char ***fields, size_t **lens, size_t *nfields, long *lineno)
{
	ssize_t got;
	const char *s;
	size_t n, i;
	struct row *r;
	long ln;
	int why, rc;

	while (c->next >= c->nrows) {
		c->nrows = c->next = 0;
		if (c->replaying) {
			struct held h = c->held[c->replayed++];

			if (h.kind == HELD_LINE)
				rc = feed_line(c, c->hold.p + h.off, h.len, h.lineno, lineno);
			else
				rc = line_error(c, h.kind, h.lineno, lineno);
			if (c->replayed == c->nheld) {
				c->replaying = 0;
				c->nheld = 0;
				c->hold.len = 0;
			}
			if (rc < 0)
				return -1;
			continue;
		}
		if (c->eof)
			return 0;
		got = read_line(c);
		if (got < 0) {
			if (c->nheld) {	/* a row the input ends in: libcsv's */
				replay(c);
				continue;
			}
			c->eof = 1;
			if (c->in.err) {	/* on the line it cut short, else the next */
				*lineno = c->ended || !c->lineno ? c->lineno + 1 : c->lineno;
				if (c->wide && c->in.err == EILSEQ)
					return tk_error("bytes that are not valid %s: read no further", c->wide_enc);
				return tk_error("cannot read on: %s", strerror(c->in.err));
			}
			if (!c->first) {
				if (csv_fini(&c->p, field_cb, row_cb, c) != 0) {
					c->nf = 0;
					c->data.len = 0;
					*lineno = c->rowstart;
					return tk_error("unterminated quoted field (a quote opened and never closed)");
				}
			}
			continue;
		}
		s = c->line;
		n = (size_t)got;
		ln = c->lineno;
		why = HELD_LINE;
		if (n > TK_MAX_LINE)
			why = HELD_LONG;
		else {
			if (c->first && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
				s += 3, n -= 3;
			if (c->cd != (iconv_t)-1 && convert(c, s, n, &s, &n) < 0)
				why = HELD_ENCODING;
			else {
				if (c->first) {
					if (!c->delim)
						c->delim = guess_delim(s, n);
					if (!c->quote)
						c->quote = '"';
					parser_start(c);
					fast_start(c);
					c->first = 0;
				}
				if (memchr(s, '\0', n))
					why = HELD_NUL;
			}
		}
		if (why != HELD_LINE) {
			if (c->nheld) {	/* the lines before it go first */
				hold(c, "", 0, ln, why);
				replay(c);
				continue;
			}
			return line_error(c, why, ln, lineno);
		}
		if (c->fast && c->p.pstate == 0 && fast_line(c, s, n, ln))
			continue;
		if (feed_line(c, s, n, ln, lineno) < 0)
			return -1;
	}
	r = &c->rows[c->next++];
	if (r->nf > c->retcap) {
		c->retcap = r->nf;
		c->f = tk_xrealloc(c->f, c->retcap * sizeof *c->f);
		c->l = tk_xrealloc(c->l, c->retcap * sizeof *c->l);
	}
	for (i = 0; i < r->nf; i++) {
		c->f[i] = r->data.p + r->offs[i];
		c->l[i] = (i + 1 < r->nf ? r->offs[i + 1] - 1 : r->data.len - 1) - r->offs[i];
	}
	*fields = c->f;
	*lens = c->l;
	*nfields = r->nf;
	*lineno = r->lineno;
	return 1;
}

void
tk_csv_hash_from(tk_csv *c, uint64_t seed)
{
	c->hashing = 1;
	c->rawhash = seed;
}

int
tk_csv_mark(tk_csv *c, tk_mark *m)
{
	if (!c->hashing || c->next < c->nrows || c->first || c->p.pstate != 0 || c->nheld)
		return 0;
	m->offset = c->bytes;
	m->lineno = (uint64_t)c->lineno;
	m->hash = c->rawhash;
	return 1;
}

/*
 * Reads on, without parsing, while the input's bytes are those of the marks
 * (in offset order): a mark matches when its offset falls at the end of a
 * line with the same hash of the bytes before it. Returns the last mark
 * matched, or -1, and leaves the reader just after it (seeking back over
 * what was read past it), so parsing goes on from there; -2 when it
 * cannot seek back (tk_errmsg). Only a regular file is skipped over.
 */
long
tk_csv_skip(tk_csv *c, const tk_mark *m, size_t n)
{
	uint64_t bytes = c->bytes, h = c->rawhash;
	long lineno = c->lineno, last = -1;
	struct stat sb;
	size_t i = 0, j;

	if (!n || !c->hashing || c->next < c->nrows || c->p.pstate != 0 || c->nheld ||
	    fstat(fileno(c->in.fp), &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    lseek(fileno(c->in.fp), 0, SEEK_CUR) - (off_t)tk_lines_ahead(&c->in) != (off_t)c->bytes)
		return -1;
	while (i < n && read_line(c) > 0) {
		while (i < n && m[i].offset < c->bytes)
			i++;
		if (i == n || m[i].offset != c->bytes)
			continue;
		for (j = i; j < n && m[j].offset == c->bytes; j++)
			if (m[j].hash == c->rawhash && m[j].lineno == (uint64_t)c->lineno)
				last = (long)j;
		if (last < 0 || m[last].offset != c->bytes)
			break;
		i = j;
	}
	/* Back to the last mark matched, or to where it started. */
	c->bytes = last >= 0 ? m[last].offset : bytes;
	c->rawhash = last >= 0 ? m[last].hash : h;
	c->lineno = last >= 0 ? (long)m[last].lineno : lineno;
	tk_lines_reset(&c->in);	/* what was read ahead is read again */
	if (lseek(fileno(c->in.fp), (off_t)c->bytes, SEEK_SET) < 0) {
		tk_error("%s: %s", c->name, strerror(errno));
		return -2;
	}
	c->rowstart = c->lineno + 1;
	return last;
}

int
tk_csv_delim(const char *arg)
{
	if (!strcmp(arg, "\\t") || !strcmp(arg, "tab"))
		return '\t';
	if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n')
		return (unsigned char)arg[0];
	return tk_error("-F %s: one character, or tab", arg);
}
