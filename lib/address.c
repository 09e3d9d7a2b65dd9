/*
 * address.c - a person as people write them: "Wang Li <wang.li@initech.io>",
 * "\"Li, Wang\" <WLi@Initech.io>", "<x@y>", "x@y (Wang Li)", or a bare
 * address. tk keeps the bare address, lowercased, as the requester and
 * the name beside it (DESIGN.md 2); what is not an address (a login, a
 * phone number) is kept as given.
 */
#include <string.h>

#include "tk.h"

static int
space(char c)
{
	return c == ' ' || c == '\t';
}

/* An address: local@domain, one '@', neither part empty, no white space,
 * no angle brackets, quotes, commas or control characters. */
static int
address_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i;

	if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', (size_t)(s + n - at - 1)))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>\",;()[]\\", s[i]) || s[i] == 0x7f)
			return 0;
	return 1;
}

static tk_str
trim(const char *p, const char *end)
{
	while (p < end && space(*p))
		p++;
	while (end > p && space(end[-1]))
		end--;
	return (tk_str){ p, (size_t)(end - p) };
}

int
tk_address_split(const char *s, size_t n, tk_str *name, tk_str *addr)
{
	const char *lt, *gt, *end = s + n;
	tk_str whole = trim(s, end), a, nm = { "", 0 };

	*name = (tk_str){ "", 0 };
	*addr = whole;
	if (!whole.n)
		return 0;
	lt = memchr(whole.p, '<', whole.n);
	if (lt) {
		gt = memchr(lt, '>', (size_t)(whole.p + whole.n - lt));
		if (!gt || gt != whole.p + whole.n - 1)
			return 0;
		a = trim(lt + 1, gt);
		nm = trim(whole.p, lt);
	} else {
		const char *par = memchr(whole.p, '(', whole.n);

		if (par && whole.p[whole.n - 1] == ')') {	/* x@y (Name), RFC 822's old form */
			a = trim(whole.p, par);
			nm = trim(par + 1, whole.p + whole.n - 1);
		} else
			a = whole;
	}
	if (!address_ok(a.p, a.n))
		return 0;
	if (nm.n >= 2 && nm.p[0] == '"' && nm.p[nm.n - 1] == '"')
		nm = trim(nm.p + 1, nm.p + nm.n - 1);
	*name = nm;
	*addr = a;
	return 1;
}

void
tk_address_lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/*
 * A phone number as its digits with the country code, so that
 * "+86 138-0013-8000", "008613800138000" and, with phone-country 86,
 * "138 0013 8000" are one number: "8613800138000". Written with '+' or
 * "00" first, the digits after it are the number; else it is a national
 * number, its trunk '0' dropped and cc (the default country code, NULL
 * for none) put in front. Only digits, spaces and + - . ( ) / are taken,
 * an extension ("x12", "ext. 12") left off. Returns the digits' count
 * (written to out, NUL-terminated, at most size - 1), 0 when s holds no
 * digit or something else (a letter).
 */
size_t
tk_phone_digits(const char *s, size_t n, const char *cc, char *out, size_t size)
{
	size_t i, k = 0, end = n;
	int intl = 0, first = 1;
	const char *x;

	/* An extension is not part of the number. */
	for (i = 0; i < n; i++)
		if (s[i] == 'x' || s[i] == 'X' || s[i] == 'e' || s[i] == 'E' || s[i] == '#') {
			end = i;
			break;
		}
	for (i = 0; i < end; i++) {
		char ch = s[i];

		if (ch >= '0' && ch <= '9') {
			if (k + 1 >= size)
				return 0;
			out[k++] = ch;
			first = 0;
		} else if (ch == '+' && first)
			intl = 1;
		else if (!strchr(" -.()/\t", ch))
			return 0;
	}
	out[k] = '\0';
	if (k < 3)
		return 0;
	if (!intl && k > 2 && out[0] == '0' && out[1] == '0') {	/* 0086...: the international prefix */
		memmove(out, out + 2, k - 1);
		k -= 2;
		intl = 1;
	}
	if (intl || !cc || !*cc)
		return k;
	x = out[0] == '0' ? out + 1 : out;	/* the trunk prefix of a national number */
	n = strlen(cc);
	if (n + strlen(x) + 1 > size)
		return 0;
	memmove(out + n, x, strlen(x) + 1);
	memcpy(out, cc, n);
	return strlen(out);
}
