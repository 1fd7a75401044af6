"""Helpers every JSON endpoint uses: declared request schemas, the error format, pagination."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Annotated, Any

from flask import current_app, jsonify, request
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Select, func, select

from ..extensions import db
from .errors import DomainError
from .params import MAX_DB_INT, ascii_int, date_range_error

# Error types that mean "malformed" (400) rather than "well-formed but breaks a rule" (422).
_MALFORMED = ("missing", "json_invalid", "json_type", "model_type", "model_attributes_type", "finite_number")

# The highest page number accepted: beyond it OFFSET could overflow the database's integer.
MAX_PAGE = 1_000_000
# C0 control characters other than tab, newline and carriage return: never meaningful in our data, refused by
# PostgreSQL (NUL) and by openpyxl when exporting to Excel.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_MESSAGES = {
    "missing": "必填",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "datetime_type": "应为带时区的 ISO 8601 时间",
    "datetime_parsing": "时间格式不正确，应为 ISO 8601（例如 2026-05-01T09:00:00+08:00）",
    "datetime_from_date_parsing": "时间格式不正确，应为 ISO 8601（例如 2026-05-01T09:00:00+08:00）",
    "timezone_aware": "时间必须带时区，例如 +08:00",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "json_invalid": "JSON 格式错误",
    "model_type": "请求体应为 JSON 对象",
    "model_attributes_type": "请求体应为 JSON 对象",
    "extra_forbidden": "不允许的字段",
    "finite_number": "应为有限数字（不接受 NaN 或 Infinity）",
}


def _unsafe_scalar(value: Any) -> str | None:
    """Why a value (or anything inside a list or object) cannot be stored, or None."""
    if isinstance(value, str):
        return "不能包含控制字符" if _CONTROL_CHARS.search(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return "数值超出范围" if abs(value) > MAX_DB_INT else None
    if isinstance(value, date):  # datetimes too
        return date_range_error(value)
    if isinstance(value, list | tuple | set | frozenset):
        return next((r for r in map(_unsafe_scalar, value) if r), None)
    if isinstance(value, dict):
        return next((r for r in map(_unsafe_scalar, [*value.keys(), *value.values()]) if r), None)
    return None


class _Storable(BaseModel):
    """Every field of a request or a query string: a value the database cannot store is refused (422)."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        reason = _unsafe_scalar(value)
        if reason:
            raise ValueError(reason)
        return value


class ApiModel(_Storable):
    """Base for request schemas: strict types (a string is not an integer), unknown fields ignored, no NaN or
    Infinity, no control characters in text, no integer the database cannot hold and no date or time outside
    core.params' range (422 for those)."""

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)


class InputModel(ApiModel):
    """The one declaration of an input that a page form, the API and Python callers (services' tests, demo data,
    jobs) share. The API still parses it strictly (`parse_json`: a string is not a number); a form's text and a
    caller's Decimal are converted (`core.forms.SchemaForm`). Give each field a Chinese `title`: a value outside
    the field's limits is then reported as "<title>应在 <low> 到 <high> 之间"."""

    model_config = ConfigDict(strict=False)


def _hidden_int(value: Any) -> Any:
    """A hidden form field's integer (a version): empty is "not given", anything but ASCII digits is -1 (a tampered
    version then reads as stale, as if someone had saved first). JSON integers pass through (the API parses
    strictly)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    number = ascii_int(value.strip())
    return -1 if number is None else number


def blank_is_none(value: str | None) -> str | None:
    return value or None


# Optional text: an empty box (or "") is "not given".
OptionalText = Annotated[str | None, AfterValidator(blank_is_none)]
# A hidden field's version: see _hidden_int.
HiddenInt = Annotated[int | None, BeforeValidator(_hidden_int)]


@dataclass(frozen=True)
class AskFor:
    """A page's own words for a required field left empty, as the field's metadata:
    `reason: Annotated[str, AskFor("请填写原因")]`. core.forms.SchemaForm shows them at the field instead of
    "此项为必填项"; validation, the API's answer and the JSON schema are unchanged."""

    message: str


