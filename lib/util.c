/* util.c - errors, memory, buffers, UTF-8 and terminal width. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tk.h"

const char *tk_progname = "tk";
_Thread_local char tk_errmsg[1024];

void
tk_setprogname(const char *argv0)
{
	const char *s = strrchr(argv0, '/');
	tk_progname = s ? s + 1 : argv0;
}

/*
 * Writes p to fp, and when fp is a terminal makes its control characters
 * harmless first: a C0 control other than LF and TAB, DEL, and a C1
 * control (U+0080-U+009F) are shown as '?', and a CR before an LF is
 * dropped. Ticket text comes from customers' mail and other help desks'
 * exports: shown as it is, an escape sequence in it could move the cursor,
 * recolour or retitle the agent's terminal, or write its clipboard.
 */
size_t
tk_term_ctl(const char *p, size_t n)
{
	unsigned char c = (unsigned char)p[0];

	if (c == 0xc2 && n > 1 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f)
		return 2;	/* C1, U+0080-U+009F */
	return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
}

void
tk_term_write(FILE *fp, const char *p, size_t n)
{
	static int tty[2] = { -1, -1 };
	int *t = fp == stdout ? &tty[0] : fp == stderr ? &tty[1] : NULL;
	size_t i, from = 0, len;

	if (t && *t < 0)
		*t = isatty(fileno(fp));
	if (!t || !*t) {
		fwrite(p, 1, n, fp);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!(len = tk_term_ctl(p + i, n - i)))
			continue;
		fwrite(p + from, 1, i - from, fp);
		if (!(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
			fputc('?', fp);
		i += len - 1;
		from = i + 1;
	}
	fwrite(p + from, 1, n - from, fp);
}

/* "prog: message" on standard error; the message may quote ticket text. */
static void say(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void
say(const char *fmt, va_list ap)
{
	char msg[4096];
	int n;

	fflush(stdout);
	fprintf(stderr, "%s: ", tk_progname);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		n = 0;
	tk_term_write(stderr, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
	fputc('\n', stderr);
}

void
tk_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

int tk_exit_remap;

void
tk_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(code && tk_exit_remap ? tk_exit_remap : code);
}

int
tk_error(const char *fmt, ...)
{
	char buf[sizeof tk_errmsg];	/* the arguments may be tk_errmsg itself */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	memcpy(tk_errmsg, buf, sizeof buf);
	return -1;
}

void *
tk_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		tk_die(TK_EXIT_FAIL, "out of memory");
	return p;
}

#define HUGE_MIN (2u << 20)

void *
tk_huge_alloc(size_t n)
{
	void *p;

	if (n < HUGE_MIN) {
		if (!(p = calloc(1, n ? n : 1)))
			tk_die(TK_EXIT_FAIL, "out of memory");
		return p;
	}
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		tk_die(TK_EXIT_FAIL, "out of memory");
	madvise(p, n, MADV_HUGEPAGE);
	return p;
}

void
tk_huge_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < HUGE_MIN)
		free(p);
	else
		munmap(p, n);
}

void *
tk_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		tk_die(TK_EXIT_FAIL, "out of memory");
	return p;
}

