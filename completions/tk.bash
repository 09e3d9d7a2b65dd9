# bash completion for tk and the tk-NAME commands.
# Install as tk and as a link per command in bash-completion's completions
# directory (make install does), or source it from ~/.bashrc; it works with
# or without the bash-completion package.
#
# What is completed: each command's options (kept in step with the longopts
# tables of cmd/tk-*.c), option arguments, field names (built in, and the
# custom ones the store's "fields" file declares), values after field=,
# field!=, field~ (fixed words; the statuses and types of the store's
# "workflow" file, the values of an enum its "fields" file declares; or
# the values the store holds), +tag, ticket ids (the default view of
# tk-ls) for the commands that take them, and tk-config's verbs.

# The fields of lib/ticket.c's tk_fields table, and requester_name.
_tk_fields_all="id created updated status priority type category queue assignee requester requester_name subject channel tags watchers due escalation first_response resolved closed reopens csat parent external_id nps merged_into duplicate_of related contact org tier body age frt comments"
# Those no assignment may set (derived, or kept by tk).
_tk_fields_readonly="id updated age frt comments merged_into duplicate_of related contact org tier"
_tk_commands="new ls show set comment log import export link config"

# _tk_options CMD: CMD's options; a trailing = marks one that takes an argument.
_tk_options() {
	case $1 in
	tk-new) echo "-s= --subject= -r= --requester= -p= --priority= -m= --message= -b --batch --atomic --lookup -q --quiet --route" ;;
	tk-ls) echo "-a --all -H --header -t --tsv --table --json -o= --output= -s= --sort= -n= --limit= --explain" ;;
	tk-show) echo "--no-history --json --attachment= --raw=" ;;
	tk-set) echo "-q --quiet -t --tsv --table --json -o= --output= --atomic" ;;
	tk-comment) echo "-m= --message= --template= --kb= -i --internal -f= --from= -q --quiet -t --tsv --table --json -o= --output=" ;;
	tk-log) echo "--since= --until= --after= -f --follow -H --header -t --tsv --table --json" ;;
	tk-import) echo "-q --quiet -u --update --atomic --strict --new-fields --lookup --route --format= -F= --delimiter= --encoding= --preset= -m= --map= --rejects=" ;;
	tk-export) echo "--format= --bom --excel --with= -o= --output=" ;;
	tk-config) echo "--tickets -H --header -t --tsv --table --json -q --quiet" ;;
	tk-link) echo "--unlink --merge --unmerge --split -s= --subject= -m= --message= -q --quiet -t --tsv --table --json -o= --output=" ;;
	*) return 1 ;;
	esac
	echo "-d= --dir= -h --help --version"
}

# _tk_takes_arg CMD OPT: true when OPT is an option of CMD with an argument.
_tk_takes_arg() {
	local o
	for o in $(_tk_options "$1"); do
		[ "$o" = "$2=" ] && return 0
	done
	return 1
}

# _tk_is_option CMD OPT: true when OPT is an option of CMD.
_tk_is_option() {
	local o
	for o in $(_tk_options "$1"); do
		[ "${o%=}" = "$2" ] && return 0
	done
	return 1
}

# _tk_match PREFIX PARTIAL WORD...: PREFIX+WORD into COMPREPLY for each
# WORD that starts with PARTIAL.
_tk_match() {
	local pre=$1 part=$2 w
	shift 2
	for w; do
		[[ -n $w && $w == "$part"* ]] && COMPREPLY+=("$pre$w")
	done
	return 0
}

# _tk_matchlines PREFIX PARTIAL LINES: _tk_match on the lines of LINES.
_tk_matchlines() {
	local -a all
	mapfile -t all <<<"$3"
	_tk_match "$1" "$2" "${all[@]}"
}

# _tk_store: the store the line being completed names (-d, --dir), else
# $TK_DIR, else the default; with "~/" expanded.
_tk_store() {
	local d=${_tk_dir:-${TK_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/tk}}
	case $d in
	"~") d=$HOME ;;
	"~/"*) d=$HOME/${d#"~/"} ;;
	esac
	printf '%s\n' "$d"
}

# _tk_ls ARG...: tk-ls on the store of the line, quiet on every error: no
# store, no tk-ls, no values.
_tk_ls() {
	type -P tk-ls >/dev/null || return
	if [ -n "$_tk_dir" ]; then
		command tk-ls -d "$(_tk_store)" "$@" 2>/dev/null </dev/null
	else
		command tk-ls "$@" 2>/dev/null </dev/null
	fi
}

# _tk_field_names [writable]: the built-in fields, then the custom ones
# declared by "field NAME" lines of the store's fields file.
_tk_field_names() {
	local f kw name rest
	for f in $_tk_fields_all; do
		[ "${1-}" = writable ] && [[ " $_tk_fields_readonly " == *" $f "* ]] && continue
		printf '%s\n' "$f"
	done
	f=$(_tk_store)/fields
	[ -r "$f" ] || return 0
	while read -r kw name rest; do
		[ "$kw" = field ] && [ -n "$name" ] && printf '%s\n' "${name,,}"
	done <"$f"
	return 0
}

# _tk_dir_cmd CMD ARG...: tk-contact or tk-org on the store of the line,
# quiet on every error.
_tk_dir_cmd() {
	local cmd=$1
	shift
	type -P "$cmd" >/dev/null || return
	if [ -n "$_tk_dir" ]; then
		command "$cmd" -d "$(_tk_store)" "$@" 2>/dev/null </dev/null
	else
		command "$cmd" "$@" 2>/dev/null </dev/null
	fi
}

