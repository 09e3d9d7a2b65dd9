/*
 * text.c - the words of a text for the full-text index (kb.c) and its
 * queries. Ground layer: it reads no store.
 *
 * Every character is normalised with utf8proc: compatibility decomposition
 * and Unicode case folding per character, a word composed again (NFKC), so
 * "ＶＰＮ", "Vpn" and "VPN" are the word "vpn" and full-width digits are
 * digits. Then:
 *
 *   - letters, digits and marks of any script but the CJK ones make words
 *     (Latin, Cyrillic, Greek, ...); words of ASCII letters lose a plural
 *     ending (the light stemmer: -ies -> -y, -sses/-xes/-ches/-shes ->
 *     drop -es, -s but not -ss/-us/-is), unless TK_TEXT_NOSTEM;
 *   - a run of Han, kana or Hangul characters gives each character (a
 *     unigram) and each pair of neighbours (a bigram) at the position of
 *     its first character: "连接超时" -> 连 连接 接 接超 超 超时 时. A query
 *     (TK_TEXT_QUERY) takes the bigrams of a run of two or more, the
 *     unigram of a run of one; the bigrams at consecutive positions are
 *     the run, so a query's run matches exactly where the text holds it;
 *   - a change of script ends a word: "VPN连接超时" -> vpn 连接 接超 超时;
 *   - traditional characters are folded to their simplified forms by a
 *     table of common characters (網 -> 网, 連 -> 连), in text and query;
 *   - anything else (punctuation, symbols, spaces) separates.
 *
 * Positions count words: a word, or a CJK character, is one position, so
 * a phrase is its words at consecutive positions.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tk.h"

/* Traditional -> simplified, the common characters of help-desk text. */
static const char trad_simp[] =
    "網网絡络連连線线機机碼码體体電电腦脑號号帳账戶户設设資资訊讯務务統统據据庫库檔档"
    "錯错誤误問问題题無无開开關关啟启動动應应證证書书過过數数載载標标準准驅驱縮缩壓压"
    "顯显視视頻频聲声響响話话郵邮發发點点擊击頁页憑凭認认權权錄录變变舊旧檢检測测試试"
    "報报價价費费單单訂订購购買买賣卖還还貨货幣币銀银負负額额簽签離离斷断鏈链導导圖图"
    "層层級级類类別别條条項项內内紅红綠绿藍蓝黃黄換换轉转傳传輸输與与這这個个們们來来"
    "時时間间會会為为對对從从後后裡里讓让說说見见現现實实際际樣样麼么產产業业區区醫医"
    "學学習习歷历華华國国東东車车長长門门燈灯熱热幫帮處处協协議议計计劃划儲储憶忆雲云"
    "異异當当彈弹鍵键盤盘螢萤紙纸張张掃扫驗验狀状態态況况環环節节運运營营維维護护員员"
    "專专屬属組组織织隊队請请確确復复製制歸归備备複复寬宽遲迟續续鎖锁軟软硬硬體体區区"
    "戶户帳账號号碼码傳传檔档憑凭據据訂订單单優优惠惠權权閱阅讀读寫写刪删除除聯联繫系"
    "區区碼码終终結结啟启";

static struct fold { int32_t from, to; } *folds;
static size_t nfolds;
/* A bit for each character of U+4E00..U+9FFF the table folds. */
static unsigned char foldbits[(0xA000 - 0x4E00) / 8];

static int
fold_cmp(const void *a, const void *b)
{
	const struct fold *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

static void
folds_init(void)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)trad_simp;
	utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(trad_simp), k;
	int32_t a, b;

	folds = tk_xmalloc(sizeof trad_simp / 3 * sizeof *folds);
	while (n > 0) {
		if ((k = utf8proc_iterate(p, n, &a)) <= 0 || a < 0x2000)
			break;
		p += k, n -= k;
		if ((k = utf8proc_iterate(p, n, &b)) <= 0 || b < 0x2000)
			break;
		p += k, n -= k;
		if (a != b) {
			folds[nfolds++] = (struct fold){ a, b };
			if (a >= 0x4E00 && a < 0xA000)
				foldbits[(a - 0x4E00) >> 3] |= (unsigned char)(1u << ((a - 0x4E00) & 7));
		}
	}
	qsort(folds, nfolds, sizeof *folds, fold_cmp);
}

