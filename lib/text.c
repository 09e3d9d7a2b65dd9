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

/*
 * Traditional -> simplified, the common characters of help-desk text,
 * sorted by the traditional form (a binary search; no work at start).
 */
static const struct fold {
	int32_t from, to;
} folds[] = {
	{ 0x4F86, 0x6765 }, { 0x500B, 0x4E2A }, { 0x5011, 0x4EEC }, { 0x5099, 0x5907 },	/* 來来 個个 們们 備备 */
	{ 0x50B3, 0x4F20 }, { 0x50F9, 0x4EF7 }, { 0x512A, 0x4F18 }, { 0x5132, 0x50A8 },	/* 傳传 價价 優优 儲储 */
	{ 0x5167, 0x5185 }, { 0x5225, 0x522B }, { 0x522A, 0x5220 }, { 0x5283, 0x5212 },	/* 內内 別别 刪删 劃划 */
	{ 0x52D5, 0x52A8 }, { 0x52D9, 0x52A1 }, { 0x5340, 0x533A }, { 0x5354, 0x534F },	/* 動动 務务 區区 協协 */
	{ 0x54E1, 0x5458 }, { 0x554F, 0x95EE }, { 0x555F, 0x542F }, { 0x55AE, 0x5355 },	/* 員员 問问 啟启 單单 */
	{ 0x570B, 0x56FD }, { 0x5716, 0x56FE }, { 0x5831, 0x62A5 }, { 0x58D3, 0x538B },	/* 國国 圖图 報报 壓压 */
	{ 0x5B78, 0x5B66 }, { 0x5BE6, 0x5B9E }, { 0x5BEB, 0x5199 }, { 0x5BEC, 0x5BBD },	/* 學学 實实 寫写 寬宽 */
	{ 0x5C08, 0x4E13 }, { 0x5C0D, 0x5BF9 }, { 0x5C0E, 0x5BFC }, { 0x5C64, 0x5C42 },	/* 專专 對对 導导 層层 */
	{ 0x5C6C, 0x5C5E }, { 0x5E33, 0x8D26 }, { 0x5E63, 0x5E01 }, { 0x5E6B, 0x5E2E },	/* 屬属 帳账 幣币 幫帮 */
	{ 0x5EAB, 0x5E93 }, { 0x5F35, 0x5F20 }, { 0x5F48, 0x5F39 }, { 0x5F8C, 0x540E },	/* 庫库 張张 彈弹 後后 */
	{ 0x5F9E, 0x4ECE }, { 0x5FA9, 0x590D }, { 0x614B, 0x6001 }, { 0x6191, 0x51ED },	/* 從从 復复 態态 憑凭 */
	{ 0x61B6, 0x5FC6 }, { 0x61C9, 0x5E94 }, { 0x6236, 0x6237 }, { 0x6383, 0x626B },	/* 憶忆 應应 戶户 掃扫 */
	{ 0x63DB, 0x6362 }, { 0x64CA, 0x51FB }, { 0x64DA, 0x636E }, { 0x6578, 0x6570 },	/* 換换 擊击 據据 數数 */
	{ 0x65B7, 0x65AD }, { 0x6642, 0x65F6 }, { 0x66F8, 0x4E66 }, { 0x6703, 0x4F1A },	/* 斷断 時时 書书 會会 */
	{ 0x6771, 0x4E1C }, { 0x689D, 0x6761 }, { 0x696D, 0x4E1A }, { 0x6A19, 0x6807 },	/* 東东 條条 業业 標标 */
	{ 0x6A23, 0x6837 }, { 0x6A5F, 0x673A }, { 0x6A94, 0x6863 }, { 0x6AA2, 0x68C0 },	/* 樣样 機机 檔档 檢检 */
	{ 0x6B0A, 0x6743 }, { 0x6B77, 0x5386 }, { 0x6B78, 0x5F52 }, { 0x6CC1, 0x51B5 },	/* 權权 歷历 歸归 況况 */
	{ 0x6E2C, 0x6D4B }, { 0x6E96, 0x51C6 }, { 0x70BA, 0x4E3A }, { 0x7121, 0x65E0 },	/* 測测 準准 為为 無无 */
	{ 0x71B1, 0x70ED }, { 0x71C8, 0x706F }, { 0x71DF, 0x8425 }, { 0x72C0, 0x72B6 },	/* 熱热 燈灯 營营 狀状 */
	{ 0x73FE, 0x73B0 }, { 0x74B0, 0x73AF }, { 0x7522, 0x4EA7 }, { 0x7570, 0x5F02 },	/* 現现 環环 產产 異异 */
	{ 0x7576, 0x5F53 }, { 0x767C, 0x53D1 }, { 0x76E4, 0x76D8 }, { 0x78BA, 0x786E },	/* 當当 發发 盤盘 確确 */
	{ 0x78BC, 0x7801 }, { 0x7BC0, 0x8282 }, { 0x7C3D, 0x7B7E }, { 0x7D05, 0x7EA2 },	/* 碼码 節节 簽签 紅红 */
	{ 0x7D19, 0x7EB8 }, { 0x7D1A, 0x7EA7 }, { 0x7D42, 0x7EC8 }, { 0x7D44, 0x7EC4 },	/* 紙纸 級级 終终 組组 */
	{ 0x7D50, 0x7ED3 }, { 0x7D61, 0x7EDC }, { 0x7D71, 0x7EDF }, { 0x7DA0, 0x7EFF },	/* 結结 絡络 統统 綠绿 */
	{ 0x7DAD, 0x7EF4 }, { 0x7DB2, 0x7F51 }, { 0x7DDA, 0x7EBF }, { 0x7E2E, 0x7F29 },	/* 維维 網网 線线 縮缩 */
	{ 0x7E54, 0x7EC7 }, { 0x7E6B, 0x7CFB }, { 0x7E8C, 0x7EED }, { 0x7FD2, 0x4E60 },	/* 織织 繫系 續续 習习 */
	{ 0x806F, 0x8054 }, { 0x8072, 0x58F0 }, { 0x8166, 0x8111 }, { 0x8207, 0x4E0E },	/* 聯联 聲声 腦脑 與与 */
	{ 0x820A, 0x65E7 }, { 0x83EF, 0x534E }, { 0x85CD, 0x84DD }, { 0x8655, 0x5904 },	/* 舊旧 華华 藍蓝 處处 */
	{ 0x865F, 0x53F7 }, { 0x87A2, 0x8424 }, { 0x88E1, 0x91CC }, { 0x88FD, 0x5236 },	/* 號号 螢萤 裡里 製制 */
	{ 0x8907, 0x590D }, { 0x898B, 0x89C1 }, { 0x8996, 0x89C6 }, { 0x8A02, 0x8BA2 },	/* 複复 見见 視视 訂订 */
	{ 0x8A08, 0x8BA1 }, { 0x8A0A, 0x8BAF }, { 0x8A2D, 0x8BBE }, { 0x8A66, 0x8BD5 },	/* 計计 訊讯 設设 試试 */
	{ 0x8A71, 0x8BDD }, { 0x8A8D, 0x8BA4 }, { 0x8AA4, 0x8BEF }, { 0x8AAA, 0x8BF4 },	/* 話话 認认 誤误 說说 */
	{ 0x8ACB, 0x8BF7 }, { 0x8B49, 0x8BC1 }, { 0x8B70, 0x8BAE }, { 0x8B77, 0x62A4 },	/* 請请 證证 議议 護护 */
	{ 0x8B80, 0x8BFB }, { 0x8B8A, 0x53D8 }, { 0x8B93, 0x8BA9 }, { 0x8CA0, 0x8D1F },	/* 讀读 變变 讓让 負负 */
	{ 0x8CA8, 0x8D27 }, { 0x8CB7, 0x4E70 }, { 0x8CBB, 0x8D39 }, { 0x8CC7, 0x8D44 },	/* 貨货 買买 費费 資资 */
	{ 0x8CE3, 0x5356 }, { 0x8CFC, 0x8D2D }, { 0x8ECA, 0x8F66 }, { 0x8EDF, 0x8F6F },	/* 賣卖 購购 車车 軟软 */
	{ 0x8F09, 0x8F7D }, { 0x8F38, 0x8F93 }, { 0x8F49, 0x8F6C }, { 0x9019, 0x8FD9 },	/* 載载 輸输 轉转 這这 */
	{ 0x9023, 0x8FDE }, { 0x904B, 0x8FD0 }, { 0x904E, 0x8FC7 }, { 0x9072, 0x8FDF },	/* 連连 運运 過过 遲迟 */
	{ 0x9084, 0x8FD8 }, { 0x90F5, 0x90AE }, { 0x91AB, 0x533B }, { 0x9280, 0x94F6 },	/* 還还 郵邮 醫医 銀银 */
	{ 0x9304, 0x5F55 }, { 0x932F, 0x9519 }, { 0x9375, 0x952E }, { 0x9396, 0x9501 },	/* 錄录 錯错 鍵键 鎖锁 */
	{ 0x93C8, 0x94FE }, { 0x9577, 0x957F }, { 0x9580, 0x95E8 }, { 0x958B, 0x5F00 },	/* 鏈链 長长 門门 開开 */
	{ 0x9593, 0x95F4 }, { 0x95B1, 0x9605 }, { 0x95DC, 0x5173 }, { 0x968A, 0x961F },	/* 間间 閱阅 關关 隊队 */
	{ 0x969B, 0x9645 }, { 0x96E2, 0x79BB }, { 0x96F2, 0x4E91 }, { 0x96FB, 0x7535 },	/* 際际 離离 雲云 電电 */
	{ 0x97FF, 0x54CD }, { 0x9801, 0x9875 }, { 0x9805, 0x9879 }, { 0x983B, 0x9891 },	/* 響响 頁页 項项 頻频 */
	{ 0x984C, 0x9898 }, { 0x984D, 0x989D }, { 0x985E, 0x7C7B }, { 0x986F, 0x663E },	/* 題题 額额 類类 顯显 */
	{ 0x9A45, 0x9A71 }, { 0x9A57, 0x9A8C }, { 0x9AD4, 0x4F53 }, { 0x9EBC, 0x4E48 },	/* 驅驱 驗验 體体 麼么 */
	{ 0x9EC3, 0x9EC4 }, { 0x9EDE, 0x70B9 },	/* 黃黄 點点 */
};
#define NFOLDS (sizeof folds / sizeof *folds)
/* A bit for each character of U+4E00..U+9FFF the table folds, set before
 * main (a bulk import tokenizes in several threads; a few hundred
 * stores at start). */