# _tk_tiers: the tiers of the store's config (tiers line), else tk's.
_tk_tiers() {
	local f kw rest
	f=$(_tk_store)/config
	if [ -r "$f" ]; then
		while read -r kw rest; do
			if [ "$kw" = tiers ]; then
				printf '%s\n' ${rest%%#*}
				return 0
			fi
		done <"$f"
	fi
	printf '%s\n' vip gold standard
}

# _tk_conf_words FILE KEYWORD [NAME TYPE]: the words after KEYWORD on the
# lines of the store's FILE that start with it ("status NAME CLASS": the
# first only; with NAME and TYPE, the values of "field NAME TYPE V..."
# lines, aliases left out); false when there are none.
_tk_conf_words() {
	local f kw w found= line
	local -a words
	f=$(_tk_store)/$1
	[ -r "$f" ] || return 1
	while read -r line; do
		line=${line%%#*}
		read -r -a words <<<"$line"
		[ "${words[0]-}" = "$2" ] || continue
		if [ "$2" = status ]; then
			[ -n "${words[1]-}" ] && printf '%s\n' "${words[1]}" && found=1
		elif [ $# -gt 2 ]; then
			[ "${words[1],,}" = "$3" ] && [ "${words[2]-}" = "$4" ] || continue
			for w in "${words[@]:3}"; do
				[[ $w == *=* ]] || { printf '%s\n' "$w"; found=1; }
			done
		else
			for w in "${words[@]:1}"; do printf '%s\n' "$w"; found=1; done
		fi
	done <"$f"
	[ -n "$found" ]
}

# _tk_values FIELD: the words FIELD may hold: a fixed list, the store's
# workflow or fields file's, or the values the store holds (every
# ticket's; sets split at their commas).
_tk_values() {
	case $1 in
	status) _tk_conf_words workflow status || printf '%s\n' new open pending resolved closed ;;
	type) _tk_conf_words workflow type || _tk_ls -a -t -o type | sort -u | grep -v '^$' ;;
	org) _tk_dir_cmd tk-org ls -t -o key ;;
	tier) _tk_tiers ;;
	contact) _tk_dir_cmd tk-contact ls -t -o id ;;
	priority) printf '%s\n' P1 P2 P3 P4 ;;
	channel) printf '%s\n' email web phone chat api import ;;
	tags|watchers) _tk_ls -a -t -o "$1" | tr , '\n' | sort -u | grep -v '^$' ;;
	queue|assignee|category|requester|requester_name|external_id)
		_tk_ls -a -t -o "$1" | sort -u | grep -v '^$' ;;
	parent|merged_into|duplicate_of|related) _tk_ls -t -o id ;;
	*)
		# a declared custom field: an enum's values, else what the store holds
		[[ " $_tk_fields_all " == *" $1 "* ]] && return
		_tk_field_names | grep -qxF -- "$1" || return
		_tk_conf_words fields field "$1" enum ||
		_tk_ls -a -t -o "$1" | sort -u | grep -v '^$' ;;
	esac
}

# _tk_list PREFIX WORD WORDS: complete the last item of a comma-separated
# WORD from WORDS (one a line), PREFIX and the items before kept.
_tk_list() {
	local pre=$1 word=$2 items
	items=${word%,*}
	[ "$items" = "$word" ] && items= || items=$items,
	_tk_matchlines "$pre$items" "${word##*,}" "$3"
}

# _tk_optarg CMD OPT PREFIX WORD: complete WORD, the argument of OPT.
_tk_optarg() {
	local cmd=$1 opt=$2 pre=$3 word=$4
	case $cmd:$opt in
	*:-d|*:--dir)
		local d
		while IFS= read -r d; do COMPREPLY+=("$pre$d"); done < <(compgen -d -- "$word")
		_tk_files=1
		compopt -o filenames 2>/dev/null ;;
	tk-import:--rejects)
		local d
		while IFS= read -r d; do COMPREPLY+=("$pre$d"); done < <(compgen -f -- "$word")
		_tk_files=1
		compopt -o filenames 2>/dev/null ;;
	*:-o|*:--output)
		_tk_list "$pre" "$word" "$(_tk_field_names)" ;;
	tk-ls:-s|tk-ls:--sort)
		# a field, or -field for descending order
		local items=${word%,*} last=${word##*,} sign=
		[ "$items" = "$word" ] && items= || items=$items,
		[[ $last == -* ]] && sign=- last=${last#-}
		_tk_list "$pre$items$sign" "$last" "$(_tk_field_names)" ;;
	tk-new:-p|tk-new:--priority)
		_tk_match "$pre" "$word" P1 P2 P3 P4 ;;
	tk-new:-r|tk-new:--requester|tk-comment:-f|tk-comment:--from)
		_tk_list "$pre" "$word" "$(_tk_values requester)" ;;
	tk-comment:--kb) _tk_matchlines "$pre" "$word" "$(_tk_kb_ids)" ;;
	tk-import:--format) _tk_match "$pre" "$word" csv tsv json ;;
	tk-export:--format) _tk_match "$pre" "$word" csv tsv json ;;
	tk-export:--with) _tk_list "$pre" "$word" "$(printf '%s\n' comments history links)" ;;
	tk-import:--preset) _tk_match "$pre" "$word" osticket zendesk jira rt github ;;
	tk-import:--encoding)
		_tk_match "$pre" "$word" GBK GB18030 GB2312 BIG5 UTF-8 UTF-16LE UTF-16BE LATIN1 ;;
	esac
	return 0
}

