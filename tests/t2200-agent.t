#!/bin/sh
# tk-agent: agents and teams, their fields in the assignment language, the
# load each keeps in step with every ticket write, bad input, rm, the
# events about them in tk-log, assignee=me, completions.
. "$(dirname "$0")/lib.sh"
me=$(id -un)

# store_dump: every sub-database of the store, to compare before and after.
store_dump() {
	mdb_dump -a "$TK_DIR" >"$1"
}

# loads_counted: each assignee's open tickets, counted by tk-ls, as
# "login<TAB>count" for the agents of tk-agent ls.
loads_counted() {
	tk-ls -t -o assignee | sort | uniq -c | awk '$2 != "" { print $2 "\t" $1 }' >counted &&
	tk-agent ls -t -o login | while read -r l; do
		c=$(awk -F '\t' -v l="$l" '$1 == l { print $2 }' counted)
		printf '%s\t%s\n' "$l" "${c:-0}"
	done
}

test_expect_success 'add: fields in the assignment language, defaults, sets sorted, address bare' '
	tk-agent add alice name="Alice Wang" email="Alice <ALICE@Corp.example>" teams=l1 skills=zh,network,vpn,vpn capacity=20 >out &&
	printf "alice\tAlice Wang\talice@corp.example\tl1\tnetwork,vpn,zh\t20\tagent\ton\t0\n" >expect &&
	test_cmp expect out &&
	tk-agent -q add bob teams=l1,l2 role=lead &&
	tk-agent -q add carol team=l2 capacity=2 &&
	tk-agent ls >out &&
	printf "alice\tAlice Wang\talice@corp.example\tl1\tnetwork,vpn,zh\t20\tagent\ton\t0\n" >expect &&
	printf "bob\t\t\tl1,l2\t\t\tlead\ton\t0\n" >>expect &&
	printf "carol\t\t\tl2\t\t2\tagent\ton\t0\n" >>expect &&
	test_cmp expect out
'

test_expect_success 'ls: -H, -o, --json (numbers for capacity and load)' '
	tk-agent ls -H -o login,role >out &&
	printf "#login\trole\nalice\tagent\nbob\tlead\ncarol\tagent\n" >expect && test_cmp expect out &&
	tk-agent ls --json login=carol >out &&
	echo "{\"login\":\"carol\",\"name\":null,\"email\":null,\"teams\":\"l2\",\"skills\":null,\"capacity\":2,\"role\":\"agent\",\"duty\":\"on\",\"load\":0}" >expect &&
	test_cmp expect out
'

test_expect_success 'set: +skill, -skill, a team alias, duty off; filters on these fields' '
	tk-agent -q set bob +skill=printer +skills=vpn duty=off &&
	tk-agent -q set bob -skill=vpn -team=l2 &&
	tk-agent ls -o login,teams,skills,duty login=bob >out &&
	printf "bob\tl1\tprinter\toff\n" >expect && test_cmp expect out &&
	tk-agent ls -o login team=l1 duty=on >out && echo alice >expect && test_cmp expect out &&
	tk-agent ls -o login skill=vpn,printer >out && printf "alice\nbob\n" >expect && test_cmp expect out &&
	tk-agent ls -o login "capacity<10" >out && echo carol >expect && test_cmp expect out &&
	tk-agent ls -o login "name~(?i)wang" >out && echo alice >expect && test_cmp expect out &&
	tk-agent ls -o login skills= >out && echo carol >expect && test_cmp expect out &&
	test_expect_code 1 tk-agent ls role=admin
'

test_expect_success 'team: queues owned, agents and leads from the agents; a queue of another team refused' '
	tk-agent team l1 queues=desk,hw >out &&
	printf "l1\tdesk,hw\talice,bob\tbob\n" >expect && test_cmp expect out &&
	tk-agent -q team l2 +queue=net &&
	tk-agent team >out &&
	printf "l1\tdesk,hw\talice,bob\tbob\nl2\tnet\tcarol\t\n" >expect && test_cmp expect out &&
	store_dump before &&
	test_expect_code 3 tk-agent team l2 +queue=desk 2>err &&
	test_grep "queue desk belongs to team l1" err &&
	store_dump after && test_cmp before after
'

