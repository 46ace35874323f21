#!/usr/bin/env python3
"""The script a user would write instead of poolscan: pandas + a regular expression.

    python3 benches/reference.py poolmon.log [--top N]

Reads an appended PoolMon log (`poolmon -b -r -n`, narrow form, a cmd-style timestamp line such
as `Wed 11/25/2026  8:00:00.00` before each snapshot), builds one DataFrame row per
(snapshot, tag, pool), fits a least-squares line of Bytes over time for every (tag, pool) and
prints the steepest ones. It is the baseline of `benches/e2e.sh`: written plainly, the way a
competent pandas user would (one regex pass over the lines, vectorised dtype conversion, one
groupby with the closed-form slope), with no attempt to be either slow or clever.
"""

import argparse
import re
import sys

import numpy as np
import pandas as pd

# ` Ntfx Nonp    1091324    544050    547274 45423742         83   [wfplwfs.sys - WFP filter]`
# The tag is 4 characters and may contain spaces (`Kq 3`, `CM  `).
ROW = re.compile(
    r"^ ?(.{4}) (Paged|Nonp)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(\d+)\s+(\d+)"
)
# `Wed 11/25/2026  8:00:00.00` (cmd's `%date% %time%`)
STAMP = re.compile(r"^(?:\w{3} )?(\d{1,2}/\d{1,2}/\d{4})\s+(\d{1,2}:\d\d:\d\d)(?:\.\d+)?")


def read_log(path):
    stamps = []  # one "MM/DD/YYYY HH:MM:SS" per snapshot
    snap, tag, typ, allocs, frees, diff, nbytes, per_alloc = ([] for _ in range(8))
    current = -1
    with open(path, encoding="latin-1", newline=None) as f:
        for line in f:
            m = ROW.match(line)
            if m:
                if current < 0:  # rows before any timestamp line
                    continue
                g = m.groups()
                snap.append(current)
                tag.append(g[0])
                typ.append(g[1])
                allocs.append(g[2])
                frees.append(g[3])
                diff.append(g[4])
                nbytes.append(g[5])
                per_alloc.append(g[6])
                continue
            m = STAMP.match(line)
            if m:
                stamps.append(m.group(1) + " " + m.group(2))
                current = len(stamps) - 1
    times = pd.to_datetime(pd.Series(stamps), format="%m/%d/%Y %H:%M:%S")
    df = pd.DataFrame(
        {
            "snapshot": np.asarray(snap, dtype=np.int32),
            "tag": tag,
            "type": typ,
            "allocs": allocs,
            "frees": frees,
            "diff": diff,
            "bytes": nbytes,
            "per_alloc": per_alloc,
        }
    )
    for col in ("allocs", "frees", "diff", "bytes", "per_alloc"):
        df[col] = pd.to_numeric(df[col]).astype(np.int64)
    df["tag"] = df["tag"].str.rstrip().astype("category")
    df["type"] = df["type"].astype("category")
    df["time"] = times.to_numpy()[df["snapshot"].to_numpy()]
    return df


def rank(df, top):
    # Least-squares slope of bytes over hours, per (tag, pool), in closed form:
    # slope = (n*Sxy - Sx*Sy) / (n*Sxx - Sx^2), with x centred on the log's start.
    x = (df["time"] - df["time"].min()).dt.total_seconds().to_numpy() / 3600.0
    y = df["bytes"].to_numpy(dtype=np.float64)
    work = pd.DataFrame(
        {"tag": df["tag"], "type": df["type"], "x": x, "y": y, "xy": x * y, "xx": x * x}
    )
    g = work.groupby(["tag", "type"], observed=True)
    s = g.agg(n=("x", "size"), sx=("x", "sum"), sy=("y", "sum"), sxy=("xy", "sum"), sxx=("xx", "sum"))
    den = s["n"] * s["sxx"] - s["sx"] ** 2
    s["slope_bytes_per_hour"] = np.where(
        (s["n"] >= 3) & (den > 0), (s["n"] * s["sxy"] - s["sx"] * s["sy"]) / den.where(den > 0, 1), 0.0
    )
    first_last = df.groupby(["tag", "type"], observed=True)["bytes"].agg(["first", "last"])
    s = s.join(first_last)
    return s.sort_values("slope_bytes_per_hour", ascending=False).head(top)


def main():
    ap = argparse.ArgumentParser(description="Rank PoolMon series by least-squares slope (pandas).")
    ap.add_argument("log")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    df = read_log(args.log)
    best = rank(df, args.top)
    print(
        f"{args.log}: {df['snapshot'].nunique()} snapshots, {len(df)} rows, "
        f"{best.shape[0]} of {df.groupby(['tag', 'type'], observed=True).ngroups} series shown"
    )
    print(f"{'rank':>4}  {'tag':4}  {'pool':8}  {'n':>6}  {'bytes first':>12}  {'bytes last':>12}  {'slope B/h':>12}")
    for i, ((tag, typ), r) in enumerate(best.iterrows(), 1):
        pool = "Nonpaged" if typ == "Nonp" else "Paged"
        print(
            f"{i:>4}  {tag:4}  {pool:8}  {int(r['n']):>6}  {int(r['first']):>12}  "
            f"{int(r['last']):>12}  {r['slope_bytes_per_hour']:>12.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