# _tk_fieldword CMD WORD: WORD is a filter (tk-ls, tk-export) or an
# assignment (tk-new, tk-set): a field name, or a value after its operator.
_tk_fieldword() {
	local cmd=$1 word=$2 field op val
	if [[ $word =~ ^([A-Za-z][A-Za-z0-9_.-]*)(!=|!~|=|~)(.*)$ ]]; then
		field=${BASH_REMATCH[1]} op=${BASH_REMATCH[2]} val=${BASH_REMATCH[3]}
		case $cmd in tk-new|tk-set) [ "$op" = = ] || return 0 ;; esac
		field=${field,,} val=${val//\\/}
		case $field in
		subject|body) ;;
		*) _tk_list "$field$op" "$val" "$(_tk_values "$field")" ;;
		esac
		return 0
	fi
	case $cmd:$word in
	tk-new:+*|tk-set:+*)
		_tk_matchlines + "${word#+}" "$(_tk_values tags)"
		return 0 ;;
	tk-set:-*)
		_tk_matchlines - "${word#-}" "$(_tk_values tags)"
		return 0 ;;
	esac
	case $cmd in
	tk-new|tk-set) _tk_matchlines "" "$word" "$(_tk_field_names writable | sed 's/$/=/')" ;;
	*) _tk_matchlines "" "$word" "$(_tk_field_names | sed 's/$/=/')" ;;
	esac
	[ ${#COMPREPLY[@]} -gt 0 ] && compopt -o nospace 2>/dev/null
	return 0
}

# _tk_command CMD: complete words[cword] for tk-CMD, words[0] being the
# command.
_tk_command() {
	local cmd=$1 i w pending= ended= assigned= operand= j c rest
	COMPREPLY=()
	# Walk the words before the cursor as getopt_long would: which option
	# waits for its argument, whether -- ended the options, the store.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [ -n "$pending" ]; then
			case $pending in -d|--dir) _tk_dir=$w ;; esac
			pending=
		elif [ -n "$ended" ]; then
			operand=1
			[[ $w == *=* || $w == +* ]] && assigned=1
		else
			case $w in
			--) ended=1 ;;
			--dir=*) _tk_dir=${w#--dir=} ;;
			--*=*) ;;
			--?*) _tk_takes_arg "$cmd" "$w" && pending=$w ;;
			-?*)
				for ((j = 1; j < ${#w}; j++)); do
					c=-${w:j:1} rest=${w:j+1}
					if ! _tk_is_option "$cmd" "$c"; then
						assigned=1	# "-tag" of tk-new, tk-set
						break
					fi
					if _tk_takes_arg "$cmd" "$c"; then
						if [ -n "$rest" ]; then
							[ "$c" = -d ] && _tk_dir=$rest
						else
							pending=$c
						fi
						break
					fi
				done ;;
			*)
				operand=1
				[[ $w == *=* || $w == +* ]] && assigned=1 ;;
			esac
		fi
	done
	# A -d later on the line names the store as well.
	for ((i = cword + 1; i < ${#words[@]}; i++)); do
		case ${words[i]} in
		--) break ;;
		-d|--dir) _tk_dir=${words[i+1]-} ;;
		--dir=*) _tk_dir=${words[i]#--dir=} ;;
		esac
	done

	if [ -n "$pending" ]; then
		_tk_optarg "$cmd" "$pending" "" "$cur"
		return
	fi
	if [ -z "$ended" ]; then
		case $cur in
		--*=*)
			_tk_takes_arg "$cmd" "${cur%%=*}" && _tk_optarg "$cmd" "${cur%%=*}" "${cur%%=*}=" "${cur#*=}"
			return ;;
		--*|-)
			_tk_match "" "$cur" $(_tk_options "$cmd" | sed 's/=//g')
			[ "$cmd" = tk-set ] && [ "$cur" = - ] && _tk_fieldword "$cmd" "$cur"
			return ;;
		-?*)
			# -oid,sta: an option's argument written in the same word
			for ((j = 1; j < ${#cur}; j++)); do
				c=-${cur:j:1}
				_tk_is_option "$cmd" "$c" || break
				if _tk_takes_arg "$cmd" "$c"; then
					[ $((j + 1)) -lt ${#cur} ] && _tk_optarg "$cmd" "$c" "${cur:0:j+1}" "${cur:j+1}"
					[ $((j + 1)) -lt ${#cur} ] && return
					break
				fi
			done
			_tk_match "" "$cur" $(_tk_options "$cmd" | sed 's/=//g')
			[ "$cmd" = tk-set ] && _tk_fieldword "$cmd" "$cur"
			return ;;
		esac
	fi
	case $cmd in
	tk-ls|tk-export|tk-new)
		_tk_fieldword "$cmd" "$cur" ;;
	tk-set)
		if [[ $cur == [0-9]* || ( -z $cur && -n $assigned ) ]]; then
			_tk_matchlines "" "$cur" "$(_tk_ls -t -o id)"
		else
			_tk_fieldword "$cmd" "$cur"
		fi ;;
	tk-show|tk-comment|tk-log)
		_tk_matchlines "" "$cur" "$(_tk_ls -t -o id)" ;;
	tk-config)
		[ -n "$operand" ] || _tk_match "" "$cur" check apply ;;
	tk-link)
		# id relation id: a relation after an id, an id after a relation
		# (or into, after --merge); first, either
		case ${words[cword-1]} in
		relates|parent-of|child-of|duplicate-of|into) _tk_matchlines "" "$cur" "$(_tk_ls -t -o id)" ;;
		[0-9]*|\#[0-9]*) _tk_match "" "$cur" relates parent-of child-of duplicate-of into ;;
		*)
			_tk_matchlines "" "$cur" "$(_tk_ls -t -o id)"
			[[ $cur == [0-9]* ]] || _tk_match "" "$cur" relates parent-of child-of duplicate-of into ;;
		esac ;;
	tk-import)
		while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -f -- "$cur")
		_tk_files=1
		compopt -o filenames 2>/dev/null ;;
	esac
	return 0
}

