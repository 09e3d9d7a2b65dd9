# fish completion for tk and the tk-NAME commands: the same words as
# completions/tk.bash: each command's options (as cmd/tk-*.c take them),
# field names (built in, and those the store's "fields" file declares),
# values after field=, field!=, field~ (fixed words; the statuses and
# types of the store's "workflow" file, the values of an enum its "fields"
# file declares; or what the store holds), +tag, ticket ids, and
# tk-config's verbs. fish loads it for tk; for the tk-NAME
# commands install it also as tk-NAME.fish (or source it).

# The fields of lib/ticket.c's tk_fields table, and requester_name.
set -g __tk_fields_all id created updated status priority type category queue assignee requester requester_name subject channel tags watchers due escalation first_response resolved closed reopens csat parent external_id nps merged_into duplicate_of related contact org tier body age frt comments
set -g __tk_fields_readonly id updated age frt comments merged_into duplicate_of related contact org tier

# The -d or --dir the command line gives, if any.
function __tk_dir_arg
    set -l tokens (commandline -opc) (commandline -ct)
    set -l d
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --
                break
            case -d --dir
                set i (math $i + 1)
                set -q tokens[$i]; and set d $tokens[$i]
            case '--dir=*'
                set d (string replace -- --dir= '' $tokens[$i])
            case '-d?*'
                set d (string sub -s 3 -- $tokens[$i])
        end
        set i (math $i + 1)
    end
    set -q d[1]; and string replace -r '^~(?=/|$)' $HOME -- $d
end

# The store: that, else $TK_DIR, else the default.
function __tk_store
    set -l d (__tk_dir_arg)
    if not set -q d[1]
        if set -q TK_DIR[1]; and test -n "$TK_DIR"
            set d $TK_DIR
        else if set -q XDG_DATA_HOME[1]; and test -n "$XDG_DATA_HOME"
            set d $XDG_DATA_HOME/tk
        else
            set d $HOME/.local/share/tk
        end
    end
    echo $d
end

# tk-ls on that store, silent: no store, no values.
function __tk_ls
    command -sq tk-ls; or return
    set -l d (__tk_dir_arg)
    if set -q d[1]
        command tk-ls -d $d $argv 2>/dev/null </dev/null
    else
        command tk-ls $argv 2>/dev/null </dev/null
    end
end

# The field names (without the read-only ones for "writable"), then the
# custom ones declared by "field NAME" lines of the store's fields file.
function __tk_field_names
    for f in $__tk_fields_all
        if test "$argv[1]" = writable; and contains -- $f $__tk_fields_readonly
            continue
        end
        echo $f
    end
    set -l file (__tk_store)/fields
    test -r $file; or return 0
    string match -r '^\s*field\s+\S+' <$file | string replace -r '^\s*field\s+' '' | string lower
end

# tk-contact or tk-org on that store, silent.
function __tk_dircmd
    set -l cmd $argv[1]
    command -sq $cmd; or return
    set -l d (__tk_dir_arg)
    if set -q d[1]
        command $cmd -d $d $argv[2..-1] 2>/dev/null </dev/null
    else
        command $cmd $argv[2..-1] 2>/dev/null </dev/null
    end
end

# The tiers of the store's config, else tk's.
function __tk_tiers
    set -l file (__tk_store)/config
    if test -r $file
        set -l line (string match -r '^\s*tiers\s.*' <$file | string replace -r '#.*' '')
        if set -q line[1]
            string split -n ' ' -- (string replace -r '^\s*tiers\s+' '' -- $line[1])
            return
        end
    end
    printf '%s\n' vip gold standard
end

