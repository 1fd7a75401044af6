"""Administrative division codes (GB/T 2260): names, hierarchy and region scopes.

Province names are complete; cities and counties are listed for Shandong (the demo province). Unknown
codes inside a known province are accepted and shown by their code, because divisions change over time.
"""

from __future__ import annotations

import re

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

# Shandong: cities (4-digit prefixes) and counties (6 digits).
CITIES = {
    "3701": "济南市", "3702": "青岛市", "3703": "淄博市", "3704": "枣庄市", "3705": "东营市", "3706": "烟台市",
    "3707": "潍坊市", "3708": "济宁市", "3709": "泰安市", "3710": "威海市", "3711": "日照市", "3713": "临沂市",
    "3714": "德州市", "3715": "聊城市", "3716": "滨州市", "3717": "菏泽市",
}

COUNTIES = {
    "370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区", "370112": "历城区",
    "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区", "370117": "钢城区",
    "370124": "平阴县", "370126": "商河县",
    "370202": "市南区", "370203": "市北区", "370211": "黄岛区", "370212": "崂山区", "370213": "李沧区",
    "370214": "城阳区", "370215": "即墨区", "370281": "胶州市", "370283": "平度市", "370285": "莱西市",
    "370302": "淄川区", "370303": "张店区", "370304": "博山区", "370305": "临淄区", "370306": "周村区",
    "370402": "市中区", "370403": "薛城区", "370481": "滕州市",
    "370502": "东营区", "370503": "河口区", "370505": "垦利区",
    "370602": "芝罘区", "370611": "福山区", "370613": "莱山区", "370682": "莱阳市", "370686": "栖霞市",
    "370702": "潍城区", "370703": "寒亭区", "370705": "奎文区", "370781": "青州市", "370783": "寿光市",
    "370811": "任城区", "370812": "兖州区", "370881": "曲阜市", "370883": "邹城市",
    "370902": "泰山区", "370911": "岱岳区", "370982": "新泰市", "370983": "肥城市",
    "371002": "环翠区", "371003": "文登区", "371082": "荣成市", "371083": "乳山市",
    "371102": "东港区", "371103": "岚山区", "371121": "五莲县", "371122": "莒县",
    "371302": "兰山区", "371311": "罗庄区", "371312": "河东区", "371321": "沂南县", "371324": "兰陵县",
    "371402": "德城区", "371403": "陵城区", "371481": "乐陵市", "371482": "禹城市",
    "371502": "东昌府区", "371503": "茌平区", "371521": "阳谷县", "371522": "莘县", "371524": "东阿县",
    "371525": "冠县", "371526": "高唐县", "371581": "临清市",
    "371602": "滨城区", "371603": "沾化区", "371681": "邹平市",
    "371702": "牡丹区", "371703": "定陶区", "371721": "曹县", "371722": "单县",
}

REGION_CODE_RE = re.compile(r"^[0-9]{6}$")


def region_scope(code: str) -> str:
    """A region code without its trailing '00' pairs: 370000 → 37, 371500 → 3715, 371502 → 371502."""
    scope = code
    while len(scope) > 2 and scope.endswith("00"):
        scope = scope[:-2]
    return scope


def region_level(code: str) -> str:
    """'province', 'city' or 'county'."""
    return {2: "province", 4: "city"}.get(len(region_scope(code)), "county")


def validate_region_code(code: str) -> str | None:
    """Return a Chinese reason when the code is not a plausible 6-digit division code, else None."""
    if not REGION_CODE_RE.match(code or ""):
        return "行政区划代码应为 6 位数字"
    if code[:2] not in PROVINCES:
        return "行政区划代码的前两位不是有效的省级代码"
    if code[2:4] == "00" and code[4:] != "00":
        return "行政区划代码无效：县级代码必须属于某个地市"
    return None


def region_name(code: str) -> str:
    return region_path(code)[-1][1] if code else ""


def region_path(code: str) -> list[tuple[str, str]]:
    """[(code, name)] from province down to the code's own level, e.g. 山东省 / 聊城市 / 东昌府区."""
    if not code or len(code) != 6:
        return []
    path = [(code[:2] + "0000", PROVINCES.get(code[:2], code[:2] + "0000"))]
    if code[2:4] != "00":
        path.append((code[:4] + "00", CITIES.get(code[:4], code[:4] + "00")))
        if code[4:] != "00":
            path.append((code, COUNTIES.get(code, code)))
    return path


def region_display(code: str) -> str:
    return " / ".join(name for _, name in region_path(code))


def subregions(code: str) -> list[tuple[str, str]]:
    """Known direct children of a province (cities) or a city (counties)."""
    scope = region_scope(code)
    if len(scope) == 2:
        return [(prefix + "00", name) for prefix, name in CITIES.items() if prefix.startswith(scope)]
    if len(scope) == 4:
        return [(c, name) for c, name in COUNTIES.items() if c.startswith(scope)]
    return []