# _tk_join: cur, prev, words and cword as bash-completion's
# _get_comp_words_by_ref -n =: makes them, for when it is not loaded: the
# words bash split at = and : (COMP_WORDBREAKS) are joined again, as
# COMP_LINE shows them (no blank between).
_tk_join() {
	local i w ws line=$COMP_LINE
	words=() cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		ws=${line%%[!$' \t\n']*}
		line=${line#"$ws"}
		if ((i > 0)) && [ -z "$ws" ] && [[ $w == [=:]* || ${COMP_WORDS[i-1]} == *[=:] ]]; then
			words[${#words[@]}-1]+=$w
		else
			words+=("$w")
		fi
		line=${line#"$w"}
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	cur=${words[cword]-}
	prev=${words[cword-1]-}
}

# _tk_ltrim WORD: bash replaces only the text after the last = or : of
# COMP_WORDBREAKS in the word, so take that much off each reply.
_tk_ltrim() {
	local word=$1 pre
	if [[ $COMP_WORDBREAKS == *=* && $word == *=* ]]; then
		pre=${word%"${word##*=}"}
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
		word=${word#"$pre"}
	fi
	if declare -F __ltrim_colon_completions >/dev/null; then
		__ltrim_colon_completions "$word"
	elif declare -F _comp_ltrim_colon_completions >/dev/null; then
		_comp_ltrim_colon_completions "$word"
	elif [[ $COMP_WORDBREAKS == *:* && $word == *:* ]]; then
		pre=${word%"${word##*:}"}
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
}

# _tk_quote: a backslash before each character of the replies the shell
# would take specially (a category "Hardware issue"); file names are
# quoted by bash itself (-o filenames).
_tk_quote() {
	local i j w q c special=$' \t\n\\\'"$`;&|<>()*?!{}[]'
	for ((i = 0; i < ${#COMPREPLY[@]}; i++)); do
		w=${COMPREPLY[i]} q=
		[[ $w == [~#]* || $w =~ [^A-Za-z0-9_.,@+=:/%~-] ]] || continue
		[[ $w == [~#]* ]] && q=\\	# a tilde or a comment, first in a word
		for ((j = 0; j < ${#w}; j++)); do
			c=${w:j:1}
			[[ $special == *"$c"* ]] && q+=\\
			q+=$c
		done
		COMPREPLY[i]=$q
	done
}

_tk_complete() {
	local cur prev words cword _tk_dir= _tk_files= i cmd
	# bash-completion 2.11 and before; 2.12 and after; none
	if declare -F _init_completion >/dev/null; then
		_init_completion -n =: || return 0
	elif declare -F _comp_initialize >/dev/null; then
		_comp_initialize -n =: -- "$@" || return 0
	else
		_tk_join
	fi
	COMPREPLY=()
	cmd=${words[0]##*/}
	if [ "$cmd" = tk ]; then
		# tk [-d DIR] NAME ARG...: find NAME, then complete as tk-NAME.
		for ((i = 1; i < cword; i++)); do
			case ${words[i]} in
			-d|--dir)
				if ((i + 1 == cword)); then
					_tk_optarg tk -d "" "$cur"
					_tk_ltrim "$cur"
					return 0
				fi
				_tk_dir=${words[i + 1]} i=$((i + 1)) ;;
			--dir=*) _tk_dir=${words[i]#--dir=} ;;
			-d?*) _tk_dir=${words[i]#-d} ;;
			-*) ;;
			*) break ;;
			esac
		done
		if ((i == cword)) || { [ "${words[i]}" = help ] && ((i + 1 == cword)); }; then
			case $cur in
			--dir=*) _tk_optarg tk -d --dir= "${cur#--dir=}" ;;
			-*) _tk_match "" "$cur" -d --dir --help --version ;;
			*)
				local -a names
				names=($_tk_commands $(compgen -c -- tk- | sed -n 's/^tk-//p' | sort -u))
				[ "${words[i]}" = help ] && ((i < cword)) || names+=(help)
				_tk_match "" "$cur" $(printf '%s\n' "${names[@]}" | sort -u) ;;
			esac
			_tk_ltrim "$cur"
			return 0
		fi
		words=("tk-${words[i]}" "${words[@]:i+1}")
		cword=$((cword - i))
	fi
	_tk_command "${words[0]##*/}"
	_tk_ltrim "$cur"
	[ -n "$_tk_files" ] || _tk_quote
	return 0
}

complete -F _tk_complete tk tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export tk-link tk-config

# ---- tk-agent and tk-assign (issue 23: agents and assignment) ----
# Agent logins and team names are the store's (tk-agent ls, tk-agent team).
# The functions above are wrapped, not edited: each handles these two
# commands first and hands every other to the function it wraps.
_tk_commands="$_tk_commands agent assign"
_tk_agent_cols="login name email teams skills capacity role duty load"
_tk_team_cols="team queues agents leads"

# tk-agent on the store of the line, silent: no store, no words.
_tk_agent() {
	type -P tk-agent >/dev/null || return
	if [ -n "$_tk_dir" ]; then
		command tk-agent -d "$(_tk_store)" "$@" 2>/dev/null </dev/null
	else
		command tk-agent "$@" 2>/dev/null </dev/null
	fi
}
_tk_logins() { _tk_agent -t -o login ls; }
_tk_teams() { _tk_agent -t -o team team; }

eval "_tk_options_base() $(declare -f _tk_options | sed 1d)"
_tk_options() {
	case $1 in
	tk-agent) echo "-q --quiet -H --header -t --tsv --table --json -o= --output= --reassign=" ;;
	tk-assign) echo "--to= --unassign --round-robin --least-loaded --skills --to-lead --team= --explain --dry-run -q --quiet -t --tsv --table --json -o= --output=" ;;
	*) _tk_options_base "$1"; return ;;
	esac
	echo "-d= --dir= -h --help --version"
}

eval "_tk_optarg_base() $(declare -f _tk_optarg | sed 1d)"
_tk_optarg() {
	case $1:$2 in
	tk-assign:--to|tk-agent:--reassign)
		_tk_matchlines "$3" "$4" "$(_tk_logins; echo me)" ;;
	tk-assign:--team)
		_tk_matchlines "$3" "$4" "$(_tk_teams)" ;;
	tk-agent:-o|tk-agent:--output)
		_tk_list "$3" "$4" "$(printf '%s\n' $_tk_agent_cols $_tk_team_cols | sort -u)" ;;
	*) _tk_optarg_base "$@" ;;
	esac
	return 0
}

# tk-agent's words after its options: the verb, then what the verb takes.
_tk_agent_operand() {
	local i w verb= nth=0 field
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-d|-o|--dir|--output|--reassign) i=$((i + 1)) ;;
		-*) ;;
		*) if [ -z "$verb" ]; then verb=$w; else nth=$((nth + 1)); fi ;;
		esac
	done
	if [ -z "$verb" ]; then
		_tk_match "" "$cur" add set rm ls show team
		return
	fi
	if [[ $cur =~ ^[+-]?([A-Za-z]+)(!=|=|~)(.*)$ ]]; then
		local val=${BASH_REMATCH[3]} pre
		field=${BASH_REMATCH[1]} pre=${cur%"$val"}
		case $field in
		team|teams) _tk_list "$pre" "$val" "$(_tk_teams)" ;;
		login) _tk_list "$pre" "$val" "$(_tk_logins)" ;;
		role) _tk_match "$pre" "$val" agent lead admin ;;
		duty) _tk_match "$pre" "$val" on off ;;
		queue|queues) _tk_list "$pre" "$val" "$(_tk_values queue)" ;;
		esac
		return
	fi
	case $verb:$nth in
	set:0|rm:0|show:0) _tk_matchlines "" "$cur" "$(_tk_logins; echo me)" ;;
	team:0) _tk_matchlines "" "$cur" "$(_tk_teams)" ;;
	add:0) ;;
	add:*|set:*) _tk_match "" "$cur" name= email= teams= skills= capacity= role= duty= +skills= -skills= +teams= -teams= ;;
	team:*) _tk_match "" "$cur" queues= +queues= -queues= ;;
	ls:*) _tk_match "" "$cur" $(printf '%s=\n' $_tk_agent_cols team skill) ;;
	esac
	[ ${#COMPREPLY[@]} -gt 0 ] && [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
	return 0
}

eval "_tk_command_base() $(declare -f _tk_command | sed 1d)"
_tk_command() {
	_tk_command_base "$1"
	case $1 in
	tk-agent|tk-assign)
		# the words that are no option, nor an option's argument
		[ ${#COMPREPLY[@]} -eq 0 ] && [[ $cur != -* ]] || return 0
		_tk_takes_arg "$1" "$prev" && return 0
		if [ "$1" = tk-assign ]; then
			_tk_matchlines "" "$cur" "$(_tk_ls -t -o id)"
		else
			_tk_agent_operand
		fi ;;
	esac
	return 0
}

complete -F _tk_complete tk-agent tk-assign

# ---- tk-route and --route (issue 23, routing): kept apart from the block above ----

# Rule names of the store's rules file (-d, $TK_DIR, or the default store).
_tk_rule_names() {
	local dir=${TK_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/tk} i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in -d|--dir) dir=${COMP_WORDS[i+1]} ;; esac
	done
	[ -r "$dir/rules" ] && awk '$1 == "rule" && NF == 2 { print $2 }' "$dir/rules"
}

_tk_commands="$_tk_commands route"
_tk_route_opts="-H --header -q --quiet -t --tsv --table --json -o --output --all --explain --dry-run --stats --rule -d --dir -h --help --version"

_tk_route_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--rule)
		local pre=${cur%,*} last=${cur##*,}
		[ "$pre" = "$cur" ] && pre= || pre=$pre,
		COMPREPLY=($(compgen -P "$pre" -W "$(_tk_rule_names)" -- "$last")); return ;;
	-d|--dir)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-o|--output)
		local pre=${cur%,*} last=${cur##*,}
		[ "$pre" = "$cur" ] && pre= || pre=$pre,
		COMPREPLY=($(compgen -P "$pre" -W "$_tk_fields script" -- "$last")); return ;;
	esac
	case $cur in
	-*) COMPREPLY=($(compgen -W "$_tk_route_opts" -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;	# the rules file
	esac
}

complete -F _tk_route_complete tk-route

# ---- tk-mail (issue 27, the email channel) ----
_tk_commands="$_tk_commands mail"
eval "_tk_options_mailbase() $(declare -f _tk_options | sed 1d)"
_tk_options() {
	case $1 in
	tk-mail) echo "--mbox= --maildir= --queue= --route -n --dry-run -d= --dir= -h --help --version" ;;
	*) _tk_options_mailbase "$1" ;;
	esac
}
_tk_mail_opts="--mbox --maildir --queue --route -n --dry-run -d --dir -h --help --version"

