"""The GC template pack's field and the common widgets, drawn in Python (X-4): the markup
``templates/gcds/field.html`` and Django's widget templates drew, pinned byte for byte."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from carm_portal.fields import WIDGETS, PortalFormRenderer, render_field

pytestmark = pytest.mark.spec("X-4")


class Everything(forms.Form):
    name = forms.CharField(label="Name <&>", help_text="As on your passport & ID.", max_length=5)
    language = forms.ChoiceField(
        label="Language",
        choices=[("en", "English"), ("fr", "French <fr>")],
        widget=forms.RadioSelect,
        help_text="The letters' language.",
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    agree = forms.BooleanField(label="I agree", help_text=mark_safe("<b>Read</b> the terms."))
    copy = forms.BooleanField(label="Send me a copy", required=False)
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("mon", "Monday"), ("tue", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    port = forms.ChoiceField(
        label="Port",
        choices=[
            ("", "All ports"),
            ("East", [("0395", "Halifax"), ("0453", "Saint John")]),
            (1, 1),
        ],
    )
    count = forms.IntegerField(label="Count", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(
        label="Day",
        required=False,
        widget=forms.DateInput(attrs={"class": "wide", "data-on": True, "data-off": False, "n": 0}),
    )
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"class": "emailinput x"})
    )
    secret = forms.CharField(label="Password", widget=forms.PasswordInput, required=False)
    when = forms.SplitDateTimeField(label="When", required=False)
    file = forms.FileField(label="File", required=False)
    tags = forms.MultipleChoiceField(label="Tags", choices=[("a", "A"), ("b", "B")], required=False)


WRONG = {
    "name": "<too long>",
    "language": "de",
    "notes": "a < b",
    "days": ["tue"],
    "port": "0453",
    "count": "many",
    "day": "never",
    "email": "x",
    "tags": ["b"],
}
VALID = {
    "name": "Jo",
    "language": "fr",
    "agree": "on",
    "copy": "on",
    "port": "1",
    "count": "12345",
    "day": "2026-03-29",
    "email": "jo@example.com",
    "token": '"quoted"',
}

REFERENCE = Template(
    # The template pack's field.html before it called render_field (git history), kept
    # here to compare with: any difference in the markup fails the test.
    "{% load i18n crispy_forms_field %}\n"
    "{% if field.is_hidden %}{{ field }}{% else %}\n"
    '{% with field_id=field.auto_id hint_id=field.auto_id|add:"-hint" '
    'error_id=field.auto_id|add:"-error" widget_type=field.widget_type %}\n'
    '{% if widget_type == "radioselect" or widget_type == "checkboxselectmultiple" %}\n'
    '<fieldset class="form-group{% if field.errors %} has-error{% endif %}" '
    'id="{{ field_id }}-group"{% if field.help_text or field.errors %} aria-describedby="'
    "{% if field.help_text %}{{ hint_id }}{% endif %}{% if field.errors %} {{ error_id }}"
    '{% endif %}"{% endif %}>\n'
    "  <legend>{{ field.label }}{% if field.field.required %} "
    '<span class="required">{% translate "(required)" %}</span>{% endif %}</legend>\n'
    '  {% if field.help_text %}<p class="hint" id="{{ hint_id }}">{{ field.help_text }}</p>'
    "{% endif %}\n"
    '  {% if field.errors %}<p class="error-message" id="{{ error_id }}">'
    "{% for error in field.errors %}<span>{{ error }}</span> {% endfor %}</p>{% endif %}\n"
    "  {% for choice in field %}\n"
    '  <div class="choice">\n'
    "    {{ choice.tag }}\n"
    '    <label for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label>\n'
    "  </div>\n"
    "  {% endfor %}\n"
    "</fieldset>\n"
    '{% elif widget_type == "checkbox" %}\n'
    '<div class="form-group checkbox-group{% if field.errors %} has-error{% endif %}" '
    'id="{{ field_id }}-group">\n'
    '  {% if field.errors %}<p class="error-message" id="{{ error_id }}">'
    "{% for error in field.errors %}<span>{{ error }}</span> {% endfor %}</p>{% endif %}\n"
    '  <div class="choice">\n'
    '    {% if field.errors %}{% crispy_field field "aria-describedby" error_id '
    '"aria-invalid" "true" %}{% elif field.help_text %}{% crispy_field field '
    '"aria-describedby" hint_id %}{% else %}{% crispy_field field %}{% endif %}\n'
    '    <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} '
    '<span class="required">{% translate "(required)" %}</span>{% endif %}</label>\n'
    "  </div>\n"
    '  {% if field.help_text %}<p class="hint" id="{{ hint_id }}">{{ field.help_text }}</p>'
    "{% endif %}\n"
    "</div>\n"
    "{% else %}\n"
    '<div class="form-group{% if field.errors %} has-error{% endif %}" id="{{ field_id }}-group">\n'
    '  <label for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} '
    '<span class="required">{% translate "(required)" %}</span>{% endif %}</label>\n'
    '  {% if field.help_text %}<p class="hint" id="{{ hint_id }}">{{ field.help_text }}</p>'
    "{% endif %}\n"
    '  {% if field.errors %}<p class="error-message" id="{{ error_id }}">'
    "{% for error in field.errors %}<span>{{ error }}</span> {% endfor %}</p>{% endif %}\n"
    '  {% if field.errors and field.help_text %}{% with both_ids=hint_id|add:" "|add:error_id %}'
    '{% crispy_field field "aria-describedby" both_ids "aria-invalid" "true" %}{% endwith %}'
    '{% elif field.errors %}{% crispy_field field "aria-describedby" error_id "aria-invalid" '
    '"true" %}{% elif field.help_text %}{% crispy_field field "aria-describedby" hint_id %}'
    "{% else %}{% crispy_field field %}{% endif %}\n"
    "</div>\n"
    "{% endif %}\n"
    "{% endwith %}\n"
    "{% endif %}\n"
)


def forms_to_compare(renderer):
    return {
        "unbound": Everything(renderer=renderer),
        "wrong": Everything(WRONG, renderer=renderer),
        "valid": Everything(VALID, renderer=renderer),
        "initial": Everything(
            initial={"name": "Jo", "notes": "\nfirst line", "tags": ["a"], "count": 1234567},
            auto_id="f_%s",
            renderer=renderer,
        ),
        "no ids": Everything(auto_id=False, renderer=renderer),
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_field_is_the_markup_of_the_template_and_of_the_widget_templates(language):
    """Every field of a form of every widget type, unbound, with errors, valid, with
    initial values and without ids: the Python field and widgets draw what field.html
    and Django's widget templates drew, drawn twice (crispy adds to a widget's attrs)."""
    with translation.override(language):
        before = forms_to_compare(TemplatesSetting())
        after = forms_to_compare(PortalFormRenderer())
        for case, form in before.items():
            for name in form.fields:
                for _twice in range(2):
                    expected = REFERENCE.render(Context({"field": form[name]}))
                    assert str(render_field(after[case][name])) == expected, (case, name)
                    assert str(after[case][name]) == str(form[name]), (case, name)


def test_the_template_pack_field_calls_the_python_field():
    form = Everything(WRONG)
    html = Template('{% include "gcds/field.html" with field=form.name %}').render(
        Context({"form": form})
    )
    assert html == render_field(Everything(WRONG)["name"])


def test_the_renderer_draws_in_python_only_the_templates_it_knows():
    """Every other template (a radio group, a multi-widget, a form) is the template's."""
    renderer = PortalFormRenderer()
    assert "django/forms/widgets/radio.html" not in WIDGETS
    assert "django/forms/widgets/multiwidget.html" not in WIDGETS
    form = Everything(WRONG, renderer=renderer)
    assert str(form["language"]) == str(Everything(WRONG, renderer=TemplatesSetting())["language"])
    assert 'id="id_name"' in renderer.render("django/forms/div.html", form.get_context())