int32_t
tk_text_fold_han(int32_t c)
{
	size_t lo = 0, hi;

	if (!folds)
		folds_init();
	hi = nfolds;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (folds[mid].from == c)
			return folds[mid].to;
		if (folds[mid].from < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return c;
}

static const unsigned char tk_ascii_alnum[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
	['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
	['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
};

/* Han, kana, Hangul syllables: written without spaces between words. */
static int
is_cjk(int32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) ||
	    (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF) || c == 0x3005;
}

int
tk_text_is_cjk(int32_t c)
{
	return is_cjk(c);
}

static int
is_word(int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

static int
ends(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n > k && !memcmp(w + n - k, suf, k);
}

size_t
tk_text_stem(char *w, size_t n)
{
	size_t i;

	if (n < 4)
		return n;
	for (i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return n;
	if (ends(w, n, "ies") && n > 4) {
		w[n - 3] = 'y';
		return n - 2;
	}
	if (ends(w, n, "sses") || ends(w, n, "xes") || ends(w, n, "ches") || ends(w, n, "shes"))
		return n - 2;
	if (w[n - 1] == 's' && !ends(w, n, "ss") && !ends(w, n, "us") && !ends(w, n, "is"))
		return n - 1;
	return n;
}

void
tk_tokens_free(tk_tokens *tt)
{
	free(tt->v);
	tk_buf_free(&tt->text);
	memset(tt, 0, sizeof *tt);
}

void
tk_tokens_reset(tk_tokens *tt)
{
	tt->n = 0;
	tt->text.len = 0;
}

static void
push(tk_tokens *tt, const char *s, size_t n, uint32_t pos, uint32_t off, uint32_t end, int kind)
{
	tk_token *t;

	if (tt->n == tt->cap) {
		tt->cap = tt->cap ? tt->cap * 2 : 64;
		tt->v = tk_xrealloc(tt->v, tt->cap * sizeof *tt->v);
	}
	t = &tt->v[tt->n++];
	t->off = (uint32_t)tt->text.len;
	t->len = (uint32_t)n;
	t->pos = pos;
	t->src = off;
	t->srcend = end;
	t->kind = kind;
	tk_buf_add(&tt->text, s, n);
}

/* A word's characters gathered: composed again and put out. */
struct word {
	utf8proc_int32_t *c;
	size_t n, cap;
	int ascii;
	uint32_t off, end;
};

static void
word_add(struct word *w, int32_t c)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->c = tk_xrealloc(w->c, w->cap * sizeof *w->c);
	}
	w->c[w->n++] = c;
	if (c >= 0x80)
		w->ascii = 0;
}

static uint32_t
word_end(tk_tokens *tt, struct word *w, uint32_t pos, int flags)
{
	char buf[TK_TEXT_MAXTERM + 4];
	size_t n = 0, i, len = w->n;

	if (!w->n)
		return pos;
	if (!w->ascii) {
		utf8proc_ssize_t r = utf8proc_normalize_utf32(w->c, (utf8proc_ssize_t)w->n,
		    UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		if (r > 0)
			len = (size_t)r;
	}
	for (i = 0; i < len; i++) {
		utf8proc_uint8_t enc[4];
		utf8proc_ssize_t k = utf8proc_encode_char(w->c[i], enc);

		if (n + (size_t)k > TK_TEXT_MAXTERM)
			break;
		memcpy(buf + n, enc, (size_t)k);
		n += (size_t)k;
	}
	if (!(flags & TK_TEXT_NOSTEM))
		n = tk_text_stem(buf, n);
	push(tt, buf, n, pos, w->off, w->end, TK_TOK_WORD);
	w->n = 0;
	w->ascii = 1;
	return pos + 1;
}

/* A CJK run's characters (folded) and where each came from. */
struct run {
	int32_t *c;
	uint32_t *off, *end;
	size_t n, cap;
};

static void
run_add(struct run *r, int32_t c, uint32_t off, uint32_t end)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->c = tk_xrealloc(r->c, r->cap * sizeof *r->c);
		r->off = tk_xrealloc(r->off, r->cap * sizeof *r->off);
		r->end = tk_xrealloc(r->end, r->cap * sizeof *r->end);
	}
	r->c[r->n] = c;
	r->off[r->n] = off;
	r->end[r->n++] = end;
}

static uint32_t
run_end(tk_tokens *tt, struct run *r, uint32_t pos, int flags)
{
	utf8proc_uint8_t a[8];
	size_t i, k1, k2;

	for (i = 0; i < r->n; i++) {
		k1 = (size_t)utf8proc_encode_char(r->c[i], a);
		if (!(flags & TK_TEXT_QUERY) || r->n == 1)
			push(tt, (char *)a, k1, pos + (uint32_t)i, r->off[i], r->end[i], TK_TOK_UNI);
		if (i + 1 < r->n) {
			k2 = (size_t)utf8proc_encode_char(r->c[i + 1], a + k1);
			push(tt, (char *)a, k1 + k2, pos + (uint32_t)i, r->off[i], r->end[i + 1], TK_TOK_BI);
		}
	}
	pos += (uint32_t)r->n;
	r->n = 0;
	return pos;
}

uint32_t
tk_text_tokens(tk_tokens *tt, const char *s, size_t n, uint32_t pos, int flags)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	struct word w = { .ascii = 1 };
	struct run r = { 0 };
	size_t i = 0;

	while (i < n) {
		utf8proc_int32_t c, d[8];
		utf8proc_ssize_t k, nd, j;
		int bc = 0;
		uint32_t off = (uint32_t)i;

		if (p[i] < 0x80 && !w.n && (tk_ascii_alnum[p[i]])) {
			/* a word of ASCII letters and digits ended by ASCII: as is */
			size_t j = i, l = 0;
			char buf[TK_TEXT_MAXTERM + 4];

			while (j < n && tk_ascii_alnum[p[j]])
				j++;
			if (j == n || p[j] < 0x80) {
				if (r.n)
					pos = run_end(tt, &r, pos, flags);
				for (l = 0; l < j - i && l < TK_TEXT_MAXTERM; l++)
					buf[l] = (char)(p[i + l] | (p[i + l] >= 'A' && p[i + l] <= 'Z' ? 0x20 : 0));
				if (!(flags & TK_TEXT_NOSTEM))
					l = tk_text_stem(buf, l);
				push(tt, buf, l, pos++, (uint32_t)i, (uint32_t)j, TK_TOK_WORD);
				i = j;
				continue;
			}
		}
		if (p[i] < 0x80) {
			c = p[i++];
			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
				if (r.n)
					pos = run_end(tt, &r, pos, flags);
				if (!w.n)
					w.off = off;
				word_add(&w, c | 0x20 * (c >= 'A' && c <= 'Z'));
				w.end = (uint32_t)i;
			} else {
				pos = word_end(tt, &w, pos, flags);
				pos = run_end(tt, &r, pos, flags);
			}
			continue;
		}
		/*
		 * The common characters of Chinese text decoded here, as
		 * utf8proc would: U+4E00..U+9FFF (CJK ideographs, which
		 * neither decompose nor fold case) join the run; CJK and
		 * general punctuation and the full-width ASCII punctuation
		 * (U+3000..U+3004, U+3008..U+3020, U+2010..U+2027,
		 * U+2030..U+205E, U+FF01..U+FF0F, U+FF1A..U+FF20) separate.
		 */
		if (p[i] >= 0xE2 && p[i] <= 0xEF && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 &&
		    (p[i + 2] & 0xC0) == 0x80) {
			c = (p[i] & 0x0F) << 12 | (p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F);
			if (c >= 0x4E00 && c <= 0x9FFF) {
				if (!folds)
					folds_init();
				i += 3;
				pos = word_end(tt, &w, pos, flags);
				run_add(&r, foldbits[(c - 0x4E00) >> 3] & (1u << ((c - 0x4E00) & 7)) ?
				    tk_text_fold_han(c) : c, off, (uint32_t)i);
				continue;
			}
			if ((c >= 0x3000 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3020) ||
			    (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) ||
			    (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20)) {
				i += 3;
				pos = word_end(tt, &w, pos, flags);
				pos = run_end(tt, &r, pos, flags);
				continue;
			}
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0) {	/* not UTF-8: a separator */
			i++;
			pos = word_end(tt, &w, pos, flags);
			pos = run_end(tt, &r, pos, flags);
			continue;
		}
		i += (size_t)k;
		nd = utf8proc_decompose_char(c, d, 8, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD, &bc);
		if (nd <= 0 || nd > 8) {
			d[0] = c;
			nd = 1;
		}
		if (is_cjk(c) && nd > 1)	/* Hangul syllables stay whole */
			d[0] = c, nd = 1;
		for (j = 0; j < nd; j++) {
			int32_t e = d[j];

			if (is_cjk(e)) {
				pos = word_end(tt, &w, pos, flags);
				run_add(&r, tk_text_fold_han(e), off, (uint32_t)i);
			} else if (is_word(e)) {
				if (r.n)
					pos = run_end(tt, &r, pos, flags);
				if (!w.n)
					w.off = off;
				word_add(&w, e);
				w.end = (uint32_t)i;
			} else {
				pos = word_end(tt, &w, pos, flags);
				pos = run_end(tt, &r, pos, flags);
			}
		}
	}
	pos = word_end(tt, &w, pos, flags);
	pos = run_end(tt, &r, pos, flags);
	free(w.c);
	free(r.c);
	free(r.off);
	free(r.end);
	return pos;
}

/* Words a query drops when they stand alone: too common to choose by. */
static const char *const stops[] = {
	"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it",
	"of", "on", "or", "the", "to", "with", "的", "了", "是", "在", "和", "与", "及", "或", NULL
};

int
tk_text_stop(const char *s, size_t n)
{
	size_t i;

	for (i = 0; stops[i]; i++)
		if (strlen(stops[i]) == n && !memcmp(stops[i], s, n))
			return 1;
	return 0;
}
