#!/usr/bin/env python3
"""The embedded engine vs DuckDB on the same synthetic AzureActivity rows.

    python3 benches/engine_vs_duckdb.py 1000000 5000000

For each size: runs `examples/engine_bench.rs` (generates the CSV, loads it,
runs the rendered run_command_spike query best of 3), then DuckDB on the same
CSV with the equivalent hand-written SQL (read_csv timed apart, query best of
3 on the in-memory table), checks the two results are equal, prints a table.

Two DuckDB queries are timed: `SQL` leaves out the query's `ResourceBag`
column (`make_bag(pack(Resource, ResourceGroup))`), as the first versions of
this script did, and is the ratio reported; `SQL_BAG` also builds the bag
(`json_group_object`), so it computes every column the KQL query returns, and
its bags are compared with ours too.
"""
import json, subprocess, sys, time, resource
import duckdb

SQL = """
WITH base AS (
  SELECT * FROM t
  WHERE TimeGenerated > TIMESTAMP '2026-01-15 12:00:00' - INTERVAL 30 DAY
    AND lower(OperationName) = lower('Run Command on Virtual Machine')),
g1 AS (
  SELECT CorrelationId, Caller, Resource, ResourceGroup, min(TimeGenerated) AS s, max(TimeGenerated) AS e,
         max(CallerIpAddress) AS ip
  FROM base GROUP BY CorrelationId, Caller, Resource, ResourceGroup),
g2 AS (
  SELECT Caller, ip, count(DISTINCT lower(Resource)) AS rc, count(DISTINCT lower(ResourceGroup)) AS rgc,
         min(s) AS s, max(e) AS e, count(*) AS commands
  FROM g1 GROUP BY Caller, ip)
SELECT Caller, ip, rc, rgc, date_diff('minute', s, e) AS w, strftime(s, '%Y-%m-%dT%H:%M:%SZ'), strftime(e, '%Y-%m-%dT%H:%M:%SZ')
FROM g2 WHERE rc >= 1 AND date_diff('minute', s, e) < 15 AND commands >= 5
"""

SQL_BAG = SQL.replace(
    "min(s) AS s, max(e) AS e, count(*) AS commands",
    "min(s) AS s, max(e) AS e, count(*) AS commands, json_group_object(lower(Resource), lower(ResourceGroup)) AS bag",
).replace("strftime(e, '%Y-%m-%dT%H:%M:%SZ')\nFROM g2", "strftime(e, '%Y-%m-%dT%H:%M:%SZ'), bag\nFROM g2")
assert SQL_BAG != SQL and "bag\nFROM g2" in SQL_BAG

def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1_000_000, 5_000_000]
    print("| rows | ours: load CSV | DuckDB: read_csv | ours: query (best of 3) | DuckDB: query (best of 3) | ratio | DuckDB with the bag | ratio with the bag | result rows | equal | our peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for n in sizes:
        d = f"/tmp/engine-bench-{n}"
        out = subprocess.run(["cargo", "run", "-q", "--release", "--example", "engine_bench", "--", str(n), d],
                             check=True, capture_output=True, text=True).stdout
        ours = json.loads(out.strip().splitlines()[-1])
        con = duckdb.connect()
        con.execute("SET threads TO 2")
        t0 = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{d}/AzureActivity.csv', header=true, timestampformat='%Y-%m-%dT%H:%M:%SZ')")
        duck_load = (time.perf_counter() - t0) * 1000
        best = float("inf"); rows = None
        for _ in range(3):
            t0 = time.perf_counter()
            rows = con.execute(SQL).fetchall()
            best = min(best, (time.perf_counter() - t0) * 1000)
        best_bag = float("inf"); bag_rows = None
        for _ in range(3):
            t0 = time.perf_counter()
            bag_rows = con.execute(SQL_BAG).fetchall()
            best_bag = min(best_bag, (time.perf_counter() - t0) * 1000)
        r = ours["result"]
        mine = sorted(tuple(row[:7]) for row in r["rows"])
        theirs = sorted(tuple(row) for row in rows)
        # the bags as key -> value maps (DuckDB repeats a key seen twice; make_bag keeps one)
        as_bag = lambda b: dict(json.loads(b) if isinstance(b, str) else b)
        mine_bags = sorted((tuple(row[:7]), sorted(as_bag(row[7]).items())) for row in r["rows"])
        theirs_bags = sorted((tuple(row[:7]), sorted(as_bag(row[7]).items())) for row in bag_rows)
        equal = mine == theirs and mine_bags == theirs_bags
        ratio = ours["query_ms_best_of_3"] / best if best else float("nan")
        ratio_bag = ours["query_ms_best_of_3"] / best_bag if best_bag else float("nan")
        print(f"| {ours['rows']:,} | {ours['load_ms']:,} ms | {duck_load:,.0f} ms | {ours['query_ms_best_of_3']:,.0f} ms | {best:,.0f} ms | {ratio:.2f}x | {best_bag:,.0f} ms | {ratio_bag:.2f}x | {len(mine)} | {equal} | {int(ours['peak_rss_kb'])//1024} MiB |")
        if not equal:
            print("  mismatch:", mine[:3], theirs[:3])

if __name__ == "__main__":
    main()
