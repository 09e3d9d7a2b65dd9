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
