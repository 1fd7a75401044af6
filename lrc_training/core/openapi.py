"""The API's own OpenAPI document, built from the URL map, the declared request schemas and the access
policies, plus a browsable docs page (Swagger UI served from our own files, no CDN)."""

from __future__ import annotations

import re
from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory
from pydantic.json_schema import models_json_schema
from werkzeug.routing import IntegerConverter

from .access import policy_of, public
from .occupation import site_name

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "机器可读的错误代码"},
        "message": {"type": "string", "description": "给人看的中文说明"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "字段 → 原因"},
    },
}
OPENAPI_KEY = "lrc_openapi_documents"
_STATUS_TEXT = {400: "请求格式错误", 401: "未登录或令牌无效", 403: "无权操作", 404: "不存在", 409: "冲突",
                413: "请求体过大", 422: "不符合业务规则", 429: "请求过于频繁"}


def _openapi30(schema):
    """Pydantic writes JSON Schema 2020-12; OpenAPI 3.0 (what the bundled Swagger UI 4 reads) has no
    `{"type": "null"}` and no `const`: `X | None` becomes `nullable: true`, a single literal becomes an enum."""
    if isinstance(schema, list):
        return [_openapi30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: _openapi30(value) for key, value in schema.items()}
    if "const" in schema:
        schema.setdefault("enum", [schema.pop("const")])
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            del schema[key]
            schema["nullable"] = True
            if len(rest) == 1 and "$ref" not in rest[0]:
                schema.update(rest[0])
            elif rest:
                # Siblings of a $ref are ignored in OpenAPI 3.0, so wrap it.
                schema["allOf" if len(rest) == 1 else key] = rest
    return schema


def _path_of(rule: str) -> str:
    return re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule)


_PAGE_PARAMETERS = [
    {"name": "page", "in": "query", "required": False, "description": "页码（从 1 开始）",
     "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}},
    {"name": "per_page", "in": "query", "required": False, "description": "每页条数（超过 200 按 200）",
     "schema": {"type": "integer", "minimum": 1}},
]


def _query_parameters(view) -> list[dict]:
    """A list's declared query schema (core.api.query_args) as OpenAPI query parameters."""
    schema = getattr(view, "_api_query", None)
    if schema is None:
        return []
    properties = _openapi30(schema.model_json_schema()).get("properties", {})
    parameters = []
    for name, prop in properties.items():
        prop = {key: value for key, value in prop.items() if key != "title" and (key != "default" or value is not None)}
        description = prop.pop("description", None)
        parameter = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters + (_PAGE_PARAMETERS if getattr(view, "_api_paginated", False) else [])


def _path_schema(converter) -> dict:
    """A path argument's type, as its URL converter parses it (`<int:id>` an integer, `<number>` a string)."""
    return {"type": "integer"} if isinstance(converter, IntegerConverter) else {"type": "string"}


def _operation(rule, method: str, view) -> dict:
    """One path operation: summary from the docstring, path and query parameters, who may call it, the request body
    and the declared success response, and the common error responses."""
    body = getattr(view, "_api_body", None)
    responses_declared = getattr(view, "_api_responses", {})
    doc = (view.__doc__ or "").strip().splitlines()
    policy = policy_of(view)
    operation: dict = {
        "operationId": rule.endpoint.replace(".", "_") + "_" + method.lower(),
        "summary": doc[0] if doc else rule.endpoint,
        "tags": [rule.rule.split("/")[3]],
        "responses": {},
        "parameters": [
            {"name": arg, "in": "path", "required": True, "schema": _path_schema(rule._converters[arg])}
            for arg in sorted(rule.arguments)
        ],
    }
    if policy is not None and policy.kind != "public":
        operation["security"] = [{"bearer": []}]
        if policy.roles:
            operation["description"] = "角色：" + "、".join(policy.roles)
    operation["parameters"] += _query_parameters(view)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}}}
    ok = next(iter(responses_declared), 201 if method == "POST" else 200)
    schema = responses_declared.get(ok)
    if getattr(view, "_api_file", None):
        content = {view._api_file: {"schema": {"type": "string", "format": "binary"}}}
    else:
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema.__name__}"}}} \
            if schema else {"application/json": {"schema": {"type": "object"}}}
    operation["responses"][str(ok)] = {"description": "成功", "content": content} if ok != 204 else {"description": "成功"}
    for status, text in _STATUS_TEXT.items():
        operation["responses"][str(status)] = {"description": text, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return operation


def build_openapi() -> dict:
    operations: dict[str, dict] = {}
    models = set()
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api_docs."):
            continue
        view = current_app.view_functions[rule.endpoint]
        models.update(m for m in [getattr(view, "_api_body", None), *getattr(view, "_api_responses", {}).values()]
                      if m is not None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.setdefault(_path_of(rule.rule), {})[method.lower()] = _operation(rule, method, view)
    _, definitions = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                        ref_template="#/components/schemas/{model}")
    schemas = {name: _openapi30(schema) for name, schema in definitions.get("$defs", {}).items()}
    schemas["Error"] = ERROR_SCHEMA
    return {
        "openapi": "3.0.3",
        "info": {"title": "LRC Training API", "version": "1", "description": f"{site_name()} JSON API"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(operations.items())),
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
@public
def openapi_document():
    """This API's OpenAPI document. Built once per app and site name: the routes and schemas cannot change while the
    process runs, and building it takes a fifth of a second."""
    built = current_app.extensions.setdefault(OPENAPI_KEY, {})
    name = site_name()
    if name not in built:
        built[name] = build_openapi()
    return jsonify(built[name])


@bp.get("/docs")
@public
def docs_page():
    """Browsable API documentation."""
    return render_template("core/api_docs.html")


_SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js", "favicon-32x32.png"}


@bp.get("/docs/assets/<path:filename>")
@public
def docs_asset(filename: str):
    """Swagger UI's own files, from the swagger-ui-bundle package."""
    if filename not in _SWAGGER_FILES:
        abort(404)
    return send_from_directory(Path(swagger_ui_bundle.swagger_ui_path), filename, max_age=86400)
