from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from carm_portal.tasks import task_pk


@shared_task(
    name="accounts.send_password_changed_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def send_password_changed_email(user_pk: int) -> None:
    """Tell a person that their password changed, in their language (STYLE 8)."""
    user_pk = task_pk(user_pk, name="user_pk")
    user = User.objects.filter(pk=user_pk).first()
    if user is None or not user.email:
        return
    with translation.override(user.preferred_language):
        context = {"user": user, "sign_in_path": reverse("accounts:sign_in")}
        subject = render_to_string("accounts/email/password_changed_subject.txt", context).strip()
        body = render_to_string("accounts/email/password_changed.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.extra_headers["Content-Language"] = f"{user.preferred_language}-CA"
    message.send()


@shared_task(name="accounts.send_second_factor_failed_notice")
def send_second_factor_failed_notice(user_pk: int, locked: bool) -> None:
    """SEC-1: someone entered the person's password but not their code. A notice, which
    is emailed per their preferences (NOTE-1)."""
    from notices.services import notice_send

    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return
    notice_send(type_code="second_factor_failed", recipient=user, context={"locked": locked})
