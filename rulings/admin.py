"""Ruling requests in the CBSA staff admin (SPEC RUL-3, STYLE 17): the queue of open
requests (oldest target date first, overdue ones flagged), everything the requester
submitted, the status history, and one page per staff transition: assign, request
information (with a message), render the decision (English and French required). Staff
never edit a request's fields: every change goes through a transition, which is audited
and notifies the requester."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carm_portal.audit import AuditContext
from carm_portal.workflow import available_transitions
from rulings import services
from rulings.forms import AssignForm, DecisionForm, InformationRequestForm
from rulings.models import DETAIL_FIELDS, Ruling, RulingEvent, TransitionNotAllowed


class QueueFilter(admin.SimpleListFilter):
    title = gettext_lazy("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("open", gettext_lazy("Open (submitted, assigned, waiting for information)")),
            ("submitted", gettext_lazy("Submitted, to assign")),
            ("overdue", gettext_lazy("Overdue (past the 120-day target)")),
            ("mine", gettext_lazy("Assigned to me")),
            ("change", gettext_lazy("Change asked after the decision")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "open":
                return queryset.filter(status__in=Ruling.OPEN)
            case "submitted":
                return queryset.filter(status=Ruling.Status.SUBMITTED)
            case "overdue":
                return queryset.filter(status__in=Ruling.OPEN, target_date__lt=timezone.localdate())
            case "mine":
                return queryset.filter(assigned_to=request.user, status__in=Ruling.OPEN)
            case "change":
                return queryset.filter(change_requested_at__isnull=False)
        return queryset


class RulingEventInline(admin.TabularInline):
    model = RulingEvent
    fields = ("created_at", "from_status", "to_status", "actor", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("status history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ruling)
class RulingAdmin(admin.ModelAdmin):
    list_display = (
        "case_number",
        "kind",
        "status",
        "business",
        "submitted_at",
        "target_date",
        "overdue",
        "assigned_to",
    )
    list_filter = (QueueFilter, "status", "kind")
    list_select_related = ("business", "assigned_to")
    search_fields = ("case_number", "business__legal_name", "business__bn9")
    ordering = ("target_date", "submitted_at")
    show_full_result_count = False
    inlines = [RulingEventInline]
    change_form_template = "admin/rulings/ruling/change_form.html"

    def get_queryset(self, request):
        # Drafts are the requester's own until submitted.
        return super().get_queryset(request).exclude(status=Ruling.Status.DRAFT)

    # The staff transitions that have a page here (the others are the requester's).
    TRANSITION_PAGES = {
        "assign": "admin:rulings_ruling_assign",
        "request_information": "admin:rulings_ruling_request_information",
        "render_decision": "admin:rulings_ruling_decide",
    }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The buttons are the staff transitions open from the request's status."""
        ruling = self.get_object(request, object_id)
        buttons = []
        if ruling is not None:
            buttons = [
                {"url": reverse(self.TRANSITION_PAGES[t.name], args=[ruling.pk]), "label": t.label}
                for t in available_transitions(ruling)
                if t.name in self.TRANSITION_PAGES
            ]
        extra_context = {**(extra_context or {}), "transition_buttons": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if not request.GET and request.method == "GET":
            return redirect(f"{request.path}?queue=open")  # the queue by default
        return super().changelist_view(request, extra_context)

    @admin.display(boolean=True, description=gettext_lazy("overdue"))
    def overdue(self, obj: Ruling) -> bool:
        return obj.is_overdue

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {
                    "fields": (
                        "case_number",
                        "kind",
                        "status",
                        "business",
                        "program_account",
                        "created_by",
                        "submitted_at",
                        "target_date",
                        "overdue",
                        "assigned_to",
                    )
                },
            ),
            (
                gettext_lazy("Context"),
                {
                    "fields": (
                        "port_of_entry",
                        "prior",
                        "prior_reference",
                        "imported_before",
                        "will_continue",
                        "consent_to_publish",
                    )
                },
            ),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    gettext_lazy("Details"),
                    {"fields": tuple(name for name, _req in DETAIL_FIELDS[obj.kind])},
                )
            )
            if obj.status == Ruling.Status.DECISION_RENDERED:
                fieldsets.append(
                    (
                        gettext_lazy("Decision"),
                        {
                            "fields": (
                                "decided_at",
                                "decision_en",
                                "decision_fr",
                                "change_requested_at",
                            )
                        },
                    )
                )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Ruling._meta.fields] + ["overdue"]

    def has_add_permission(self, request):
        return False  # requests come from the portal

    def has_change_permission(self, request, obj=None):
        return False  # only through the transitions below

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Transitions ------------------------------------------------------------------

    def get_urls(self):
        def view(name):
            return self.admin_site.admin_view(getattr(self, f"{name}_view"))

        return [
            path("<int:pk>/assign/", view("assign"), name="rulings_ruling_assign"),
            path(
                "<int:pk>/request-information/",
                view("request_information"),
                name="rulings_ruling_request_information",
            ),
            path("<int:pk>/decide/", view("decide"), name="rulings_ruling_decide"),
            *super().get_urls(),
        ]

    def _transition_page(self, request, pk, *, form_class, status, title, apply, initial=None):
        if not self.has_view_permission(request) or not request.user.is_staff:
            raise PermissionDenied
        ruling = get_object_or_404(self.get_queryset(request), pk=pk)
        change_url = reverse("admin:rulings_ruling_change", args=[ruling.pk])
        if ruling.status != status:
            messages.error(
                request,
                _("Not possible while the request is %(status)s.")
                % {"status": ruling.get_status_display()},
            )
            return redirect(change_url)
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                apply(ruling, form.cleaned_data)
            except TransitionNotAllowed:
                messages.error(request, _("Someone else changed the request first."))
                return redirect(change_url)
            messages.success(
                request,
                _("Request %(case)s: %(status)s. The requester was notified.")
                % {
                    "case": ruling.case_number,
                    "status": Ruling.objects.get(pk=ruling.pk).get_status_display(),
                },
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": ruling,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, "admin/rulings/ruling/transition.html", context)

    def assign_view(self, request, pk):
        return self._transition_page(
            request,
            pk,
            form_class=AssignForm,
            status=Ruling.Status.SUBMITTED,
            title=_("Assign the request"),
            initial={"officer": request.user.pk},
            apply=lambda ruling, data: services.ruling_assign(
                ruling=ruling,
                actor=request.user,
                officer=data["officer"],
                audit=AuditContext.from_request(request),
            ),
        )

    def request_information_view(self, request, pk):
        return self._transition_page(
            request,
            pk,
            form_class=InformationRequestForm,
            status=Ruling.Status.ASSIGNED,
            title=_("Request additional information"),
            apply=lambda ruling, data: services.ruling_request_information(
                ruling=ruling,
                actor=request.user,
                message=data["message"],
                audit=AuditContext.from_request(request),
            ),
        )

    def decide_view(self, request, pk):
        return self._transition_page(
            request,
            pk,
            form_class=DecisionForm,
            status=Ruling.Status.ASSIGNED,
            title=_("Render the decision"),
            apply=lambda ruling, data: services.ruling_render_decision(
                ruling=ruling,
                actor=request.user,
                decision_en=data["decision_en"],
                decision_fr=data["decision_fr"],
                audit=AuditContext.from_request(request),
            ),
        )