# The words after $argv[2] on the lines of the store's file $argv[1] that
# start with it ("status NAME CLASS": the first only; with $argv[3] and
# $argv[4], the values of "field NAME TYPE V..." lines, aliases left out).
function __tk_conf_words
    set -l file (__tk_store)/$argv[1]
    test -r $file; or return 1
    set -l found
    for line in (string replace -r '#.*' '' <$file)
        set -l w (string split -n ' ' -- (string replace -a \t ' ' -- (string trim -- $line)))
        test "$w[1]" = $argv[2]; or continue
        if test $argv[2] = status
            set -q w[2]; and set -a found $w[2]
        else if set -q argv[3]
            if test (string lower -- "$w[2]") = $argv[3]; and test "$w[3]" = $argv[4]
                set -a found (string match -v -- '*=*' $w[4..-1])
            end
        else
            set -a found $w[2..-1]
        end
    end
    set -q found[1]; or return 1
    printf '%s\n' $found
end

# The words field $argv[1] may hold: a fixed list, the store's workflow or
# fields file's, or the store's values.
function __tk_values
    switch $argv[1]
        case status
            __tk_conf_words workflow status; or printf '%s\n' new open pending resolved closed
        case type
            __tk_conf_words workflow type; or __tk_ls -a -t -o type | string match -v '' | sort -u
        case org
            __tk_dircmd tk-org ls -t -o key
        case tier
            __tk_tiers
        case contact
            __tk_dircmd tk-contact ls -t -o id
        case priority
            printf '%s\n' P1 P2 P3 P4
        case channel
            printf '%s\n' email web phone chat api import
        case tags watchers
            __tk_ls -a -t -o $argv[1] | string split , | string match -v '' | sort -u
        case queue assignee category requester requester_name external_id
            __tk_ls -a -t -o $argv[1] | string match -v '' | sort -u
        case parent merged_into duplicate_of related
            __tk_ls -t -o id
        case '*'
            contains -- $argv[1] $__tk_fields_all; and return
            contains -- $argv[1] (__tk_field_names); or return
            __tk_conf_words fields field $argv[1] enum; or __tk_ls -a -t -o $argv[1] | string match -v '' | sort -u
    end
end

# The current word as a filter (tk-ls, tk-export) or an assignment (tk-new,
# tk-set): field names, or the field's values after its operator; +tag.
function __tk_fieldword
    set -l cmd $argv[1]
    set -l tok (commandline -ct)
    # field and operator, kept as they are typed
    set -l head (string replace -rf '^([A-Za-z][A-Za-z0-9_.-]*(!=|!~|=|~)).*$' '$1' -- $tok)
    if set -q head[1]
        set -l op (string match -r '(!=|!~|=|~)$' -- $head)[1]
        set -l field (string replace -r '(!=|!~|=|~)$' '' -- $head | string lower)
        set -l val (string sub -s (math (string length -- $head) + 1) -- $tok)
        if contains -- $cmd tk-new tk-set; and test "$op" != =
            return
        end
        contains -- $field subject body; and return
        # the items of a list before the last comma stay as they are
        set -l pre "$head"(string replace -r '[^,]*$' '' -- "$val")
        for v in (__tk_values $field)
            echo $pre$v
        end
    else if contains -- $cmd tk-new tk-set; and string match -q -- '+*' $tok
        for v in (__tk_values tags)
            echo +$v
        end
    else if contains -- $cmd tk-new tk-set
        __tk_field_names writable | string replace -r '$' = | string replace -r '(.*)' '$1\tfield'
    else
        __tk_field_names | string replace -r '$' = | string replace -r '(.*)' '$1\tfield'
    end
end

# Ticket ids of tk-ls's default view, with their subjects.
function __tk_ids
    __tk_ls -t -o id,subject
end

# A comma-separated list of fields for -o; "sort" lets each start with "-".
function __tk_columns
    set -l tok (commandline -ct)
    # an option and its argument in one word: -oid,st or --output=id,st
    set -l prev (commandline -opc)[-1]
    set -l opt
    if not contains -- "$prev" -o --output -s --sort
        set opt (string match -r '^(?:--[a-z-]+=|-[A-Za-z])' -- $tok)
    end
    set tok (string sub -s (math (string length -- "$opt") + 1) -- "$tok")
    set -l pre "$opt"(string replace -r '[^,]*$' '' -- "$tok")
    set -l last (string replace -r '^.*,' '' -- "$tok")
    if test "$argv[1]" = sort; and string match -q -- '-*' $last
        set pre $pre-
    end
    for f in (__tk_field_names)
        echo $pre$f
    end
