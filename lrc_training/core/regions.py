"""Administrative division codes (GB/T 2260): names, hierarchy, validation and region scopes.

The national table of provinces, cities and counties lives in data/regions.tsv (its header names the source and
date); it is read once per process, on first use, not at import. Below a county, 9-digit township/street and
12-digit community/village statistical codes are valid when their county is real; their names come from the
`region_names` table an admin loads (`flask regions load`), see region_names.py.

A code is split into groups of 2+2+2+3+3 digits (province, city, county, township, community); its scope is the
code with its trailing all-zero groups removed: 370000 → 37, 371500 → 3715, 371502001000 → 371502001. A code lies
in a region when it starts with the region's scope — the one rule used by the registry and by competitions.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.tsv"
GROUPS = (2, 2, 2, 3, 3)
REGION_CODE_RE = re.compile(r"^(?:[0-9]{6}|[0-9]{9}|[0-9]{12})$")
SUBCOUNTY_CODE_RE = re.compile(r"^(?:[0-9]{9}|[0-9]{12})$")
LEVELS = {2: "province", 4: "city", 6: "county", 9: "township", 12: "community"}
LEVEL_LABELS = {"province": "省级", "city": "地级", "county": "县级", "township": "乡镇、街道", "community": "社区、村"}
# City-level rows of the statistical table that are groupings, not places: shown in breadcrumbs, left out of names.
GROUPING_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class RegionTable:
    provinces: dict[str, str]  # "37" → 山东省
    cities: dict[str, str]  # "3715" → 聊城市
    counties: dict[str, str]  # "371502" → 东昌府区 (also a city without counties: "441900" → 东莞市)
    source: tuple[str, ...]  # the data file's header comment


_table: RegionTable | None = None
_lock = threading.Lock()


def _read_table(path: Path = DATA_FILE) -> RegionTable:
    levels: dict[str, dict[str, str]] = {"province": {}, "city": {}, "county": {}}
    header = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                header.append(line[1:].strip())
                continue
            code, name, level = line.rstrip("\n").split("\t")
            key = code[:2] if level == "province" else code[:4] if level == "city" else code
            levels[level][key] = name
    return RegionTable(levels["province"], levels["city"], levels["county"], tuple(header))


def region_table() -> RegionTable:
    """The national table, read from the data file the first time it is needed in this process."""
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = _read_table()
    return _table


class _Level(Mapping):
    """A read-only view of one level of the table that loads it on first access (so importing is free)."""

    def __init__(self, level: str):
        self._level = level

    def _data(self) -> dict[str, str]:
        return getattr(region_table(), self._level)

    def __getitem__(self, key: str) -> str:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __contains__(self, key: object) -> bool:
        return key in self._data()


PROVINCES: Mapping[str, str] = _Level("provinces")
CITIES: Mapping[str, str] = _Level("cities")
COUNTIES: Mapping[str, str] = _Level("counties")


def _groups(code: str) -> list[str]:
    parts, start = [], 0
    for size in GROUPS:
        if start >= len(code):
            break
        parts.append(code[start:start + size])
        start += size
    return parts


def region_scope(code: str) -> str:
    """The code without its trailing all-zero groups (2+2+2+3+3 digits), keeping the province:
    370000 → 37, 371500 → 3715, 371502 → 371502, 371502001000 → 371502001. A scope given again is unchanged."""
    parts = _groups(code or "")
    while len(parts) > 1 and not parts[-1].strip("0"):
        parts.pop()
    return "".join(parts)


def in_region(code: str, region: str) -> bool:
    """Whether the division `code` lies in `region` (a code or a scope): 371002 is in 371000, 371102 is not."""
    return bool(code) and bool(region) and code.startswith(region_scope(region))


def region_level(code: str) -> str:
    """'province', 'city', 'county', 'township' or 'community'."""
    return LEVELS.get(len(region_scope(code)), "county")


def _six_digit_reason(code: str, table: RegionTable) -> str | None:
    scope = region_scope(code)
    if code[:2] not in table.provinces:
        return "行政区划代码的前两位不是有效的省级代码"
    if len(scope) == 4 and scope not in table.cities:
        return f"{code} 不是有效的地级行政区划代码"
    if len(scope) == 6 and scope not in table.counties:
        if scope[2:4] == "00":
            return "行政区划代码无效：县级代码必须属于某个地市"
        return f"{code} 不是有效的县级行政区划代码"
    return None


def validate_region_code(code: str) -> str | None:
    """A Chinese reason when the code is not a real division, else None. 6 digits: a province, city or county of
    the national table; 9 or 12 digits: a township/street or community/village statistical code whose county is
    real (its own name may or may not have been loaded)."""
    if not REGION_CODE_RE.match(code or ""):
        return "行政区划代码应为 6 位（县级）、9 位（乡镇、街道）或 12 位（社区、村）数字"
    table = region_table()
    scope = region_scope(code)
    if len(scope) <= 6:  # a province, city or county code written with trailing zero groups
        return _six_digit_reason(code[:6], table)
    county = code[:6]
    if county not in table.counties:
        reason = _six_digit_reason(county, table)
        return f"{county} 不是有效的县级行政区划代码" if reason is None else reason
    if code[6:9] == "000":
        return "行政区划代码无效：社区、村代码必须属于某个乡镇、街道"
    return None


def region_path(code: str, names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """[(code, name)] from the province down to the code's own level, e.g. 山东省 / 聊城市 / 东昌府区. Township
    and community names come from `names` (default: the loaded table); unknown ones are shown by their code."""
    if not code or not REGION_CODE_RE.match(code):
        return []
    table = region_table()
    scope = region_scope(code)
    path = [(code[:2] + "0000", table.provinces.get(code[:2], code[:2] + "0000"))]
    if len(scope) >= 4:
        path.append((code[:4] + "00", table.cities.get(code[:4], code[:4] + "00")))
    if len(scope) >= 6 and code[:6] != path[-1][0]:  # a city without counties is its own county (东莞市)
        path.append((code[:6], table.counties.get(code[:6], code[:6])))
    if len(scope) >= 9:
        if names is None:
            from .region_names import subcounty_names

            names = subcounty_names(code)
        path.append((code[:9], names.get(code[:9], code[:9])))
        if len(scope) == 12:
            path.append((code, names.get(code, code)))
    return path


def region_name(code: str) -> str:
    path = region_path(code)
    return path[-1][1] if path else ""


def region_display(code: str) -> str:
    """The full name, e.g. 山东省 / 聊城市 / 东昌府区; groupings such as 市辖区 are left out (北京市 / 朝阳区)."""
    path = region_path(code)
    return " / ".join(name for i, (_, name) in enumerate(path)
                      if not (0 < i < len(path) - 1 and name in GROUPING_NAMES))


def child_width(scope: str) -> int | None:
    """How many digits the next level down has: province → cities (4), city → counties (6, or townships (9) for a
    city without counties), county → townships (9), township → communities (12)."""
    if len(scope) == 4 and not any(c.startswith(scope) and c != scope + "00" for c in region_table().counties):
        return 9
    return {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}.get(len(scope))


def subregions(code: str) -> list[tuple[str, str]]:
    """Direct children of a province (cities) or a city (counties) in the national table, as 6-digit codes."""
    scope = region_scope(code)
    table = region_table()
    if len(scope) == 2:
        return [(prefix + "00", name) for prefix, name in table.cities.items() if prefix.startswith(scope)]
    if len(scope) == 4:
        return [(c, name) for c, name in table.counties.items() if c.startswith(scope) and c != scope + "00"]
    return []


def province_and_city_choices() -> list[tuple[str, str]]:
    """Select options for filtering by region: each province (its scope) followed by its cities (theirs)."""
    table = region_table()
    cities: dict[str, list[tuple[str, str]]] = {}  # by province, in one pass over the cities
    for city, city_name in sorted(table.cities.items()):
        if city_name not in GROUPING_NAMES:
            cities.setdefault(city[:2], []).append((city, city_name))
    choices = []
    for province, name in sorted(table.provinces.items()):
        whole = next((w for end, w in (("省", "全省"), ("自治区", "全区"), ("市", "全市")) if name.endswith(end)), "全部")
        choices.append((province, f"{name}（{whole}）"))
        choices.extend((city, f"{name} · {city_name}") for city, city_name in cities.get(province, []))
    return choices
