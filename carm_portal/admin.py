import functools
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import has_second_factor
from carm_portal.audit import AuditContext
from carm_portal.models import AuditEntry
from carm_portal.workflow import TransitionNotAllowed, available_transitions

__all__ = ["has_second_factor"]  # kept importable from here (tests, the admin site)


class CbsaAdminSite(admin.AdminSite):
    """The administration site of CBSA staff (SPEC STAFF-1).

    Staff sign in through the portal's own sign-in, with its lockout and second factor
    (STYLE 17): the admin has no password form of its own, and a staff account without
    an authenticator app is sent to enrol one first.
    """

    site_header = _("CARM Client Portal — CBSA administration")
    site_title = _("CARM administration")
    index_title = _("CBSA staff")

    def has_permission(self, request):
        return super().has_permission(request) and has_second_factor(request.user)

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if user.is_authenticated and user.is_staff and not has_second_factor(user):
            return redirect("mfa_activate_totp")
        return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': next_url})}")


class ReadOnlyAdmin(admin.ModelAdmin):
    """What staff only read (STYLE 17): the portal's audited services write these rows;
    an admin adds its own allowed actions on top."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (told to the business)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class AnswerAdmin(ReadOnlyAdmin):
    """A request CBSA staff approve or refuse with a reason (FIN-7, FIN-9): the change
    page's buttons are the transitions open (``approve``, ``refuse``); each has a page
    with the reason (required to refuse) that calls ``answer(obj, approve, reason,
    audit)``, the service, with an ``AuditContext`` for the staff user."""

    change_form_template = "admin/rulings/ruling/change_form.html"
    ANSWERS = ("approve", "refuse")

    def answer(self, obj, *, approve: bool, reason: str, audit: AuditContext):
        raise NotImplementedError

    def _url_name(self, name: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_{name}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        buttons = []
        if obj is not None:
            buttons = [
                {"url": reverse(f"admin:{self._url_name(t.name)}", args=[obj.pk]), "label": t.label}
                for t in available_transitions(obj)
                if t.name in self.ANSWERS
            ]
        extra_context = {**(extra_context or {}), "transition_buttons": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                f"<int:pk>/{name}/",
                self.admin_site.admin_view(
                    functools.partial(self._answer_page, approve=name == "approve")
                ),
                name=self._url_name(name),
            )
            for name in self.ANSWERS
        ] + super().get_urls()

    def _answer_page(self, request, pk, *, approve: bool):
        if not request.user.is_staff or not self.has_view_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=pk)
        change_url = reverse(f"admin:{self._url_name('change')}", args=[pk])
        form = AnswerForm(
            request.POST if request.method == "POST" else None, reason_required=not approve
        )
        if request.method == "POST" and form.is_valid():
            try:
                self.answer(
                    obj,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                    audit=AuditContext.from_request(request),
                )
            except (TransitionNotAllowed, ValidationError) as error:
                messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
                return redirect(change_url)
            messages.success(request, _("The request was answered; the business was notified."))
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Approve") if approve else _("Refuse"),
            "form": form,
        }
        return TemplateResponse(request, "admin/answer.html", context)


class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: audit rows are never changed (STYLE 17)."""

    list_display = ("created_at", "action", "actor", "subject", "business", "ip_address")
    list_filter = ("action",)
    list_select_related = ("actor", "business")
    search_fields = ("action", "subject", "actor__username", "=request_id")
    date_hierarchy = "created_at"


admin.site.register(AuditEntry, AuditEntryAdmin)