end

# True when the word before the cursor is one of the options given: fish
# offers an option's argument that starts with "-" (-s -created) only so.
function __tk_after
    contains -- (commandline -opc)[-1] $argv
end

function __tk_set_operand
    set -l tok (commandline -ct)
    if string match -qr '^[0-9]' -- $tok
        __tk_ids
    else if string match -q -- '-*' $tok
        # -tag removes a tag
        for v in (__tk_values tags)
            echo -$v
        end
    else if test -z "$tok"
        __tk_fieldword tk-set
        __tk_ids
    else
        __tk_fieldword tk-set
    end
end

# tk: the words after "tk [-d DIR] NAME" are completed as tk-NAME's.
set -g __tk_commands new ls show set comment log import export link config

function __tk_name_index
    set -l tokens (commandline -opc)
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case -d --dir
                set i (math $i + 1)
            case '-*'
            case '*'
                echo $i
                return 0
        end
        set i (math $i + 1)
    end
    return 1
end

function __tk_needs_name
    not __tk_name_index >/dev/null
end

function __tk_delegate
    set -l tokens (commandline -opc)
    set -l i (__tk_name_index); or return
    set -l name $tokens[$i]
    if test "$name" = help
        test (count $tokens) -eq $i; and printf '%s\n' $__tk_commands
        return
    end
    set -l d (__tk_dir_arg)
    set -l line tk-$name
    set -q d[1]; and set line $line -d $d
    set -l rest $tokens[(math $i + 1)..-1]
    set -l cur (commandline -ct)
    complete -C (string join ' ' -- (string escape -- $line $rest) "$cur")
end

complete -c tk -f -n __tk_needs_name -a "$__tk_commands help"
complete -c tk -f -n __tk_needs_name -s d -l dir -x -a '(__fish_complete_directories)' -d 'store directory'
complete -c tk -f -n __tk_needs_name -s h -l help -d 'list the commands'
complete -c tk -f -n __tk_needs_name -l version -d 'print the version'
complete -c tk -f -n 'not __tk_needs_name' -a '(__tk_delegate)'

# Each command's options, as its longopts table in cmd/tk-*.c.
for c in tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export tk-link tk-config
    complete -c $c -s d -l dir -x -a '(__fish_complete_directories)' -d 'store directory'
    complete -c $c -s h -l help -d 'print the options'
    complete -c $c -l version -d 'print the version'
end
for c in tk-ls tk-set tk-comment tk-log tk-link tk-config
    complete -c $c -s t -l tsv -d 'records, also on a terminal'
    complete -c $c -l table -d 'aligned table'
    complete -c $c -l json -d 'JSON lines'
end
for c in tk-ls tk-set tk-comment tk-export tk-link
    complete -c $c -s o -l output -x -a '(__tk_columns)' -d columns
end

complete -c tk-new -f -a '(__tk_fieldword tk-new)'
complete -c tk-new -s s -l subject -x -d subject
complete -c tk-new -s r -l requester -x -a '(__tk_values requester)' -d requester
complete -c tk-new -s p -l priority -x -a 'P1 P2 P3 P4' -d priority
complete -c tk-new -s m -l message -x -d 'body, a paragraph each'
complete -c tk-new -s b -l batch -d 'records with a header on standard input'
complete -c tk-new -l atomic -d 'all records or none'
complete -c tk-new -l lookup -d 'run the contact-lookup program for new requesters'
complete -c tk-new -s q -l quiet -d 'print no ids'

