"""Names of sub-county divisions (townships/streets, communities/villages): loading a code,name file into the
`region_names` table, and looking names up for pages (cached per request, one query per county)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import g, has_app_context
from sqlalchemy import insert, select, update

from ..extensions import db
from .audit import record_audit
from .models import RegionName
from .regions import SUBCOUNTY_CODE_RE, region_scope, validate_region_code

MAX_NAME = 100


@dataclass
class ParsedNames:
    rows: dict[str, str] = field(default_factory=dict)  # code → name (a later line wins)
    errors: list[str] = field(default_factory=list)  # "第 n 行：…"


def parse_names(text: str) -> ParsedNames:
    """Read `code,name` lines (CSV or tab-separated; further columns ignored; a header line is skipped). Only
    9- and 12-digit codes below a real county are accepted; 12-digit codes ending in 000 are township codes and
    are stored as 9 digits."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter="\t" if "\t" in first else ",")
    parsed = ParsedNames()
    for number, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip():
            continue
        code, name = row[0].strip(), (row[1].strip() if len(row) > 1 else "")
        if number == 1 and not code.isdigit():
            continue  # header
        if not SUBCOUNTY_CODE_RE.match(code):
            parsed.errors.append(f"第 {number} 行：代码 {code[:20]!r} 不是 9 位（乡镇、街道）或 12 位（社区、村）统计代码")
            continue
        reason = validate_region_code(code)
        if reason:
            parsed.errors.append(f"第 {number} 行：{reason}")
            continue
        if not name or len(name) > MAX_NAME:
            parsed.errors.append(f"第 {number} 行：名称不能为空且不超过 {MAX_NAME} 个字符")
            continue
        parsed.rows[region_scope(code)] = name
    return parsed


def load_names(rows: dict[str, str], actor_id: int | None = None) -> tuple[int, int]:
    """Insert new codes and rename changed ones; (added, renamed). Flushes and audits, does not commit."""
    codes = list(rows)
    existing: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        existing.update(db.session.execute(select(RegionName.code, RegionName.name).where(
            RegionName.code.in_(chunk))).tuples().all())
    new = [{"code": c, "name": n} for c, n in rows.items() if c not in existing]
    renamed = [{"code": c, "name": n} for c, n in rows.items() if c in existing and existing[c] != n]
    for start in range(0, len(new), 1000):
        db.session.execute(insert(RegionName), new[start:start + 1000])
    for item in renamed:
        db.session.execute(update(RegionName).where(RegionName.code == item["code"]).values(name=item["name"]))
    db.session.flush()
    record_audit("regions.load", "region_names", None, actor_id=actor_id,
                 new={"added": len(new), "renamed": len(renamed), "unchanged": len(rows) - len(new) - len(renamed)})
    return len(new), len(renamed)


def subcounty_names(code: str) -> dict[str, str]:
    """The loaded names of every township and community in the code's county (cached for the request)."""
    if not has_app_context():
        return {}
    county = code[:6]
    cache = g.setdefault("_region_names", {})
    if county not in cache:
        cache[county] = dict(db.session.execute(select(RegionName.code, RegionName.name).where(
            RegionName.code.startswith(county))).tuples().all())
    return cache[county]


def children_names(scope: str, width: int) -> dict[str, str]:
    """Loaded names of the next level below a county or township (width 9 or 12), keyed by code."""
    return {c: n for c, n in subcounty_names(scope).items() if len(c) == width and c.startswith(scope)}
