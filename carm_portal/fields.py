"""A form field and its widget drawn in Python (X-4): the markup of the GC template pack's
field (``templates/gcds/field.html`` calls ``render_field``) and of Django's common widget
templates (the ``PortalFormRenderer``), byte for byte the markup the templates drew.

Every form of the portal goes through these: a list page's filter form cost 5–10 ms of
template nodes (an include, a ``with``, a dozen conditions and variables a field, then
two or three widget templates a control); here it is a few string joins. Every value is
escaped as the template engine escaped it (``_text`` is ``{{ value }}``, ``_attr`` is
``{{ value|stringformat:'s' }}``). ``tests/test_fields_markup.py`` pins the markup of
each widget type and compares the Python renderer with Django's templates."""

from __future__ import annotations

from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import gettext


class _Context:
    """What ``render_value_in_context`` reads of a template context: the defaults."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _Context()


def _text(value) -> str:
    """``{{ value }}``: localized, then escaped unless already safe."""
    if type(value) is str:
        return escape(value)
    if isinstance(value, SafeData):
        return value
    return render_value_in_context(value, _CONTEXT)


def _attr(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as a string, escaped unless it was safe."""
    if type(value) is str:
        return escape(value)
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, tuple):
        value = str(value)
    try:
        return escape(str(value))
    except (ValueError, TypeError):
        return ""


def _flat(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_attr(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """``django/forms/widgets/input.html``."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_attr(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_flat(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    """``django/forms/widgets/input_option.html`` (a radio's or a checkbox's choice);
    the renderer strips the template's last newline, not the one after the input."""
    if not widget.get("wrap_label"):
        return _input(widget)
    label_id = widget["attrs"].get("id")
    label_for = f' for="{_text(label_id)}"' if label_id else ""
    return f"<label{label_for}>{_input(widget)}\n {_text(widget['label'])}</label>"


def _select(widget: dict) -> str:
    """``templates/django/forms/widgets/select.html`` (the portal's, options inline)."""
    parts = [f'<select name="{_text(widget["name"])}"{_flat(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{_attr(option["value"])}"{_flat(option["attrs"])}>'
                f"{_text(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_flat(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


_INPUTS = "checkbox color date datetime email file hidden number password search tel text time url"
WIDGETS = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS.split()},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": _input_option,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
}


class PortalFormRenderer(TemplatesSetting):
    """The project's templates (TemplatesSetting), but the common widgets in Python: the
    same markup without two or three template renders a control (one an option before
    the portal's select.html). Any other template (radio groups, multi-widgets, a form's
    own templates, a widget with a template of its own) is rendered by its template."""

    def render(self, template_name, context, request=None):
        draw = WIDGETS.get(template_name)
        if draw is None:
            return super().render(template_name, context, request=request)
        return draw(context["widget"])


# The GC template pack's field (``templates/gcds/field.html``).

_CHOICE = '\n  <div class="choice">\n    {}\n    <label for="{}">{}</label>\n  </div>\n  '


def _required(field) -> str:
    if not field.field.required:
        return ""
    marker = gettext("(required)")  # outside the f-string, where makemessages finds it
    return f' <span class="required">{_text(marker)}</span>'


def _hint(field, hint_id: str) -> str:
    if not field.help_text:
        return ""
    return f'<p class="hint" id="{_text(hint_id)}">{_text(field.help_text)}</p>'


def _errors(errors, error_id: str) -> str:
    if not errors:
        return ""
    spans = "".join(f"<span>{_text(error)}</span> " for error in errors)
    return f'<p class="error-message" id="{_text(error_id)}">{spans}</p>'


def _widget(field, attrs: dict) -> str:
    """crispy-forms' ``{% crispy_field field name value … %}``: it adds the widget's class
    name to its ``class`` and the attributes to the widget's own ``attrs`` (merging the
    words of one already there), then draws the field."""
    widget = field.field.widget
    widgets = getattr(widget, "widgets", [getattr(widget, "widget", widget)])
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for each in widgets:
        class_name = each.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        css_class = each.attrs.get("class", "")
        if css_class:
            if css_class.find(class_name) == -1:
                css_class += " " + class_name
        else:
            css_class = class_name
        each.attrs["class"] = css_class
        for name, value in attrs.items():
            if name in each.attrs:
                for word in value.split():
                    if word not in each.attrs[name].split():
                        each.attrs[name] += " " + word
            else:
                each.attrs[name] = value
    return str(field)


def render_field(field) -> SafeString:
    """``templates/gcds/field.html``: a label (a legend for a group of radios or
    checkboxes), the hint, the errors, the control described by both."""
    if field.is_hidden:
        return SafeString(f"\n{field}\n")
    field_id = field.auto_id
    hint_id, error_id = f"{field_id}-hint", f"{field_id}-error"
    errors = field.errors
    help_text = field.help_text
    has_error = " has-error" if errors else ""
    widget_type = field.widget_type
    if widget_type in ("radioselect", "checkboxselectmultiple"):
        described = ""
        if help_text or errors:
            described = (
                f' aria-describedby="{_text(hint_id) if help_text else ""}'
                f'{" " + _text(error_id) if errors else ""}"'
            )
        choices = "".join(
            _CHOICE.format(choice.tag(), _text(choice.id_for_label), _text(choice.choice_label))
            for choice in field
        )
        html = (
            f'\n<fieldset class="form-group{has_error}" id="{_text(field_id)}-group"{described}>\n'
            f"  <legend>{_text(field.label)}{_required(field)}</legend>\n"
            f"  {_hint(field, hint_id)}\n"
            f"  {_errors(errors, error_id)}\n"
            f"  {choices}\n"
            "</fieldset>\n"
        )
    elif widget_type == "checkbox":
        if errors:
            control = _widget(field, {"aria-describedby": error_id, "aria-invalid": "true"})
        elif help_text:
            control = _widget(field, {"aria-describedby": hint_id})
        else:
            control = _widget(field, {})
        html = (
            f'\n<div class="form-group checkbox-group{has_error}" id="{_text(field_id)}-group">\n'
            f"  {_errors(errors, error_id)}\n"
            '  <div class="choice">\n'
            f"    {control}\n"
            f'    <label for="{_text(field.id_for_label)}">{_text(field.label)}{_required(field)}'
            "</label>\n"
            "  </div>\n"
            f"  {_hint(field, hint_id)}\n"
            "</div>\n"
        )
    else:
        if errors and help_text:
            described = {"aria-describedby": f"{hint_id} {error_id}", "aria-invalid": "true"}
        elif errors:
            described = {"aria-describedby": error_id, "aria-invalid": "true"}
        elif help_text:
            described = {"aria-describedby": hint_id}
        else:
            described = {}
        label = _text(field.label)
        html = (
            f'\n<div class="form-group{has_error}" id="{_text(field_id)}-group">\n'
            f'  <label for="{_text(field.id_for_label)}">{label}{_required(field)}</label>\n'
            f"  {_hint(field, hint_id)}\n"
            f"  {_errors(errors, error_id)}\n"
            f"  {_widget(field, described)}\n"
            "</div>\n"
        )
    return SafeString(f"\n\n\n{html}\n\n\n")
