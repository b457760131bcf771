"""The two steps of *Upload a document* (SPEC DOC-2)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from carm_portal.forms import form_helper
from documents import selectors
from documents.filetypes import ALLOWED_EXTENSIONS
from documents.models import case_number_validator
from documents.upload import FIELD


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class UploadDetailsForm(forms.Form):
    """Step 1 of 2: category and case/reference number."""

    category = CategoryChoiceField(
        label=_("Category"),
        queryset=selectors.categories_offered(),
        empty_label=_("Select a category"),
        error_messages={
            "required": _("Select a category."),
            "invalid_choice": _("Select a category from the list."),
        },
    )
    case_number = forms.CharField(
        label=_("Case/reference number (maximum 14 characters)"),
        max_length=14,
        validators=[case_number_validator],
        error_messages={
            "required": _("Enter the case/reference number."),
            "max_length": _("Enter at most 14 characters."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories_offered()
        self.fields["case_number"].widget.attrs.update({"autocomplete": "off", "maxlength": 14})
        self.helper = form_helper()

    def clean_case_number(self) -> str:
        return self.cleaned_data["case_number"].strip().upper()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadFilesForm(forms.Form):
    """Step 2 of 2: the files. The request is read by ``documents.upload`` (limits while
    streaming); this form only carries the field and the refusals to show."""

    files = forms.FileField(
        label=_("Files"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS)}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert FIELD == "files"
        self.helper = form_helper()

    def refuse(self, messages: list[str]) -> None:
        """Show these messages on the field and in the error summary."""
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}  # the files were read by the upload handler, not here
        for message in messages:
            self.add_error("files", message)
