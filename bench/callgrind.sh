#!/bin/sh
# bench/callgrind.sh BINDIR LABEL: instruction counts (valgrind --tool=callgrind, user space) of
# the core commands on the same generated data: a comparison of two builds that the machine's load
# does not move (bench/RESULTS.md, eighth session). Not part of make bench.
set -eu
mkdir -p "${CG_DIR:-/tmp/tk-cg}"
bin=$1; label=$2; out=${CG_DIR:-/tmp/tk-cg}/$label; rm -rf $out; mkdir -p $out
export TK_NOW=2026-11-22T09:30:00Z TZ=UTC
cnt() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
# data
[ -f ${CG_DIR:-/tmp/tk-cg}/b.tsv ] || python3 - > ${CG_DIR:-/tmp/tk-cg}/b.tsv <<'PY'
import random
random.seed(7)
print("#subject\trequester\tpriority\tqueue\tassignee\tstatus")
for i in range(20000):
    print(f"ticket {i} 打印机\tu{random.randint(1,5000)}@ex.com\tP{random.randint(1,4)}\tq{random.randint(1,9)}\ta{random.randint(1,50)}\t{random.choice(['new','open','pending','resolved','closed','closed','closed'])}")
PY
[ -f ${CG_DIR:-/tmp/tk-cg}/i.csv ] || python3 - > ${CG_DIR:-/tmp/tk-cg}/i.csv <<'PY'
import random
random.seed(9)
print("id,subject,requester,status,priority,assignee,created")
for i in range(20000):
    print(f"HD-{i},imported {i},c{random.randint(1,3000)}@corp.com,{random.choice(['open','closed','solved'])},high,agent{random.randint(1,30)},2025-0{random.randint(1,9)}-1{random.randint(0,9)} 10:00")
PY
export TK_DIR=$out/s
echo "tk-new -b 20000: $(cnt $bin/tk-new -q -b < ${CG_DIR:-/tmp/tk-cg}/b.tsv)"
echo "tk-import 20000: $(cnt $bin/tk-import -q ${CG_DIR:-/tmp/tk-cg}/i.csv)"
echo "tk-import re-run: $(cnt $bin/tk-import -q ${CG_DIR:-/tmp/tk-cg}/i.csv)"
echo "tk-new one: $(cnt $bin/tk-new -q -s 'one more' -r x@ex.com -p P1)"
echo "tk-ls assignee=a7 status=open: $(cnt $bin/tk-ls -t assignee=a7 status=open)"
echo "tk-ls subject~regex -a: $(cnt $bin/tk-ls -t -a 'subject~(?i)ticket 1.*打印')"
echo "tk-set one: $(cnt $bin/tk-set -q status=open 5)"
echo "tk-export csv: $(cnt $bin/tk-export --format csv)"