_tk_mail_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	--mbox) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--maildir|-d|--dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--queue) return ;;
	esac
	case $cur in
	-*) COMPREPLY=($(compgen -W "$_tk_mail_opts" -- "$cur")) ;;
	esac
}

complete -F _tk_mail_complete tk-mail

# ---- tk-kb (issue 28: knowledge base): kept apart from the blocks above ----

# tk-kb on the store of the line, silent: no store, no words.
_tk_kb() {
	type -P tk-kb >/dev/null || return
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in -d|--dir) command tk-kb -d "${COMP_WORDS[i + 1]}" "$@" 2>/dev/null </dev/null; return ;; esac
	done
	command tk-kb "$@" 2>/dev/null </dev/null
}
_tk_kb_ids() { _tk_kb ls | cut -f1; }
_tk_kb_tags() { _tk_kb ls | cut -f4 | tr ',' '\n' | sort -u | sed '/^$/d'; }

eval "_tk_options_kb_base() $(declare -f _tk_options | sed 1d)"
_tk_options() {
	case $1 in
	tk-kb) echo "--title= -n= --count= --tickets -d= --dir= -h --help --version" ;;
	*) _tk_options_kb_base "$1" ;;
	esac
}

eval "_tk_command_kb_base() $(declare -f _tk_command | sed 1d)"
_tk_command() {
	_tk_command_kb_base "$1"
	[ "$1" = tk-kb ] || return 0
	[ ${#COMPREPLY[@]} -eq 0 ] && [[ $cur != -* ]] || return 0
	case $prev in -d|--dir|-n|--count|--title) return 0 ;; esac
	local i w verb=
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-d|-n|--dir|--count|--title) i=$((i + 1)) ;;
		-*) ;;
		*) [ -z "$verb" ] && verb=$w ;;
		esac
	done
	if [ -z "$verb" ]; then
		_tk_match "" "$cur" add import edit ls show log rm search suggest from-ticket reindex
		return 0
	fi
	case $verb:$cur in
	*:tag=*|*:tags=*|*:+tag=*|*:-tag=*) _tk_list "${cur%%=*}=" "${cur#*=}" "$(_tk_kb_tags)" ;;
	edit:*|show:*|log:*|rm:*) _tk_matchlines "" "$cur" "$(_tk_kb_ids)" ;;
	add:*) _tk_match "" "$cur" tags= ;;
	ls:*) _tk_match "" "$cur" tag= ;;
	suggest:*|from-ticket:*) _tk_matchlines "" "$cur" "$(_tk_ls -t -o id)" ;;
	esac
	return 0
}

