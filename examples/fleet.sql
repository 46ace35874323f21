-- The `poolscan fleet` aggregation in standard SQL, over the dataset that
--   poolscan export --partition-by host --format parquet -o DATASET HOST_LOGS...
-- writes (tables samples, snapshots and analysis, each with a `host` column from
-- its host=NAME directories).
--
-- Runs unchanged on polars (`poolscan sql DATASET examples/fleet.sql`), Spark SQL
-- (examples/fleet_spark.py) and DuckDB. On Trino, write approx_percentile(x, 0.5)
-- for MEDIAN(x).
--
-- Per (tag, pool): w = hosts with `leak` + half the hosts with `suspect`.
-- Fleet `leak` when w >= 2 and w >= a tenth of the hosts seen; `suspect` when w >= 1.
-- score = 0.6 * min(1, w / needed) + 0.4 * mean host score.
WITH per AS (
    SELECT
        tag,
        pool,
        COUNT(*) AS hosts_seen,
        SUM(CASE WHEN verdict = 'leak' THEN 1 ELSE 0 END) AS hosts_leak,
        SUM(CASE WHEN verdict = 'suspect' THEN 1 ELSE 0 END) AS hosts_suspect,
        MEDIAN(bytes_per_hour) AS median_bytes_per_hour,
        MAX(bytes_per_hour) AS max_bytes_per_hour,
        AVG(score) AS mean_host_score
    FROM analysis
    GROUP BY tag, pool
),
weighed AS (
    SELECT
        *,
        hosts_leak + 0.5 * hosts_suspect AS support,
        CASE WHEN 0.1 * hosts_seen > 2.0 THEN 0.1 * hosts_seen ELSE 2.0 END AS needed
    FROM per
),
judged AS (
    SELECT
        *,
        CASE WHEN support >= needed THEN 2 WHEN support >= 1.0 THEN 1 ELSE 0 END AS verdict_level,
        0.6 * (CASE WHEN support < needed THEN support / needed ELSE 1.0 END)
            + 0.4 * mean_host_score AS score
    FROM weighed
)
SELECT
    tag,
    pool,
    CASE verdict_level WHEN 2 THEN 'leak' WHEN 1 THEN 'suspect' ELSE 'ok' END AS verdict,
    score,
    hosts_seen,
    hosts_leak,
    hosts_suspect,
    median_bytes_per_hour,
    max_bytes_per_hour,
    verdict_level
FROM judged
ORDER BY verdict_level DESC, score DESC, hosts_leak DESC, tag, pool
