#!/bin/sh
# bench/run.sh: every benchmark (make bench: core, import, routing, links, fields, mail, KB, ticket full text, contacts, SLA); each report goes to
# bench/out/ and to standard output. BENCH_N tickets (default 1000000).
set -eu
cd "$(dirname "$0")"
mkdir -p out
for b in core import assign route link fields mail notify kb ft contacts sla; do
	sh ./$b.sh | tee out/$b.report
done