complete -F _tk_complete tk-kb

# ---- tk-notify and tk-comment --template (issue 26: notices) ----
# Template names are the files of the store's templates directory;
# calendars the calendar lines of its calendars file; notices those
# tk-notify --queue lists. After --exec comes a command, then its files.
_tk_commands="$_tk_commands notify"

_tk_template_names() {
	local d
	d=$(_tk_store)/templates
	[ -d "$d" ] && ls -1 -- "$d" 2>/dev/null | grep -E '^[A-Za-z0-9][A-Za-z0-9._-]*$'
	return 0
}
_tk_calendar_names() {
	local f
	f=$(_tk_store)/calendars
	echo 24x7
	[ -r "$f" ] && awk '$1 == "calendar" && NF >= 2 { print $2 }' "$f"
	return 0
}
_tk_notices() {
	type -P tk-notify >/dev/null || return
	if [ -n "$_tk_dir" ]; then
		command tk-notify -d "$(_tk_store)" -t --queue 2>/dev/null </dev/null | cut -f1
	else
		command tk-notify -t --queue 2>/dev/null </dev/null | cut -f1
	fi
}

eval "_tk_options_notify() $(declare -f _tk_options | sed 1d)"
_tk_options() {
	case $1 in
	tk-notify) echo "--to= --exec= --template= --during= --timeout= --flush --queue --drop= -q --quiet -H --header -t --tsv --table --json" ;;
	*) _tk_options_notify "$1"; return ;;
	esac
	echo "-d= --dir= -h --help --version"
}

