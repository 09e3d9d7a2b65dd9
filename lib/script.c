/*
 * script.c - the derived field script: han, latin or mixed, from the share
 * of Han characters among the letters of a ticket's subject and body, so a
 * rule or a filter tells Chinese tickets from others (script=han).
 *
 * Letters are Unicode letters (general category L*); Han letters are the
 * CJK unified and compatibility ideographs and 々 〇. Of the letters
 * counted: han when Han ones are more than half, latin when they are fewer
 * than a tenth, mixed in between; no letter at all, empty. Every letter that
 * is not Han counts on the latin side (Cyrillic, Greek, kana too).
 *
 * What is counted is the subject and the first TK_SCRIPT_WINDOW bytes of
 * the body: a ticket's language shows in its first lines, and a 1 MB body
 * costs no more than a short one. Counting stops as soon as the rest of
 * the window could not change the answer.
 */
#include <utf8proc.h>

#include "tk.h"

static int
han(uint32_t c)
{
	return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0x20000 && c <= 0x323af) || c == 0x3005 || c == 0x3007;
}

static int
letter(uint32_t c)
{
	utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);

	return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

struct count {
	size_t han, other;
};

/* Counts the letters of s (n bytes, valid UTF-8); left: the bytes still to
 * come after s. 1 when the answer is certain whatever follows. */
static int
count(struct count *k, const unsigned char *s, size_t n, size_t left)
{
	size_t i = 0, r;
	uint32_t c;

	while (i < n) {
		/* Every 64 bytes: could what is left still change the answer? */
		if (!(i & 63)) {
			r = n - i + left;
			if (k->han > k->other + r || 9 * k->han + 3 * r < k->other)
				return 1;
		}
		c = s[i];
		if (c < 0x80) {
			k->other += (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
			i++;
			continue;
		}
		if (c >= 0xf0 && i + 3 < n) {
			c = (c & 7) << 18 | (s[i + 1] & 0x3fu) << 12 | (s[i + 2] & 0x3fu) << 6 | (s[i + 3] & 0x3fu);
			i += 4;
		} else if (c >= 0xe0 && i + 2 < n) {
			c = (c & 15) << 12 | (s[i + 1] & 0x3fu) << 6 | (s[i + 2] & 0x3fu);
			i += 3;
		} else if (c >= 0xc0 && i + 1 < n) {
			c = (c & 31) << 6 | (s[i + 1] & 0x3fu);
			i += 2;
		} else {
			i++;	/* (not UTF-8: the store holds none) */
			continue;
		}
		if (han(c))
			k->han++;
		else if (c >= 0x3000 && c <= 0x303f)
			;	/* CJK punctuation, the commonest in Chinese text after Han */
		else if (letter(c))
			k->other++;
	}
	return 0;
}

const char *
tk_script(const char *subject, size_t sn, const char *body, size_t bn)
{
	struct count k = { 0, 0 };

	if (bn > TK_SCRIPT_WINDOW) {
		bn = TK_SCRIPT_WINDOW;
		while (bn && ((unsigned char)body[bn] & 0xc0) == 0x80)
			bn--;	/* not in the middle of a character */
	}
	if (!count(&k, (const unsigned char *)subject, sn, bn))
		count(&k, (const unsigned char *)body, bn, 0);
	if (!k.han && !k.other)
		return "";
	if (2 * k.han > k.han + k.other)
		return "han";
	if (10 * k.han < k.han + k.other)
		return "latin";
	return "mixed";
}
