"""Form fields several features share (profile sectors, alert sectors and regions)."""

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: with hundreds of UNSPSC families a multiple <select> is unusable on a
    phone. templates/_picklist.html renders it with a filter box (portal/static/picklist.js)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
