"""Demo registry data, so the dashboard has something to show (besides the level certificates two demo
trainees hold, from the certificates demo): the teacher is recorded as certified elsewhere, two enterprises carry
a headcount (both short of the guideline's coordinators), one honor, and 东昌府区's report for the last quarter,
submitted to 聊城市 (sign in as `city` to review it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..auth.models import Organization
from ..auth.services.accreditation import local_today
from ..extensions import db
from .models import Honor, RegistryEntry
from .services.periods import default_period
from .services.reporting import create_report, submit_report


def seed_registry(users: dict, orgs: list) -> None:
    today = date.today()
    db.session.add(RegistryEntry(user_id=users["teacher"].id, position="劳动关系课程教师", full_time=False,
                                 started_on=date(2018, 9, 1), certificate_number="S000037010001242000015", level=2,
                                 added_by_id=users["staff"].id))
    for name, employees in (("聊城华信机械制造有限公司", 1500), ("青岛海岸电子科技有限公司", 3000)):
        org = db.session.execute(select(Organization).where(Organization.name == name)).scalar_one()
        org.employees = employees
    db.session.add(Honor(user_id=users["trainee3"].id, title="五一劳动奖章", granted_by="青岛市总工会",
                         granted_on=date(today.year - 1, 5, 1)))
    db.session.flush()
    report = create_report(users["county"], default_period(local_today()).text)
    submit_report(users["county"], report.id)
