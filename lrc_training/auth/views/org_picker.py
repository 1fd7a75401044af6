"""The organization picker of the registration and user forms: a province has tens of thousands of organizations,
so the forms offer a search instead of one long select.

`/organizations/lookup` answers the picker's script with names and region names only (registration is public:
nothing else about an organization, nobody's personal data), a page of at most PAGE_SIZE, rate limited. Without
JavaScript the form's 查找 button re-shows the form with the matches in a select (`prepare_picker`), and a typed
name that finds exactly one organization is taken as the choice (`resolve_picker`). The form always posts an id;
the server checks it."""

from __future__ import annotations

from flask import jsonify, request

from ...core.access import public
from ...core.params import ascii_int
from ...extensions import limiter
from ..queries import MAX_PAGE, PAGE_SIZE, organization_hit, search_organizations
from . import bp

LOOKUP_LIMIT = "60 per minute"
NOT_CHOSEN = "请从查找结果中选择一个单位"


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


def parse_unsettled(form) -> None:
    """The choice is not settled: still parse the form, so its other problems show in the same round, and keep
    the picker's reason at its field (parsing resets a schema field's errors)."""
    reasons = list(form.organization_q.errors)
    form.parse()
    form.organization_q.errors = [*form.organization_q.errors,
                                  *(reason for reason in reasons if reason not in form.organization_q.errors)]
