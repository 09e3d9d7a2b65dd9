/*
 * config.c - the one reader of the store's configuration files (fields,
 * and later workflow, rules, calendars, sla, config): plain text, '#'
 * starts a comment (at the start of a line or after white space), one
 * statement a line, indented lines continue a stanza. Every error names
 * the file and line (tk_conf_error).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

#define CONF_MAX (16u << 20)	/* a configuration file is small; a larger one is a mistake */

int
tk_conf_open(tk_conf *c, const char *dir, const char *name)
{
	tk_buf path = { 0 };
	int rc;

	tk_buf_printf(&path, "%s/%s", dir, name);
	rc = tk_conf_open_file(c, tk_buf_cstr(&path));
	tk_buf_free(&path);
	return rc;
}

int
tk_conf_open_file(tk_conf *c, const char *path)
{
	FILE *fp;
	size_t n;

	memset(c, 0, sizeof *c);
	c->path = tk_xstrdup(path);
	if (!(fp = fopen(c->path, "r"))) {
		int e = errno;

		if (e != ENOENT && e != ENOTDIR)
			tk_error("%s: %s", c->path, strerror(e));
		tk_conf_close(c);
		return e == ENOENT || e == ENOTDIR ? 0 : -1;
	}
	{
		tk_buf b = { 0 };
		char chunk[65536];

		while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
			tk_buf_add(&b, chunk, n);
			if (b.len > CONF_MAX) {
				fclose(fp);
				tk_buf_free(&b);
				tk_error("%s: larger than %u MiB: not a configuration file", c->path, CONF_MAX >> 20);
				tk_conf_close(c);
				return -1;
			}
		}
		if (ferror(fp)) {
			fclose(fp);
			tk_buf_free(&b);
			tk_error("%s: read error", c->path);
			tk_conf_close(c);
			return -1;
		}
		fclose(fp);
		c->text = b.p ? b.p : tk_xstrdup("");
		c->len = b.len;
	}
	return 1;
}

int
tk_conf_error(const tk_conf *c, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return tk_error("%s:%ld: %s", c->path, c->lineno, msg);
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

int
tk_conf_next(tk_conf *c)
{
	char *line, *end, *p, *start;

	for (;;) {
		if (c->pos >= c->len)
			return 0;
		line = c->text + c->pos;
		end = memchr(line, '\n', c->len - c->pos);
		if (!end)
			end = c->text + c->len;
		c->pos = (size_t)(end - c->text) + 1;
		c->lineno++;
		*end = '\0';
		start = line;
		if (tk_text_check("text", line, (size_t)(end - line)) < 0)
			return tk_conf_error(c, "%s", tk_errmsg);
		/* A comment: '#' first or after white space. */
		for (p = line; *p; p++)
			if (*p == '#' && (p == line || is_space(p[-1]))) {
				*p = '\0';
				end = p;
				break;
			}
		while (end > line && is_space(end[-1]))
			*--end = '\0';
		c->indented = is_space(*line);
		while (is_space(*line))
			line++;
		if (!*line)
			continue;
		c->line = line;
		c->nw = 0;
		for (p = line; *p;) {
			if (c->nw == c->wcap) {
				c->wcap = c->wcap ? 2 * c->wcap : 16;
				c->w = tk_xrealloc(c->w, c->wcap * sizeof *c->w);
				c->wcol = tk_xrealloc(c->wcol, c->wcap * sizeof *c->wcol);
			}
			c->wcol[c->nw] = (size_t)(p - start) + 1;
			c->w[c->nw++] = p;
			while (*p && !is_space(*p))
				p++;
			if (*p)
				*p++ = '\0';
			while (is_space(*p))
				p++;
		}
		return 1;
	}
}

void
tk_conf_close(tk_conf *c)
{
	free(c->text);
	free(c->path);
	free(c->w);
	free(c->wcol);
	memset(c, 0, sizeof *c);
}
