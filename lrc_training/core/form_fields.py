"""Fields for every page form. MultiCheckboxField: a multiple choice shown as checkboxes. The date and time
fields: WTForms' own take any year from 0001 to 9999, and a deadline of 9999-12-31 23:59 overflows when converted
to UTC or moved by a day (a 500). These refuse, with a Chinese field error, anything outside core.params' range and
anything that is not a date."""

from __future__ import annotations

from wtforms import SelectMultipleField, fields
from wtforms.widgets import CheckboxInput, ListWidget

from .params import date_range_error


class _Bounded:
    parse_message = "格式不正确"

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.parse_message) from None
        reason = date_range_error(self.data)
        if reason:
            self.data = None
            raise ValueError(reason)


class DateField(_Bounded, fields.DateField):
    parse_message = "日期格式不正确，应为 年-月-日（例如 2026-05-01）"


class DateTimeLocalField(_Bounded, fields.DateTimeLocalField):
    parse_message = "时间格式不正确，应为 年-月-日 时:分（例如 2026-05-01 09:00）"


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (roles, levels, work areas)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