complete -c tk-ls -f -a '(__tk_fieldword tk-ls)'
complete -c tk-ls -s a -l all -d 'resolved and closed too'
complete -c tk-ls -s H -l header -d 'header line'
complete -c tk-ls -s s -l sort -x -a '(__tk_columns sort)' -d 'sort by fields, -field descending'
complete -c tk-ls -f -n '__tk_after -s --sort' -a '(__tk_columns sort)' -d 'sort by fields, -field descending'
complete -c tk-ls -s n -l limit -x -d 'at most count'
complete -c tk-ls -l explain -d 'say which index is used'

complete -c tk-show -f -a '(__tk_ids)'
complete -c tk-show -l no-history -d 'leave out the history'
complete -c tk-show -l json -d 'JSON lines'
complete -c tk-show -l attachment -x -d 'write the bytes of an attachment (a3)'
complete -c tk-show -l raw -x -d 'write a mail as received (m5)'

complete -c tk-set -f -a '(__tk_set_operand)'
complete -c tk-set -s q -l quiet -d 'print nothing'
complete -c tk-set -l atomic -d 'all tickets or none'

complete -c tk-comment -f -a '(__tk_ids)'
complete -c tk-comment -s m -l message -x -d 'text, a paragraph each'
complete -c tk-comment -s i -l internal -d 'internal note'
complete -c tk-comment -l template -x -a '(__tk_template_names)' -d 'a canned reply'
complete -c tk-comment -l kb -x -a '(__tk_kb_ids)' -d 'the article in the comment'
complete -c tk-comment -s f -l from -x -a '(__tk_values requester)' -d author
complete -c tk-comment -s q -l quiet -d 'print nothing'

complete -c tk-log -f -a '(__tk_ids)'
complete -c tk-log -l since -x -d 'events at or after'
complete -c tk-log -l until -x -d 'events at or before'
complete -c tk-log -l after -x -d 'events after number'
complete -c tk-log -s f -l follow -d 'wait for new events'
complete -c tk-log -s H -l header -d 'header line'

complete -c tk-import -s q -l quiet -d 'no summary'
complete -c tk-import -s u -l update -d 'apply changed rows'
complete -c tk-import -l atomic -d 'all rows or none'
complete -c tk-import -l strict -d 'refuse unknown columns'
complete -c tk-import -l new-fields -d 'declare the unmapped columns as fields'
complete -c tk-import -l lookup -d 'run the contact-lookup program for new requesters'
complete -c tk-import -l format -x -a 'csv tsv json' -d 'input format'
complete -c tk-import -s F -l delimiter -x -d 'CSV delimiter'
complete -c tk-import -l encoding -x -a 'GBK GB18030 GB2312 BIG5 UTF-8 UTF-16LE UTF-16BE LATIN1' -d encoding
complete -c tk-import -l preset -x -a 'osticket zendesk jira rt github' -d 'export format'
complete -c tk-import -s m -l map -x -d 'column mapping'
complete -c tk-import -l rejects -r -d 'rejected rows file'

complete -c tk-export -f -a '(__tk_fieldword tk-export)'
complete -c tk-export -l format -x -a 'csv tsv json' -d 'output format'
complete -c tk-export -l bom -d 'UTF-8 byte order mark'
complete -c tk-export -l excel -d 'CSV for a spreadsheet: byte order mark, formulas defused'
complete -c tk-export -l with -x -a 'comments history links comments,history comments,history,links' -d 'with JSON'

complete -c tk-config -f -n 'not __fish_seen_subcommand_from check apply' -a 'check apply'
complete -c tk-config -l tickets -d 'check the stored tickets too'
complete -c tk-config -s H -l header -d 'header line'
complete -c tk-config -s q -l quiet -d 'print nothing of what changed'
complete -c tk-link -f -a '(__tk_ids)'
complete -c tk-link -f -n 'not string match -qr "^[0-9]" -- (commandline -ct)' -a 'relates parent-of child-of duplicate-of into' -d relation
complete -c tk-link -l unlink -d 'take the link apart'
complete -c tk-link -l merge -d 'merge the first ticket into the last'
complete -c tk-link -l unmerge -d 'undo the merge of each ticket'
complete -c tk-link -l split -d 'a new child of the ticket'
complete -c tk-link -s s -l subject -x -d 'subject of the new ticket'
complete -c tk-link -s m -l message -x -d 'body of the new ticket'
complete -c tk-link -s q -l quiet -d 'print nothing'

