#!/usr/bin/env python3
"""Writes dashboards/ferry.json (panel SQL) and dashboards/ferry-metrics.json (panel PromQL) from docs/operations.md
(the one place the queries are kept).

Run after changing a query: python3 deploy/grafana/build_dashboard.py. Tests check that the dashboards hold exactly
the documented queries.
"""
import json
import pathlib
import re

root = pathlib.Path(__file__).resolve().parents[2]
doc = (root / "docs" / "operations.md").read_text(encoding="utf-8")
queries = dict(re.findall(r"```sql panel=(\w+)\n(.*?)```", doc, re.S))

# panel id -> (title, Grafana panel type, format, grid position w, h)
layout = [
    ("active_sessions", "Active sessions: progress and speed", "table", "table", 24, 8),
    ("stalled_sessions", "Stalled sessions (no progress for 15 min)", "table", "table", 12, 7),
    ("session_status", "Sessions by status", "piechart", "table", 6, 7),
    ("job_queue", "Upload jobs", "piechart", "table", 6, 7),
    ("totals_per_project", "Files and bytes per project and bucket", "table", "table", 12, 8),
    ("success_rate_trend", "Success rate per day (%)", "timeseries", "time_series", 12, 8),
    ("cycle_comparison", "Cycle by cycle", "table", "table", 16, 8),
    ("file_types", "File types", "barchart", "table", 8, 8),
]

panels, x, y, row_height = [], 0, 0, 0
for number, (key, title, kind, fmt, w, h) in enumerate(layout, start=1):
    if x + w > 24:
        x, y, row_height = 0, y + row_height, 0
    panels.append({
        "id": number,
        "type": kind,
        "title": title,
        "description": f"ferry panel {key}; SQL in docs/operations.md",
        "datasource": {"type": "grafana-postgresql-datasource", "uid": "ferry-postgres"},
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [{"refId": "A", "datasource": {"type": "grafana-postgresql-datasource", "uid": "ferry-postgres"},
                     "editorMode": "code", "format": fmt, "rawQuery": True, "rawSql": queries[key].strip()}],
        "options": {"showHeader": True} if kind == "table" else {},
        "fieldConfig": {"defaults": {}, "overrides": []},
    })
    x, row_height = x + w, max(row_height, h)

dashboard = {
    "uid": "ferry-overview",
    "title": "Ferry",
    "tags": ["ferry"],
    "timezone": "utc",
    "refresh": "30s",
    "schemaVersion": 39,
    "time": {"from": "now-30d", "to": "now"},
    "panels": panels,
}
out = root / "deploy" / "grafana" / "dashboards" / "ferry.json"
out.write_text(json.dumps(dashboard, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {out} with {len(panels)} panels")

# The Prometheus dashboard: panel id -> (title, unit, w, h)
promql = dict(re.findall(r"```promql panel=(\w+)\n(.*?)```", doc, re.S))
metrics_layout = [
    ("request_rate", "Requests per second by route", "reqps", 12, 8),
    ("request_latency_p95", "Request latency p95 by route", "s", 12, 8),
    ("server_errors", "Server errors (5xx) per second by route", "reqps", 12, 7),
    ("file_outcomes", "Files per second: uploaded and failed", "ops", 12, 7),
    ("verification_failures", "Verification failures by reason (1 h)", "short", 12, 7),
    ("retries", "S3 retries per second by reason", "ops", 12, 7),
    ("open_sessions", "Open sessions", "short", 6, 5),
    ("stalled_sessions_now", "Stalled sessions", "short", 6, 5),
    ("job_queue_depth", "Jobs waiting", "short", 6, 5),
    ("memory", "Server memory (working set)", "bytes", 6, 5),
]
source = {"type": "prometheus", "uid": "ferry-prometheus"}
panels, x, y, row_height = [], 0, 0, 0
for number, (key, title, unit, w, h) in enumerate(metrics_layout, start=1):
    if x + w > 24:
        x, y, row_height = 0, y + row_height, 0
    panels.append({
        "id": number,
        "type": "timeseries" if w > 6 else "stat",
        "title": title,
        "description": f"ferry panel {key}; PromQL in docs/operations.md",
        "datasource": source,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [{"refId": "A", "datasource": source, "editorMode": "code", "expr": promql[key].strip(), "range": True}],
        "options": {},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
    })
    x, row_height = x + w, max(row_height, h)

dashboard = {
    "uid": "ferry-metrics",
    "title": "Ferry servers",
    "tags": ["ferry"],
    "timezone": "utc",
    "refresh": "30s",
    "schemaVersion": 39,
    "time": {"from": "now-6h", "to": "now"},
    "panels": panels,
}
out = root / "deploy" / "grafana" / "dashboards" / "ferry-metrics.json"
out.write_text(json.dumps(dashboard, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {out} with {len(panels)} panels")
