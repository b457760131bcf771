"""Notices in the CBSA staff admin (SPEC STAFF-1): the type catalogue, the notices sent
(read only: a sent notice never changes), their emails, and the compose page: write in
both languages, choose the audience, preview, send."""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices import services
from notices.forms import NoticeComposeForm
from notices.models import Notice, NoticeDelivery, NoticeType


@admin.register(NoticeType)
class NoticeTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "label_en", "label_fr", "audience", "system")
    list_filter = ("system", "audience")
    search_fields = ("code", "label_en", "label_fr")

    def get_readonly_fields(self, request, obj=None):
        # Code and origin are what the portal's code relies on.
        return ("code", "system") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = (
        "display_date",
        "type",
        "subject_en",
        "account_number",
        "audience",
        "recipient_count",
        "urgent",
        "sent_by",
    )
    list_filter = ("urgent", "type", "display_date")
    list_select_related = ("type", "sent_by")
    search_fields = ("subject_en", "subject_fr", "account_number")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("type", "urgent", "display_date", "audience", "recipient_count")}),
        (gettext_lazy("English"), {"fields": ("subject_en", "body_en")}),
        (gettext_lazy("French"), {"fields": ("subject_fr", "body_fr")}),
        (
            gettext_lazy("Sending"),
            {
                "fields": (
                    "business",
                    "program_account",
                    "account_number",
                    "sent_by",
                    "created_at",
                    "email_states",
                )
            },
        ),
    )
    readonly_fields = (
        "type",
        "urgent",
        "display_date",
        "audience",
        "recipient_count",
        "subject_en",
        "body_en",
        "subject_fr",
        "body_fr",
        "business",
        "program_account",
        "account_number",
        "sent_by",
        "created_at",
        "email_states",
    )

    @admin.display(description=gettext_lazy("Emails"))
    def email_states(self, obj: Notice) -> str:
        counts = dict(
            obj.deliveries.values_list("state").annotate(n=Count("id")).values_list("state", "n")
        )
        if not counts:
            return _("none")
        labels = dict(NoticeDelivery.State.choices)
        return ", ".join(f"{labels[state]}: {counts[state]}" for state in sorted(counts))

    def has_change_permission(self, request, obj=None):
        return False  # sent notices are never changed; staff view them

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        compose = self.admin_site.admin_view(self.compose_view)
        return [path("compose/", compose, name="notices_notice_compose"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:notices_notice_compose")

    def compose_view(self, request):
        """Write → preview in both languages → send. The form carries a one-time token:
        sending it twice (double click, back and resubmit) sends one notice."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        token = request.POST.get("token") or uuid.uuid4().hex
        form = NoticeComposeForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Compose a notice"),
            "form": form,
            "token": token,
        }
        if request.method == "POST" and "edit" not in request.POST and form.is_valid():
            arguments = form.send_arguments()
            if "send" in request.POST:
                notice = services.notice_send_bulk(
                    **arguments,
                    sender=request.user,
                    reference=f"admin:{token}",
                    request=request,
                )
                messages.success(
                    request,
                    _("The notice was sent to %(count)s people.")
                    % {"count": notice.recipient_count},
                )
                return redirect(reverse("admin:notices_notice_change", args=[notice.pk]))
            context.update(
                title=_("Preview the notice"),
                preview=arguments,
                type=form.cleaned_data["type"],
                recipients=arguments["audience"].user_ids().count(),
            )
            return TemplateResponse(request, "admin/notices/notice/preview.html", context)
        return TemplateResponse(request, "admin/notices/notice/compose.html", context)


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(admin.ModelAdmin):
    """Notice emails: state, attempts, last error. Failed ones can be tried again."""

    list_display = ("notice", "user", "state", "attempts", "due_at", "sent_at", "last_error")
    list_filter = ("state",)
    list_select_related = ("notice", "user")
    raw_id_fields = ("notice", "user")
    show_full_result_count = False
    readonly_fields = (
        "notice",
        "user",
        "state",
        "attempts",
        "due_at",
        "sent_at",
        "last_error",
    )
    actions = ["try_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Try the failed emails again"))
    def try_again(self, request, queryset):
        count = services.notice_emails_retry(
            delivery_ids=list(queryset.values_list("pk", flat=True)), request=request
        )
        messages.success(request, _("%(count)s emails will be tried again.") % {"count": count})
