#!/bin/sh
# A scripted tour of tk on a store of its own: intake, a VIP customer,
# triage, replies, the workflow, the log, an import from another help desk,
# agents and routing, links, mail, the KB, typed fields and SLA clocks.
# Run by `make demo`; safe to run again.
#
# Each step is one string of shell that run prints and then evaluates, so
# the line shown is exactly the command that runs: copy it into a shell in
# the top directory, with TK_DIR set as below, and it does the same.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PATH=$top/bin:$PATH
TK_DIR=${TK_DEMO_DIR:-$top/demo-store}
export PATH TK_DIR
rm -rf "$TK_DIR"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	step() { printf '\n\033[1m$ %s\033[0m\n' "$1"; }
else
	step() { printf '\n$ %s\n' "$1"; }
fi
run() { step "$1"; eval "$1"; }

echo "tk demo: a store in TK_DIR=$TK_DIR"
run 'mkdir -p "$TK_DIR" && echo "field product" >"$TK_DIR/fields"   # declare a custom field'
run "tk-new -s '打印机无法连接' -r alice@example.com -p P2 category=hardware queue=desk -m 'Since this morning the 3rd floor printer is offline.'"
run "printf '#subject\\trequester\\tpriority\\tqueue\\nVPN down for the whole Shanghai office\\tbob@example.com\\tP1\\tnet\\nInvoice 2026-114 is wrong\\tcarol@bigcustomer.com\\tP3\\tbilling\\nVPN 连接很慢\\tdave@example.com\\tP2\\tnet\\n' | tk-new -b"
run "tk-new -s 'Password reset' -r erin@example.com +account product=SSO"
run "tk-org add initech name=Initech domains=initech.io,eu.initech.io tier=vip queue=key-accounts +key-account   # a VIP customer"
run "tk-contact add 'Wang Li <wang.li@initech.io>' phone='+86 138 0013 8000' lang=zh   # org initech by its domain"
run 'tk-contact set wang.li@initech.io +email=wli@gmail.com   # a second identity'
run "tk-new -s 'VPN 断线' -r 'Wang Li <wli@gmail.com>' -p P2   # known: contact, org, tier, queue and tags at once"
run 'tk-show 6'
run 'tk-ls --table'
run "tk-ls --table 'subject~(?i)vpn|打印' -o id,priority,queue,subject"
run 'tk-ls queue=net | tk-set assignee="$(id -un)" status=open +network'
run "tk-comment -m 'We are on it: the VPN concentrator is being restarted.' 2"
run "tk-comment -i -m 'Looks like the certificate expired. @carol please check.' 2"
run 'tk-set status=pending 2'
run "tk-comment -f bob@example.com -m 'Still down here.' 2"
run 'tk-set status=resolved 2'
run 'tk-ls --table -a -o id,status,first_response,reopens,watchers,subject'
run 'tk-ls --table -s tier,priority -o id,tier,org,priority,queue,subject   # VIPs first'
run 'tk-contact show wang.li@initech.io'
run "tk-contact find '138 0013 8000'"
run "tk-org add bigcustomer name='Big Customer' domains=bigcustomer.com tier=gold   # carol wrote before her company was known: she joins it"
run 'tk-ls -o id,org,tier,subject org=bigcustomer   # and her open ticket follows'
run 'tk-org ls --table'
run 'tk-show 2'
run 'tk-log --since 1h -H'
run 'tk-import --preset zendesk examples/import/zendesk.csv'
run 'tk-import --preset zendesk examples/import/zendesk.csv   # again: read over, nothing changes'
run 'tk-export --format json --with comments -o id,external_id,status,priority,tags,subject external_id=1001'
run 'tk-ls -H -o subject,requester,priority status=new | tk-new -b   # copy the new tickets'
run 'tk ls --table status=new'
run "tk-agent -q add alice name='Alice Wang' teams=l1 skills=network,vpn,zh capacity=5 && tk-agent -q add bob teams=l1 role=lead && tk-agent team l1 queues=desk,net,billing"
run 'cp examples/rules.conf "$TK_DIR/rules" && tk-new --route -s "VPN 断线了" -r gina@example.com   # routed as it is created'
run 'tk-ls -t -o id status=new | tk-assign --least-loaded -t -o id,queue,assignee'
run 'tk-link 1 relates 3 && tk-link --split 1 -s "Replace the toner"'
run 'printf "From: Frank Li <Frank@Example.com>\nSubject: 打印机又坏了\nMessage-ID: <demo1@example.com>\n\n还是不能打印\n" | tk-mail'
run 'echo "先检查 VPN 证书是否过期，再重启客户端。" | tk-kb add --title "VPN 无法连接的排查步骤" tags=vpn && tk-kb search 证书'
run 'tk-kb import examples/kb.csv && tk-kb search -n 2 打印机 脱机 && tk-kb suggest -n 2 4   # articles from another KB; suggestions for ticket 4'
run 'printf "field product enum SSO X100 X200\n  indexed\nfield seats int 1..\nfield ship_date date\nrequired product in queue~^hw\n" >"$TK_DIR/fields" && tk-config apply   # typed fields, product indexed'
run 'tk-set product=X200 seats=12 ship_date=2026-12-20 3 4 && tk-ls --explain -o id,status,product,seats,subject product=X200'
run "tk-ls -a -o id,seats,ship_date 'seats>10' 'ship_date<2027-01-01'   # ranges compare as each type does"
run 'cp examples/sla "$TK_DIR/sla" && cp examples/calendars "$TK_DIR/calendars" && tk-sla -q --recompute && tk-sla --table --within 1d'
run 'tk-config check && tk-agent ls -H'
printf '\nThe store is in %s; try: TK_DIR=%s tk-ls --table\n' "$TK_DIR" "$TK_DIR"
