#!/usr/bin/env python3
"""A client we did not write (boto3), to check and seed what polisen-dash keeps in S3.

  s3_tool.py ENDPOINT BUCKET lines PREFIX        every stored event line, as JSON {key: [lines]}
  s3_tool.py ENDPOINT BUCKET keys PREFIX         every key under PREFIX, as a JSON array
  s3_tool.py ENDPOINT BUCKET get KEY             one object's body, as it is
  s3_tool.py ENDPOINT BUCKET put KEY FILE        upload a file
  s3_tool.py ENDPOINT BUCKET fill PREFIX N       N small part objects under PREFIX
  s3_tool.py ENDPOINT BUCKET legacy PREFIX FILE N   the original collector's layout holding the
                                                 oldest N events of the JSON array in FILE
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""
import json
import sys

import boto3

endpoint, bucket, verb = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
if verb == "lines":
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=sys.argv[4]):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith(".jsonl"):
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode("utf-8")
                out[obj["Key"]] = [line for line in body.split("\n") if line]
    print(json.dumps(out, ensure_ascii=False))
elif verb == "keys":
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=sys.argv[4]):
        keys += [obj["Key"] for obj in page.get("Contents", [])]
    print(json.dumps(keys))
elif verb == "get":
    sys.stdout.buffer.write(s3.get_object(Bucket=bucket, Key=sys.argv[4])["Body"].read())
elif verb == "put":
    with open(sys.argv[5], "rb") as fh:
        s3.put_object(Bucket=bucket, Key=sys.argv[4], Body=fh.read())
elif verb == "legacy":
    # As the Python collector wrote them: json.dumps defaults (ASCII escapes, ", " separators),
    # events/YYYY/MM/DD/events-<unix>.jsonl, and metadata/last_seen.json with seen_ids.
    prefix, n = sys.argv[4], int(sys.argv[6])
    with open(sys.argv[5], encoding="utf-8") as fh:
        events = json.load(fh)[-n:]
    by_date = {}
    for e in events:
        by_date.setdefault(e["datetime"][:10].replace("-", "/"), []).append(json.dumps(e))
    for date, lines in by_date.items():
        s3.put_object(Bucket=bucket, Key=f"{prefix}events/{date}/events-1700000000.jsonl", Body=("\n".join(lines) + "\n").encode())
    s3.put_object(Bucket=bucket, Key=f"{prefix}metadata/last_seen.json",
                  Body=json.dumps({"seen_ids": [e["id"] for e in events], "last_updated": "2026-08-22T17:00:00"}).encode())
elif verb == "fill":
    prefix, n = sys.argv[4], int(sys.argv[5])
    for i in range(n):
        line = json.dumps({"id": 900000 + i, "datetime": "2020-01-01 12:00:00 +01:00", "name": "fill", "type": "Test"})
        s3.put_object(Bucket=bucket, Key=f"{prefix}part-{i + 1:08d}.jsonl", Body=(line + "\n").encode())
