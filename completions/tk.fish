# fish completion for tk and the tk-NAME commands.

set -l tk_fields id created updated status priority type category queue assignee requester subject channel tags watchers due escalation first_response resolved closed reopens csat parent external_id body age frt comments
set -l tk_cmds tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export

complete -c tk -f -n __fish_use_subcommand -a 'new ls show set comment log import export'
complete -c tk -f -n __fish_use_subcommand -l help -d 'list the commands'
complete -c tk -f -n __fish_use_subcommand -l version -d 'print the version'

for c in $tk_cmds
    complete -c $c -s d -l dir -r -a '(__fish_complete_directories)' -d 'store directory'
    complete -c $c -s h -l help -d 'print the usage'
    complete -c $c -l version -d 'print the version'
end

for c in tk-new tk-ls tk-set tk-export
    complete -c $c -f -a "status=new status=open status=pending status=resolved status=closed priority=P1 priority=P2 priority=P3 priority=P4 channel=email channel=web channel=phone channel=chat channel=api channel=import"
    complete -c $c -f -a "(string join \n $tk_fields)=" -d field
end

complete -c tk-new -s s -l subject -r -d subject
complete -c tk-new -s r -l requester -r -d requester
complete -c tk-new -s p -l priority -x -a 'P1 P2 P3 P4' -d priority
complete -c tk-new -s m -l message -r -d body
complete -c tk-new -s b -l batch -d 'records with a header on standard input'
complete -c tk-new -l atomic -d 'all records or none'
complete -c tk-new -s q -l quiet -d 'print no ids'

complete -c tk-ls -s a -l all -d 'resolved and closed too'
complete -c tk-ls -s H -l header -d 'header line'
complete -c tk-ls -s t -l tsv -d records
complete -c tk-ls -l table -d 'aligned table'
complete -c tk-ls -l json -d 'JSON lines'
complete -c tk-ls -s o -l output -x -a "$tk_fields" -d columns
complete -c tk-ls -s s -l sort -x -a "$tk_fields" -d 'sort by field'
complete -c tk-ls -s n -l limit -x -d 'at most count'
complete -c tk-ls -l explain -d 'say which index is used'

complete -c tk-show -l no-history -d 'leave out the history'

for c in tk-set tk-comment
    complete -c $c -s q -l quiet -d 'print nothing'
    complete -c $c -s t -l tsv -d records
    complete -c $c -l table -d 'aligned table'
    complete -c $c -l json -d 'JSON lines'
    complete -c $c -s o -l output -x -a "$tk_fields" -d columns
end
complete -c tk-set -l atomic -d 'all tickets or none'

complete -c tk-comment -s m -l message -r -d text
complete -c tk-comment -s i -l internal -d 'internal note'
complete -c tk-comment -s f -l from -r -d author

complete -c tk-log -l since -x -d 'events at or after'
complete -c tk-log -l until -x -d 'events at or before'
complete -c tk-log -l after -x -d 'events after number'
complete -c tk-log -s f -l follow -d 'wait for new events'
complete -c tk-log -s H -l header -d 'header line'
complete -c tk-log -l json -d 'JSON lines'

complete -c tk-import -s q -l quiet -d 'no summary'
complete -c tk-import -s u -l update -d 'apply changed rows'
complete -c tk-import -l atomic -d 'all rows or none'
complete -c tk-import -l strict -d 'refuse unknown columns'
complete -c tk-import -l format -x -a 'csv tsv' -d 'input format'
complete -c tk-import -s F -l delimiter -x -d 'CSV delimiter'
complete -c tk-import -l encoding -x -a 'GBK GB18030 GB2312 BIG5 UTF-8 UTF-16LE UTF-16BE LATIN1' -d encoding
complete -c tk-import -l preset -x -a 'osticket zendesk jira rt github' -d 'export format'
complete -c tk-import -s m -l map -x -d 'column mapping'
complete -c tk-import -l rejects -r -d 'rejected rows file'

complete -c tk-export -l format -x -a 'csv tsv json' -d 'output format'
complete -c tk-export -l bom -d 'UTF-8 byte order mark'
complete -c tk-export -l excel -d 'CSV for a spreadsheet: byte order mark, formulas defused'
complete -c tk-export -l with -x -a 'comments history links comments,history' -d 'with JSON'
complete -c tk-export -s o -l output -x -a "$tk_fields" -d columns

# ---- tk-route and --route (issue 23, routing): kept apart from the block above ----
function __tk_rule_names
	set -l dir $TK_DIR
	test -n "$dir"; or set dir (test -n "$XDG_DATA_HOME"; and echo $XDG_DATA_HOME; or echo $HOME/.local/share)/tk
	set -l tokens (commandline -opc)
	for i in (seq (count $tokens))
		if contains -- $tokens[$i] -d --dir; and test $i -lt (count $tokens)
			set dir $tokens[(math $i + 1)]
		end
	end
	test -r $dir/rules; and awk '$1 == "rule" && NF == 2 { print $2 }' $dir/rules
end
complete -c tk-route -s d -l dir -r -a '(__fish_complete_directories)' -d 'store directory'
complete -c tk-route -s h -l help -d help
complete -c tk-route -l version -d version
complete -c tk-route -s H -l header -d 'header line'
complete -c tk-route -s q -l quiet -d 'print nothing'
complete -c tk-route -s t -l tsv -d records
complete -c tk-route -l table -d 'aligned table'
complete -c tk-route -l json -d 'JSON lines'
complete -c tk-route -s o -l output -x -d columns
complete -c tk-route -l all -d 'every rule that matches'
complete -c tk-route -l explain -d 'which rule matched, what it set'
complete -c tk-route -l dry-run -d 'change nothing: a dry-run stream'
complete -c tk-route -l stats -d 'per rule: tickets matched, fields changed'
complete -c tk-route -l rule -x -a '(__tk_rule_names)' -d 'only these rules'
complete -c tk-new -l route -d 'route through the rules'
complete -c tk-import -l route -d 'route through the rules'
