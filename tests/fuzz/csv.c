/* Fuzz target: the CSV reader (libcsv under tk_csv) and the mapping of
 * rows to tickets (tk_import_row). Every row it accepts must write out as
 * CSV (tk_csv_field, what tk-export writes) and read back to the same
 * fields. Every input is read twice, with tk_csv's fast path for plain
 * rows and with libcsv alone: the rows, errors and lines must be the same. */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static void
round_trip(char **f, size_t *l, size_t n)
{
	tk_buf b = { 0 };
	FILE *back;
	tk_csv *c;
	char **f2;
	size_t *l2, n2, i;
	long line;

	/* An empty row does not come back (empty lines are skipped), nor a
	 * leading BOM (taken off the start of an input); one of UTF-16 would
	 * be read as such. */
	if ((n == 1 && !l[0]) || (l[0] >= 3 && !memcmp(f[0], "\xef\xbb\xbf", 3)) ||
	    (l[0] >= 2 && (!memcmp(f[0], "\xff\xfe", 2) || !memcmp(f[0], "\xfe\xff", 2))))
		return;
	for (i = 0; i < n; i++) {
		if (i)
			tk_buf_addc(&b, ',');
		tk_csv_field(&b, f[i], l[i]);
	}
	tk_buf_addc(&b, '\n');
	back = fmemopen(b.p, b.len, "r");
	c = tk_csv_open(back, "back", ',', '"', NULL);
	if (tk_csv_next(c, &f2, &l2, &n2, &line) != 1 || n2 != n)
		abort();
	for (i = 0; i < n; i++)
		if (l2[i] != l[i] || memcmp(f2[i], f[i], l[i]))
			abort();
	tk_csv_close(c);
	fclose(back);
	tk_buf_free(&b);
}

#include "../csv_transcript.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	FILE *fp = fmemopen((void *)data, size, "r");
	tk_import *im;
	tk_improw r;
	tk_csv *c;
	char **f;
	size_t *l, n;
	long line;
	int rc, header = 1;

	tk_buf fast = { 0 }, slow = { 0 };

	if (!fp)
		return 0;
	csv_transcript(data, size, 0, &fast);
	csv_transcript(data, size, 1, &slow);
	if (fast.len != slow.len || memcmp(fast.p, slow.p, fast.len))
		abort();
	tk_buf_free(&fast);
	tk_buf_free(&slow);
	setenv("TZ", "UTC", 1);
	im = tk_import_new(size && data[0] & 1 ? "jira" : NULL, NULL, 0);
	c = tk_csv_open(fp, "fuzz", 0, 0, NULL);
	memset(&r, 0, sizeof r);
	while ((rc = tk_csv_next(c, &f, &l, &n, &line)) != 0) {
		if (rc < 0)
			continue;
		round_trip(f, l, n);
		if (header) {
			header = tk_import_header(im, f, l, n) < 0;
			continue;
		}
		tk_import_row(im, f, l, n, &r);
		tk_improw_clear(&r);
	}
	tk_improw_free(&r);
	tk_csv_close(c);
	tk_import_free(im);
	fclose(fp);
	return 0;
}
