from django import forms
from django.utils.translation import gettext_lazy as _

MAX_CONFIG_BYTES = 1_000_000


class ImportCycleForm(forms.Form):
    file = forms.FileField(label=_("Configuration file (JSON)"))
    year = forms.IntegerField(
        label=_("Import as year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Leave empty to keep the file's year; a new year becomes a draft call."),
    )
    replace = forms.BooleanField(label=_("Overwrite a cycle of the same year"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CONFIG_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 1 MB)."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