eval "_tk_optarg_notify() $(declare -f _tk_optarg | sed 1d)"
_tk_optarg() {
	case $1:$2 in
	tk-notify:--to)
		_tk_list "$3" "$4" "$(printf '%s\n' assignee requester watchers lead)" ;;
	tk-notify:--template|tk-comment:--template)
		_tk_matchlines "$3" "$4" "$(_tk_template_names)" ;;
	tk-notify:--during)
		_tk_matchlines "$3" "$4" "$(_tk_calendar_names)" ;;
	tk-notify:--drop)
		_tk_matchlines "$3" "$4" "$(_tk_notices)" ;;
	tk-notify:--exec)
		local c
		while IFS= read -r c; do COMPREPLY+=("$3$c"); done < <(compgen -c -- "$4")
		_tk_files=1 ;;
	*) _tk_optarg_notify "$@" ;;
	esac
	return 0
}


eval "_tk_command_notify() $(declare -f _tk_command | sed 1d)"
_tk_command() {
	local i w
	if [ "$1" = tk-notify ]; then
		# After --exec: the hook's words, files.
		for ((i = 1; i < cword; i++)); do
			case ${words[i]} in
			--) break ;;
			--exec=*|--exec)
				if [ "${words[i]}" = --exec ] && ((i + 1 == cword)); then
					break
				fi
				COMPREPLY=()
				while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -f -- "$cur")
				_tk_files=1
				compopt -o filenames 2>/dev/null
				return 0 ;;
			esac
		done
	fi
	_tk_command_notify "$1"
	if [ "$1" = tk-notify ] && [ ${#COMPREPLY[@]} -eq 0 ] && [[ $cur != -* ]] && ! _tk_takes_arg "$1" "$prev"; then
		_tk_matchlines "" "$cur" "$(_tk_ls -t -o id)"
	fi
	return 0
}

complete -F _tk_complete tk-notify

# ---- tk-contact and tk-org (issue 25: the customer directory) ----
# Contacts, orgs and tiers are the store's (tk-contact ls, tk-org ls, the
# tiers line of its config); contact, org and tier as ticket fields are
# completed above (_tk_values). Wrapped as the blocks above are.
_tk_commands="$_tk_commands contact org"
# The customer directory's records (tk-contact, tk-org): their fields, and
# those an assignment may set.
_tk_contact_fields="id name emails phones org tier lang tz notes external_id created last_contact looked_up merged_into tickets open"
_tk_contact_writable="name emails email phones phone org tier lang tz notes external_id created last_contact"
_tk_org_fields="key name domains tier queue tags notes external_id created contacts tickets open"
_tk_org_writable="name domains domain tier queue tags tag notes external_id created"

eval "_tk_options_dir_base() $(declare -f _tk_options | sed 1d)"
_tk_options() {
	case $1 in
	tk-contact) echo "-q --quiet -a --all -H --header -t --tsv --table --json -o= --output= --force --preset= -m= --map= -F= --delimiter= --encoding= --rejects=" ;;
	tk-org) echo "-q --quiet -H --header -t --tsv --table --json -o= --output= --preset= -m= --map= -F= --delimiter= --encoding= --rejects=" ;;
	*) _tk_options_dir_base "$1"; return ;;
	esac
	echo "-d= --dir= -h --help --version"
}

eval "_tk_optarg_dir_base() $(declare -f _tk_optarg | sed 1d)"
_tk_optarg() {
	local d
	case $1:$2 in
	tk-contact:-o|tk-contact:--output)
		_tk_list "$3" "$4" "$(printf '%s\n' $_tk_contact_fields)" ;;
	tk-org:-o|tk-org:--output)
		_tk_list "$3" "$4" "$(printf '%s\n' $_tk_org_fields)" ;;
	tk-contact:--preset|tk-org:--preset) _tk_match "$3" "$4" salesforce hubspot generic ;;
	tk-contact:--encoding|tk-org:--encoding)
		_tk_match "$3" "$4" GBK GB18030 GB2312 BIG5 UTF-8 UTF-16LE UTF-16BE LATIN1 ;;
	tk-contact:--rejects|tk-org:--rejects)
		while IFS= read -r d; do COMPREPLY+=("$3$d"); done < <(compgen -f -- "$4")
		_tk_files=1
		compopt -o filenames 2>/dev/null ;;
	*) _tk_optarg_dir_base "$@" ;;
	esac
	return 0
}

