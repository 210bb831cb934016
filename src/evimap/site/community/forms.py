"""The community's forms (Django forms: labels, errors and CSRF come with the templates)."""

from __future__ import annotations

from django import forms

from evimap.site.community.models import MAX_CHARS, MIN_CHARS, Experience
from evimap.site.community.survey import DIAGNOSIS_BANDS, Survey


class SignUpForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="For signing in; never shown.")
    email = forms.EmailField(help_text="We send a link to verify it; never shown.")
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)
    display_name = forms.CharField(max_length=40, help_text="Shown beside your posts.")
    consent = forms.BooleanField(
        label="I have read and accept the publication terms", required=True
    )


class ExperienceForm(forms.Form):
    relation = forms.ChoiceField(choices=Experience.RELATIONS, widget=forms.RadioSelect)
    text = forms.CharField(
        label="Your experience",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_CHARS}),
        min_length=MIN_CHARS,
        max_length=MAX_CHARS,
    )
    choices = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    other = forms.CharField(
        required=False, max_length=200, label="Other (your own words, separated by commas)"
    )
    band = forms.ChoiceField(
        required=False,
        label="How long since diagnosis?",
        choices=[("", "Prefer not to say"), *DIAGNOSIS_BANDS],
    )

    def __init__(self, *args, survey: Survey, condition: str, **kwargs):
        super().__init__(*args, **kwargs)
        chosen, relation = self.fields["choices"], self.fields["relation"]
        assert isinstance(chosen, forms.ChoiceField) and isinstance(relation, forms.ChoiceField)
        chosen.label = survey.prompt
        chosen.choices = [(value, label) for value, label, _ in survey.options]
        relation.choices = [
            (Experience.HAS, f"I have {condition}"),
            (Experience.CARES, f"I care for someone who has {condition}"),
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
