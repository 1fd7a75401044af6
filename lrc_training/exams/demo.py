"""Demo assessment data: a level-4 question bank for the evaluation center, one session open now with the
demo trainee approved (so `trainee` can sit the theory exam at once), and a level-2 bank with essays."""

from __future__ import annotations

from datetime import timedelta

from ..db import utcnow
from .services.applications import apply, decide
from .services.bank import QuestionInput, create_question
from .services.sessions import SessionInput, create_session

SINGLES = [
    ("劳动合同期限三个月以上不满一年的，试用期不得超过多长时间？",
     {"A": "半个月", "B": "一个月", "C": "二个月", "D": "六个月"}, "B"),
    ("用人单位自用工之日起超过多长时间不与劳动者订立书面劳动合同，应当向劳动者每月支付二倍工资？",
     {"A": "半个月", "B": "一个月", "C": "三个月", "D": "一年"}, "B"),
    ("劳动争议申请仲裁的时效期间为多久？", {"A": "六个月", "B": "一年", "C": "二年", "D": "三年"}, "B"),
    ("集体合同订立后，应当报送哪个部门？", {"A": "工会", "B": "劳动行政部门", "C": "法院", "D": "税务部门"}, "B"),
    ("职工代表大会的职工代表中，一线职工和技术人员所占比例一般不少于多少？",
     {"A": "30%", "B": "40%", "C": "50%", "D": "60%"}, "C"),
    ("劳动者提前多少日以书面形式通知用人单位，可以解除劳动合同？", {"A": "3", "B": "15", "C": "30", "D": "60"}, "C"),
    ("经济补偿按劳动者在本单位工作的年限，每满一年支付几个月工资？",
     {"A": "半个月", "B": "一个月", "C": "二个月", "D": "三个月"}, "B"),
    ("下列哪一项不属于劳动合同的必备条款？", {"A": "劳动报酬", "B": "工作时间", "C": "试用期", "D": "劳动合同期限"}, "C"),
]
TRUE_FALSE = [
    ("用人单位可以要求劳动者提供担保或者收取财物。", False),
    ("劳动合同被确认无效，劳动者已付出劳动的，用人单位应当向劳动者支付劳动报酬。", True),
    ("企业规章制度涉及劳动者切身利益的，应当经职工代表大会或者全体职工讨论。", True),
    ("非全日制用工双方当事人不得约定试用期。", True),
    ("劳动争议调解协议书经双方签字后即具有强制执行力。", False),
    ("集体协商双方的代表人数应当对等，每方至少三人。", True),
]


def seed_exams(users: dict, orgs: list) -> None:
    staff, trainee = users["staff"], users["trainee"]
    codes = ["LC", "LC", "DR", "CB", "DM", "LC", "LC", "LC"]
    for (stem, options, answer), code in zip(SINGLES, codes, strict=True):
        create_question(staff, QuestionInput(kind="single", level=4, function_code=code, stem=stem, options=options,
                                             answer=answer, points=1, difficulty=2))
    for index, (stem, answer) in enumerate(TRUE_FALSE):
        create_question(staff, QuestionInput(kind="true_false", level=4, function_code=["LC", "DR", "RR"][index % 3],
                                             stem=stem, answer=answer, difficulty=2))
    now = utcnow()
    session = create_session(staff, SessionInput(
        title="2026 年第四批劳动关系协调师四级认定", level=4, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7), duration_minutes=60,
        blueprint=[{"function_code": "LC", "kind": "single", "count": 5, "points_each": 12},
                   {"function_code": "LC", "kind": "true_false", "count": 2, "points_each": 10},
                   {"function_code": "DR", "kind": "true_false", "count": 2, "points_each": 10}]))
    application = apply(trainee, session.id, work_years=5)
    decide(staff, application, True)
    for index in range(3):
        create_question(staff, QuestionInput(
            kind="essay", level=2, function_code="DM",
            stem=f"案例分析{index + 1}：某企业未经民主程序修改考勤制度，请分析其效力并提出处理建议。",
            answer="应经职工代表大会或全体职工讨论，与工会或职工代表平等协商确定，并公示或告知劳动者……",
            rubric="指出民主程序要求 4 分；公示告知 3 分；处理建议 3 分", points=10, difficulty=4))
