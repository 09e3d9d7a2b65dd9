# fish completion for tk and the tk-NAME commands: the same words as
# completions/tk.bash: each command's options (as cmd/tk-*.c take them),
# field names (built in, and those the store's "fields" file declares),
# values after field=, field!=, field~ (fixed words, or what the store
# holds), +tag, and ticket ids. fish loads it for tk; for the tk-NAME
# commands install it also as tk-NAME.fish (or source it).

# The fields of lib/ticket.c's tk_fields table, and requester_name.
set -g __tk_fields_all id created updated status priority type category queue assignee requester requester_name subject channel tags watchers due escalation first_response resolved closed reopens csat parent external_id contact org tier body age frt comments
set -g __tk_fields_readonly id updated contact org tier age frt comments
# The customer directory's records (tk-contact, tk-org).
set -g __tk_contact_fields id name emails phones org tier lang tz notes external_id created last_contact looked_up merged_into tickets open
set -g __tk_contact_writable name emails email phones phone org tier lang tz notes external_id created last_contact
set -g __tk_org_fields key name domains tier queue tags notes external_id created contacts tickets open
set -g __tk_org_writable name domains domain tier queue tags tag notes external_id created

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

# The words field $argv[1] may hold: a fixed list, or the store's values.
function __tk_values
    switch $argv[1]
        case status
            printf '%s\n' new open pending resolved closed
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
        case queue assignee category requester requester_name type external_id
            __tk_ls -a -t -o $argv[1] | string match -v '' | sort -u
        case '*'
            contains -- $argv[1] $__tk_fields_all; and return
            contains -- $argv[1] (__tk_field_names); or return
            __tk_ls -a -t -o $argv[1] | string match -v '' | sort -u
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

# tk-contact, tk-org: a verb, then its operands.
function __tk_dirop
    set -l cmd $argv[1]
    set -l tokens (commandline -opc)
    set -l verbs add set ls show import rm
    test $cmd = tk-contact; and set verbs add set ls show find merge unmerge dupes import rm refresh
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

# tk: the words after "tk [-d DIR] NAME" are completed as tk-NAME's.
set -g __tk_commands new ls show set comment log import export contact org

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
for c in tk-new tk-ls tk-show tk-set tk-comment tk-log tk-import tk-export tk-contact tk-org
    complete -c $c -s d -l dir -x -a '(__fish_complete_directories)' -d 'store directory'
    complete -c $c -s h -l help -d 'print the options'
    complete -c $c -l version -d 'print the version'
end
for c in tk-ls tk-set tk-comment tk-log
    complete -c $c -s t -l tsv -d 'records, also on a terminal'
    complete -c $c -l table -d 'aligned table'
    complete -c $c -l json -d 'JSON lines'
end
for c in tk-ls tk-set tk-comment tk-export
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

complete -c tk-set -f -a '(__tk_set_operand)'
complete -c tk-set -s q -l quiet -d 'print nothing'
complete -c tk-set -l atomic -d 'all tickets or none'

complete -c tk-comment -f -a '(__tk_ids)'
complete -c tk-comment -s m -l message -x -d 'text, a paragraph each'
complete -c tk-comment -s i -l internal -d 'internal note'
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