# ---- tk-agent and tk-assign (issue 23: agents and assignment) ----
# Agent logins and team names are the store's (tk-agent ls, tk-agent team).
set -g __tk_commands $__tk_commands agent assign route mail
complete -c tk -f -n __tk_needs_name -a 'agent assign route mail'

# tk-agent on the store of the line, silent: no store, no words.
function __tk_agent
    command -sq tk-agent; or return
    set -l d (__tk_dir_arg)
    if set -q d[1]
        command tk-agent -d $d $argv 2>/dev/null </dev/null
    else
        command tk-agent $argv 2>/dev/null </dev/null
    end
end

function __tk_logins
    __tk_agent -t -o login ls
    echo me
end

function __tk_teams
    __tk_agent -t -o team team
end

# tk-agent's operands: the verb, then what the verb takes.
function __tk_agent_operand
    set -l tokens (commandline -opc)
    set -l tok (commandline -ct)
    set -l verb
    set -l n 0
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case -d -o --dir --output --reassign
                set i (math $i + 1)
            case '-*'
            case '*'
                if set -q verb[1]
                    set n (math $n + 1)
                else
                    set verb $tokens[$i]
                end
        end
        set i (math $i + 1)
    end
    if not set -q verb[1]
        printf '%s\n' add set rm ls show team
        return
    end
    set -l head (string replace -rf '^([+-]?[A-Za-z]+(!=|=|~)).*$' '$1' -- $tok)
    if set -q head[1]
        set -l field (string replace -r '^[+-]?([A-Za-z]+).*$' '$1' -- $head)
        set -l words
        switch $field
            case team teams
                set words (__tk_teams)
            case login
                set words (__tk_logins)
            case role
                set words agent lead admin
            case duty
                set words on off
            case queue queues
                set words (__tk_values queue)
        end
        for w in $words
            echo $head$w
        end
        return
    end
    switch $verb:$n
        case set:0 rm:0 show:0
            __tk_logins
        case team:0
            __tk_teams
        case add:0
        case 'add:*' 'set:*'
            printf '%s\n' name= email= teams= skills= capacity= role= duty= +skills= -skills= +teams= -teams=
        case 'team:*'
            printf '%s\n' queues= +queues= -queues=
        case 'ls:*'
            printf '%s=\n' login name email teams team skills skill capacity role duty load
    end
end

for c in tk-agent tk-assign
    complete -c $c -s d -l dir -x -a '(__fish_complete_directories)' -d 'store directory'
    complete -c $c -s h -l help -d 'print the options'
    complete -c $c -l version -d 'print the version'
    complete -c $c -s q -l quiet -d 'print nothing'
    complete -c $c -s t -l tsv -d 'records, also on a terminal'
    complete -c $c -l table -d 'aligned table'
    complete -c $c -l json -d 'JSON lines'
end

complete -c tk-agent -f -a '(__tk_agent_operand)'
complete -c tk-agent -s o -l output -x -a 'login name email teams skills capacity role duty load team queues agents leads' -d columns
complete -c tk-agent -s H -l header -d 'header line'
complete -c tk-agent -l reassign -x -a '(__tk_logins)' -d 'with rm: give the open tickets to'

complete -c tk-assign -f -a '(__tk_ids)'
complete -c tk-assign -s o -l output -x -a '(__tk_columns)' -d columns
complete -c tk-assign -l to -x -a '(__tk_logins)' -d 'to this agent'
complete -c tk-assign -l unassign -d 'to nobody'
complete -c tk-assign -l round-robin -d 'the next agent in turn'
complete -c tk-assign -l least-loaded -d 'the agent with the fewest open tickets'
complete -c tk-assign -l skills -d 'an agent whose skills hold the category or a tag'
complete -c tk-assign -l to-lead -d 'the lead of the team that owns the queue'
complete -c tk-assign -l team -x -a '(__tk_teams)' -d 'among this team'
complete -c tk-assign -l explain -d 'say why each agent was chosen'
complete -c tk-assign -l dry-run -d 'write nothing; print the dry-run stream'

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

