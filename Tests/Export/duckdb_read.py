"""Reads a polisen-dash export with DuckDB, as a data user would, and prints what it sees as JSON:
the column types DuckDB infers (with the date= folders as a hive partition column) and every row
(the timestamp as UTC epoch seconds, so the offset's meaning is checked too)."""
import json
import sys

import duckdb

out, fmt = sys.argv[1], sys.argv[2]
source = (f"read_json_auto('{out}/**/*.jsonl', hive_partitioning=true)" if fmt == "jsonl"
          else f"read_csv_auto('{out}/**/*.csv', hive_partitioning=true)")
con = duckdb.connect()
types = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
rows = con.execute(f"""
    SELECT id, epoch(datetime)::BIGINT, strftime(date, '%Y-%m-%d'), name, summary, url, type, location_name,
           lat, lng, versions
    FROM {source} ORDER BY datetime, id""").fetchall()
keys = ["id", "epoch", "date", "name", "summary", "url", "type", "location_name", "lat", "lng", "versions"]
print(json.dumps({"types": types, "rows": [dict(zip(keys, r)) for r in rows]}))
