"""The crispy template pack renders accessible GC-styled native controls (X-2, X-4)."""

from django import forms
from django.template import Context, Template
from django.utils import translation

from tests.html import soup, text


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your passport.")
    language = forms.ChoiceField(
        label="Language", choices=[("en", "English"), ("fr", "French")], widget=forms.RadioSelect
    )
    agree = forms.BooleanField(label="I agree")


def render(form) -> str:
    from crispy_forms.helper import FormHelper

    form.helper = FormHelper()
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


class Response:
    def __init__(self, html):
        self.content = html.encode()


def test_error_summary_links_to_each_field_and_fields_describe_their_errors():
    form = ExampleForm(data={"name": "", "language": "de"})
    page = soup(Response(render(form)))
    summary = page.select_one("[data-error-summary]")
    assert summary["role"] == "alert"
    links = [a["href"] for a in summary.find_all("a")]
    assert links == ["#id_name", "#id_language_0", "#id_agree"]
    name = page.find("input", id="id_name")
    assert name["aria-invalid"] == "true"
    assert set(name["aria-describedby"].split()) == {"id_name-hint", "id_name-error"}
    assert "required" in text(page.find(id="id_name-error"))
    fieldset = page.find("fieldset", id="id_language-group")
    assert text(fieldset.legend).startswith("Language")
    assert "id_language-error" in fieldset["aria-describedby"]
    assert page.find("label", attrs={"for": "id_agree"})


def test_valid_values_are_kept_when_another_field_is_wrong():
    """Nothing the person typed is lost (X-4)."""
    form = ExampleForm(data={"name": "Jo Tremblay", "language": "fr"})
    page = soup(Response(render(form)))
    assert page.find("input", id="id_name")["value"] == "Jo Tremblay"
    assert page.find("input", id="id_language_1").has_attr("checked")


def test_translated_required_marker():
    with translation.override("fr"):
        html = render(ExampleForm())
    assert "(obligatoire)" in html