# tk-mail (issue 27, the email channel)
complete -c tk-mail -l mbox -r -F -d 'messages of an mbox file'
complete -c tk-mail -l maildir -x -a '(__fish_complete_directories)' -d 'messages of a Maildir folder'
complete -c tk-mail -l queue -x -d 'queue of new tickets'
complete -c tk-mail -l route -d 'run the rules file on new tickets'
complete -c tk-mail -s n -l dry-run -d 'say what would be done; write nothing'
complete -c tk-mail -s d -l dir -x -a '(__fish_complete_directories)' -d 'the store'
complete -c tk-mail -s h -l help -d 'print help'
complete -c tk-mail -s V -l version -d 'print the version'

# ---- tk-kb (issue 28, knowledge base): kept apart from the blocks above ----
set -g __tk_commands $__tk_commands kb
complete -c tk -f -n __tk_needs_name -a kb
function __tk_kb
	set -l d (__tk_dir_arg)
	if test -n "$d"
		command tk-kb -d $d $argv 2>/dev/null </dev/null
	else
		command tk-kb $argv 2>/dev/null </dev/null
	end
end
function __tk_kb_ids
	__tk_kb ls | cut -f1
end
function __tk_kb_tags
	__tk_kb ls | cut -f4 | tr ',' '\n' | sort -u | string match -v ''
end
set -l __tk_kb_verbs add import edit ls show log rm search suggest from-ticket reindex
complete -c tk-kb -f
complete -c tk-kb -s d -l dir -r -a '(__fish_complete_directories)' -d 'store directory'
complete -c tk-kb -s h -l help -d help
complete -c tk-kb -l version -d version
complete -c tk-kb -l title -x -d 'the article title (add)'
complete -c tk-kb -s n -l count -x -d 'at most count results'
complete -c tk-kb -l tickets -d 'similar resolved tickets (suggest)'
complete -c tk-kb -n "not __fish_seen_subcommand_from $__tk_kb_verbs" -a "$__tk_kb_verbs"
complete -c tk-kb -n '__fish_seen_subcommand_from edit show log rm' -a '(__tk_kb_ids)' -d article
complete -c tk-kb -n '__fish_seen_subcommand_from ls' -a '(__tk_kb_tags | sed "s/^/tag=/")' -d tag
complete -c tk-kb -n '__fish_seen_subcommand_from add' -a '(__tk_kb_tags | sed "s/^/tags=/")' -d tag

# ---- tk-notify and tk-comment --template (issue 26: notices) ----
set -g __tk_commands $__tk_commands notify
complete -c tk -f -n __tk_needs_name -a notify

function __tk_store_dir
    set -l d (__tk_dir_arg)
    if set -q d[1]
        echo $d
    else if test -n "$TK_DIR"
        echo $TK_DIR
    else if test -n "$XDG_DATA_HOME"
        echo $XDG_DATA_HOME/tk
    else
        echo $HOME/.local/share/tk
    end
end

function __tk_template_names
    set -l d (__tk_store_dir)/templates
    test -d $d; and ls -1 -- $d 2>/dev/null
end

function __tk_calendar_names
    echo 24x7
    set -l f (__tk_store_dir)/calendars
    test -r $f; and awk '$1 == "calendar" && NF >= 2 { print $2 }' $f
end

function __tk_notices
    command -sq tk-notify; or return
    command tk-notify -d (__tk_store_dir) -t --queue 2>/dev/null </dev/null | cut -f1
end

function __tk_notify_after_exec
    contains -- --exec (commandline -opc)
end

