"""The organization picker of the registration and user forms: a province has tens of thousands of organizations,
so the forms offer a search instead of one long select.

`/organizations/lookup` answers the picker's script with names and region names only (registration is public:
nothing else about an organization, nobody's personal data), a page of at most PAGE_SIZE, rate limited. Without
JavaScript the form's 查找 button re-shows the form with the matches in a select (`prepare_picker`), and a typed
name that finds exactly one organization is taken as the choice (`resolve_picker`). The form always posts an id;
the server checks it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import jsonify, request
from sqlalchemy import and_, or_, select

from ...core.access import public
from ...core.params import ascii_int
from ...core.regions import region_display, region_table
from ...extensions import db, limiter
from ..models import Organization
from . import bp

PAGE_SIZE = 20
MAX_PAGE = 50  # nobody reads further than this; narrow the search instead
MAX_TERMS = 4
REGION_PREFIXES_PER_TERM = 60
LOOKUP_LIMIT = "60 per minute"
NOT_CHOSEN = "请从查找结果中选择一个单位"


@dataclass(frozen=True)
class OrgHit:
    id: int
    name: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.region}）" if self.region else self.name

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "region": self.region}


def _region_prefixes(term: str) -> list[str]:
    """Code prefixes of the provinces, cities and counties whose names contain `term` (聊城 → 3715)."""
    table = region_table()
    found = [code for level in (table.provinces, table.cities, table.counties)
             for code, name in level.items() if term in name]
    return found[:REGION_PREFIXES_PER_TERM]


def _term_condition(term: str):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    region = [Organization.region_code.startswith(prefix) for prefix in _region_prefixes(term)]
    return or_(Organization.name.like(f"%{escaped}%", escape="\\"), *region)


def search_organizations(query: str, *, page: int = 1) -> tuple[list[OrgHit], bool]:
    """Active organizations whose name or region (province, city, county) matches every word of `query`, by name;
    one page, and whether there is another."""
    terms = (query or "").split()[:MAX_TERMS]
    if not terms or not 1 <= page <= MAX_PAGE:
        return [], False
    stmt = (select(Organization.id, Organization.name, Organization.region_code)
            .where(Organization.active.is_(True), and_(*(_term_condition(t[:50]) for t in terms)))
            .order_by(Organization.name, Organization.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    rows = db.session.execute(stmt).all()
    hits = [OrgHit(row.id, row.name, region_display(row.region_code[:6])) for row in rows[:PAGE_SIZE]]
    return hits, len(rows) > PAGE_SIZE and page < MAX_PAGE


def organization_hit(org_id: int | None, *, active_only: bool = True) -> OrgHit | None:
    if not org_id:
        return None
    stmt = select(Organization.id, Organization.name, Organization.region_code).where(Organization.id == org_id)
    if active_only:
        stmt = stmt.where(Organization.active.is_(True))
    row = db.session.execute(stmt).first()
    return OrgHit(row.id, row.name, region_display(row.region_code[:6])) if row else None


@bp.route("/organizations/lookup")
@public
@limiter.limit(LOOKUP_LIMIT)
def organization_lookup():
    """The picker's suggestions: {"items": [{"id", "name", "region"}], "page", "has_more"}."""
    page = ascii_int(request.args.get("page", "1"), low=1, high=MAX_PAGE) or 1
    hits, more = search_organizations(request.args.get("q", "")[:100], page=page)
    response = jsonify({"items": [hit.as_json() for hit in hits], "page": page, "has_more": more})
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the form side ---------------------------------------------------------------------------------------------

def searching() -> bool:
    """The person pressed 查找 (no JavaScript): show the matches, submit nothing."""
    return "org_search" in request.form


def prepare_picker(form, *, none_label: str, active_only: bool = True) -> None:
    """Fill the select behind the picker: "none", the chosen organization, and the matches of the typed text when
    nothing is chosen yet or 查找 was pressed."""
    chosen = organization_hit(form.organization_id.data, active_only=active_only)
    form.org_refused = bool(form.organization_id.data) and chosen is None  # unknown, closed or tampered
    if chosen is None:
        form.organization_id.data = 0
    elif not (form.organization_q.data or "").strip() or request.method == "GET":
        form.organization_q.data = chosen.name
    hits = []
    if (form.organization_q.data or "").strip() and (chosen is None or searching()):
        hits, _more = search_organizations(form.organization_q.data)
    options = ([chosen] if chosen else []) + [hit for hit in hits if chosen is None or hit.id != chosen.id]
    form.organization_id.choices = [(0, none_label), *((hit.id, hit.label) for hit in options)]
    if searching():
        if hits:
            form.organization_id.data = 0  # a new search: choose again among its matches
            more = "（只列出前 20 个，可输入更完整的名称或加上地区）" if len(hits) == PAGE_SIZE else ""
            form.organization_q.description = f"找到 {len(hits)} 个单位{more}，请在下方“{form.organization_id.label.text}”中选择"
        else:
            form.organization_q.errors = [*form.organization_q.errors, "没有找到符合的单位，请换个名称或地区再试"]


def resolve_picker(form) -> tuple[int | None, bool]:
    """The organization id the form chose (None: none), and whether that is settled. A typed text without a choice
    is taken when it finds exactly one organization; otherwise the field says to choose."""
    if form.organization_id.data:
        return form.organization_id.data, True
    if getattr(form, "org_refused", False):
        form.organization_q.errors = [*form.organization_q.errors, NOT_CHOSEN]
        return None, False
    typed = (form.organization_q.data or "").strip()
    if not typed:
        return None, True
    hits = [value for value, _label in form.organization_id.choices if value]
    if len(hits) == 1:
        return hits[0], True
    form.organization_q.errors = [*form.organization_q.errors,
                                  NOT_CHOSEN if hits else "没有找到该单位，请换个名称或地区查找，或清空此项"]
    return None, False
