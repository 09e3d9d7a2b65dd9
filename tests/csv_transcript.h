/* tests/csv_transcript.h: everything tk_csv_next says about an input, in
 * order, read with tk_csv's fast path for plain rows or with libcsv alone
 * (the unit tests and the CSV fuzz target compare the two); returns the
 * rows read. */
static size_t
csv_transcript(const void *in, size_t len, int libcsv_only, tk_buf *out)
{
	FILE *fp = fmemopen((void *)in, len, "r");
	tk_csv *c = tk_csv_open(fp, "t", 0, 0, NULL);
	char **f;
	size_t *l, n, i, rows = 0;
	long line;
	int rc;

	if (libcsv_only)
		tk_csv_libcsv_only(c);
	while ((rc = tk_csv_next(c, &f, &l, &n, &line)) != 0) {
		tk_buf_printf(out, "%d %ld", rc, line);
		if (rc < 0)
			tk_buf_printf(out, " %s", tk_errmsg);
		for (i = 0; rc > 0 && i < n; i++) {
			tk_buf_printf(out, " %zu:", l[i]);
			tk_buf_add(out, f[i], l[i]);
		}
		tk_buf_addc(out, '\n');
		rows += rc > 0;
	}
	tk_csv_close(c);
	fclose(fp);
	return rows;
}
