#!/bin/sh
# make demo's tour: it runs, and every "$ " line it shows is exactly the
# command that ran: the shown lines, run on their own on a fresh store,
# print the same transcript. (Each step is one line.)
. "$(dirname "$0")/lib.sh"
top=$(cd "$TEST_DIR/.." && pwd)

if ! [ -x "$top/bin/tk-new" ]; then
	test_skip 'the demo runs and shows the commands it runs' "the demo runs $top/bin, not built (make)"
	test_done
	exit
fi

test_expect_success 'the demo runs' '
	TK_DEMO_DIR=$trash/demo sh "$top/examples/demo.sh" >demo.out 2>demo.err &&
	sed -n "s/^\\$ //p" demo.out >labels &&
	test "$(wc -l <labels)" -ge 15
'

test_expect_success 'every step shows exactly the command it runs' '
	rm -rf demo &&
	{
		echo "tk demo: a store in TK_DIR=$trash/demo"
		while IFS= read -r l; do
			printf "\\n\$ %s\\n" "$l"
			(cd "$top" && PATH=$top/bin:$PATH TK_DIR=$trash/demo sh -c "set -eu; $l") </dev/null
		done <labels
		printf "\\nThe store is in %s; try: TK_DIR=%s tk-ls --table\\n" "$trash/demo" "$trash/demo"
	} >replay.out 2>replay.err &&
	test_cmp demo.out replay.out &&
	test_cmp demo.err replay.err
'

test_done
