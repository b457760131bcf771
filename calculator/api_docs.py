"""The open API's documentation page, rendered from its own OpenAPI schema in the reader's
language: no JavaScript, nothing fetched from another site (ADR 0004)."""

import json

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from carm_portal import formatting

METHODS = ("get", "post", "put", "patch", "delete")


def api_schema(language: str) -> dict:
    """The OpenAPI 3 schema of /api/v1/, its texts in ``language``."""
    with translation.override(language):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        return _resolve_lazy(schema)


def _resolve_lazy(value):
    if isinstance(value, dict):
        return {str(k): _resolve_lazy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve_lazy(v) for v in value]
    if hasattr(value, "_proxy____cast") or type(value).__name__ == "__proxy__":
        return str(value)
    return value


def _fields(schema: dict, components: dict) -> list[dict]:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    fields = []
    for name, spec in schema.get("properties", {}).items():
        if "$ref" in spec:
            spec = {**components.get(spec["$ref"].rsplit("/", 1)[-1], {}), **spec}
        kind = spec.get("type", "object")
        if spec.get("format"):
            kind = f"{kind} ({spec['format']})"
        fields.append(
            {
                "name": name,
                "type": kind,
                "required": name in required,
                "description": spec.get("description", ""),
                "enum": spec.get("enum") if len(spec.get("enum") or []) <= 12 else None,
            }
        )
    return fields


def _anchor(method: str, route: str) -> str:
    return method + "-" + "-".join(part.strip("{}") for part in route.strip("/").split("/"))


def operations(schema: dict) -> list[dict]:
    components = schema.get("components", {}).get("schemas", {})
    out = []
    for route, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if not operation:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            examples = [
                {
                    "summary": example.get("summary", name),
                    "value": json.dumps(example.get("value"), indent=2, ensure_ascii=False),
                }
                for name, example in (body.get("examples") or {}).items()
            ]
            out.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "anchor": _anchor(method, route),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": parameter.get("schema", {}).get("type", ""),
                            "description": parameter.get("description", ""),
                            "enum": parameter.get("schema", {}).get("enum"),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": _fields(body.get("schema", {}), components) if body else [],
                    "examples": examples,
                    "responses": sorted(operation.get("responses", {}).items()),
                }
            )
    return out


@require_GET
def documentation(request):
    """Public: the API's documentation, linked from the open API catalogue (SIGN-1)."""
    language = formatting.language()
    schema = api_schema(language)
    return render(
        request,
        "calculator/api_docs.html",
        {"schema": schema, "operations": operations(schema)},
    )
