"""The broker's long tables in Python (DELEG-2, DELEG-4, X-4): a customs broker's pages list
a page of its thousands of clients, and the template engine's per-node cost (a dozen nodes
a row, a ``{% url %}`` and a ``{% csrf_token %}`` a form) was most of their time
(bench/pages.py). The markup is the one the templates drew; format_html escapes every
value. As ``finance/templatetags/finance_rows.py``."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _csrf_input(context) -> SafeString:
    """What ``{% csrf_token %}`` draws, once for the page's forms."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', context.get("csrf_token")
    )


def _reverser(name: str):
    """``reverse(name, args=[pk])`` for many primary keys: one reverse, then the number
    put in its place (the URL patterns take an ``<int:pk>``)."""
    marker = 999999999
    pattern = reverse(name, args=[marker])
    head, _sep, tail = pattern.rpartition(str(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"


ASSIGNMENT = (
    '<span class="assignment">{}\n            <a href="{}">{}<span class="visually-hidden"> '
    '{} — {}</span></a>\n            <button type="submit" form="remove-{}" '
    'class="link-button">{}<span class="visually-hidden"> {} — {}</span></button></span>'
)
CLIENT_ROW = (
    '<tr><td><input type="checkbox" name="clients" value="{}" id="id_clients_{}"{}{}></td>\n'
    '          <td><label for="id_clients_{}">{} ({})</label></td>\n'
    "          <td>{}</td></tr>"
)


@register.simple_tag
def client_rows(rows, field) -> SafeString:
    """The client-assignment page's rows: a checkbox a client (numbered as Django numbers
    a field's boxes, so that the error summary's link reaches the first), the employees
    assigned to it with links to limit or remove each assignment (DELEG-4)."""
    chosen = {str(v) for v in field.value() or []}
    described = mark_safe(' aria-describedby="clients-error"') if field.errors else ""
    checked = mark_safe(" checked")
    accounts_url = _reverser("delegation:assignment_accounts")
    accounts, remove = gettext("Accounts"), gettext("Remove")

    def assigned(client, assignments) -> SafeString | str:
        if not assignments:
            return "—"
        name = client.display_name
        return format_html_join(
            ", ",
            ASSIGNMENT,
            (
                (
                    (person := a.employment.user.display_name),
                    accounts_url(a.pk),
                    accounts,
                    person,
                    name,
                    a.pk,
                    remove,
                    person,
                    name,
                )
                for a in assignments
            ),
        )

    return format_html_join(
        "\n",
        CLIENT_ROW,
        (
            (
                client.pk,
                index,
                checked if str(client.pk) in chosen else "",
                described,
                index,
                client.display_name,
                client.bn9,
                assigned(client, assignments),
            )
            for index, (client, assignments) in enumerate(rows)
        ),
    )


@register.simple_tag(takes_context=True)
def assignment_remove_forms(context, rows) -> SafeString:
    """The forms the rows' Remove buttons submit (``form="remove-<pk>"``)."""
    csrf = _csrf_input(context)
    remove_url = _reverser("delegation:assignment_remove")
    return format_html_join(
        "\n",
        '<form method="post" action="{}" id="remove-{}" data-prevent-double-submit>{}</form>',
        ((remove_url(a.pk), a.pk, csrf) for _client, assignments in rows for a in assignments),
    )


CLIENT_RELATIONSHIP_ROW = (
    "<tr><td>{} ({})</td><td>{}</td><td>{}</td>\n"
    '        <td><form method="post" action="{}" data-prevent-double-submit>{}'
    '<button type="submit" class="button button-danger">{}<span class="visually-hidden"> {}'
    "</span></button></form></td></tr>"
)


@register.simple_tag(takes_context=True)
def client_relationship_rows(context, relationships) -> SafeString:
    """A provider's clients on the relationships page (DELEG-2): each with the form that
    ends the relationship."""
    csrf = _csrf_input(context)
    end_url = _reverser("delegation:relationship_withdraw")
    end = gettext("End the relationship")
    kinds: dict[str, str] = {}

    def cells(r):
        if r.kind not in kinds:
            kinds[r.kind] = r.get_kind_display()
        name = r.client.display_name
        since = timezone.localdate(r.answered_at).isoformat() if r.answered_at else ""
        return (name, r.client.bn9, kinds[r.kind], since, end_url(r.pk), csrf, end, name)

    return format_html_join("\n", CLIENT_RELATIONSHIP_ROW, (cells(r) for r in relationships))


EMPLOYEE_ROW = (
    "<tr>\n        <td>{}{}</td>\n        <td>{}</td>\n        <td>{}</td>\n"
    "        <td>{}</td>\n        <td>{}</td>\n      </tr>"
)
EMPLOYEE_ACTIONS = (
    '<ul class="row-actions">\n          <li><a href="{}">{}<span class="visually-hidden"> – {}'
    '</span></a></li>\n          <li><a href="{}">{}<span class="visually-hidden"> – {}'
    "</span></a></li>\n        </ul>"
)


@register.simple_tag(takes_context=True)
def employee_rows(context, employments) -> SafeString:
    """The employees table (DELEG-1): each person's role, program accounts, status and,
    for those the viewer may manage, the links to change or remove their access."""
    you = format_html(" ({})", gettext("you"))
    user = context.get("user")
    whole = gettext("All program accounts")
    change, remove = gettext("Change access"), gettext("Remove access")
    change_url = _reverser("delegation:employee_change")
    remove_url = _reverser("delegation:employee_remove")
    roles: dict[str, str] = {}  # each label read once a page, as the other row tags do
    statuses: dict[str, str] = {}

    def cells(e):
        name = e.user.display_name
        accounts = whole if e.whole_business else ", ".join(a.reference for a in e.scope)
        actions = (
            format_html(
                EMPLOYEE_ACTIONS, change_url(e.pk), change, name, remove_url(e.pk), remove, name
            )
            if e.manageable
            else ""
        )
        mine = you if user is not None and e.user_id == user.pk else ""
        if e.role not in roles:
            roles[e.role] = e.get_role_display()
        if e.status not in statuses:
            statuses[e.status] = e.get_status_display()
        return (name, mine, roles[e.role], accounts, statuses[e.status], actions)

    return format_html_join("\n", EMPLOYEE_ROW, (cells(e) for e in employments))
