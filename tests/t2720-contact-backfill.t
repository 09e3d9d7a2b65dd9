#!/bin/sh
# tk-contact backfill: tickets made before the customer directory get their
# requesters' contacts, orgs and tiers, in batches, logged via backfill,
# their updated times kept, again changing nothing; and a contact's tier
# drives a routing rule (tk-route) and an SLA policy (tk-sla) keyed on
# tier=, at intake, after a change of tier, and after a backfill.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TK_DIR"
cat >"$TK_DIR/rules" <<'EOF'
rule vips
  match tier=vip
  set queue=vip-desk priority=P1
rule golds
  match tier=gold
  set queue=gold-desk
EOF
cat >"$TK_DIR/sla" <<'EOF'
policy vip-customers
  match      tier=vip
  response   30m
policy others
  match      *
  response   8h
EOF

test_expect_success 'setup: an org of tier gold, a contact of its own tier vip, old tickets with no contact' '
	tk-org -q add acme name=Acme domains=acme.example tier=gold queue=acme-desk &&
	tk-contact -q add "Vera Important <vera@acme.example>" tier=vip &&
	printf "%s\t%s\n" vera@acme.example closed new.person@acme.example open someone@gmail.com resolved \
	    jdoe new "+86 138 0013 8000" new Vera@ACME.example pending |
		"$TK_UNIT" old-tickets "$TK_DIR" &&
	tk-ls -a -t -o id,contact,org,tier "contact=" >out &&
	test "$(wc -l <out)" -eq 6 &&
	tk-ls -a -t -o id,updated >updated.before
'

test_expect_success 'backfill: each ticket the contact intake gives its requester, with org and tier; new contacts made' '
	tk-contact backfill 2>err &&
	test_grep "^tk-contact: backfill: 6 tickets without a contact, 5 linked, 3 contacts made$" err &&
	tk-ls -a -t -o id,requester,contact,org,tier,queue >out &&
	printf "%s\n" "1	vera@acme.example	c1	acme	vip	" "2	new.person@acme.example	c2	acme	gold	" \
	    "3	someone@gmail.com	c3			" "4	jdoe				" "5	+86 138 0013 8000	c4			" \
	    "6	vera@acme.example	c1	acme	vip	" >expect &&
	test_cmp expect out &&
	tk-contact find -t -o emails,org new.person@acme.example >out &&
	printf "new.person@acme.example\tacme\n" >expect && test_cmp expect out
'

test_expect_success 'backfill logs each change via backfill and keeps the updated times' '
	tk-log -t 2 >log &&
	grep -c "	backfill$" log >n && echo 3 >expect && test_cmp expect n &&
	grep "	contact		c2	" log &&
	tk-ls -a -t -o id,updated >updated.after && test_cmp updated.before updated.after
'

test_expect_success 'backfill again: nothing changes (re-runnable); the summaries count the linked tickets' '
	tk-log -t >log.before &&
	tk-contact backfill 2>err &&
	test_grep "1 tickets without a contact, 0 linked, 0 contacts made" err &&
	tk-log -t >log.after && test_cmp log.before log.after &&
	tk-contact show --json c1 >out &&
	test_grep "\"tickets\":2,\"open\":1,\"by_status\":{\"new\":0,\"open\":0,\"pending\":1,\"resolved\":0,\"closed\":1}" out &&
	test_grep "\"last_tickets\":\[6,1\]" out
'

test_expect_success 'backfill of some tickets by id; bad input' '
	printf "late@acme.example\topen\nlater@acme.example\topen\n" | "$TK_UNIT" old-tickets "$TK_DIR" &&
	tk-contact -q backfill 8 2>err && test_empty err &&
	test "$(tk-ls -a -t -o contact 7)" = "" && test -n "$(tk-ls -a -t -o contact 8)" &&
	test_expect_code 2 tk-contact backfill x7 2>err && test_grep "backfill: x7: not a ticket id" err &&
	test_expect_code 1 tk-contact backfill 999 2>err && test_grep "ticket 999: no such ticket" err &&
	test "$(tk-ls -a -t -o contact 7)" = "" &&
	test_expect_code 2 tk-contact --frob backfill 2>err &&
	tk-contact -q backfill &&
	test -n "$(tk-ls -a -t -o contact 7)"
'

test_expect_success 'backfill in batches: 12,000 old tickets, one contact a requester, each batch one transaction' '
	awk "BEGIN { for (i = 1; i <= 12000; i++) printf \"p%d@bulk.example\topen\n\", i % 500 }" |
		"$TK_UNIT" old-tickets "$TK_DIR" &&
	tk-contact backfill 2>err &&
	test_grep "12001 tickets without a contact, 12000 linked, 500 contacts made" err &&
	tk-ls -a -t -o requester,contact "requester~@bulk\\.example" | sort -u >pairs &&
	test "$(wc -l <pairs)" -eq 500 && test "$(cut -f2 pairs | sort -u | wc -l)" -eq 500 &&
	c=$(tk-contact find -t -o id p7@bulk.example) &&
	tk-contact show --json "$c" >out && test_grep "\"tickets\":24,\"open\":24" out
'

test_expect_success 'a routing rule keyed on tier= acts on the contact tier at intake (its own before its org)' '
	id=$(tk-new --route -s "VPN down" -r vera@acme.example) &&
	tk-ls -t -o tier,queue,priority "$id" >out &&
	printf "vip\tvip-desk\tP1\n" >expect && test_cmp expect out &&
	id=$(tk-new --route -s "VPN down" -r new.person@acme.example) &&
	tk-ls -t -o tier,queue,priority "$id" >out &&
	printf "gold\tgold-desk\tP3\n" >expect && test_cmp expect out
'

test_expect_success 'an SLA policy keyed on tier= acts on the contact tier: 30 minutes for vip, 8 hours else' '
	id=$(tk-new -s "down again" -r vera@acme.example) &&
	tk-ls -t -o tier,due_response "$id" >out &&
	printf "vip\t2026-11-22T10:00:00Z\n" >expect && test_cmp expect out &&
	tk-sla -t -o id,metric,policy "$id" >out &&
	printf "$id\tresponse\tvip-customers\n" >expect && test_cmp expect out &&
	id2=$(tk-new -s "down again" -r new.person@acme.example) &&
	tk-sla -t -o id,metric,policy "$id2" >out &&
	printf "$id2\tresponse\tothers\n" >expect && test_cmp expect out
'

test_expect_success 'a contact made vip: its open tickets follow, and the rule and the policy act on the new tier' '
	id=$(tk-new -s "slow mail" -r new.person@acme.example) &&
	tk-contact -q set new.person@acme.example tier=vip &&
	tk-ls -t -o tier "$id" >out && echo vip >expect && test_cmp expect out &&
	tk-route "$id" >/dev/null &&
	tk-ls -t -o queue,priority "$id" >out && printf "vip-desk\tP1\n" >expect && test_cmp expect out &&
	tk-sla -q --recompute &&
	tk-sla -t -o policy "$id" >out && echo vip-customers >expect && test_cmp expect out
'

test_expect_success 'after a backfill, tier= finds the old tickets: tk-route routes them, tk-ls lists them' '
	tk-ls -a -t -o id "tier=vip" "subject~^old " >out &&
	test_grep "^1$" out && test_grep "^6$" out &&
	tk-route --dry-run -o id,queue 6 >out &&
	printf "6\tvip-desk\n" >expect && test_cmp expect out
'

test_done
