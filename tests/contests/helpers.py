"""Building competitions through the services, for tests of the rules beyond the API."""

from __future__ import annotations

from datetime import timedelta

from lrc_training.contests.models import JudgingSheet, Registration
from lrc_training.contests.schemas.inputs import competition_in as CompetitionInput
from lrc_training.contests.services.checkin import draw
from lrc_training.contests.services.panels import assign_judge
from lrc_training.contests.services.registration import register
from lrc_training.contests.services.scoring import save_scores, sheets_for, submit_sheet
from lrc_training.contests.services.setup import create_competition
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.factories import make_org, make_user

ITEMS = [{"name": "理论知识", "kind": "theory", "weight": 30, "criteria": [{"name": "客观题", "max_points": 100}]},
         {"name": "案例分析", "kind": "practical", "weight": 70, "criteria": [{"name": "事实认定", "max_points": 100}]}]


def competition_input(**overrides) -> CompetitionInput:
    data = {"title": "聊城市劳动关系协调员技能竞赛", "tier": "city", "level": 4,
            "registration_closes_at": utcnow() + timedelta(days=3), "items": ITEMS}
    data.update(overrides)
    return CompetitionInput(**data)


class World:
    """A committee (聊城市总工会), companies with contestants, and judges from a school."""

    def __init__(self, contestants: int = 5, judges: int = 3, prefix: str = "", committee_region: str = "371500"):
        self.committee_org = make_org(f"{prefix}聊城市总工会", kind="union", region_code=committee_region)
        self.staff = make_user("org_staff", username=f"{prefix}committee", org=self.committee_org)
        self.companies = [make_org(f"{prefix}企业{i}", kind="enterprise", region_code="371502") for i in range(3)]
        self.people = [make_user("trainee", username=f"{prefix}p{i}", name=f"{prefix}选手{i}",
                                 org=self.companies[i % 3]) for i in range(contestants)]
        school = make_org(f"{prefix}山东劳动职业技术学院", kind="school", region_code="370100")
        self.judges = [make_user("judge", username=f"{prefix}j{i}", name=f"{prefix}裁判{i}", org=school)
                       for i in range(judges)]
        db.session.commit()

    def competition(self, **overrides):
        competition = create_competition(self.staff, competition_input(**overrides))
        db.session.commit()
        return competition

    def register_all(self, competition):
        registrations = [register(self.staff, competition.id, p.id) for p in self.people]
        db.session.commit()
        return registrations

    def panel(self, competition, chief: bool = True):
        for item in competition.items:
            if item.exam_session_id is not None:
                continue
            for n, judge in enumerate(self.judges):
                assign_judge(self.staff, competition, judge.id, item.position, is_chief=chief and n == 0)
        db.session.commit()

    def ready(self, **overrides):
        """Registered, judged by every judge on every item, codes drawn."""
        competition = self.competition(**overrides)
        self.register_all(competition)
        self.panel(competition)
        draw(self.staff, competition)
        db.session.commit()
        return competition

    def score(self, competition, planned: dict, submit: bool = True, judges=None):
        """planned: {person index: (theory, practical)} — every judge gives the same points unless a
        callable (judge index, person index, item position) → points is given."""
        index_of = {r.id: self.people.index(r.user) for r in db.session.query(Registration).filter_by(
            competition_id=competition.id)}
        for j, judge in enumerate(judges or self.judges):
            for sheet in sheets_for(judge):
                if sheet.item.competition_id != competition.id:
                    continue
                person = index_of[sheet.registration_id]
                points = planned(j, person, sheet.item.position) if callable(planned) else \
                    planned[person][sheet.item.position]
                criterion = sheet.item.criteria[0]
                save_scores(judge, sheet, {str(criterion.id): points}, sheet.version)
                if submit:
                    submit_sheet(judge, sheet)
        db.session.commit()


def sheet_of(competition, judge, person, item_index: int = 1) -> JudgingSheet:
    """The judge's sheet for the person on one item (default: the practical item)."""
    registration = db.session.query(Registration).filter_by(competition_id=competition.id, user_id=person.id).one()
    item = next(i for i in competition.items if i.position == item_index)
    return db.session.query(JudgingSheet).filter_by(registration_id=registration.id, judge_id=judge.id,
                                                    item_id=item.id).one()


def published_exam(org, theory_scores: dict) -> object:
    """An exam session of `org` with a theory paper whose results are published: {user: score out of 100}."""
    from lrc_training.exams.models import Application, ExamSession, PartResult

    now = utcnow()
    session = ExamSession(organization_id=org.id, title="竞赛理论知识在线考试", level=4, parts=["theory"],
                          opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=2),
                          applications_close_at=now - timedelta(days=4), blueprint=[], state="published",
                          published_at=now - timedelta(days=1))
    db.session.add(session)
    db.session.flush()
    for user, score in theory_scores.items():
        application = Application(session_id=session.id, user_id=user.id, status="approved")
        db.session.add(application)
        db.session.flush()
        db.session.add(PartResult(application_id=application.id, user_id=user.id, level=4, part="theory",
                                  score=score, passed=score >= 60))
    db.session.commit()
    return session