test_expect_success 'bad input: exit 2, the input named, the nearest suggested, nothing written' '
	store_dump before &&
	test_expect_code 2 tk-agent add dave capacity=abc 2>err &&
	test_grep "capacity=abc: capacity is a whole number" err &&
	test_expect_code 2 tk-agent add dave capacity=-1 2>err &&
	test_expect_code 2 tk-agent add dave capacity=1.5 2>err &&
	test_expect_code 2 tk-agent set alice capacity=twenty 2>err &&
	test_expect_code 2 tk-agent add dave role=boss 2>err && test_grep "role=boss: a role is agent, lead or admin" err &&
	test_expect_code 2 tk-agent add dave duty=maybe 2>err && test_grep "duty is on or off" err &&
	test_expect_code 2 tk-agent add dave skils=vpn 2>err && test_grep "no field skils; did you mean skills?" err &&
	test_expect_code 2 tk-agent add dave email=nobody 2>err && test_grep "email=nobody: not a mail address" err &&
	test_expect_code 2 tk-agent add 1dave 2>err && test_grep "1dave: not a login" err &&
	test_expect_code 2 tk-agent set alise duty=off 2>err &&
	echo "tk-agent: no agent alise; did you mean alice?" >expect && test_cmp expect err &&
	test_expect_code 2 tk-agent show zed 2>err && test_grep "no agent zed" err &&
	test_expect_code 2 tk-agent rm alise 2>err && test_grep "did you mean alice" err &&
	test_expect_code 2 tk-agent ls team=l3 2>err && test_grep "team=l3: no team l3; did you mean l1?" err &&
	test_expect_code 2 tk-agent ls duyt=on 2>err && test_grep "did you mean duty" err &&
	test_expect_code 2 tk-agent set alice 2>err && test_grep "nothing to set" err &&
	test_expect_code 2 tk-agent frob 2>err && test_grep "frob: no such verb" err &&
	test_expect_code 2 tk-agent -o login,lod ls 2>err && test_grep "no column lod; did you mean load?" err &&
	test_expect_code 3 tk-agent add alice 2>err && test_grep "agent alice exists" err &&
	store_dump after && test_cmp before after
'

test_expect_success 'load: kept in step by tk-new, tk-set, status changes, tk-new -b' '
	tk-new -q -s one assignee=alice queue=desk &&
	tk-new -q -s two assignee=alice status=open &&
	tk-new -q -s three assignee=carol &&
	tk-new -q -s four &&
	printf "subject\tassignee\tstatus\n" >batch &&
	for i in 1 2 3 4 5 6 7 8 9 10; do printf "b%s\tbob\tnew\nc%s\talice\tclosed\nd%s\tcarol\tpending\n" $i $i $i; done >>batch &&
	tk-new -q -b <batch &&
	tk-agent ls -o login,load >out &&
	printf "alice\t2\nbob\t10\ncarol\t11\n" >expect && test_cmp expect out &&
	loads_counted >counts && test_cmp expect counts &&
	tk-set -q status=resolved 1 && tk-set -q assignee=bob 2 && tk-set -q assignee= 3 && tk-set -q assignee=alice 4 &&
	tk-set -q status=open 1 && tk-ls -o id assignee=carol | head -3 | tk-set -q status=closed &&
	tk-agent ls -o login,load >out &&
	printf "alice\t2\nbob\t11\ncarol\t7\n" >expect && test_cmp expect out &&
	loads_counted >counts && test_cmp expect counts
'

test_expect_success 'show: the profile, then the open tickets by status' '
	tk-agent show alice >out &&
	test_grep "^Agent alice: Alice Wang$" out &&
	test_grep "^capacity  *20$" out &&
	test_grep "^load  *2$" out &&
	sed -n "/^--- new/,\$p" out >tickets &&
	printf -- "--- new (1)\n4\tnew\tP3\t\talice\tfour\n\n--- open (1)\n1\topen\tP3\tdesk\talice\tone\n" >expect &&
	test_cmp expect tickets
'

test_expect_success 'rm: refused with open tickets (nothing written); --reassign gives them away' '
	store_dump before &&
	test_expect_code 3 tk-agent rm alice 2>err &&
	test_grep "agent alice has 2 open tickets: --reassign LOGIN" err &&
	store_dump after && test_cmp before after &&
	test_expect_code 2 tk-agent rm --reassign zed alice 2>err && test_grep "no agent zed" err &&
	store_dump after && test_cmp before after &&
	tk-agent rm --reassign carol alice 2>err &&
	test_grep "2 open tickets of alice given to carol" err &&
	tk-ls -o id,assignee id=1,4 >out && printf "1\tcarol\n4\tcarol\n" >expect && test_cmp expect out &&
	test_expect_code 1 tk-agent ls login=alice &&
	tk-log 1 | tail -n 1 | cut -f4-6,8 >out && printf "assignee\talice\tcarol\tassign:reassign\n" >expect &&
	test_cmp expect out &&
	tk-agent add -q dave && tk-agent rm dave && test_expect_code 1 tk-agent ls login=dave
'