@pytest.mark.parametrize(
    ("field", "markup"),
    [
        (
            "name",
            '\n\n\n\n<div class="form-group has-error" id="id_name-group">\n'
            '  <label for="id_name">Name &lt;&amp;&gt; <span class="required">(required)</span>'
            "</label>\n"
            '  <p class="hint" id="id_name-hint">As on your passport &amp; ID.</p>\n'
            '  <p class="error-message" id="id_name-error"><span>Ensure this value has at most 5 '
            "characters (it has 10).</span> </p>\n"
            '  <input type="text" name="name" value="&lt;too long&gt;" maxlength="5" '
            'class="textinput" aria-describedby="id_name-hint id_name-error" aria-invalid="true" '
            'required id="id_name">\n'
            "</div>\n\n\n\n",
        ),
        (
            "language",
            '\n\n\n\n<fieldset class="form-group has-error" id="id_language-group" '
            'aria-describedby="id_language-hint id_language-error">\n'
            '  <legend>Language <span class="required">(required)</span></legend>\n'
            '  <p class="hint" id="id_language-hint">The letters&#x27; language.</p>\n'
            '  <p class="error-message" id="id_language-error"><span>Select a valid choice. de is '
            "not one of the available choices.</span> </p>\n"
            '  \n  <div class="choice">\n'
            '    <input type="radio" name="language" value="en" id="id_language_0" required '
            'aria-invalid="true">\n'
            '    <label for="id_language_0">English</label>\n  </div>\n'
            '  \n  <div class="choice">\n'
            '    <input type="radio" name="language" value="fr" id="id_language_1" required '
            'aria-invalid="true">\n'
            '    <label for="id_language_1">French &lt;fr&gt;</label>\n  </div>\n'
            "  \n</fieldset>\n\n\n\n",
        ),
        (
            "agree",
            '\n\n\n\n<div class="form-group checkbox-group has-error" id="id_agree-group">\n'
            '  <p class="error-message" id="id_agree-error"><span>This field is required.</span> '
            "</p>\n"
            '  <div class="choice">\n'
            '    <input type="checkbox" name="agree" class="checkboxinput" '
            'aria-describedby="id_agree-error" aria-invalid="true" required id="id_agree">\n'
            '    <label for="id_agree">I agree <span class="required">(required)</span></label>\n'
            "  </div>\n"
            '  <p class="hint" id="id_agree-hint"><b>Read</b> the terms.</p>\n'
            "</div>\n\n\n\n",
        ),
        (
            "port",
            '\n\n\n\n<div class="form-group" id="id_port-group">\n'
            '  <label for="id_port">Port <span class="required">(required)</span></label>\n'
            "  \n  \n"
            '  <select name="port" class="select" required id="id_port">\n'
            '  <option value="">All ports</option>\n'
            '  <optgroup label="East">\n'
            '  <option value="0395">Halifax</option>\n'
            '  <option value="0453" selected>Saint John</option>\n'
            "  </optgroup>\n"
            '  <option value="1">1</option>\n'
            "</select>\n"
            "</div>\n\n\n\n",
        ),
        (
            "notes",
            '\n\n\n\n<div class="form-group" id="id_notes-group">\n'
            '  <label for="id_notes">Notes</label>\n'
            "  \n  \n"
            '  <textarea name="notes" cols="40" rows="10" class="textarea" id="id_notes">\n'
            "a &lt; b</textarea>\n"
            "</div>\n\n\n\n",
        ),
        (
            "day",
            '\n\n\n\n<div class="form-group has-error" id="id_day-group">\n'
            '  <label for="id_day">Day</label>\n'
            "  \n"
            '  <p class="error-message" id="id_day-error"><span>Enter a valid date.</span> </p>\n'
            '  <input type="text" name="day" value="never" class="wide dateinput" data-on n="0" '
            'aria-describedby="id_day-error" aria-invalid="true" id="id_day">\n'
            "</div>\n\n\n\n",
        ),
        ("token", '\n<input type="hidden" name="token" id="id_token">\n'),
    ],
)
def test_the_markup_of_each_widget_type(field, markup):
    """Pinned: a text input with a hint and an error, radios, a checkbox, a select with a
    group, a textarea, a date input with boolean and number attributes, a hidden input."""
    assert render_field(Everything(WRONG)[field]) == markup


def test_the_required_marker_is_translated():
    with translation.override("fr"):
        assert '<span class="required">(obligatoire)</span>' in render_field(Everything()["name"])


def test_crispy_class_converters_apply_as_crispy_applies_them(settings):
    """Were the setting ever used, the widget's class is converted as crispy did."""
    settings.CRISPY_CLASS_CONVERTERS = {"textinput": "gc-input", "select": "gc-select"}
    for name in ("name", "port"):
        expected = REFERENCE.render(Context({"field": Everything(WRONG)[name]}))
        assert render_field(Everything(WRONG)[name]) == expected
        assert "gc-" in expected
