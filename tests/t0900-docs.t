#!/bin/sh
# Every command has a man page that mandoc finds clean, whose SYNOPSIS names
# exactly the options its --help prints, and an entry in every completion file.
. "$(dirname "$0")/lib.sh"
top=$TEST_DIR/..

# The options a usage text or a rendered SYNOPSIS names: -x and --long.
options() {
	tr '\t' ' ' | grep -o -e '--[a-z][a-z-]*' -e '\[-[A-Za-z][A-Za-z]*' -e ' -[A-Za-z]\b' | sed 's/^\[-/-/; s/^ //' |
	awk '/^--/ { print; next } { for (i = 2; i <= length($0); i++) print "-" substr($0, i, 1) }' | sort -u
}

for cmd in $(cd "$TK_BIN" && ls tk tk-* 2>/dev/null); do
	page=$top/man/$cmd.1
	test_expect_success "$cmd: man page exists" "test -f '$page'"
	if command -v mandoc >/dev/null 2>&1; then
		test_expect_success "$cmd: mandoc -Tlint is clean" "
			mandoc -Tlint -Wwarning '$page' >lint 2>&1 || true
			test_empty lint"
		test_expect_success "$cmd: --help and the man page SYNOPSIS name the same options" "
			$cmd --help | options >help.opts &&
			MANWIDTH=200 mandoc -Tascii '$page' | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | options >man.opts &&
			test_cmp help.opts man.opts"
	else
		test_skip "$cmd: man page lint and SYNOPSIS" "mandoc is not installed (make deps installs it)"
	fi
	for f in tk.bash _tk tk.fish; do
		test_expect_success "$cmd: in completions/$f" "grep -q -- '$cmd\\b' '$top/completions/$f' || [ '$cmd' = tk ] && grep -q 'tk' '$top/completions/$f'"
	done
done

for page in tk.7 tk-records.5; do
	command -v mandoc >/dev/null 2>&1 || { test_skip "$page: mandoc -Tlint" "mandoc is not installed"; continue; }
	test_expect_success "$page: mandoc -Tlint is clean" "
		mandoc -Tlint -Wwarning '$top/man/$page' >lint 2>&1 || true
		test_empty lint"
done

test_done
