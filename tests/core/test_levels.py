"""Skill levels are named in one place (core/levels.py) and read the same on every page."""

import re
from pathlib import Path

from lrc_training.core.levels import LEVEL_LABELS, level_from_text, level_label

PACKAGE = Path(__file__).resolve().parents[2] / "lrc_training"
# A literal table of level names: {4: "四级…", {'4': '四级…', [(4, "四级…"), 4: "四级"…
LITERAL_TABLE = re.compile(r"""[\[{(]\s*\(?\s*['"]?4['"]?\s*[:,]\s*['"]四级""")


def test_no_module_or_template_keeps_its_own_copy_of_the_level_names():
    copies = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*")
              if path.suffix in (".py", ".html") and LITERAL_TABLE.search(path.read_text(encoding="utf-8"))]
    assert copies == ["core/levels.py"]


def test_labels_and_spellings():
    assert LEVEL_LABELS[4] == "四级/中级工" and level_label("3") == "三级/高级工" and level_label(None) == ""
    assert [level_from_text(t) for t in ("4", "四级", "中级工", "四级/中级工", "高级技师", "五级")] == [4, 4, 4, 4, 1, None]


def test_registry_pages_use_the_same_label(client):
    from tests.conftest import login
    from tests.factories import make_org, make_user

    make_user("org_staff", username="hr", org=make_org("聊城市劳动关系协调员服务站", kind="platform", region_code="371500"))
    login(client, "hr")
    page = client.get("/registry/list").get_data(as_text=True)
    assert "四级/中级工" in page and " 级</option>" not in page
