/* libFuzzer target: one mail message through tk-mail's parse path
 * (GMime, encoded words, charsets, HTML, trimming). */
#include <stdint.h>
#include <stdlib.h>

#include "tk.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tk_mail m;
	size_t n;
	char *s;

	tk_mail_parse((const char *)data, size, &m);
	if (tk_text_check("subject", m.subject, strlen(m.subject)) < 0 ||
	    tk_text_check("body", m.body, m.bodylen) < 0)
		abort();	/* what enters the store is valid UTF-8 with no NUL */
	tk_mail_free(&m);
	s = tk_mail_decode_words((const char *)data, size);
	free(s);
	s = tk_mail_html_text((const char *)data, size, &n);
	free(s);
	return 0;
}
