#!/usr/bin/env python3
"""Runs the fleet aggregation (examples/fleet.sql) on Spark, in local mode, over a
poolscan dataset, reads the dataset back with pyarrow, and optionally checks both
against `poolscan fleet --format json`.

    poolscan export --partition-by host --format parquet -o fleet-data logs/*.log
    poolscan fleet logs/*.log --format json > fleet.json
    pip install pyspark pyarrow          # Spark needs Java 17 or later
    python3 examples/fleet_spark.py fleet-data --check fleet.json

On a cluster, the same SQL runs as is: register the three tables with
spark.read.parquet("s3://bucket/fleet-data/analysis") (and samples, snapshots),
then spark.sql(open("examples/fleet.sql").read()).
Exit status: 0 when everything agrees, 3 on a difference (anything else: Spark or
pyarrow could not run).
"""
import argparse
import json
import math
import os
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset", help="directory written by poolscan export --partition-by host")
    ap.add_argument("--sql", default=os.path.join(os.path.dirname(__file__), "fleet.sql"))
    ap.add_argument("--check", metavar="FLEET_JSON", help="poolscan fleet --format json output to compare with")
    args = ap.parse_args()

    import pyarrow.dataset as ds

    tables = ("samples", "snapshots", "analysis")
    counts = {}
    for t in tables:
        d = ds.dataset(os.path.join(args.dataset, t), format="parquet", partitioning="hive")
        tbl = d.to_table()
        hosts = tbl.column("host").to_pylist()
        counts[t] = {h: hosts.count(h) for h in sorted(set(hosts))}
        print(f"pyarrow: {t}: {tbl.num_rows} rows, {len(counts[t])} hosts, columns {tbl.column_names}")

    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("poolscan-fleet")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for t in tables:
        spark.read.parquet(os.path.join(args.dataset, t)).createOrReplaceTempView(t)
    spark_rows = spark.sql("SELECT host, count(*) AS n FROM samples GROUP BY host").collect()
    bad = [r for r in spark_rows if counts["samples"].get(r["host"]) != r["n"]]
    with open(args.sql) as f:
        rows = [r.asDict() for r in spark.sql(f.read()).collect()]
    spark.stop()
    print(f"spark: {len(rows)} fleet series; top 5:")
    for r in rows[:5]:
        print(
            f"  {r['tag']:<4} {r['pool']:<8} {r['verdict']:<7} score {r['score']:.3f}  "
            f"hosts leak/suspect/seen {r['hosts_leak']}/{r['hosts_suspect']}/{r['hosts_seen']}"
        )
    if bad:
        print(f"spark and pyarrow disagree on sample rows per host: {bad}", file=sys.stderr)
        return 3
    if not args.check:
        return 0

    with open(args.check) as f:
        fleet = json.load(f)["series"]
    if len(fleet) != len(rows):
        print(f"poolscan fleet has {len(fleet)} series, spark {len(rows)}", file=sys.stderr)
        return 3

    def close(a, b):
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)

    diffs = 0
    for k, (a, b) in enumerate(zip(fleet, rows)):
        same = all(a[key] == b[key] for key in ("tag", "pool", "verdict", "hosts_seen", "hosts_leak", "hosts_suspect"))
        same = same and all(close(a[key], b[key]) for key in ("score", "median_bytes_per_hour", "max_bytes_per_hour"))
        if not same:
            diffs += 1
            print(f"rank {k + 1}: poolscan {a} / spark {b}", file=sys.stderr)
    print(f"spark vs poolscan fleet: {len(rows) - diffs} of {len(rows)} series agree")
    return 3 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
