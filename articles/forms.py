from django import forms

from .models import Article, Outlet


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once. Empty files pass: the importer reports them per file
    instead of refusing the whole upload."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise forms.ValidationError("Choose at least one file.", code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImportForm(forms.Form):
    files = MultipleFileField(
        help_text="Page text (.txt), saved pages (.html) or JSON Lines (.jsonl); the "
        "format is recognised from the content."
    )
    outlet = forms.ModelChoiceField(
        Outlet.objects.all(),
        required=False,
        help_text="Used for files that name no outlet.",
    )
    status = forms.ChoiceField(choices=Article.Status.choices, initial="draft")
    dry_run = forms.BooleanField(
        required=False, label="Dry run", help_text="Parse and report; write nothing."
    )

    def __init__(self, *args, can_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            self.fields["status"].choices = [
                (value, label)
                for value, label in Article.Status.choices
                if value in {Article.Status.DRAFT, Article.Status.REVIEW}
            ]
