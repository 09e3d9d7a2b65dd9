/* Fuzz target: the record reader. Every record it accepts must escape and
 * read back to the same fields (but for a leading U+FEFF, below). */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *fp = fmemopen((void *)data, size, "r"), *back;
	tk_reader r, r2;
	tk_buf b = { 0 };
	size_t i;
	int rc;

	if (!fp)
		return 0;
	tk_reader_init(&r, fp, "fuzz");
	while ((rc = tk_reader_next(&r)) != 0) {
		/* A first field starting with U+FEFF would start the input read
		 * back, where it is taken for a byte order mark. */
		if (rc < 0 || r.header || (r.lens[0] >= 3 && !memcmp(r.fields[0], "\xef\xbb\xbf", 3)))
			continue;
		b.len = 0;
		for (i = 0; i < r.nfields; i++) {
			if (i)
				tk_buf_addc(&b, '\t');
			tk_rec_escape(&b, r.fields[i], r.lens[i]);
		}
		tk_buf_addc(&b, '\n');
		back = fmemopen(b.p, b.len, "r");
		tk_reader_init(&r2, back, "back");
		if (tk_reader_next(&r2) != 1 || r2.nfields != r.nfields)
			abort();
		for (i = 0; i < r.nfields; i++)
			if (r2.lens[i] != r.lens[i] || memcmp(r2.fields[i], r.fields[i], r.lens[i]))
				abort();
		tk_reader_free(&r2);
		fclose(back);
	}
	tk_reader_free(&r);
	tk_buf_free(&b);
	fclose(fp);
	return 0;
}
