"""Delegation in the CBSA staff admin: the businesses change it themselves through the
portal's audited services (STYLE 17); staff read it here."""

from django.contrib import admin, messages
from django.db import transaction

from carm_portal.admin import ReadOnlyAdmin
from carm_portal.audit import audit_record
from delegation import services
from delegation.models import ClientAssignment, ClientGroup, Employment, Relationship


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    """Staff corrections of an employment (DELEG-6): audited, the person and the
    business's managers are told, and the last Business Account Manager is never demoted
    or removed. Created by the portal's services only; never deleted."""

    list_display = ("user", "business", "role", "status", "created_at")
    list_filter = ("role", "status")
    list_select_related = ("user", "business")
    search_fields = ("user__username", "user__last_name", "business__bn9", "business__legal_name")
    autocomplete_fields = ("user", "business")
    readonly_fields = ("user", "business")
    filter_horizontal = ("program_accounts",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before_row = Employment.objects.select_for_update()
        with transaction.atomic():
            old = before_row.get(pk=obj.pk)
            before = services._state(old)
            was_active_bam = (
                old.role == Employment.Role.BUSINESS_ACCOUNT_MANAGER
                and old.status == Employment.Status.ACTIVE
            )
            still_active_bam = (
                obj.role == Employment.Role.BUSINESS_ACCOUNT_MANAGER
                and obj.status == Employment.Status.ACTIVE
            )
            if was_active_bam and not still_active_bam:
                services._check_not_last_bam(old)
            super().save_model(request, obj, form, change)
            self._pending = (before, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, obj = self._pending
        after = services._state(obj)
        if after == before:
            return
        audit_record(
            action="employment.changed_by_staff",
            request=request,
            business=obj.business,
            changes={
                "employment": obj.pk,
                "person": services._person(obj),
                "before": before,
                "after": after,
            },
        )
        removed = obj.status != Employment.Status.ACTIVE and before["status"] == "active"
        services._notify(employment=obj, action="removed" if removed else "role_changed")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.DelegationError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            from django.shortcuts import redirect

            return redirect(request.path)


@admin.register(Relationship)
class RelationshipAdmin(ReadOnlyAdmin):
    list_display = ("provider", "client", "kind", "status", "created_at", "answered_at", "ended_at")
    list_filter = ("status", "kind")
    list_select_related = ("provider", "client")
    search_fields = ("provider__bn9", "provider__legal_name", "client__bn9", "client__legal_name")


@admin.register(ClientGroup)
class ClientGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "provider", "created_at", "deleted_at")
    list_select_related = ("provider",)
    search_fields = ("name", "provider__bn9", "provider__legal_name")


@admin.register(ClientAssignment)
class ClientAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("employment", "client", "created_at")
    list_select_related = ("employment__user", "employment__business", "client")
    search_fields = ("client__bn9", "employment__user__username")