static unsigned char foldbits[(0xA000 - 0x4E00) / 8];

__attribute__((constructor)) static void
folds_init(void)
{
	size_t i;

	for (i = 0; i < NFOLDS; i++)
		if (folds[i].from >= 0x4E00 && folds[i].from < 0xA000)
			foldbits[(folds[i].from - 0x4E00) >> 3] |= (unsigned char)(1u << ((folds[i].from - 0x4E00) & 7));
}

int32_t
tk_text_fold_han(int32_t c)
{
	size_t lo = 0, hi = NFOLDS;

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

static inline void
push(tk_tokens *tt, const char *s, size_t n, uint32_t pos, uint32_t off, uint32_t end, int kind)
{
	tk_token *t;
	tk_buf *b = &tt->text;

	if (tt->n == tt->cap) {
		tt->cap = tt->cap ? tt->cap * 2 : 64;
		tt->v = tk_xrealloc(tt->v, tt->cap * sizeof *tt->v);
	}
	t = &tt->v[tt->n++];
	t->off = (uint32_t)b->len;
	t->len = (uint32_t)n;
	t->pos = pos;
	t->src = off;
	t->srcend = end;
	t->kind = kind;
	if (b->len + n + 1 > b->cap)
		tk_buf_room(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A character's UTF-8 (a valid code point): its length. What
 * utf8proc_encode_char does, here inline: run_end calls it twice for
 * every character of a CJK run, the tokenizer's hottest loop, and a call
 * into the library cannot be inlined. */
static inline size_t
utf8_put(int32_t c, unsigned char *a)
{
	if (c < 0x80) {
		a[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		a[0] = (unsigned char)(0xC0 | c >> 6);
		a[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		a[0] = (unsigned char)(0xE0 | c >> 12);
		a[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
		a[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	a[0] = (unsigned char)(0xF0 | c >> 18);
	a[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
	a[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
	a[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
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

static inline void
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
	unsigned char a[8];
	size_t i, k1, k2;

	for (i = 0; i < r->n; i++) {
		k1 = utf8_put(r->c[i], a);
		if (flags & TK_TEXT_QUERY ? r->n == 1 : !(flags & TK_TEXT_INDEX) || i + 1 == r->n)
			push(tt, (char *)a, k1, pos + (uint32_t)i, r->off[i], r->end[i], TK_TOK_UNI);
		if (i + 1 < r->n) {
			k2 = utf8_put(r->c[i + 1], a + k1);
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
				if (w.n)
					pos = word_end(tt, &w, pos, flags);
				if (r.n)
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
				i += 3;
				if (w.n)
					pos = word_end(tt, &w, pos, flags);
				run_add(&r, foldbits[(c - 0x4E00) >> 3] & (1u << ((c - 0x4E00) & 7)) ?
				    tk_text_fold_han(c) : c, off, (uint32_t)i);
				continue;
			}
			if ((c >= 0x3000 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3020) ||
			    (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) ||
			    (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20)) {
				i += 3;
				if (w.n)
					pos = word_end(tt, &w, pos, flags);
				if (r.n)
					pos = run_end(tt, &r, pos, flags);
				continue;
			}
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0) {	/* not UTF-8: a separator */
			i++;
			if (w.n)
				pos = word_end(tt, &w, pos, flags);
			if (r.n)
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
				if (w.n)
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
				if (w.n)
					pos = word_end(tt, &w, pos, flags);
				if (r.n)
					pos = run_end(tt, &r, pos, flags);
			}
		}
	}
	if (w.n)
		pos = word_end(tt, &w, pos, flags);
	if (r.n)
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
