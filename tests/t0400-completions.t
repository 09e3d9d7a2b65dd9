#!/bin/sh
# Completions, run: completions/tk.bash is called as bash calls it (COMP_WORDS
# split as bash splits them), with bash-completion loaded and without; then
# bash and zsh are driven in a terminal, fish through complete -C.
. "$(dirname "$0")/lib.sh"
comp=$(cd "$TEST_DIR/../completions" && pwd)
bc=/usr/share/bash-completion/bash_completion
mkdir home
HOME=$trash/home
export HOME

# complete.bash LINE WORD...: what tk.bash puts in COMPREPLY, one a line,
# for LINE with the cursor at its end, that bash split into WORD... With the
# default COMP_WORDBREAKS bash splits at = and : (tk-ls status=op is the
# words tk-ls, status, =, op, and the cursor is in op). $BC, when set, is
# sourced first; $CWORD and $POINT put the cursor elsewhere; $NOBREAK takes
# = and : out of COMP_WORDBREAKS. "complete.bash --options CMD" prints
# CMD's option table.
cat >complete.bash <<'EOF'
set -u
[ -n "${BC:-}" ] && . "$BC"
. "$COMP/tk.bash"
if [ "$1" = --options ]; then
	_tk_options "$2" | tr ' ' '\n'
	exit
