/* Fuzz target: the JSON reader. A text it accepts is written out again
 * (tk_json_string) and must read back to the same tree; and the input
 * read as tk-import reads JSON lines must not crash. */
#include <stdlib.h>
#include <string.h>

#include "tk.h"

static void
write_node(tk_buf *b, const tk_jdoc *d, size_t i)
{
	const tk_jnode *n = &d->nodes[i];
	size_t k;

	switch (n->type) {
	case TK_J_NULL: tk_buf_adds(b, "null"); return;
	case TK_J_TRUE: tk_buf_adds(b, "true"); return;
	case TK_J_FALSE: tk_buf_adds(b, "false"); return;
	case TK_J_NUMBER: tk_buf_add(b, n->s, n->n); return;
	case TK_J_STRING: tk_json_string(b, n->s, n->n); return;
	}
	tk_buf_addc(b, n->type == TK_J_ARRAY ? '[' : '{');
	for (k = n->first; k; k = d->nodes[k].next) {
		if (k != n->first)
			tk_buf_addc(b, ',');
		if (n->type == TK_J_OBJECT) {
			tk_json_string(b, d->nodes[k].key, d->nodes[k].keylen);
			tk_buf_addc(b, ':');
		}
		write_node(b, d, k);
	}
	tk_buf_addc(b, n->type == TK_J_ARRAY ? ']' : '}');
}

static void
same(const tk_jdoc *a, size_t i, const tk_jdoc *b, size_t j)
{
	const tk_jnode *x = &a->nodes[i], *y = &b->nodes[j];
	size_t k, l;

	if (x->type != y->type || x->count != y->count || (x->key == NULL) != (y->key == NULL) ||
	    (x->key && (x->keylen != y->keylen || memcmp(x->key, y->key, x->keylen) || x->key[x->keylen])))
		abort();
	if ((x->type == TK_J_STRING || x->type == TK_J_NUMBER) &&
	    (x->n != y->n || memcmp(x->s, y->s, x->n) || x->s[x->n] || tk_utf8_invalid(x->s, x->n) >= 0))
		abort();
	for (k = x->first, l = y->first; k || l; k = a->nodes[k].next, l = b->nodes[l].next) {
		if (!k || !l || k >= a->n || l >= b->n)
			abort();
		same(a, k, b, l);
	}
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	tk_jdoc d = { 0 }, d2 = { 0 };
	tk_buf b = { 0 };
	tk_improw r;
	tk_import *im;
	tk_jsonl *j;
	char **f;
	size_t *l, n;
	long line;
	FILE *fp;
	int rc;

	if (tk_json_parse(&d, (const char *)data, size) == 0) {
		write_node(&b, &d, 0);
		if (tk_json_parse(&d2, b.p, b.len) < 0)
			abort();
		same(&d, 0, &d2, 0);
	}
	tk_jdoc_free(&d);
	tk_jdoc_free(&d2);
	tk_buf_free(&b);
	if (!(fp = fmemopen((void *)data, size, "r")))
		return 0;
	j = tk_jsonl_open(fp, "fuzz");
	im = tk_import_new(NULL, NULL, 0);
	memset(&r, 0, sizeof r);
	if (tk_jsonl_header(j, &f, &l, &n, &line) == 1 && tk_import_header(im, f, l, n) == 0)
		while ((rc = tk_jsonl_next(j, &f, &l, &n, &line)) != 0)
			if (rc > 0 && tk_import_row(im, f, l, n, &r) == 0)
				tk_jsonl_comments(j, &r);
	tk_improw_free(&r);
	tk_import_free(im);
	tk_jsonl_close(j);
	fclose(fp);
	return 0;
}
