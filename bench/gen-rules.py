#!/usr/bin/env python3
"""bench/gen-rules.py N: N routing rules (default 200) for tk-route's
benchmark, deterministic: keywords and regexes, Chinese and English, on
subject and body, drawn from the vocabulary of ../shared/bench/topics.py
(the generated tickets') and from words no ticket holds.

  gen-rules.py 200 > rules         the rules file (tk-config(5), rules)
  gen-rules.py 200 --patterns      every pattern, one a line (the floor's)
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
import topics as T  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
patterns_only = "--patterns" in sys.argv
r = random.Random(23)


def en(word):
    # "paper jam" -> (?i)\bpaper\s+jam\b : a rules file's words hold no space
    return r"(?i)\b" + r"\s+".join(re.escape(w) for w in word.split()) + r"\b"


rules = []
for t in T.TOPICS:
    cat, queues = t["category"], t["queues"]
    for w in t["en_terms"]:
        rules.append((t["key"], [("subject", en(w)), ("body", en(w))], cat, r.choice(queues)))
    for w in t["zh_terms"]:
        rules.append((t["key"], [("subject", re.escape(w)), ("body", re.escape(w))], cat, r.choice(queues)))
# regexes that take more than a keyword
rules += [
    ("code", [("body", r"(?i)\berror\s*(?:code\s*)?0x[0-9a-f]{8}\b")], "windows", "it-desk-l1"),
    ("code", [("body", r"错误代码\s*\S+")], "windows", "it-desk-l1"),
    ("urgent", [("subject", r"(?i)^(?:re:\s*|fw:\s*)*urgent\b")], "", "escalations"),
    ("urgent", [("subject", r"【紧急】")], "", "escalations"),
    ("asset", [("body", r"(?i)asset\s+tag\s+[A-Z]{2}-?\d+")], "", ""),
    ("ip", [("body", r"\bping\s+(?:\d{1,3}\.){3}\d{1,3}\b")], "network", "network"),
    ("phone", [("body", r"(?:分机|ext\.?)\s*\d{3,5}")], "", ""),
    ("iphone", [("body", r"(?i)sent\s+from\s+my\s+(?:iphone|ipad)")], "", ""),
]
i = 0
while len(rules) < n:  # products no ticket names: misses, as most rules are on most tickets
    rules.append(("product", [("subject", r"(?i)\bwidget-?%04d\b|小部件%d号" % (i, i)),
                              ("body", r"(?i)\bgizmo\s*%04d\b" % i)], "product", "sales"))
    i += 1
rules = rules[:n]

if patterns_only:
    for _, ms, _, _ in rules:
        for _, p in ms:
            print(p)
    sys.exit(0)
print("# %d rules for bench/route.sh (bench/gen-rules.py)" % n)
for k, (key, ms, cat, queue) in enumerate(rules):
    print("rule r%03d-%s" % (k, key))
    for field, p in ms:
        print("  match %s~%s" % (field, p))
    sets = ["+%s" % key]
    if cat:
        sets.insert(0, "category=" + cat)
    if queue:
        sets.insert(0, "queue=" + queue)
    print("  set " + " ".join(sets))
