# bash completion for tk and the tk-NAME commands.
# Install as tk and as a link per command in bash-completion's completions
# directory (make install does), or source it from ~/.bashrc.

_tk_fields="id created updated status priority type category queue assignee requester subject channel tags watchers due escalation first_response resolved closed reopens csat parent external_id body age frt comments"

_tk_opts() {
	case $1 in
	tk-new) echo "-s --subject -r --requester -p --priority -m --message -b --batch --atomic -q --quiet -d --dir -h --help --version" ;;
	tk-ls) echo "-a --all -H --header -t --tsv --table --json -o --output -s --sort -n --limit --explain -d --dir -h --help --version" ;;
	tk-show) echo "--no-history -d --dir -h --help --version" ;;
	tk-set) echo "-q --quiet -t --tsv --table --json -o --output --atomic -d --dir -h --help --version" ;;
	tk-comment) echo "-m --message -i --internal -f --from -q --quiet -t --tsv --table --json -o --output -d --dir -h --help --version" ;;
	tk-log) echo "--since --until --after -f --follow -H --header --json -d --dir -h --help --version" ;;
	tk-import) echo "-q --quiet -u --update --atomic --strict --format -F --delimiter --encoding --preset -m --map --rejects -d --dir -h --help --version" ;;
	tk-export) echo "--format --bom --excel --with -o --output -d --dir -h --help --version" ;;
	esac
}

_tk_values() {
	case $1 in
	status) echo "new open pending resolved closed" ;;
	priority) echo "P1 P2 P3 P4" ;;
	channel) echo "email web phone chat api import" ;;
	esac
}

_tk_complete() {
	local cur prev cmd words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=${COMP_WORDS[0]##*/}
	if [ "$cmd" = tk ]; then
		if [ "$COMP_CWORD" -eq 1 ]; then
			COMPREPLY=($(compgen -W "new ls show set comment log import export --help --version" -- "$cur"))
			return
		fi
		cmd=tk-${COMP_WORDS[1]}
	fi
	case $prev in
	-d|--dir|--rejects)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-o|--output|-s|--sort)
		local pre=${cur%,*} last=${cur##*,}
		[ "$pre" = "$cur" ] && pre= || pre=$pre,
		COMPREPLY=($(compgen -P "$pre" -W "$_tk_fields" -- "$last")); return ;;
	-p|--priority)
		COMPREPLY=($(compgen -W "P1 P2 P3 P4" -- "$cur")); return ;;
	--format)
		if [ "$cmd" = tk-export ]; then words="csv tsv json"; else words="csv tsv"; fi
		COMPREPLY=($(compgen -W "$words" -- "$cur")); return ;;
	--preset)
		COMPREPLY=($(compgen -W "osticket zendesk jira rt github" -- "$cur")); return ;;
	--with)
		COMPREPLY=($(compgen -W "comments history links comments,history" -- "$cur")); return ;;
	--encoding)
		COMPREPLY=($(compgen -W "GBK GB18030 GB2312 BIG5 UTF-8 UTF-16LE UTF-16BE LATIN1" -- "$cur")); return ;;
	-m|--message|-s|--subject|-r|--requester|-f|--from|-n|--limit|--since|--until|--after|-F|--delimiter|--map)
		return ;;
	esac
	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_tk_opts "$cmd")" -- "$cur")) ;;
	*=*)
		local field=${cur%%=*} val=${cur#*=}
		field=${field%!}
		COMPREPLY=($(compgen -P "${cur%%=*}=" -W "$(_tk_values "$field")" -- "$val")) ;;
	*)
		case $cmd in
		tk-import)
			COMPREPLY=($(compgen -f -- "$cur")) ;;
		tk-ls|tk-set|tk-new|tk-export)
			compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -S = -W "$_tk_fields" -- "$cur")) ;;
		esac ;;
	esac
}

complete -F _tk_complete tk tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export

# ---- tk-route and --route (issue 23, routing): kept apart from the block above ----

# Rule names of the store's rules file (-d, $TK_DIR, or the default store).
_tk_rule_names() {
	local dir=${TK_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/tk} i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in -d|--dir) dir=${COMP_WORDS[i+1]} ;; esac
	done
	[ -r "$dir/rules" ] && awk '$1 == "rule" && NF == 2 { print $2 }' "$dir/rules"
}

if declare -f _tk_opts >/dev/null && ! declare -f _tk_opts_base >/dev/null; then
	eval "_tk_opts_base() $(declare -f _tk_opts | tail -n +2)"
	_tk_opts() {
		case $1 in
		tk-route) echo "-H --header -q --quiet -t --tsv --table --json -o --output --all --explain --dry-run --stats --rule -d --dir -h --help --version" ;;
		tk-new|tk-import) echo "$(_tk_opts_base "$1") --route" ;;
		*) _tk_opts_base "$1" ;;
		esac
	}
fi

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
	-*) COMPREPLY=($(compgen -W "$(_tk_opts tk-route)" -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;	# the rules file
	esac
}

complete -F _tk_route_complete tk-route
