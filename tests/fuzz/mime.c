/* Fuzz target: what tk-notify writes into a mail. Whatever the bytes, a
 * header field stays one logical line (every line after the first starts
 * with a blank: no ticket text adds a header), no line passes 998 bytes,
 * quoted-printable decodes back to the bytes, and a template parses or is
 * refused without harm. */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static void
one_field(const tk_buf *b, const char *name)
{
	size_t i, line = 0;

	if (b->len < strlen(name) + 2 || memcmp(b->p, name, strlen(name)) || b->p[strlen(name)] != ':' ||
	    b->p[b->len - 1] != '\n')
		abort();
	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->p[i];

		if (c == '\n') {
			if (i + 1 < b->len && b->p[i + 1] != ' ')
				abort();	/* a second header */
			line = 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f || ++line > 998)
			abort();
	}
}

static int
hex(char c)
{
	return c >= 'A' ? c - 'A' + 10 : c - '0';
}

static tk_str
value(const char *name, void *arg)
{
	(void)name;
	return TK_STR((const char *)arg);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	tk_buf b = { 0 }, d = { 0 };
	char *s = tk_xstrndup((const char *)data, size);
	tk_mime_addr a[2] = { { s, "a@b.example" }, { NULL, "c@d.example" } };
	tk_template *tp;
	size_t i;
	int code;

	tk_mime_header(&b, "Subject", (const char *)data, size);
	one_field(&b, "Subject");
	b.len = 0;
	tk_mime_addresses(&b, "To", a, 2);
	one_field(&b, "To");
	b.len = 0;
	tk_mime_qp(&b, (const char *)data, size);
	for (i = 0; i < b.len; i++) {
		if (b.p[i] == '=' && i + 1 < b.len && b.p[i + 1] == '\n')
			i++;
		else if (b.p[i] == '=' && i + 2 < b.len) {
			tk_buf_addc(&d, (char)(hex(b.p[i + 1]) << 4 | hex(b.p[i + 2])));
			i += 2;
		} else
			tk_buf_addc(&d, b.p[i]);
	}
	if (d.len != size || (size && memcmp(d.p, data, size)))
		abort();
	if ((tp = tk_template_parse("fuzz", (const char *)data, size, &code))) {
		b.len = 0;
		tk_template_render(tp, TK_TPL_SUBJECT, &b, value, "{{subject}}");
		tk_template_render(tp, TK_TPL_BODY, &b, value, "{{subject}}");
		tk_template_free(tp);
	} else if (code != TK_EXIT_DATA)
		abort();
	tk_buf_free(&b);
	tk_buf_free(&d);
	free(s);
	return 0;
}
