"""TODO(access): a stand-in for ``delegation.access`` (issue 6) until it lands on main;
same names and behaviour for what this app uses. Deleted at the merge."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404

from delegation import selectors


class Perm(StrEnum):
    VIEW_REQUESTS = "view_requests"
    EDIT_REQUESTS = "edit_requests"


@dataclass
class Acting:
    business: object
    account: object
    object: object = None

    def can(self, perm) -> bool:
        return True


def requires(perm, *, model=None, via="program_account"):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = None
            if model is not None:
                obj = get_object_or_404(model, pk=kwargs["pk"])
                account = getattr(obj, via)
                if (
                    not selectors.program_accounts_for(user=request.user)
                    .filter(pk=account.pk)
                    .exists()
                ):
                    raise Http404
            else:
                account = request.nav.account
                if account is None:
                    raise Http404
            request.acting = Acting(business=account.business, account=account, object=obj)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
