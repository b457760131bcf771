"""TODO(access): stands for ``delegation.access`` until it lands on main (issue 6), with
the same surface the finance views use: ``@requires(Perm.X)`` on the current program
account and ``request.acting``. Removed when the real module is merged."""

from __future__ import annotations

import functools
from enum import StrEnum
from types import SimpleNamespace

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from delegation.models import Employment


class Perm(StrEnum):
    VIEW_FINANCIAL_SECURITY = "view_financial_security"
    CHANGE_FINANCIAL_SECURITY = "change_financial_security"
    VIEW_TRANSACTIONS = "view_transactions"
    EDIT_TRANSACTIONS = "edit_transactions"
    MANAGE_PAD = "manage_pad"


_MANAGERS = {Employment.Role.BUSINESS_ACCOUNT_MANAGER, Employment.Role.PROGRAM_ACCOUNT_MANAGER}
_ROLE = {
    Employment.Role.READER: {Perm.VIEW_TRANSACTIONS},
    Employment.Role.EDITOR: {Perm.VIEW_TRANSACTIONS, Perm.EDIT_TRANSACTIONS},
}


def _permissions(user, business_id) -> set:
    role = (
        Employment.objects.filter(user=user, business_id=business_id, status="active")
        .values_list("role", flat=True)
        .first()
    )
    if role in _MANAGERS:
        return set(Perm)
    return _ROLE.get(role, set())


def requires(perm: Perm):
    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            account = request.nav.account
            if account is None:
                raise Http404
            permissions = _permissions(request.user, account.business_id)
            if perm not in permissions:
                raise PermissionDenied
            request.acting = SimpleNamespace(
                account=account,
                business=account.business,
                object=None,
                can=lambda p: p in permissions,
                grant=None,
            )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
