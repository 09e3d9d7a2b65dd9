#!/bin/sh
# Every command has a man page that mandoc finds clean, an entry in every
# completion file, and a --help that agrees with its man page and its code:
# the same synopsis, and the same options in the help, in the man page's
# SYNOPSIS and option list, and in the command's getopt tables.
. "$(dirname "$0")/lib.sh"
top=$TEST_DIR/..

# The options named in text: -x, a cluster [-xyz], and --long; sorted.
options() {
	tr '\t' ' ' | grep -o -e '--[a-z][a-z-]*' -e '\[-[A-Za-z][A-Za-z]*' -e '^-[A-Za-z]\b' -e ' -[A-Za-z]\b' |
	sed 's/^\[-/-/; s/^ //' |
	awk '/^--/ { print; next } { for (i = 2; i <= length($0); i++) print "-" substr($0, i, 1) }' | sort -u
}

# The synopsis --help prints: one line a form, continuation lines joined.
help_synopsis() {
	"$1" --help | sed '/^$/,$d; s/^usage: //' |
	awk -v cmd="$1" '{ sub(/^ +/, "") } $1 == cmd { if (line != "") print line; line = $0; next } { line = line " " $0 } END { print line }' |
	tr -s ' '
}

# The SYNOPSIS of a man page as mandoc renders it, one line a form.
man_synopsis() {
	mandoc -Tascii -O width=1000 "$1" | col -b | sed -n '/^SYNOPSIS/,/^[A-Z]/{ /^[A-Z]/d; /^$/d; s/^ *//; p; }' | tr -s ' '
}

# The options --help lists, a line each ("  -x, --long arg  what it does":
# the part before the description), and those its synopsis names.
help_options() {
	"$1" --help | sed '1,/^$/d' | sed -n 's/^  *\(-[^ ].*\)/\1/p' | sed 's/  .*//' | options
}
help_synopsis_options() {
	"$1" --help | sed '/^$/,$d' | options
}

# The options a man page lists (.It Fl), and those its SYNOPSIS names.
man_options() {
	sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$1" | grep '^\.It Fl' | sed 's/\\-/-/g' |
		grep -o 'Fl -*[A-Za-z][A-Za-z-]*' | sed 's/^Fl -/--/; s/^Fl /[-/' | options
}
man_synopsis_options() {
	mandoc -Tascii -O width=1000 "$1" | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | options
}

# The options the code takes: getopt_long's letters, its long options, and
# the --help and --version of TK_COMMON_LONGOPTS.
code_options() {
	{
		grep -o 'getopt_long([^"]*"[^"]*"' "$1" | sed 's/.*"\(.*\)"/\1/; s/[+:]//g; s/^/[-/'
		grep -o '{ "[a-z][a-z-]*", *[a-z]*_argument' "$1" | sed 's/{ "\([^"]*\)".*/--\1/'
		grep -q TK_COMMON_LONGOPTS "$1" && printf '%s\n' --help --version
	} | options
}

for cmd in $(cd "$TK_BIN" && ls tk tk-* 2>/dev/null); do
	page=$top/man/$cmd.1
	test_expect_success "$cmd: man page exists" "test -f '$page'"
	if command -v mandoc >/dev/null 2>&1; then
		test_expect_success "$cmd: mandoc -Tlint is clean" "
			mandoc -Tlint -Wwarning '$page' >lint 2>&1 || true
			test_empty lint"
		test_expect_success "$cmd: --help has the man page's synopsis" "
			help_synopsis $cmd >help.syn &&
			man_synopsis '$page' >man.syn &&
			test_cmp man.syn help.syn"
		test_expect_success "$cmd: --help and the man page list the same options" "
			help_options $cmd >help.opts &&
			man_options '$page' >man.opts &&
			test -s man.opts &&
			test_cmp man.opts help.opts"
		test_expect_success "$cmd: --help and the man page list every option of their synopsis" "
			help_options $cmd >help.opts &&
			{ help_synopsis_options $cmd; man_synopsis_options '$page'; } | sort -u >syn.opts &&
			comm -23 syn.opts help.opts >missing &&
			test_empty missing"
		test_expect_success "$cmd: --help names the options the code takes" "
			help_options $cmd >help.opts &&
			code_options '$top/cmd/$cmd.c' >code.opts &&
			test -s code.opts &&
			test_cmp code.opts help.opts"
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