class ApiError(DomainError):
    """An HTTP error in docs/api.md's format; `status` is set per instance."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields, code=code)
        self.status = status


def _field_of(schema: type[BaseModel] | None, loc: tuple) -> Any:
    """The schema field an error's location names (by alias or by name), or None."""
    if schema is None or not loc:
        return None
    fields = schema.model_fields
    return fields.get(str(loc[0])) or next((f for f in fields.values() if f.alias == loc[0]), None)


def _range_message(field: Any) -> str | None:
    """"总课时应在 0.5 到 2000 之间" for a field with a title and both a lower and an upper bound."""
    if field is None or not field.title:
        return None
    bounds = {name: getattr(rule, name) for rule in field.metadata for name in ("ge", "gt", "le", "lt")
              if getattr(rule, name, None) is not None}
    low, high = bounds.get("ge", bounds.get("gt")), bounds.get("le", bounds.get("lt"))
    return f"{field.title}应在 {low} 到 {high} 之间" if low is not None and high is not None else None


_BOUND_ERRORS = ("greater_than_equal", "greater_than", "less_than_equal", "less_than")


def describe_error(error: dict, schema: type[BaseModel] | None = None) -> str:
    """A pydantic error in Chinese; a value outside a titled field's range names the field and its range."""
    if error["type"] in _BOUND_ERRORS:
        message = _range_message(_field_of(schema, error["loc"]))
        if message:
            return message
    return _describe(error)


def _describe(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"长度不能超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"长度不能少于 {ctx.get('min_length')} 个字符"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind == "literal_error" or kind == "enum":
        return f"取值应为：{ctx.get('expected')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{'等于' if kind == 'greater_than' else ''} {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{'等于' if kind == 'less_than' else ''} {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_pattern_mismatch":
        return "格式不正确"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "取值无效")))
    return _MESSAGES.get(kind, error.get("msg", "取值无效"))


def _wrong_choice_type(error: dict) -> bool:
    """A choice field (Literal / Enum) given a value of the wrong JSON type, e.g. `"kind": 5` or `"kind": []`
    where names are expected: a wrong type (400), not a wrong choice (422)."""
    value = error.get("input")
    wants_text = "'" in str((error.get("ctx") or {}).get("expected", ""))
    if value is None or isinstance(value, bool | list | dict):
        return True
    if isinstance(value, str):
        return not wants_text
    return wants_text


def schema_error(exc: PydanticValidationError, schema: type[BaseModel] | None = None) -> ApiError:
    fields: dict[str, str] = {}
    malformed = False
    for error in exc.errors(include_url=False):
        kind = error["type"]
        if kind in _MALFORMED or kind.endswith("_type") or kind.endswith("_parsing"):
            malformed = True
        elif kind in ("literal_error", "enum") and _wrong_choice_type(error):
            malformed = True
        loc = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(loc, describe_error(error, schema))
    if malformed:
        return ApiError(400, "bad_request", "请求格式错误：" + "；".join(f"{k} {v}" for k, v in fields.items()),
                        fields)
    return ApiError(422, "invalid", "输入不符合要求：" + "；".join(f"{k} {v}" for k, v in fields.items()), fields)


def parse_json(schema: type[BaseModel]) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "bad_request", "请求体不能为空，应为 JSON 对象", {"body": "必填"})
    try:
        # Strict for every ApiModel, including an InputModel that forms and Python callers fill more loosely.
        return schema.model_validate_json(raw, strict=True if issubclass(schema, ApiModel) else None)
    except PydanticValidationError as exc:
        raise schema_error(exc, schema) from None


