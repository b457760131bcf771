"""Walk the URLconf as a signed-in manager (SEC-5, SEC-7): every route, with URL kwargs
from the permission matrix's rows (``<app>/tests/matrix.py``), in the matrix's world."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from delegation.tests.test_matrix import ROWS

# Outside the walk: the admin (CBSA staff only) and the Sign-In Partner's protocol
# endpoints (they talk to the partner; tests/oidc covers them).
SKIPPED_NAMESPACES = ("admin", "oidc")
# Routes whose URL kwargs are not objects of the world.
FIXED_KWARGS = {
    "partner:failed": {"reason": "cancelled"},
    "business:area": {"key": "accounts"},
    "calculator:browse_node": {"code": "01"},
    "portal:guide": {"slug": "getting-started"},
    "calculator_api:tariff_line": {"number": "0101.21.00.00"},
    "calculator_api:exchange_rate": {"currency": "USD"},
}


@dataclass(frozen=True)
class Walked:
    name: str
    has_kwargs: bool


def route_names() -> Iterator[Walked]:
    def captures(p) -> bool:  # path() converters or re_path() named groups
        return bool(p.converters or p.regex.groupindex)

    def walk(resolver, namespace="", outer_kwargs=False):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                name = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                if (inner or "").startswith(SKIPPED_NAMESPACES) or str(pattern.pattern).startswith(
                    SKIPPED_NAMESPACES
                ):
                    continue
                yield from walk(pattern, name, outer_kwargs or captures(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                full = f"{namespace}:{pattern.name}".lstrip(":")
                # kwargs captured here or by an enclosing include (allauth's passkey keys)
                has_kwargs = outer_kwargs or captures(pattern.pattern)
                yield Walked(full, has_kwargs)

    seen = set()
    for walked in walk(get_resolver()):
        if walked.name not in seen:
            seen.add(walked.name)
            yield walked


def url_for(world, walked: Walked) -> str | None:
    """The route's URL in ``world``, or None when no row or fixture names its kwargs."""
    if not walked.has_kwargs:
        return reverse(walked.name)
    if walked.name in FIXED_KWARGS:
        return reverse(walked.name, kwargs=FIXED_KWARGS[walked.name])
    for row in ROWS:
        if row.name == walked.name and row.args:
            return reverse(walked.name, kwargs=row.args(world))
    return None