complete -c tk-notify -f -n 'not __tk_notify_after_exec' -a '(__tk_ids)'
complete -c tk-notify -n __tk_notify_after_exec -F
complete -c tk-notify -s d -l dir -x -a '(__fish_complete_directories)' -d 'store directory'
complete -c tk-notify -s h -l help -d 'print the options'
complete -c tk-notify -l version -d 'print the version'
complete -c tk-notify -s q -l quiet -d 'print nothing'
complete -c tk-notify -s H -l header -d 'header line'
complete -c tk-notify -s t -l tsv -d 'records, also on a terminal'
complete -c tk-notify -l table -d 'aligned table'
complete -c tk-notify -l json -d 'JSON lines'
complete -c tk-notify -l to -x -a 'assignee requester watchers lead' -d 'mail these'
complete -c tk-notify -l exec -x -a '(__fish_complete_command)' -d 'run a hook: the rest is its command line'
complete -c tk-notify -l template -x -a '(__tk_template_names)' -d 'the text'
complete -c tk-notify -l during -x -a '(__tk_calendar_names)' -d 'hold until the calendar opens'
complete -c tk-notify -l timeout -x -d 'seconds a command may take'
complete -c tk-notify -l flush -d 'send what is queued'
complete -c tk-notify -l queue -d 'list the queued notices'
complete -c tk-notify -l drop -x -a '(__tk_notices)' -d 'take a notice out of the queue'

# ---- tk-contact and tk-org (issue 25: the customer directory) ----
# Contacts, orgs and tiers are the store's (tk-contact ls, tk-org ls, the
# tiers line of its config); contact, org and tier as ticket fields are
# completed above (__tk_values).
set -g __tk_commands $__tk_commands contact org
complete -c tk -f -n __tk_needs_name -a 'contact org'
# The customer directory's records (tk-contact, tk-org).
set -g __tk_contact_fields id name emails phones org tier lang tz notes external_id created last_contact looked_up merged_into tickets open
set -g __tk_contact_writable name emails email phones phone org tier lang tz notes external_id created last_contact
set -g __tk_org_fields key name domains tier queue tags notes external_id created contacts tickets open
set -g __tk_org_writable name domains domain tier queue tags tag notes external_id created

# tk-contact, tk-org: a verb, then its operands.
function __tk_dirop
    set -l cmd $argv[1]
    set -l tokens (commandline -opc)
    set -l verbs add set ls show import rm
    test $cmd = tk-contact; and set verbs add set ls show find merge unmerge dupes import rm refresh backfill
    set -l verb
    set -l n 0
    set -l skip 0
    for t in $tokens[2..-1]
        if test $skip = 1
            set skip 0
        else if not set -q verb[1]; and string match -q -- '-*' $t
            contains -- $t -d -o -m -F --preset --encoding --rejects; and set skip 1
        else if not set -q verb[1]
            set verb $t
        else
            set n (math $n + 1)
        end
    end
    if not set -q verb[1]
        printf '%s\n' $verbs
        return
    end
    set -l tok (commandline -ct)
    set -l head (string replace -rf '^([-+]?[A-Za-z][A-Za-z0-9_]*(!=|!~|=|~)).*$' '$1' -- $tok)
    if set -q head[1]
        set -l field (string replace -r '^[-+]?([A-Za-z0-9_]*).*$' '$1' -- $head | string lower)
        contains -- $field org tier; or return
        for v in (__tk_values $field)
            echo $head$v
        end
        return
    end
    switch $cmd:$verb:$n
        case '*:import:*'
            __fish_complete_path $tok
        case 'tk-contact:ls:*'
            printf '%s=\n' $__tk_contact_fields
        case 'tk-org:ls:*'
            printf '%s=\n' $__tk_org_fields
        case 'tk-contact:merge:1'
            echo into
        case 'tk-contact:set:0' 'tk-contact:show:0' 'tk-contact:rm:0' 'tk-contact:refresh:0' 'tk-contact:unmerge:0' 'tk-contact:merge:0' 'tk-contact:merge:2'
            __tk_dircmd tk-contact ls -t -o emails | string split , | string match -v '' | sort -u
        case 'tk-contact:add:*' 'tk-contact:set:*'
            printf '%s=\n' $__tk_contact_writable
        case 'tk-org:set:0' 'tk-org:show:0' 'tk-org:rm:0'
            __tk_values org
        case 'tk-org:add:0'
        case 'tk-org:add:*' 'tk-org:set:*'
            printf '%s=\n' $__tk_org_writable
    end