char *
tk_xstrndup(const char *s, size_t n)
{
	char *p = tk_xmalloc(n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
tk_xstrdup(const char *s)
{
	return tk_xstrndup(s, strlen(s));
}

int
tk_str_eq(tk_str a, const char *s)
{
	size_t n = strlen(s);

	return a.n == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

int
tk_str_same(tk_str a, tk_str b)
{
	return a.n == b.n && (a.n == 0 || !memcmp(a.p, b.p, a.n));
}

static void
buf_grow(tk_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need)
		b->cap *= 2;
	b->p = tk_xrealloc(b->p, b->cap);
}

void
tk_buf_room(tk_buf *b, size_t n)
{
	buf_grow(b, n);
}

void
tk_buf_add(tk_buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
tk_buf_addc(tk_buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void
tk_buf_adds(tk_buf *b, const char *s)
{
	tk_buf_add(b, s, strlen(s));
}

void
tk_buf_printf(tk_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
tk_buf_cstr(tk_buf *b)
{
	buf_grow(b, 0);
	b->p[b->len] = '\0';
	return b->p;
}

void
tk_buf_free(tk_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Decode one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, *cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, *cp = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, *cp = c & 0x07, min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

long
tk_utf8_invalid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, k;
	unsigned c, lo, hi;

	while (i < n) {
		/* Eight ASCII bytes at a time: most of any ticket is ASCII. */
		if (n - i >= 8) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			if (!(w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		/* A run of three-byte characters with no special case (most of
		 * CJK: E1..EC, EE, EF, then two continuation bytes). */
		while (n - i >= 3 && ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) &&
		    (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80) {
			i += 3;
			if (i == n)
				return -1;
			c = p[i];
		}
		if (c < 0x80)
			continue;
		/* The well-formed sequences of Unicode 15, table 3-7. */
		lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return (long)i;
		if (n - i < len || p[i + 1] < lo || p[i + 1] > hi)
			return (long)i;
		for (k = 2; k < len; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return (long)i;
		i += len;
	}
	return -1;
}

/* East Asian Wide and Fullwidth ranges (UAX #11), enough for CJK text. */
static int
wide(unsigned c)
{
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	    (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd);
}

static int
zero_width(unsigned c)
{
	return (c >= 0x300 && c <= 0x36f) || c == 0x200b || c == 0x200d ||
	    (c >= 0xfe00 && c <= 0xfe0f);
}

static size_t
char_width(const unsigned char *p, size_t n, size_t *len)
{
	unsigned cp;

	*len = utf8_decode(p, n, &cp);
	if (!*len) {
		*len = 1;
		return 1;
	}
	if (zero_width(cp))
		return 0;
	return wide(cp) ? 2 : 1;
}

size_t
tk_display_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w = 0, len;

	while (i < n) {
		w += char_width(p + i, n - i, &len);
		i += len;
	}
	return w;
}

size_t
tk_display_prefix(const char *s, size_t n, size_t cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, w = 0, len, cw;

	while (i < n) {
		cw = char_width(p + i, n - i, &len);
		if (w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	return i;
}

void
tk_sigpipe_default(void)
{
	signal(SIGPIPE, SIG_DFL);
}

void
tk_flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			exit(TK_EXIT_OK);
		tk_die(TK_EXIT_FAIL, "standard output: %s", strerror(errno));
	}
}

/*
 * The name of uid in a passwd(5) file, as the "files" source of NSS finds
 * it: the first plain line with that uid (NIS "+" and "-" lines are not
 * read). 1 found, 0 not (or the file could not be read). The file is read
 * whole into a buffer of its size: tk_lines, the line reader of inputs,
 * takes 512 KiB, which malloc maps and unmaps (a TLB flush on each core),
 * about as much as getpwuid cost.
 */
int
tk_passwd_name(const char *path, unsigned long uid, char *name, size_t size)
{
	char *buf, *line, *end, *e, *f[4];
	unsigned long u;
	struct stat sb;
	size_t len = 0;
	ssize_t r;
	int fd, i, found = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &sb) < 0 || sb.st_size > (16 << 20) || !(buf = malloc((size_t)sb.st_size + 1))) {
		close(fd);
		return 0;
	}
	while (len < (size_t)sb.st_size && (r = read(fd, buf + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)r;
	close(fd);
	buf[len] = '\0';
	for (line = buf; !found && line < buf + len; line = end + 1) {
		if (!(end = strchr(line, '\n')))
			end = buf + len;
		*end = '\0';
		if (*line == '+' || *line == '-')
			continue;
		/* name:password:uid:rest, the separators cut to NULs */
		for (f[0] = line, i = 1; i < 4 && (f[i] = strchr(f[i - 1], ':')); i++)
			*f[i]++ = '\0';
		if (i < 4 || !*f[0] || *f[2] < '0' || *f[2] > '9')
			continue;
		errno = 0;
		u = strtoul(f[2], &e, 10);
		if (errno || *e || u != uid || strlen(f[0]) >= size)
			continue;
		memcpy(name, f[0], strlen(f[0]) + 1);
		found = 1;
	}
	free(buf);
	return found;
}

/*
 * The Unix user running the command, for the log. /etc/passwd is read
 * directly first: getpwuid(3) asks nscd twice and reads nsswitch.conf
 * before the same file, about 0.1 ms of a one-ticket tk-new's 1 ms of CPU.
 * A user not in it (LDAP, SSSD, NIS) is asked of getent(1).
 */
const char *
tk_actor(void)
{
	static char name[64];
	uid_t uid;

	if (name[0])	/* (a bulk command asks once a row) */
		return name;
	uid = getuid();
	if (tk_passwd_name("/etc/passwd", (unsigned long)uid, name, sizeof name) ||
	    tk_getent_name("passwd", (unsigned long)uid, name, sizeof name))
		return name;
	snprintf(name, sizeof name, "uid%lu", (unsigned long)uid);
	return name;
}

/*
 * The name of a uid or gid that /etc/passwd or /etc/group does not hold
 * (LDAP, SSSD, NIS): asked of getent(1), run without a shell, its
 * standard input and error /dev/null, the first field of its first line
 * taken. The commands are linked statically (Makefile): getpwuid there
 * would load the C library's NSS modules of the version tk was built
 * with, which a later upgrade of the C library removes; getent is the
 * system's own. 1 found, 0 not.
 */
int
tk_getent_name(const char *db, unsigned long id, char *name, size_t size)
{
	char num[24], buf[4096], *argv[] = { "getent", (char *)db, num, NULL }, *colon;
	posix_spawn_file_actions_t fa;
	size_t len = 0;
	ssize_t r;
	pid_t pid;
	int fd[2], st, ok;

	snprintf(num, sizeof num, "%lu", id);
	if (pipe2(fd, O_CLOEXEC) < 0)
		return 0;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	ok = posix_spawnp(&pid, "getent", &fa, NULL, argv, environ) == 0;
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	while (ok && len < sizeof buf - 1 && ((r = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0 ||
	    (r < 0 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	close(fd[0]);
	if (!ok)
		return 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) || !(colon = strchr(buf, ':')) || colon == buf ||
	    (size_t)(colon - buf) >= size || memchr(buf, '\n', (size_t)(colon - buf)))
		return 0;
	memcpy(name, buf, (size_t)(colon - buf));
	name[colon - buf] = '\0';
	return 1;
}

/* FNV-1a taken eight bytes a step, with a shift to mix the high bits down:
 * fast, and only equal inputs need equal hashes. tk-import keeps these
 * hashes in the store (import_hash), so this function must never change. */
uint64_t
tk_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 29;
	}
	while (n--)
		h = (h ^ *s++) * 1099511628211ULL;
	return h;
}

struct tk_arena_chunk {
	tk_arena_chunk *next;
	size_t size, used;
	_Alignas(16) char data[];
};

/*
 * A new chunk of at least n bytes. An arena's first chunks are 256 KiB;
 * once it holds 4 MiB (a bulk run's), 8 MiB ones in huge pages
 * (tk_huge_alloc: a fault costs 5-12 us a 4 KiB page on some virtual
 * machines; bench/RESULTS.md).
 */
static tk_arena_chunk *
chunk_new(const tk_arena *a, size_t n)
{
	const tk_arena_chunk *k;
	tk_arena_chunk *c;
	size_t have = 0, size;

	for (k = a->head; k; k = k->next)
		have += k->size;
	size = have < (4u << 20) ? (n > (1u << 18) ? n : (1u << 18)) : (n > (8u << 20) ? n : (8u << 20));
	c = tk_huge_alloc(sizeof *c + size);
	c->size = size;
	return c;
}

void *
tk_arena_alloc(tk_arena *a, size_t n)
{
	tk_arena_chunk *c = a->cur, **link;

	n = (n + 15) & ~(size_t)15;
	/* On through the chunks kept from before, then a new one at the end. */
	while (c && c->size - c->used < n) {
		c = c->next;
		if (c)
			c->used = 0;
	}
	if (!c) {
		c = chunk_new(a, n);
		c->next = NULL;
		c->used = 0;
		for (link = &a->head; *link; link = &(*link)->next)
			;
		*link = c;
	}
	a->cur = c;
	c->used += n;
	return c->data + c->used - n;
}

void
tk_arena_reset(tk_arena *a)
{
	a->cur = a->head;
	if (a->cur)
		a->cur->used = 0;
}

void
tk_arena_free(tk_arena *a)
{
	tk_arena_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		tk_huge_free(c, c->size + sizeof *c);
	}
	a->head = a->cur = NULL;
}

#define LINES_BLOCK (1u << 18)

void
tk_lines_init(tk_lines *l, FILE *fp)
{
	memset(l, 0, sizeof *l);
	l->fp = fp;
	l->eol = '\n';
}

void
tk_lines_free(tk_lines *l)
{
	free(l->buf);
	memset(l, 0, sizeof *l);
}

size_t
tk_lines_ahead(const tk_lines *l)
{
	return l->len - l->pos;
}

void
tk_lines_reset(tk_lines *l)
{
	l->pos = l->len = 0;
	l->eof = l->skipping = 0;
}

ssize_t
tk_read_some(FILE *fp, char *buf, size_t n)
{
	int fd = fileno(fp);
	ssize_t r;

	if (fd < 0) {	/* a stream's read error keeps its errno, if it sets one */
		errno = 0;
		r = (ssize_t)fread(buf, 1, n, fp);
		if (!r && ferror(fp))
			r = -1, errno = errno ? errno : EIO;
	} else
		do
			r = read(fd, buf, n);
		while (r < 0 && errno == EINTR);
	return r;
}

/* More input after what l holds: 0, or -1 at the end or on an error. */
static int
lines_fill(tk_lines *l)
{
	ssize_t r;

	if (l->cap - l->len < LINES_BLOCK + 1) {
		l->cap = l->cap ? 2 * l->cap : 2 * LINES_BLOCK;
		l->buf = tk_xrealloc(l->buf, l->cap);
	}
	/* Room is kept for a NUL after the last byte. */
	r = tk_read_some(l->fp, l->buf + l->len, l->cap - l->len - 1);
	if (r <= 0) {
		l->eof = 1;
		l->err = r < 0 ? errno : 0;
		return -1;
	}
	l->len += (size_t)r;
	return 0;
}

size_t
tk_lines_peek(tk_lines *l, const char **p)
{
	if (l->pos == l->len && !l->eof) {
		l->pos = l->len = 0;
		lines_fill(l);
	}
	*p = l->buf ? l->buf + l->pos : "";
	return l->len - l->pos;
}

ssize_t
tk_lines_next(tk_lines *l, char **line, size_t max)
{
	size_t from = l->pos, seen = 0, got;
	char *nl = NULL;

	l->cont = l->skipping;
	for (;;) {
		if (l->len > from + seen)
			nl = memchr(l->buf + from + seen, l->eol, l->len - from - seen);
		if (nl || l->eof)
			break;
		seen = l->len - from;
		/* Too long to keep: handed out as it is, the rest in pieces. */
		if (seen > max || (l->skipping && seen))
			break;
		if (from) {	/* keep only the line begun, at the front */
			memmove(l->buf, l->buf + from, seen);
			l->len = seen;
			l->pos = from = 0;
		}
		if (lines_fill(l) < 0)
			break;
	}
	got = nl ? (size_t)(nl + 1 - (l->buf + from)) : l->len - from;
	if (!got)
		return -1;
	l->skipping = !nl && !l->eof;
	*line = l->buf + from;
	l->pos = from + got;
	return (ssize_t)got;
}

/*
 * The one check of every text that enters the store, whatever brought it
 * (an option, an assignment, a record, a CSV cell, a mail): valid UTF-8
 * and no NUL byte. -1 with tk_errmsg naming what and the byte.
 */
int
tk_text_check(const char *what, const char *s, size_t n)
{
	const char *z = memchr(s, '\0', n);
	long bad;

	if (z)
		return tk_error("%s: NUL byte at byte %zu", what, (size_t)(z - s) + 1);
	if ((bad = tk_utf8_invalid(s, n)) >= 0)
		return tk_error("%s: invalid UTF-8 at byte %ld", what, bad + 1);
	return 0;
}

/* Unicode's white space (Zs, and the controls TAB..CR, NEL). */
static int
space_cp(unsigned c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
	    c == 0x205f || c == 0x3000 || c == 0xfeff;
}

int
tk_blank(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	unsigned cp;

	while (i < n) {
		len = utf8_decode(p + i, n - i, &cp);
		if (!len || !space_cp(cp))
			return 0;
		i += len;
	}
	return 1;
}

/*
 * Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), on bytes, ASCII letters compared without case. Words
 * longer than 64 bytes are not compared (a large number).
 */
size_t
tk_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[66][66];

	if (la > 64 || lb > 64)
		return (size_t)-1 / 2;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

void
tk_nearest_init(tk_nearest *nr, const char *word)
{
	nr->word = word;
	nr->best = NULL;
	nr->dist = (size_t)-1;
}

/* A candidate is near when at most a third of the word (at least 1, at
 * most 3 edits) differs, or when one is a prefix of the other. */
void
tk_nearest_try(tk_nearest *nr, const char *cand)
{
	size_t d = tk_edit_distance(nr->word, cand), n = strlen(nr->word), lim = n / 3;

	if (lim < 1)
		lim = 1;
	if (lim > 3)
		lim = 3;
	if (d > lim && !(n >= 3 && !strncasecmp(nr->word, cand, n)))
		return;
	if (d < nr->dist) {
		nr->dist = d;
		nr->best = cand;
	}
}

size_t
tk_u64_dec(char *buf, size_t len, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	if (n >= len)
		return len ? (buf[0] = '\0', 0) : 0;
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

tk_str
tk_custom_value(const struct tk_custom *c, size_t n, tk_str name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tk_str_same(c[i].name, name))
			return c[i].value;
	return (tk_str){ "", 0 };
}
