"""The feedback on a circle's meetings as a spreadsheet file (CSV): no names, safe to open in Excel."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Circle
from .selectors import feedback_for_export
from .times import COPENHAGEN

# A cell starting with one of these is a formula to a spreadsheet program (and tab or carriage
# return can hide one); an apostrophe first makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file as UTF-8 (Danish letters and all) only when it starts with a byte order mark.
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_safe(value: object) -> str:
    """The value as a cell that a spreadsheet program shows as text and never runs as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def feedback_csv(*, circle: Circle) -> str:
    """One row per piece of feedback: the meeting's start (Copenhagen time), the rating and the comment."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    writer.writerow([_("Meeting start"), _("Rating"), _("Comment")])
    for starts_at, rating, comment in feedback_for_export(circle=circle):
        local_start = timezone.localtime(starts_at, COPENHAGEN).strftime("%Y-%m-%d %H:%M")
        writer.writerow([local_start, rating, spreadsheet_safe(comment)])
    return buffer.getvalue()
