"""The people of the demo data: Shandong organizations and one user per role, with known demo passwords. The other
areas' demo data builds on them (`core.demo.seed_demo` runs this first, then each area's seeder)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from .models import Organization, User
from .services.accreditation import AccreditationInput, current_accreditation, local_today, record_accreditation
from .services.identity import id_check_char
from .services.organizations import create_organization
from .services.users import create_user

DEMO_PASSWORD = "Demo2026!lrc"  # noqa: S105 - documented in README, demo only
ADMIN_PASSWORD = "Guanli2026!lrc"  # noqa: S105

ORGANIZATIONS = [
    ("山东省劳动关系协调师职业技能等级认定中心", "evaluator", "370000"),
    ("聊城高级技工学校", "school", "371502"),
    ("济南技师学院", "school", "370112"),
    ("聊城华信机械制造有限公司", "enterprise", "371502"),
    ("临清市轴承产业园劳动关系服务站", "platform", "371581"),
    ("聊城市总工会", "union", "371500"),
    ("聊城市企业联合会", "employer_org", "371500"),
    ("青岛海岸电子科技有限公司", "enterprise", "370211"),
    # 人社 departments at the three levels (registry access, risk reports) and grassroots platforms below a county
    ("山东省人力资源和社会保障厅", "hrss", "370000"),
    ("聊城市人力资源和社会保障局", "hrss", "371500"),
    ("聊城市东昌府区人力资源和社会保障局", "hrss", "371502"),
    ("东昌府区古楼街道劳动关系服务站", "platform", "371502001"),
    ("新疆生产建设兵团第八师石河子市劳动关系协调指导中心", "hrss", "660800"),
]
PLATFORM_LEVELS = {"临清市轴承产业园劳动关系服务站": "park", "东昌府区古楼街道劳动关系服务站": "township"}

# (username, name, region of birth, birth date, sequence, roles, organization index or None)
PEOPLE = [
    ("staff", "王建国", "370102", "19800312", "031", ["org_staff"], 0),
    ("teacher", "李秀梅", "371502", "19850621", "042", ["instructor"], 1),
    ("examiner", "张志强", "370103", "19780905", "013", ["examiner"], 0),
    ("judge", "刘洪涛", "370202", "19760118", "055", ["judge"], 0),
    ("trainee", "陈晓燕", "371502", "19950410", "026", ["trainee"], 3),
    ("trainee2", "赵文博", "371581", "19930727", "019", ["trainee"], 4),
    ("trainee3", "孙丽娟", "370211", "19970203", "048", ["trainee"], 7),
    ("province", "周海燕", "370102", "19790517", "064", ["org_staff"], 8),
    ("city", "吴国栋", "371502", "19820923", "077", ["org_staff"], 9),
    ("county", "郑雪梅", "371502", "19870214", "082", ["org_staff"], 10),
]


def demo_id_number(region: str, birth: str, sequence: str) -> str:
    first17 = region + birth + sequence
    return first17 + id_check_char(first17)


def demo_phone(index: int) -> str:
    return f"1386350{index:04d}"


def seed_people() -> tuple[dict[str, User], list[Organization]] | None:
    """The demo organizations and users, once: None when they are already there."""
    if db.session.execute(select(User.id).where(User.username == "staff")).scalar() is not None:
        return None
    orgs = []
    for name, kind, region in ORGANIZATIONS:
        org = db.session.execute(select(Organization).where(Organization.name == name)).scalar_one_or_none()
        orgs.append(org or create_organization(None, name=name, kind=kind, region_code=region,
                                               platform_level=PLATFORM_LEVELS.get(name)))
    # The evaluation center is accredited (备案) for all four levels, so demo staff can create exam sessions and
    # issue level certificates; its filing started three years ago (the demo certificates are older than a year).
    if current_accreditation(orgs[0].id) is None:
        today = local_today()
        record_accreditation(None, orgs[0], AccreditationInput(
            filing_number="鲁人社职鉴备〔2023〕0015号", letter="S", levels=[4, 3, 2, 1],
            valid_from=today - timedelta(days=3 * 365), valid_until=today + timedelta(days=2 * 365),
            org_code="0000", site_code="010015"))
    if db.session.execute(select(User.id).where(User.username == "admin")).scalar() is None:
        create_user(None, username="admin", password=ADMIN_PASSWORD, name="平台管理员", roles=["admin"],
                    require_identity=False)
    users = {}
    for index, (username, name, region, birth, seq, roles, org_index) in enumerate(PEOPLE, start=1):
        users[username] = create_user(
            None, username=username, password=DEMO_PASSWORD, name=name,
            id_number=demo_id_number(region, birth, seq), phone=demo_phone(index), roles=roles,
            organization_id=orgs[org_index].id if org_index is not None else None)
    # Email copies land in <instance>/mail/ as .eml files until LRC_SMTP_HOST is set.
    users["trainee"].email = "trainee@example.com"
    return users, orgs
