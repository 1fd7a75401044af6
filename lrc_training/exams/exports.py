"""The exams area's downloads: the question bank's Excel export and import template, and the 成绩登记表.

成绩登记表: the official record of a session's results, as Excel and PDF.

One row per approved candidate, by admission-ticket number: 序号, 准考证号, 姓名, 证件号码 (masked, as on the
sign-in sheet), 理论, 操作, 综合评审, 是否合格, 备注; above it the session, level, organization and exam date, below
it the signature lines of the 考评组长 and the 评价机构. It exists once every candidate's result is decided (the
state in which results may be published) and stays available after publication.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select

from ..core.downloads import ExportFile
from ..core.levels import LEVEL_LABELS
from ..core.pdf import render_pdf
from ..core.timeutil import format_local
from ..core.xlsx import HEADER_FILL, append_row, save_workbook, template_workbook
from ..extensions import db
from .documents import ticket_number
from .models import PARTS, QUESTION_KINDS, Application, Attempt, ExamSession
from .services.bank import COLUMNS as BANK_COLUMNS
from .services.results import ResultRow, compute_results

COLUMNS = ["序号", "准考证号", "姓名", "证件号码", "理论", "操作", "综合评审", "是否合格", "备注"]
SCORE_COLUMNS = (("theory", "理论"), ("practical", "操作"), ("review", "综合评审"))
SIGNATURES = ("考评组长（签字）", "评价机构（盖章）")


@dataclass(frozen=True)
class RegisterRow:
    number: int
    ticket_number: str
    name: str
    id_number: str
    scores: tuple[str, str, str]  # 理论, 操作, 综合评审 as printed: "85.5", "免考", "—" (not part of the session)
    passed: str
    note: str


def register_unavailable_reason(session: ExamSession, rows: list[ResultRow] | None = None) -> str | None:
    """Why the register cannot be produced yet, or None when it can."""
    rows = compute_results(session) if rows is None else rows
    if not rows:
        return "还没有通过审核的考生，暂无成绩可登记。"
    undecided = sum(1 for r in rows if r.passed is None)
    if undecided:
        return f"还有 {undecided} 名考生的成绩尚未确定，全部确定后可导出成绩登记表。"
    return None


def _score_text(row: ResultRow, part: str, session: ExamSession) -> str:
    if part not in session.parts:
        return "—"
    if part in row.exempt:
        return "免考"
    value = row.scores.get(part)
    return "" if value is None else f"{Decimal(value).normalize():f}"


def register_rows(session: ExamSession, rows: list[ResultRow] | None = None) -> list[RegisterRow]:
    rows = compute_results(session) if rows is None else rows
    applications = {a.id: a for a in db.session.execute(select(Application).where(
        Application.session_id == session.id, Application.status == "approved")).scalars()}
    sat_theory = set(db.session.execute(select(Attempt.application_id).join(Application).where(
        Application.session_id == session.id)).scalars())
    ordered = sorted(rows, key=lambda r: ticket_number(session, applications[r.application_id]))
    result = []
    for number, row in enumerate(ordered, start=1):
        application = applications[row.application_id]
        notes = []
        if row.exempt:
            notes.append("、".join(PARTS[p] for p in row.exempt) + "免考（有效期内已通过）")
        if "theory" in session.parts and "theory" not in row.exempt and row.application_id not in sat_theory:
            notes.append("理论缺考")
        result.append(RegisterRow(
            number=number, ticket_number=ticket_number(session, application), name=row.name,
            id_number=application.user.id_number_masked or "",
            scores=tuple(_score_text(row, part, session) for part, _ in SCORE_COLUMNS),
            passed="合格" if row.passed else "不合格", note="；".join(notes)))
    return result


def _number_or_text(value: str):
    """Scores go into Excel as numbers (so they can be summed and checked); 免考 and — stay text."""
    try:
        number = Decimal(value)
    except ArithmeticError:
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def _heading(session: ExamSession) -> dict:
    return {"title": session.title, "level_label": LEVEL_LABELS[session.level],
            "organization": session.organization.name, "exam_date": format_local(session.opens_at, "%Y-%m-%d"),
            "pass_mark": f"{Decimal(session.pass_mark).normalize():f}"}


def register_workbook(session: ExamSession) -> ExportFile:
    heading, rows = _heading(session), register_rows(session)
    wb = Workbook()
    ws = wb.active
    ws.title = "成绩登记表"
    width = len(COLUMNS)
    ws.append(["职业技能等级认定成绩登记表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    append_row(ws, [f"认定批次：{heading['title']}"])
    append_row(ws, [f"职业（工种）等级：{heading['level_label']}    评价机构：{heading['organization']}    "
                    f"考试日期：{heading['exam_date']}    合格线：{heading['pass_mark']} 分"])
    for line in (2, 3):
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    append_row(ws, COLUMNS)
    header_row = ws.max_row
    thin = Side(style="thin", color="333333")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        scores = [_number_or_text(s) for s in row.scores]
        append_row(ws, [row.number, row.ticket_number, row.name, row.id_number, *scores, row.passed, row.note])
    for table_row in ws.iter_rows(min_row=header_row, max_row=ws.max_row):
        for cell in table_row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([])
    passed = sum(1 for r in rows if r.passed == "合格")
    append_row(ws, [f"应考 {len(rows)} 人，合格 {passed} 人。"])
    ws.append([])
    append_row(ws, [f"{SIGNATURES[0]}：", "", "", f"{SIGNATURES[1]}：", "", "", "日期：年  月  日"])
    for index, width_chars in enumerate((6, 14, 10, 20, 8, 8, 10, 9, 30), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width_chars
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return ExportFile(save_workbook(wb), len(rows))


def register_pdf(session: ExamSession) -> ExportFile:
    rows = register_rows(session)
    context = {"session": _heading(session), "columns": COLUMNS, "signatures": list(SIGNATURES),
               "rows": [{"number": r.number, "ticket_number": r.ticket_number, "name": r.name,
                         "id_number": r.id_number, "scores": list(r.scores), "passed": r.passed, "note": r.note}
                        for r in rows],
               "passed": sum(1 for r in rows if r.passed == "合格")}
    return ExportFile(io.BytesIO(render_pdf("pdf/results_register.html", context)), len(rows))


# -- the question bank ------------------------------------------------------------

def build_bank_template() -> io.BytesIO:
    examples = [
        ["单选题", 4, "LC", 2, 1, "劳动合同期限三个月以上不满一年的，试用期不得超过多长时间？",
         "半个月", "一个月", "二个月", "六个月", "", "", "B", "《劳动合同法》第十九条", ""],
        ["多选题", 3, "CB", 3, 2, "集体合同的内容一般包括哪些？", "劳动报酬", "工作时间", "休息休假",
         "企业股权结构", "", "", "ABC", "", ""],
        ["判断题", 4, "DR", 1, 1, "劳动争议申请仲裁的时效期间为一年。", "", "", "", "", "", "", "对", "", ""],
        ["简答题", 3, "DM", 4, 10, "简述职工代表大会的主要职权。", "", "", "", "", "", "",
         "审议建议权、审议通过权……", "", "每答出一项职权得 2 分，最多 10 分"],
    ]
    return template_workbook("试题", BANK_COLUMNS, examples, (8, 6, 10, 6, 6, 50, 14, 14, 14, 14, 10, 10, 14, 24, 24), [
        "题型：单选题、多选题、判断题、简答题。等级：4、3、2、1。职业功能：LS、LC、CB、RR、DM、DR 等代码。",
        "难度 1–5；分值为该题默认分值（组卷时以双向细目表设定的分值为准）。",
        "答案：单选填一个字母；多选填多个字母（如 ABC）；判断填 对/错；",
        "简答题在“答案”填参考答案，并在“评分要点”写评分细则。",
        "示例行导入前请删除。"])


def export_questions(actor, stmt: Select) -> ExportFile:
    """The questions `stmt` selects, one row each; a stem, option or rubric typed as "=…" stays text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "试题"
    append_row(ws, ["编号", *BANK_COLUMNS, "版本", "状态"])
    rows = 0
    for question in db.session.execute(stmt).unique().scalars():
        rev = question.current
        options = rev.options or {}
        if question.kind == "multiple":
            answer = "".join(rev.answer)
        elif question.kind == "true_false":
            answer = "对" if rev.answer else "错"
        else:
            answer = rev.answer
        append_row(ws, [question.id, QUESTION_KINDS[question.kind], question.level, question.function_code,
                        question.difficulty, float(rev.points), rev.stem, *[options.get(k, "") for k in "ABCDEF"],
                        answer, rev.explanation or "", rev.rubric or "", rev.number,
                        "启用" if question.active else "停用"])
        rows += 1
    return ExportFile(save_workbook(wb), rows)
