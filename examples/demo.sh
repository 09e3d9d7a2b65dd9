#!/bin/sh
# A scripted tour of tk on a store of its own: intake, triage, replies,
# the workflow, the log, an import from another help desk. Run by `make demo`; safe to run again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$PATH
TK_DIR=${TK_DEMO_DIR:-$top/demo-store}
export PATH TK_DIR
rm -rf "$TK_DIR"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
	step() { printf '\n$ %s\n' "$*"; }
fi
run() { step "$*"; "$@"; }

echo "tk demo: a store in $TK_DIR"
run tk-new -s '打印机无法连接' -r alice@example.com -p P2 category=hardware queue=desk -m 'Since this morning the 3rd floor printer is offline.'
step "printf '#subject\\trequester\\tpriority\\tqueue\\n...' | tk-new -b"
printf '#subject\trequester\tpriority\tqueue\nVPN down for the whole Shanghai office\tbob@example.com\tP1\tnet\nInvoice 2026-114 is wrong\tcarol@bigcustomer.com\tP3\tbilling\nVPN 连接很慢\tdave@example.com\tP2\tnet\n' | tk-new -b
run tk-new -s 'Password reset' -r erin@example.com +account product=SSO
run tk-ls --table
run tk-ls --table 'subject~(?i)vpn|打印' -o id,priority,queue,subject
step "tk-ls queue=net | tk-set assignee=\$USER status=open +network"
tk-ls queue=net | tk-set assignee="$(id -un)" status=open +network
run tk-comment -m 'We are on it: the VPN concentrator is being restarted.' 2
run tk-comment -i -m 'Looks like the certificate expired. @carol please check.' 2
run tk-set status=pending 2
run tk-comment -f bob@example.com -m 'Still down here.' 2
run tk-set status=resolved 2
run tk-ls --table -a -o id,status,first_response,reopens,watchers,subject
run tk-show 2
run tk-log --since 1h -H
run tk-import --preset zendesk "$top/examples/import/zendesk.csv"
step "tk-import --preset zendesk .../zendesk.csv   # again: read over, nothing changes"
tk-import --preset zendesk "$top/examples/import/zendesk.csv"
run tk-export --format json --with comments -o id,external_id,status,priority,tags,subject external_id=1001
step "tk-ls -H -o subject,requester,priority | tk-new -b   # copy open tickets"
tk-ls -H -o subject,requester,priority status=new | tk-new -b
run tk ls --table status=new
printf '\nThe store is in %s; try: TK_DIR=%s tk-ls --table\n' "$TK_DIR" "$TK_DIR"