# _tk_dirword CMD WORD FIELDS: WORD is a filter or an assignment of a
# directory record (tk-contact, tk-org): a field name from FIELDS, or a
# value after its operator.
_tk_dirword() {
	local cmd=$1 word=$2 fields=$3 field op val
	if [[ $word =~ ^([-+]?)([A-Za-z][A-Za-z0-9_]*)(!=|!~|=|~)(.*)$ ]]; then
		field=${BASH_REMATCH[2]} op=${BASH_REMATCH[1]}${BASH_REMATCH[2]}${BASH_REMATCH[3]} val=${BASH_REMATCH[4]}
		case ${field,,} in
		org|tier) _tk_list "$op" "$val" "$(_tk_values "${field,,}")" ;;
		esac
		return 0
	fi
	if [[ $cmd == tk-org && $word == [+-]* ]]; then
		_tk_matchlines "${word:0:1}" "${word:1}" "$(_tk_dir_cmd tk-org ls -t -o tags | tr , '\n' | sort -u | grep -v '^$')"
		return 0
	fi
	_tk_matchlines "" "$word" "$(printf '%s=\n' $fields)"
	[ ${#COMPREPLY[@]} -gt 0 ] && compopt -o nospace 2>/dev/null
	return 0
}

# _tk_directory CMD: tk-contact, tk-org: a verb, then its operands.
_tk_directory() {
	local cmd=$1 i w verb= n=0 pending= verbs
	if [ "$cmd" = tk-contact ]; then
		verbs="add set ls show find merge unmerge dupes import rm refresh backfill"
	else
		verbs="add set ls show import rm"
	fi
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [ -n "$pending" ]; then
			pending=
		elif [ -z "$verb" ] && [[ $w == -* ]]; then
			case $w in --*=*) ;; --*) _tk_takes_arg "$cmd" "$w" && pending=1 ;;
			-?) _tk_takes_arg "$cmd" "$w" && pending=1 ;; esac
		elif [ -z "$verb" ]; then
			verb=$w
		else
			n=$((n + 1))
		fi
	done
	if [ -z "$verb" ]; then
		_tk_match "" "$cur" $verbs
		return 0
	fi
	case $cmd:$verb:$n in
	*:import:*)
		while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -f -- "$cur")
		_tk_files=1
		compopt -o filenames 2>/dev/null ;;
	*:ls:*) _tk_dirword "$cmd" "$cur" "$([ $cmd = tk-org ] && echo $_tk_org_fields || echo $_tk_contact_fields)" ;;
	tk-contact:merge:1) _tk_match "" "$cur" into ;;
	tk-contact:add:*) _tk_dirword "$cmd" "$cur" "$_tk_contact_writable" ;;
	tk-contact:set:0|tk-contact:show:0|tk-contact:rm:0|tk-contact:refresh:0|tk-contact:unmerge:0|tk-contact:merge:[02])
		_tk_matchlines "" "$cur" "$(_tk_dir_cmd tk-contact ls -t -o emails | tr , '\n' | sort -u | grep -v '^$')" ;;
	tk-contact:set:*) _tk_dirword "$cmd" "$cur" "$_tk_contact_writable" ;;
	tk-org:set:0|tk-org:show:0|tk-org:rm:0)
		_tk_matchlines "" "$cur" "$(_tk_values org)" ;;
	tk-org:add:0) ;;
	tk-org:add:*|tk-org:set:*) _tk_dirword "$cmd" "$cur" "$_tk_org_writable" ;;
	esac
	return 0
}

eval "_tk_command_dir_base() $(declare -f _tk_command | sed 1d)"
_tk_command() {
	_tk_command_dir_base "$1"
	case $1 in
	tk-contact|tk-org)
		[ ${#COMPREPLY[@]} -eq 0 ] && [[ $cur != -* ]] || return 0
		_tk_takes_arg "$1" "$prev" && return 0
		_tk_directory "$1" ;;
	esac
	return 0
}

complete -F _tk_complete tk-contact tk-org

# ---- tk-sla (issue 26: SLA) ----
# The SLA deadlines are fields kept by tk: filters see them, no assignment
# sets them. tk-sla's operands are filters as tk-ls's.
_tk_commands="$_tk_commands sla"
_tk_fields_all="$_tk_fields_all due_response due_update due_resolution sla_due"
_tk_fields_readonly="$_tk_fields_readonly due_response due_update due_resolution sla_due"
_tk_sla_cols="id metric deadline remaining policy state level"

eval "_tk_options_sla_base() $(declare -f _tk_options | sed 1d)"
_tk_options() {
	case $1 in
	tk-sla) echo "-H --header -q --quiet -t --tsv --table --json -o= --output= --at= --within= --breached --warn= --new --policy= --explain= --rearm= --recompute --dry-run" ;;
	*) _tk_options_sla_base "$1"; return ;;
	esac
	echo "-d= --dir= -h --help --version"
}

eval "_tk_optarg_sla_base() $(declare -f _tk_optarg | sed 1d)"
_tk_optarg() {
	case $1:$2 in
	tk-sla:--policy)
		local d
		while IFS= read -r d; do COMPREPLY+=("$3$d"); done < <(compgen -f -- "$4")
		_tk_files=1
		compopt -o filenames 2>/dev/null ;;
	tk-sla:--explain|tk-sla:--rearm)
		_tk_matchlines "$3" "$4" "$(_tk_ls -t -o id)" ;;
	tk-sla:--warn) _tk_match "$3" "$4" 50% 80% 90% ;;
	tk-sla:--within) _tk_match "$3" "$4" 15m 30m 1h 4h 1d ;;
	tk-sla:-o|tk-sla:--output)
		_tk_list "$3" "$4" "$(printf '%s\n' $_tk_sla_cols; _tk_field_names)" ;;
	*) _tk_optarg_sla_base "$@" ;;
	esac
	return 0
}

eval "_tk_command_sla_base() $(declare -f _tk_command | sed 1d)"
_tk_command() {
	_tk_command_sla_base "$1"
	case $1 in
	tk-sla)
		[ ${#COMPREPLY[@]} -eq 0 ] && [[ $cur != -* ]] || return 0
		_tk_takes_arg "$1" "$prev" && return 0
		_tk_fieldword tk-ls "$cur" ;;
	esac
	return 0
}

complete -F _tk_complete tk-sla
