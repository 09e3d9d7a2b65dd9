#!/bin/sh
# --help and usage errors in every command, and the tk dispatcher: tk help,
# tk -d DIR, did-you-mean, other tk-NAME commands on PATH.
# (t0900-docs.t keeps --help, the man pages and the code in step.)
. "$(dirname "$0")/lib.sh"
top=$TEST_DIR/..

cmds=$(cd "$TK_BIN" && ls tk-* 2>/dev/null)

for cmd in tk $cmds; do
	test_expect_success "$cmd --help: the whole help on stdout, exit 0" "
		$cmd --help >out 2>err &&
		test_empty err &&
		head -n 1 out | grep '^usage: $cmd ' &&
		test_grep '^  -h, --help  *print this help and exit\$' out &&
		test_grep '^  -V, --version  *print the version and exit\$' out &&
		test_grep '^  -d, --dir dir  *the store' out &&
		tail -n 1 out | grep \"^See .*'man $cmd\""
	test_expect_success "$cmd -h is --help" "
		$cmd --help >expect &&
		$cmd -h >out &&
		test_cmp expect out"
	test_expect_success "$cmd with an unknown option: the synopsis and a hint on stderr, exit 2" "
		test_expect_code 2 $cmd --no-such-option >out 2>err &&
		test_empty out &&
		head -n 1 err | grep '^$cmd: .*no-such-option' &&
		$cmd --help | sed '/^\$/,\$d' >synopsis &&
		{ cat synopsis; echo \"Try '$cmd --help' for more.\"; } >expect &&
		sed 1d err >got &&
		test_cmp expect got"
done

# The names and one-line descriptions of the commands in tk --help.
help_commands() {
	sed -n '/^Commands:$/,/^$/{ /^  /p; }' "$1" | sed 's/^  //; s/  */ /'
}

test_expect_success 'tk --help lists every command with its man page description' '
	tk --help >out &&
	help_commands out >listed &&
	for c in $cmds; do
		echo "${c#tk-} $(sed -n "/^\.Nd /{ s/^\.Nd //; p; q; }" "$top/man/$c.1")"
	done | sort >expect &&
	sort listed >got &&
	test_cmp expect got
'

test_expect_success 'tk help is tk --help' '
	tk --help >expect &&
	tk help >out &&
	test_cmp expect out
'

test_expect_success 'tk help NAME is tk-NAME --help, for every command' '
	for c in $cmds; do
		$c --help >expect &&
		tk help ${c#tk-} >out &&
		test_cmp expect out || exit 1
	done
'

test_expect_success 'tk help with a mistyped name suggests; with two names is a usage error' '
	test_expect_code 2 tk help lss >out 2>err &&
	test_empty out &&
	echo "tk: lss: no such command; did you mean ls?" >expect &&
	test_cmp expect err &&
	test_expect_code 2 tk help ls show 2>err &&
	test_grep "^usage: tk " err
'

test_expect_success 'tk with a mistyped command: did you mean, exit 2' '
	for typo in lss:ls shwo:show improt:import commnet:comment nwe:new exprot:export imp:import; do
		test_expect_code 2 tk ${typo%%:*} status=open >out 2>err &&
		test_empty out &&
		echo "tk: ${typo%%:*}: no such command; did you mean ${typo#*:}?" >expect &&
		test_cmp expect err || exit 1
	done
'

test_expect_success 'tk with a typo as near to two commands names both' '
	test_expect_code 2 tk lg 2>err &&
	echo "tk: lg: no such command; did you mean ls or log?" >expect &&
	test_cmp expect err
'

test_expect_success 'tk with an unknown command near none lists the commands, exit 2' '
	test_expect_code 2 tk frobnicate 2>err &&
	test_grep "^tk: frobnicate: no such command; the commands are: new ls show set comment log import export" err &&
	test_expect_code 2 tk s/x 2>err &&
	test_grep "^tk: s/x: not a command" err
'

test_expect_success 'tk with no command, or a bad option of its own: usage, exit 2' '
	test_expect_code 2 tk >out 2>err &&
	test_empty out &&
	test_grep "^usage: tk \[-d dir\] command" err &&
	test_grep "^Try .tk --help. for more\.$" err &&
	test_expect_code 2 tk -x ls 2>err &&
	test_grep "^Try .tk --help. for more\.$" err &&
	test_expect_code 2 tk -d 2>err &&
	test_grep "requires an argument" err &&
	test_expect_code 2 tk -d elsewhere 2>err &&
	test_grep "^usage: tk " err
'

test_expect_success 'tk --version' '
	tk --version >out &&
	grep "^tk [0-9][0-9.]*$" out &&
	tk -V >out2 &&
	test_cmp out out2
'

test_expect_success 'tk -d DIR NAME runs tk-NAME -d DIR, in every spelling' '
	tk-new -q -d other -s "in the other store" &&
	test ! -e "$TK_DIR" &&
	echo "in the other store" >expect &&
	tk -d other ls -o subject >out && test_cmp expect out &&
	tk --dir other ls -o subject >out && test_cmp expect out &&
	tk --dir=other ls -o subject >out && test_cmp expect out &&
	tk -dother ls -o subject >out && test_cmp expect out &&
	test_expect_code 4 tk ls 2>err &&
	test ! -e "$TK_DIR"
'

test_expect_success 'tk -d DIR keeps the command'"'"'s own options and operands' '
	tk -d other set -q +seen 1 &&
	tk -d other ls -H -o id,tags >out &&
	printf "#id\ttags\n1\tseen\n" >expect &&
	test_cmp expect out &&
	tk -d other set -q -- -seen 1 &&
	tk -d other ls -o tags >out &&
	echo >expect &&
	test_cmp expect out
'

# Another command on PATH: tk runs it, lists it and suggests it.
mkdir ext
printf '#!/bin/sh\necho "frob: $*"\n' >ext/tk-frob
printf '#!/bin/sh\necho never\n' >ext/tk-noexec
chmod +x ext/tk-frob

test_expect_success 'tk runs any tk-NAME on PATH, with -d passed on' '
	env PATH="$PWD/ext:$PATH" tk -d other frob a "b c" >out &&
	echo "frob: -d other a b c" >expect &&
	test_cmp expect out
'

test_expect_success 'tk --help lists other tk-NAME commands found; typos suggest them; one not executable is exit 4' '
	env PATH="$PWD/ext:$PATH" tk --help >out &&
	sed -n "/^Other commands/,/^\$/p" out >found &&
	printf "Other commands found beside tk or on PATH:\n  frob\n\n" >expect &&
	test_cmp expect found &&
	test_expect_code 2 env PATH="$PWD/ext:$PATH" tk frbo 2>err &&
	echo "tk: frbo: no such command; did you mean frob?" >expect &&
	test_cmp expect err &&
	test_expect_code 4 env PATH="$PWD/ext:$PATH" tk noexec 2>err &&
	echo "tk: tk-noexec: Permission denied" >expect &&
	test_cmp expect err
'

test_expect_success 'tk: a known command that is not installed is exit 4' '
	mkdir lonely &&
	cp "$TK_BIN/tk" lonely/ &&
	test_expect_code 4 env PATH="$PWD/lonely" lonely/tk ls 2>err &&
	echo "tk: ls: tk-ls is neither beside tk nor on PATH" >expect &&
	test_cmp expect err
'

test_done
