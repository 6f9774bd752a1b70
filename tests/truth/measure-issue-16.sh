#!/usr/bin/env bash
# The two measurements of issue 16's "done when", as a new user would take them, on the CLI:
#  1. A/A: a 20,000-customer shop whose history runs past the waves, the example Double-11 run without
#     simulation (the campaign causes nothing), then the report: every interval should cover 0.
#  2. The unpaid reminder: 60 customers' Double-11 orders arrive unpaid (an order feed's `created`), the
#     waves run with simulated responses (so SMS delivery receipts exist, as SNS sends them on AWS), the
#     60 orders are paid 2 hours after the reminder (`paid`), then the report: the reminder wave is
#     credited with the payments of those it reached.
# Usage: bash tests/truth/measure-issue-16.sh [work dir]   (from the project root, after npm ci)
set -euo pipefail
work=${1:-$(mktemp -d)}
export PATH="$PWD/node_modules/.bin:$PATH"
campaign() { node bin/campaign.ts "$@"; }

aa="$work/aa"
campaign data generate --customers 20000 --as-of 2026-11-30 --data-dir "$aa" >/dev/null
cp -r "$aa" "$work/unpaid"
campaign run campaigns/double-11.yaml --data-dir "$aa" | grep '^✔ d11'
echo "--- A/A report (no simulation: the campaign caused nothing)"
campaign report campaigns/double-11.yaml --data-dir "$aa" | sed -n '1,12p'

u="$work/unpaid"
campaign sql --json --data-dir "$u" "SELECT customer_id FROM customers WHERE phone IS NOT NULL AND sms_consent
  AND customer_id NOT IN (SELECT customer_id FROM suppressions) ORDER BY hash(customer_id) LIMIT 60" |
  node -e '
    const ids = JSON.parse(require("fs").readFileSync(0, "utf8")).map((r) => r.customer_id);
    const order = (id, i) => ({ orderId: `U-${i}`, customerId: id, createdAt: "2026-11-11T21:00:00+08:00",
      amount: 200 + i, discount: 0, channel: "organic", items: [{ sku: "sku-1", quantity: 1, unitPrice: 200 + i }] });
    const fs = require("fs");
    fs.writeFileSync(process.argv[1], ids.map((id, i) => JSON.stringify({ event: "created", at: "2026-11-11T21:00:00+08:00", order: order(id, i) })).join("\n") + "\n");
    fs.writeFileSync(process.argv[2], ids.map((id, i) => JSON.stringify({ event: "paid", at: "2026-11-12T12:00:00+08:00",
      order: { ...order(id, i), paidAt: "2026-11-12T12:00:00+08:00" } })).join("\n") + "\n");
  ' "$work/created.jsonl" "$work/paid.jsonl"
campaign data import "$work/created.jsonl" --format order-events --data-dir "$u" | tail -1
campaign run campaigns/double-11.yaml --simulate --data-dir "$u" | grep '^✔ d11-unpaid'
campaign data import "$work/paid.jsonl" --format order-events --data-dir "$u" | tail -1
echo "--- the reminder wave, payments 2 hours after it"
campaign report campaigns/double-11.yaml --data-dir "$u" --json |
  node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); const w = r.waves.find((x) => x.waveId === "d11-unpaid");
    console.log(JSON.stringify({ attributed: w.attributed, lift: w.lift && { treated: w.lift.treated, holdout: w.lift.holdout, readable: w.lift.readable, note: w.lift.note } }, null, 1))'
campaign sql --data-dir "$u" "SELECT a.wave_id, a.touch, count(*) AS orders, sum(a.amount) AS revenue,
  (SELECT sum(amount) FROM orders WHERE order_id LIKE 'U-%' AND status = 'paid') AS paid_revenue
  FROM attribution a WHERE a.order_id LIKE 'U-%' GROUP BY 1, 2"
