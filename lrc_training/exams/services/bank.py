"""The question bank: validated questions, edits as new revisions, search, Excel import and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from ...auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ...core.audit import record_audit
from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.models import WorkArea
from ...core.params import ascii_int
from ...core.xlsx import SheetError, cell_text, read_rows
from ...extensions import db
from ..models import NOTE_MAX, OPTION_KEYS, OPTION_MAX, QUESTION_KINDS, REFERENCE_MAX, STEM_MAX, Question, QuestionRevision

BANK_ROLES = (ORG_STAFF, EXAMINER, ADMIN)


@dataclass
class QuestionInput:
    kind: str
    level: int
    function_code: str
    stem: str
    options: dict | None = None
    answer: object = None
    points: object = 1
    difficulty: int = 3
    explanation: str | None = None
    rubric: str | None = None


def _clean_key(data: QuestionInput, errors: dict) -> tuple[dict | None, object]:
    """The options (choice questions) and the answer key, normalised; reasons go into `errors`."""
    options, answer = None, data.answer
    if data.kind in ("single", "multiple"):
        if not isinstance(data.options, dict) or not (2 <= len(data.options) <= len(OPTION_KEYS)):
            errors["options"] = "选择题应有 2 到 8 个选项"
        else:
            options = {str(k).strip().upper(): str(v).strip() for k, v in data.options.items()}
            if any(k not in OPTION_KEYS for k in options) or any(not v or len(v) > OPTION_MAX for v in options.values()):
                errors["options"] = f"选项键应为 A–H，选项内容不能为空且不超过 {OPTION_MAX} 个字符"
        keys = set(options or {})
        if data.kind == "single":
            if not isinstance(answer, str) or answer.strip().upper() not in keys:
                errors["answer"] = "单选题答案应为一个选项键，例如 \"B\""
            else:
                answer = answer.strip().upper()
        else:
            if (not isinstance(answer, list) or len(answer) < 2 or not all(isinstance(a, str) for a in answer)
                    or not {a.strip().upper() for a in answer} <= keys):
                errors["answer"] = "多选题答案应为至少两个选项键的列表，例如 [\"A\", \"C\"]"
            else:
                answer = sorted({a.strip().upper() for a in answer})
    elif data.kind == "true_false":
        if not isinstance(answer, bool):
            errors["answer"] = "判断题答案应为 true 或 false"
    elif data.kind == "essay":
        if not isinstance(answer, str) or not answer.strip() or len(answer) > REFERENCE_MAX:
            errors["answer"] = f"简答题应提供参考答案（不超过 {REFERENCE_MAX} 个字符）"
        else:
            answer = answer.strip()
    return options, answer


def _clean(data: QuestionInput) -> dict:
    errors: dict[str, str] = {}
    if data.kind not in QUESTION_KINDS:
        errors["kind"] = "题型应为 single、multiple、true_false 或 essay"
    if data.level not in (1, 2, 3, 4):
        errors["level"] = "等级应为 4、3、2 或 1"
    if db.session.get(WorkArea, data.function_code or "") is None:
        errors["function_code"] = "职业功能代码不存在"
    stem = (data.stem or "").strip()
    if not stem or len(stem) > STEM_MAX:
        errors["stem"] = f"题干不能为空且不超过 {STEM_MAX} 个字符"
    try:
        points = Decimal(str(data.points)).quantize(Decimal("0.01"))
        if not (Decimal("0") < points <= Decimal("100")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        points = None
        errors["points"] = "分值应为 0 到 100 之间的数字"
    if not isinstance(data.difficulty, int) or not (1 <= data.difficulty <= 5):
        errors["difficulty"] = "难度应为 1 到 5 的整数"
    options, answer = _clean_key(data, errors)
    for name, value in (("explanation", data.explanation), ("rubric", data.rubric)):
        if value and len(value) > NOTE_MAX:
            errors[name] = f"不能超过 {NOTE_MAX} 个字符"
    if errors:
        raise ValidationFailed("试题信息有误：" + "；".join(errors.values()), errors)
    return {"stem": stem, "options": options, "answer": answer, "points": points,
            "explanation": (data.explanation or "").strip() or None, "rubric": (data.rubric or "").strip() or None}


def _require_bank_access(actor) -> int:
    if not actor.has_role(*BANK_ROLES):
        raise Forbidden("无权管理题库")
    if actor.organization_id is None:
        raise ValidationFailed("您的账号尚未归属评价机构，无法使用题库", {"organization_id": "未归属机构"})
    return actor.organization_id


def create_question(actor, data: QuestionInput) -> Question:
    org_id = _require_bank_access(actor)
    content = _clean(data)
    question = Question(organization_id=org_id, kind=data.kind, level=data.level, function_code=data.function_code,
                        difficulty=data.difficulty, active=True, created_by_id=actor.id)
    db.session.add(question)
    db.session.flush()
    revision = QuestionRevision(question_id=question.id, number=1, created_by_id=actor.id, **content)
    db.session.add(revision)
    db.session.flush()
    question.current_revision_id = revision.id
    db.session.flush()
    record_audit("question.create", "question", question.id, new={"kind": data.kind, "level": data.level})
    return question


def update_question(actor, question: Question, data: QuestionInput) -> Question:
    """A new revision; papers already drawn keep the revision they were given."""
    if question.organization_id != _require_bank_access(actor) and not actor.has_role(ADMIN):
        raise NotFound("试题不存在")
    if data.kind != question.kind:
        raise ValidationFailed("不能修改题型，请新建试题", {"kind": "不能修改题型"})
    content = _clean(data)
    last = db.session.execute(select(func.max(QuestionRevision.number)).where(
        QuestionRevision.question_id == question.id)).scalar()
    number = (last or 0) + 1
    revision = QuestionRevision(question_id=question.id, number=number, created_by_id=actor.id, **content)
    db.session.add(revision)
    db.session.flush()
    question.current_revision_id = revision.id
    question.level, question.function_code, question.difficulty = data.level, data.function_code, data.difficulty
    db.session.flush()
    record_audit("question.revise", "question", question.id, new={"revision": number})
    return question


def set_question_active(actor, question: Question, active: bool) -> None:
    if question.organization_id != _require_bank_access(actor):
        raise NotFound("试题不存在")
    question.active = active
    record_audit("question.activate" if active else "question.retire", "question", question.id)


def get_question(actor, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not actor.has_role(*BANK_ROLES) or (
            question.organization_id != actor.organization_id and not actor.has_role(ADMIN)):
        raise NotFound("试题不存在")
    return question


def search_questions(actor, *, q: str | None = None, level: int | None = None, kind: str | None = None,
                     function_code: str | None = None, active: bool | None = True) -> Select:
    stmt = (select(Question).options(joinedload(Question.current))
            .where(Question.organization_id == (actor.organization_id or -1)).order_by(Question.id.desc()))
    if q:
        stmt = stmt.join(QuestionRevision, QuestionRevision.id == Question.current_revision_id).where(
            or_(QuestionRevision.stem.ilike(f"%{q.strip()}%")))
    if level:
        stmt = stmt.where(Question.level == level)
    if kind:
        stmt = stmt.where(Question.kind == kind)
    if function_code:
        stmt = stmt.where(Question.function_code == function_code)
    if active is not None:
        stmt = stmt.where(Question.active.is_(active))
    return stmt


# -- Excel ---------------------------------------------------------------------

COLUMNS = ["题型", "等级", "职业功能", "难度", "分值", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
           "答案", "解析", "评分要点"]
_KIND_BY_LABEL = {v: k for k, v in QUESTION_KINDS.items()} | {k: k for k in QUESTION_KINDS}


@dataclass
class BankImportReport:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    file_error: str | None = None


def _answer(kind: str, raw: str):
    if kind == "multiple":
        return [c for c in raw.replace(",", "").replace("，", "").replace(" ", "").upper()]
    if kind == "true_false":
        mapping = {"对": True, "正确": True, "true": True, "√": True, "错": False, "错误": False, "false": False,
                   "×": False}
        if raw.lower() not in mapping and raw not in mapping:
            raise ValueError("判断题答案应为 对 或 错")
        return mapping.get(raw, mapping.get(raw.lower()))
    return raw


def import_questions(actor, stream) -> BankImportReport:
    report = BankImportReport()
    try:
        rows = list(read_rows(stream, COLUMNS))
    except SheetError as exc:
        report.file_error = str(exc)
        return report
    for index, raw_values in rows:
        values = {k: cell_text(v) for k, v in raw_values.items()}
        try:
            kind = _KIND_BY_LABEL.get(values.get("题型", ""))
            if kind is None:
                raise ValueError("题型应为 单选题、多选题、判断题 或 简答题")
            options = {k: values.get(f"选项{k}", "") for k in "ABCDEF" if values.get(f"选项{k}")} or None
            level = ascii_int(values.get("等级", ""), low=0, high=99)
            difficulty = ascii_int(values.get("难度", "3") or "3", low=0, high=99)
            if level is None or difficulty is None:
                raise ValueError("等级和难度应为数字")
            data = QuestionInput(kind=kind, level=level, function_code=values.get("职业功能", "").upper(),
                                 stem=values.get("题干", ""),
                                 options=options if kind in ("single", "multiple") else None,
                                 answer=_answer(kind, values.get("答案", "")), points=values.get("分值") or 1,
                                 difficulty=difficulty, explanation=values.get("解析") or None,
                                 rubric=values.get("评分要点") or None)
            with db.session.begin_nested():
                create_question(actor, data)
        except ValueError as exc:
            report.errors.append((index, str(exc)))
            continue
        except ValidationFailed as exc:
            report.errors.append((index, "；".join(exc.fields.values()) or exc.message))
            continue
        report.created += 1
    return report
