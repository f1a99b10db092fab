from django import forms

from .models import Alert
from .search import has_control_characters


class NoControlCharactersMixin:
    """Refuse a field whose submitted text holds control characters, before the form
    strips them away as whitespace: "a@example.com\\r\\nBcc: …" is an attack, not a typo."""

    def clean(self):
        for name in self.fields:
            for value in self.data.getlist(self.add_prefix(name)):
                if has_control_characters(value):
                    self.add_error(name, "This holds characters that cannot be sent.")
        return super().clean()


class FrequencyField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=Alert.Frequency.choices,
            widget=forms.RadioSelect,
            label="How often",
            **kwargs,
        )


class SubscribeForm(NoControlCharactersMixin, forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    frequency = FrequencyField(initial=Alert.Frequency.DAILY)
    # The honeypot: hidden from people (and from screen readers and the keyboard) by the
    # template; a bot that fills every field fills it. Named as a field bots like.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)

    def clean_email(self):
        email = self.cleaned_data["email"]
        # A quoted local part is valid, but no person types one; refusing it keeps
        # commas, quotes and spaces out of the To header.
        if any(character in email for character in '",;<>() '):
            raise forms.ValidationError("Enter an address like name@example.com.")
        # One spelling per address, so that asking twice finds the same alert.
        return email.lower()

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class FrequencyForm(NoControlCharactersMixin, forms.Form):
    frequency = FrequencyField()