fi
[ -n "${NOBREAK:-}" ] && COMP_WORDBREAKS=${COMP_WORDBREAKS//[=:]/}
COMP_LINE=$1 COMP_POINT=${POINT:-${#1}}
shift
COMP_WORDS=("$@")
COMP_CWORD=${CWORD:-$(($# - 1))}
_tk_complete "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]:-}"
[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
EOF
COMP=$comp
export COMP

# offers EXPECTED LINE WORD...: COMPREPLY holds the words of EXPECTED.
offers() {
	printf '%s\n' $1 | sed '/^$/d' >expect
	shift
	bash complete.bash "$@" >actual 2>err &&
	test_cmp expect actual && test_empty err
}

# The options each command's source takes (its longopts table and getopt
# string; -V is --version's internal letter), as "--name" or "--name=" when
# it takes an argument, one a line, sorted.
source_options() {
	src=$TEST_DIR/../cmd/$1.c
	{
		sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", required_argument.*/--\1=/p; s/^[[:space:]]*{ "\([a-z-]*\)", no_argument.*/--\1/p' "$src"
		grep -q TK_COMMON_LONGOPTS "$src" && printf '%s\n' --help --version
		sed -n 's/.*getopt_long([^"]*"\([^"]*\)".*/\1/p' "$src" | sed 's/\([A-Za-z]\)\(:*\)/-\1\2\n/g' | sed 's/:$/=/;/^-V$/d;/^$/d'
	} | sort -u
}

# Options landing in parallel with these completions (issue 22): offered
# already, and in the sources once they land.
landing() {
	case $1 in
	tk-show) printf '%s\n' --json ;;
	tk-log) printf '%s\n' -t --tsv --table ;;
	tk-import) printf '%s\n' --new-fields ;;
	esac
}

test_expect_success 'setup: a store with queues, tags, a declared custom field' '
	mkdir -p "$TK_DIR" && echo "field product" >"$TK_DIR/fields" &&
	tk-new -q -s one -r bob@example.com queue=desk +vip category="Hardware issue" product=X200 &&
	tk-new -q -s two -r carol@example.com queue=it:desk &&
	tk-new -q -s three -r dave@example.com queue=net &&
	tk-set -q status=resolved 3 &&
	tk-org -q add acme domains=acme.example &&
	mkdir other && echo "field region" >other/fields &&
	tk-new -q -d other -s four queue=other &&
	mkdir wf && printf "field product enum X100 X200 x-100=X100 # the models\n  indexed\nfield seats int 1..\n" >wf/fields &&
	printf "status new open\nstatus triage open\nstatus done resolved # finished\ntype incident change\n" >wf/workflow &&
	tk-new -q -d wf -s five seats=2
'

for mode in plain bash-completion; do
	if [ $mode = bash-completion ]; then
		if ! [ -r "$bc" ]; then
			test_skip 'bash: the same cases with bash-completion loaded' \
				"bash-completion is not installed ($bc; make deps installs it)"
			continue
		fi
		BC=$bc
		export BC
	fi

	test_expect_success "bash ($mode): each command offers the options of its source" '
		for c in tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export tk-link tk-mail tk-kb tk-config tk-notify tk-contact tk-org tk-sla; do
			source_options $c >src &&
			bash complete.bash --options $c | sort >offered &&
			{ cat src; landing $c; } | sort -u >expect &&
			test_cmp expect offered || exit 1
		done
	'

	test_expect_success "bash ($mode): tk-new --<TAB> offers its long options" '
		offers "--subject --requester --priority --message --batch --atomic --lookup --quiet --route --dir --help --version" \
			"tk-new --" tk-new --
	'

	test_expect_success "bash ($mode): tk-ls -<TAB> offers its options" '
		offers "-a --all -H --header -t --tsv --table --json -o --output -s --sort -n --limit --explain -d --dir -h --help --version" \
			"tk-ls -" tk-ls -
	'

	test_expect_success "bash ($mode): tk-new -s is the subject: no field names; tk-ls -s sorts" '
		offers "" "tk-new -s " tk-new -s "" &&
		offers "" "tk-new --subject " tk-new --subject "" &&
		offers "created" "tk-ls -s cre" tk-ls -s cre &&
		offers "id,-created" "tk-ls -s id,-cre" tk-ls -s id,-cre &&
		offers "created" "tk-ls -as cre" tk-ls -as cre
	'

	test_expect_success "bash ($mode): tk-link: ids, relations, its options" '
		offers "1 2" "tk-link 1 relates " tk-link 1 relates "" &&
		offers "parent-of" "tk-link 1 par" tk-link 1 par &&
		offers "duplicate-of" "tk-link 1 d" tk-link 1 d &&
		offers "into" "tk-link --merge 2 i" tk-link --merge 2 i &&
		offers "--merge --message" "tk-link --me" tk-link --me
	'

	test_expect_success "bash ($mode): an option argument is no option: tk-new -m -s <TAB>" '
		offers "status= subject=" "tk-new -m -s s" tk-new -m -s s
	'

	test_expect_success "bash ($mode): field names, custom ones from the store fields file" '
		offers "status= subject= sla_due=" "tk-ls s" tk-ls s &&
		offers "status=" "tk-ls sta" tk-ls sta &&
		offers "requester= requester_name=" "tk-ls requ" tk-ls requ &&
		offers "product=" "tk-ls pro" tk-ls pro &&
		offers "" "tk-ls reg" tk-ls reg &&
		offers "region=" "tk-ls -d other reg" tk-ls -d other reg &&
		offers "region=" "tk-ls --dir=other reg" tk-ls --dir = other reg &&
		offers "region=" "tk -d other ls reg" tk -d other ls reg &&
		CWORD=1 POINT=9 bash complete.bash "tk-ls reg -d other" tk-ls reg -d other >actual &&
		echo region= >expect && test_cmp expect actual &&
		TK_DIR=$trash/other bash complete.bash "tk-ls reg" tk-ls reg >actual && echo region= >expect && test_cmp expect actual
	'

	test_expect_success "bash ($mode): tk-set and tk-new offer no read-only field" '
		offers "" "tk-set 1 upd" tk-set 1 upd &&
		offers "updated=" "tk-ls upd" tk-ls upd &&
		offers "age=" "tk-ls ag" tk-ls ag &&
		offers "" "tk-new ag" tk-new ag
	'

	test_expect_success "bash ($mode): status=<TAB>, split at = as bash splits it" '
		offers "new open pending resolved closed" "tk-ls status=" tk-ls status = &&
		offers "open" "tk-ls status=op" tk-ls status = op &&
		offers "open,pending" "tk-ls status=open,p" tk-ls status = open,p &&
		offers "P1 P2 P3 P4" "tk-new priority=" tk-new priority = &&
		offers "email" "tk-set channel=e" tk-set channel = e
	'

	test_expect_success "bash ($mode): status!=<TAB> and status~<TAB>" '
		offers "new open pending resolved closed" "tk-ls status!=" tk-ls status! = &&
		offers "pending" "tk-ls status!=pe" tk-ls status! = pe &&
		offers "status~resolved" "tk-ls status~re" tk-ls status~re &&
		offers "" "tk-set status!=" tk-set status! =
	'

	test_expect_success "bash ($mode): queue=<TAB> offers the store values, every status" '
		offers "desk it:desk net" "tk-ls queue=" tk-ls queue = &&
		offers "net" "tk-ls queue=n" tk-ls queue = n &&
		offers "other" "tk-ls -d other queue=" tk-ls -d other queue = &&
		offers "X200" "tk-set product=" tk-set product =
	'

	test_expect_success "bash ($mode): a value with a colon (COMP_WORDBREAKS has :)" '
		offers "desk" "tk-ls queue=it:d" tk-ls queue = it : d &&
		offers "desk" "tk-ls queue=it:" tk-ls queue = it : &&
		offers "it:desk" "tk-ls queue=i" tk-ls queue = i
	'

	test_expect_success "bash ($mode): a value with a space is quoted" '
		printf "%s\\n" "Hardware\\ issue" >expect &&
		bash complete.bash "tk-ls category=H" tk-ls category = H >actual &&
		test_cmp expect actual &&
		bash complete.bash "tk-ls category=Hardware\\ i" tk-ls category = "Hardware\\ i" >actual &&
		test_cmp expect actual
	'

	test_expect_success "bash ($mode): tags after + and after a tk-set -, requesters after -r" '
		offers "+vip" "tk-new +" tk-new + &&
		offers "-vip" "tk-set -v" tk-set -v &&
		offers "bob@example.com" "tk-new -r b" tk-new -r b &&
		offers "carol@example.com" "tk-comment -f c" tk-comment -f c
	'

	test_expect_success "bash ($mode): columns and option arguments" '
		offers "id,status" "tk-ls -o id,sta" tk-ls -o id,sta &&
		offers "id,status" "tk-ls --output=id,sta" tk-ls --output = id,sta &&
		offers "-oid,status" "tk-ls -oid,sta" tk-ls -oid,sta &&
		offers "P1 P2 P3 P4" "tk-new -p " tk-new -p "" &&
		offers "json" "tk-export --format j" tk-export --format j &&
		offers "json" "tk-import --format j" tk-import --format j &&
		offers "comments,history" "tk-export --with comments,h" tk-export --with comments,h &&
		offers "zendesk" "tk-import --preset z" tk-import --preset z &&
		offers "other" "tk-ls -d ot" tk-ls -d ot
	'

	test_expect_success "bash ($mode): ticket ids of the default view" '
		offers "1 2" "tk-show " tk-show "" &&
		offers "1 2" "tk-comment -i " tk-comment -i "" &&
		offers "1 2" "tk-set status=open " tk-set status = open "" &&
		offers "1 2" "tk-log " tk-log "" &&
		offers "1" "tk-show --dir other " tk-show --dir other ""
	'

	test_expect_success "bash ($mode): tk NAME: command names, then the command's completion" '
		offers "agent assign comment config contact export help import kb link log ls mail new notify org route set show sla" "tk " tk "" &&
		offers "set show sla" "tk s" tk s &&
		offers "set show" "tk contact s" tk contact s &&
		offers "show" "tk help sh" tk help sh &&
		offers "--dir --help --version" "tk --" tk -- &&
		offers "new open pending resolved closed" "tk ls status=" tk ls status = &&
		offers "open" "tk ls status!=op" tk ls status! = op &&
		offers "1 2" "tk show " tk show "" &&
		offers "--all" "tk ls --al" tk ls --al &&
		offers "other" "tk -d other ls queue=" tk -d other ls queue = &&
		offers "" "tk new -s " tk new -s ""
	'

	test_expect_success "bash ($mode): tk-contact and tk-org: verbs, contacts, orgs, tiers, fields" '
		offers "set show" "tk-contact s" tk-contact s &&
		offers "backfill" "tk-contact -q ba" tk-contact -q ba &&
		offers "merge" "tk-contact -q mer" tk-contact -q mer &&
		offers "bob@example.com" "tk-contact show b" tk-contact show b &&
		offers "into" "tk-contact merge bob@example.com i" tk-contact merge bob@example.com i &&
		offers "tier=" "tk-contact set bob@example.com ti" tk-contact set bob@example.com ti &&
		offers "vip" "tk-contact set bob@example.com tier=v" tk-contact set bob@example.com tier = v &&
		offers "acme" "tk-org show a" tk-org show a &&
		offers "domains= domain=" "tk-org set acme dom" tk-org set acme dom &&
		offers "acme" "tk-ls org=" tk-ls org = &&
		offers "vip gold standard" "tk-ls tier=" tk-ls tier = &&
		offers "salesforce" "tk-contact --preset s" tk-contact --preset s &&
		offers "tickets" "tk-contact -o tick" tk-contact -o tick
	'

	test_expect_success "bash ($mode): statuses and types of the workflow file, an enum's values" '
		offers "new triage done" "tk-ls -d wf status=" tk-ls -d wf status = &&
		offers "triage" "tk-set -d wf status=t" tk-set -d wf status = t &&
		offers "incident change" "tk-new -d wf type=" tk-new -d wf type = &&
		offers "X100 X200" "tk-set -d wf product=" tk-set -d wf product = &&
		offers "X200" "tk-ls -d wf product=X2" tk-ls -d wf product = X2 &&
		offers "2" "tk-ls -d wf seats=" tk-ls -d wf seats = &&
		offers "nps=" "tk-set np" tk-set np
	'

	test_expect_success "bash ($mode): tk-config: its verbs, then its options" '
		offers "check apply" "tk-config " tk-config "" &&
		offers "check" "tk-config ch" tk-config ch &&
		offers "" "tk-config check " tk-config check "" &&
		offers "--tickets --tsv --table" "tk-config check --t" tk-config check --t &&
		offers "check apply" "tk config " tk config ""
	'

	test_expect_success "bash ($mode): no store: no values, nothing said, nothing made" '
		TK_DIR=$trash/none bash complete.bash "tk-ls queue=" tk-ls queue = >actual 2>err &&
		test_empty actual && test_empty err &&
		TK_DIR=$trash/none bash complete.bash "tk-show " tk-show "" >actual 2>err &&
		test_empty actual && test_empty err && test ! -e none &&
		TK_DIR=$trash/none bash complete.bash "tk-ls sta" tk-ls sta >actual &&
		echo status= >expect && test_cmp expect actual
	'

	test_expect_success "bash ($mode): COMP_WORDBREAKS without = and :: whole words" '
		NOBREAK=1 bash complete.bash "tk-ls status=op" tk-ls status=op >actual &&
		echo status=open >expect && test_cmp expect actual &&
		NOBREAK=1 bash complete.bash "tk-ls queue=it:d" tk-ls queue=it:d >actual &&
		echo queue=it:desk >expect && test_cmp expect actual
	'
done

# The same in a terminal: the line each typed LINE followed by TAB and @
# becomes (@ shows what TAB left after the word: a space, a / or nothing),
# one a line, between < and >; run by zsh's zpty with $TTY_SHELL.
cat >tty.zsh <<'EOF'
zmodload zsh/zpty || exit 1
setup=$1
shift
zpty -b t ${=TTY_SHELL}
zpty -w t "$setup"
zpty -w t 'echo SETUP""DONE'
zpty -r t out '*SETUPDONE*' || exit 1
for l in "$@"; do
	zpty -n -w t "$l"$'\t'
	zpty -n -w t $'@\x01echo \'LI\'\'NE< \x05>\'\n'
	zpty -r t out '*LINE< *>*' || exit 1
	print -r -- "<${${out##*LINE< }%%>*}>"
done
zpty -d t
EOF

# typed SHELL SETUP: the lines below, completed in SHELL.
typed() {
	TTY_SHELL=$1 timeout 60 zsh -f tty.zsh "PS1='$ '; $2" \
		'tk-ls status=pen' 'tk-ls status!=op' 'tk ls status=res' 'tk-ls queue=i' \
		'tk-ls queue=it:d' 'tk-ls sta' 'tk-ls --output=id,sta' 'tk-new -s ' \
		'tk-ls category=H' 'tk-show 2' 'tk-ls -d oth' 'tk-ls pro' 'tk-contact backf' >actual
}
cat >expect.tty <<'EOF'
<tk-ls status=pending @>
<tk-ls status!=open @>
<tk ls status=resolved @>
<tk-ls queue=it:desk @>
<tk-ls queue=it:desk @>
<tk-ls status=@>
<tk-ls --output=id,status @>
<tk-new -s @>
<tk-ls category=Hardware\ issue @>
<tk-show 2 @>
<tk-ls -d other/@>
<tk-ls product=@>
<tk-contact backfill @>
EOF

if ! command -v zsh >/dev/null; then
	test_skip 'bash in a terminal' 'zsh (its zpty drives the terminal) is not installed (make deps installs it)'
	test_skip 'zsh in a terminal' 'zsh is not installed (make deps installs it)'
	test_skip 'zsh -n completions/_tk' 'zsh is not installed (make deps installs it)'
else
	test_expect_success 'bash in a terminal: what TAB leaves on the line' '
		typed "bash --norc --noprofile -i" ". $comp/tk.bash" &&
		test_cmp expect.tty actual
	'
	if [ -r "$bc" ]; then
		test_expect_success 'bash with bash-completion in a terminal: the same' '
			typed "bash --norc --noprofile -i" ". $bc; . $comp/tk.bash" &&
			test_cmp expect.tty actual
		'
	else
		test_skip 'bash with bash-completion in a terminal' "bash-completion is not installed ($bc)"
	fi
	test_expect_success 'zsh -n completions/_tk' '
		zsh -n "$comp/_tk"
	'
	# zsh leaves the , after a column, to be taken back by the next key
	# but a letter.
	test_expect_success 'zsh in a terminal: what TAB leaves on the line' '
		typed "zsh -f -i" "bindkey -e; fpath=($comp \$fpath); autoload -Uz compinit; compinit -u -D" &&
		sed "s/id,status @/id,status,@/" expect.tty >expect && test_cmp expect actual
	'
fi

# fish: complete -C prints the completions of a line, then a TAB and a
# description.
fish_offers() {
	printf '%s\n' $1 | sed '/^$/d' >expect
	fish -c "source $comp/tk.fish; complete -C '$2'" </dev/null 2>err | cut -f1 >actual &&
	test_cmp expect actual && test_empty err
}
if ! command -v fish >/dev/null; then
	test_skip 'fish -n completions/tk.fish' 'fish is not installed (make deps installs it)'
	test_skip 'fish completes options, fields, values, ids' 'fish is not installed (make deps installs it)'
else
	test_expect_success 'fish -n completions/tk.fish' '
		fish -n "$comp/tk.fish"
	'
	test_expect_success 'fish completes options, fields, values, ids' '
		fish_offers "--atomic --batch --dir --help --lookup --message --priority --quiet --requester --route --subject --version" "tk-new --" &&
		fish_offers "set show" "tk-contact s" &&
		fish_offers "backfill" "tk-contact ba" &&
		fish_offers "acme" "tk-org show a" &&
		fish_offers "tier=vip" "tk-contact set bob@example.com tier=v" &&
		fish_offers "" "tk-new -s " &&
		fish_offers "status=" "tk-ls sta" &&
		fish_offers "product=" "tk-ls pro" &&
		fish_offers "region=" "tk-ls -d other reg" &&
		fish_offers "status=closed status=new status=open status=pending status=resolved" "tk-ls status=" &&
		fish_offers "status!=open" "tk-ls status!=op" &&
		fish_offers "queue=desk queue=it:desk queue=net" "tk-ls queue=" &&
		fish_offers "id,status" "tk-ls -o id,sta" &&
		fish_offers "-created" "tk-ls -s -cre" &&
		fish_offers "+vip" "tk-set 1 +" &&
		fish_offers "1 2" "tk-show " &&
		fish_offers "parent-of" "tk-link 1 par" &&
		fish_offers "agent assign comment config contact export help import kb link log ls mail new notify org route set show sla" "tk " &&
		fish_offers "status=done status=new status=triage" "tk-ls -d wf status=" &&
		fish_offers "product=X100 product=X200" "tk-set -d wf product=" &&
		fish_offers "type=change type=incident" "tk-new -d wf type=" &&
		fish_offers "apply check" "tk-config " &&
		fish_offers "status=closed status=new status=open status=pending status=resolved" "tk ls status=" &&
		fish_offers "queue=other" "tk -d other ls queue=o"
	'
fi

test_done
