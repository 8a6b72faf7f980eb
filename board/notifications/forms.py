from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..forms_base import DanishForm
from .kinds import CATEGORIES, DELIVERIES


class SettingsForm(DanishForm):
    """One choice per kind (fields added below, named by category)."""


for _category, _label in CATEGORIES.items():
    setattr(
        SettingsForm,
        _category,
        SelectField(_label, choices=[SelectChoice(key, text) for key, text in DELIVERIES.items()]),
    )


class ButtonForm(DanishForm):
    """A form of one button (renew a calendar link, mark all read)."""