test_expect_success 'tk-log: the events about agents and teams under their keys, via cli' '
	tk-log agent:bob >out &&
	cut -f1,4-6,8 out >got &&
	printf "agent:bob\tcreate\t\tteams=l1,l2\\\\trole=lead\\\\tduty=on\tcli\n" >expect &&
	printf "agent:bob\tskills\t\tprinter,vpn\tcli\n" >>expect &&
	printf "agent:bob\tduty\ton\toff\tcli\n" >>expect &&
	printf "agent:bob\tteams\tl1,l2\tl1\tcli\n" >>expect &&
	printf "agent:bob\tskills\tprinter,vpn\tprinter\tcli\n" >>expect &&
	test_cmp expect got &&
	tk-log agent:alice | tail -n 1 | cut -f1,4 >out && printf "agent:alice\trm\n" >expect && test_cmp expect out &&
	tk-log team:l1 | cut -f1,4-6 >out &&
	printf "team:l1\tcreate\t\t\nteam:l1\tqueues\t\tdesk,hw\n" >expect && test_cmp expect out &&
	tk-log --json agent:dave | head -n 1 | grep "^{\"id\":\"agent:dave\"," &&
	test "$(tk-log | awk -F "\t" "\$1 == \"0\"" | wc -l)" -eq 0 &&
	mdb_stat -s log_ticket "$TK_DIR" >stat && ! grep -q "Entries: 0$" stat &&
	tk-ls -t -a -o id | wc -l >n && test "$(cat n)" -eq 34
'

test_expect_success 'assignee=me: the Unix user, an agent or not' '
	tk-new -q -s mine assignee="$me" &&
	tk-ls -o subject assignee=me >out && echo mine >expect && test_cmp expect out &&
	tk-agent -q add "$me" && tk-agent ls -o login login=me >out && echo "$me" >expect && test_cmp expect out &&
	tk-agent ls -o load login=me >out && echo 1 >expect && test_cmp expect out &&
	test_expect_code 1 tk-ls -o subject assignee!=me,carol,bob assignee!=
'

test_expect_success 'a schema 7 store opened by a reader: the agents sub-databases are there' '
	for db in agents teams agent_load rr_cursor log_key; do
		mdb_stat -s $db "$TK_DIR" >/dev/null || exit 1
	done
'

# Completions: bash as bash calls it (COMP_WORDS split at = as bash does).
cat >complete.bash <<'EOF'
set -u
. "$COMP/tk.bash"
COMP_LINE=$1 COMP_POINT=${#1}
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
_tk_complete "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]:-}"
[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
EOF
COMP=$TEST_DIR/../completions
export COMP
offers() {
	printf '%s\n' $1 | sed '/^$/d' >expect
	shift
	bash complete.bash "$@" >actual 2>err && test_cmp expect actual && test_empty err
}

test_expect_success 'bash completes verbs, logins and team names from the store' '
	offers "add set rm ls show team" "tk-agent " tk-agent "" &&
	bash complete.bash "tk-agent show " tk-agent show "" | sort >actual &&
	printf "%s\n" bob carol "$me" me | sort >expect && test_cmp expect actual &&
	offers "on off" "tk-agent set bob duty=" tk-agent set bob duty = "" &&
	offers "l1 l2" "tk-agent ls team=" tk-agent ls team = "" &&
	offers "l1 l2" "tk-agent team " tk-agent team "" &&
	offers "carol" "tk agent rm c" tk agent rm c
'

if command -v fish >/dev/null; then
	test_expect_success 'fish completes verbs and logins from the store' '
		fish -c "source $COMP/tk.fish; complete -C \"tk-agent set \"" </dev/null | cut -f1 | sort >actual &&
		printf "%s\n" bob carol "$me" me | sort >expect && test_cmp expect actual &&
		fish -c "source $COMP/tk.fish; complete -C \"tk-agent \"" </dev/null | cut -f1 >actual &&
		printf "%s\n" add ls rm set show team >expect && test_cmp expect actual
	'
else
	test_skip 'fish completes verbs and logins from the store' 'fish is not installed (make deps installs it)'
fi

test_expect_success 'mentions name agents: the longest login, name or address after @; an unknown one warns and adds nobody' '
	tk-new -q -d mt -s x &&
	tk-agent -d mt -q add bob name="Bob Stone" &&
	tk-agent -d mt -q add wang.lei name=王磊 email=wl@corp.example &&
	tk-agent -d mt -q add wangwu name=王五 &&
	tk-comment -d mt -q -i -m "@bob can you check? @王磊 too; 请@王五处理, @bobby and @Bob Stone, @wl@corp.example" 1 2>err &&
	test_grep "@bobby: no agent of that name; nobody added" err &&
	tk-ls -d mt -o watchers >out && echo bob,wang.lei,wangwu >expect && test_cmp expect out &&
	tk-log -d mt 1 | awk -F "\t" "\$4 == \"mention\" { print \$6 }" >out &&
	printf "bob\nwang.lei\nwangwu\n" >expect && test_cmp expect out
'

test_done