end

for c in tk-contact tk-org
    complete -c $c -s d -l dir -x -a '(__fish_complete_directories)' -d 'store directory'
    complete -c $c -s h -l help -d 'print the options'
    complete -c $c -l version -d 'print the version'
end
for c in tk-contact tk-org
    complete -c $c -f -a "(__tk_dirop $c)"
    complete -c $c -s q -l quiet -d 'print no id, summary or progress'
    complete -c $c -s H -l header -d 'header line'
    complete -c $c -s t -l tsv -d 'records, also on a terminal'
    complete -c $c -l table -d 'aligned table'
    complete -c $c -l json -d 'JSON lines'
    complete -c $c -l preset -x -a 'salesforce hubspot generic' -d 'export format'
    complete -c $c -s m -l map -x -d 'column mapping'
    complete -c $c -s F -l delimiter -x -d 'CSV delimiter'
    complete -c $c -l encoding -x -a 'GBK GB18030 GB2312 BIG5 UTF-8 UTF-16LE UTF-16BE LATIN1' -d encoding
    complete -c $c -l rejects -r -d 'rejected rows file'
end
complete -c tk-contact -s o -l output -x -a '(string join , $__tk_contact_fields)' -d columns
complete -c tk-org -s o -l output -x -a '(string join , $__tk_org_fields)' -d columns
complete -c tk-contact -s a -l all -d 'merged contacts too'
complete -c tk-contact -l force -d 'merge contacts of different orgs'

# ---- tk-sla (issue 26: SLA) ----
# The SLA deadlines are fields kept by tk: filters see them, no assignment
# sets them. tk-sla's operands are filters as tk-ls's.
set -g __tk_fields_all $__tk_fields_all due_response due_update due_resolution sla_due
set -g __tk_fields_readonly $__tk_fields_readonly due_response due_update due_resolution sla_due
set -g __tk_commands $__tk_commands sla
complete -c tk -f -n __tk_needs_name -a sla

complete -c tk-sla -f -a '(__tk_fieldword tk-ls)'
complete -c tk-sla -s d -l dir -x -a '(__fish_complete_directories)' -d 'store directory'
complete -c tk-sla -s h -l help -d 'print the options'
complete -c tk-sla -l version -d 'print the version'
complete -c tk-sla -s H -l header -d 'header line'
complete -c tk-sla -s q -l quiet -d 'print nothing'
complete -c tk-sla -s t -l tsv -d 'records, also on a terminal'
complete -c tk-sla -l table -d 'aligned table'
complete -c tk-sla -l json -d 'JSON lines'
complete -c tk-sla -s o -l output -x -a '(__tk_columns; printf "%s\n" metric deadline remaining policy state level)' -d columns
complete -c tk-sla -l at -x -d 'the state at another moment'
complete -c tk-sla -l within -x -a '15m 30m 1h 4h 1d' -d 'due within this much business time'
complete -c tk-sla -l breached -d 'clocks past their deadline'
complete -c tk-sla -l warn -x -a '50% 80% 90%' -d 'clocks past this share of their target'
complete -c tk-sla -l new -d 'only what was not acted on yet, claimed'
complete -c tk-sla -l policy -r -F -d 'what another sla file would give'
complete -c tk-sla -l explain -x -a '(__tk_ids)' -d 'how the deadlines are made'
complete -c tk-sla -l rearm -x -a '(__tk_ids)' -d 'list the last claim again'
complete -c tk-sla -l recompute -d "rebuild every open ticket's deadlines"
complete -c tk-sla -l dry-run -d 'with --recompute: write nothing'
