"""TODO(access): a stand-in for ``delegation.access`` (issue 6) with the same API, until
it lands on main; then the views import ``Perm, requires, scoped`` from there and this
module is deleted. It covers the part of the rule that exists today (employees; no
service-provider relationships yet) through ``delegation.selectors``."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from delegation import selectors
from delegation.models import Employment


class Perm(enum.Enum):
    VIEW_REQUESTS = "view_requests"
    EDIT_REQUESTS = "edit_requests"


@dataclass
class Acting:
    user: object
    business: object
    account: object
    object: object = None

    def can(self, perm: Perm) -> bool:
        if perm == Perm.VIEW_REQUESTS:
            return True
        return (
            selectors.active_employments(user=self.user)
            .filter(business=self.business)
            .exclude(role=Employment.Role.READER)
            .exists()
        )


def requires(perm: Perm, *, model=None, via: str | None = None):
    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            accounts = selectors.program_accounts_for(user=request.user)
            if model is not None:
                obj = (
                    model.objects.filter(pk=kwargs.get("pk"), **{f"{via}__in": accounts})
                    .select_related(via)
                    .first()
                )
                if obj is None:
                    raise Http404
                account = getattr(obj, via)
                request.acting = Acting(request.user, account.business, account, obj)
            else:
                account = request.nav.account
                if account is None:
                    raise Http404
                request.acting = Acting(request.user, account.business, account)
            if not request.acting.can(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def scoped(queryset, request, perm: Perm, *, via: str):
    return queryset.filter(**{f"{via}__in": selectors.program_accounts_for(user=request.user)})