def json_body(schema: type[BaseModel]) -> Callable:
    """Validate the JSON body against `schema` and pass it to the view as `body`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            kwargs["body"] = parse_json(schema)
            return view(*args, **kwargs)

        wrapped._api_body = schema  # read by the OpenAPI builder
        return wrapped

    return decorator


def api_response(schema: type[BaseModel] | None, status: int = 200) -> Callable:
    """Document the response schema of an endpoint in the OpenAPI document (None: no body, as for a 204)."""

    def decorator(view: Callable) -> Callable:
        responses = dict(getattr(view, "_api_responses", {}))
        responses[status] = schema
        view._api_responses = responses
        return view

    return decorator


def api_file(mimetype: str) -> Callable:
    """Document that an endpoint answers a file of this type (a PDF), not JSON, in the OpenAPI document."""

    def decorator(view: Callable) -> Callable:
        view._api_file = mimetype
        return view

    return decorator


def page_args() -> tuple[int, int]:
    """`?page=` (1 … MAX_PAGE) and `?per_page=` (1 and up, capped at 200); 400 naming the bad parameter."""
    fields = {}
    values = {}
    for name, default in (("page", 1), ("per_page", current_app.config["LRC_PER_PAGE"])):
        raw = request.args.get(name, "")
        if raw == "":
            values[name] = default
            continue
        # isascii(): str.isdigit() also accepts "²" and "①", which int() then refuses.
        digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else None
        if not digits:
            fields[name] = "应为正整数"
            continue
        # Thirteen digits and more are out of range either way; int() of thousands of digits would raise.
        values[name] = int(digits) if len(digits) <= 12 else 10**12
    if values.get("page", 1) > MAX_PAGE:
        fields["page"] = f"不能大于 {MAX_PAGE}"
    if "per_page" in values:
        values["per_page"] = min(values["per_page"], 200)
    if fields:
        raise ApiError(400, "bad_request", "分页参数无效", fields)
    return values["page"], values["per_page"]


def paginate(stmt: Select, serialize: Callable[[Any], dict]) -> dict:
    """Run `stmt` for one page and count the whole: two queries however long the list."""
    page, per_page = page_args()
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return {"items": [serialize(item) for item in items], "page": page, "per_page": per_page, "total": total}


def created(payload: dict):
    return jsonify(payload), 201


# -- query strings ----------------------------------------------------------------------------------------------

class QueryModel(_Storable):
    """Base for query-string schemas, shared by an API list and the page that shows the same list. Values arrive
    as text, so numbers, booleans and dates are parsed from it (ASCII digits only: '²' or '١' is not a number); an
    empty value means "not given"; the same limits as ApiModel apply (control characters, integer and date range).
    Declare every field optional with a default: a page drops the bad ones and shows the rest of the list."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _given(cls, data: Any) -> Any:
        if hasattr(data, "getlist"):  # a MultiDict such as request.args: the first value of each name
            data = data.to_dict()
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if value != ""}
        return data


def query_errors(schema: type[QueryModel], args: Any) -> tuple[QueryModel, dict[str, str]]:
    """`args` validated against `schema`: (the values, {} ) or, when some are bad, (the values without the bad ones,
    {parameter: Chinese reason})."""
    try:
        return schema.model_validate(args), {}
    except PydanticValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            fields.setdefault(str(error["loc"][0]) if error["loc"] else "query", _describe(error))
    given = args.to_dict() if hasattr(args, "getlist") else dict(args)
    return schema.model_validate({k: v for k, v in given.items() if k not in fields}), fields


def parse_query(schema: type[QueryModel]) -> Any:
    """request.args validated against `schema`; 400 naming each bad parameter."""
    values, fields = query_errors(schema, request.args)
    if fields:
        raise ApiError(400, "bad_request", "查询参数无效：" + "；".join(f"{k} {v}" for k, v in fields.items()), fields)
    return values


def query_args(schema: type[QueryModel], *, paginated: bool = False) -> Callable:
    """Validate the query string against `schema` and pass it to the view as `query`; the OpenAPI document lists
    the schema's fields as query parameters (and `page` / `per_page` for a paginated list)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            kwargs["query"] = parse_query(schema)
            return view(*args, **kwargs)

        wrapped._api_query = schema  # read by the OpenAPI builder
        wrapped._api_paginated = paginated
        return wrapped

    return decorator
