"""Dates and times as Spanish prose writes them."""

from datetime import datetime

import pytest

from scrapers.spanish_dates import parse_spanish_date, period_end
from scrapers.text import fold_keeping_length


@pytest.mark.parametrize(
    ("text", "day_month_year"),
    [
        ("15/03/2026", (15, 3, 2026)),
        ("15-03-26", (15, 3, 2026)),
        ("el 1 de enero de 2027", (1, 1, 2027)),
        ("30 Setiembre 2026", (30, 9, 2026)),
        ("30 de septiembre del 2026", (30, 9, 2026)),
        ("7 ago. 2026", (7, 8, 2026)),
        ("12-DIC-2026", (12, 12, 2026)),
        ("2026-02-28", (28, 2, 2026)),
        ("Expediente 123/2026", None),
        ("sin fecha", None),
    ],
)
def test_spanish_dates(text, day_month_year):
    assert parse_spanish_date(text) == day_month_year


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("hasta el 15/03/2026 16:30", datetime(2026, 3, 15, 16, 30)),
        ("del 10/03/2026 al 15/03/2026 a las 9:05 a.m.", datetime(2026, 3, 15, 9, 5)),
        (
            "desde el 10/03/2026 hasta el lunes 16 de marzo de 2026",
            datetime(2026, 3, 16, 23, 59, 59),
        ),
        ("15/03/2026 - 12:00 p.m.", datetime(2026, 3, 15, 12, 0)),
        ("15/03/2026 3 ejemplares", datetime(2026, 3, 15, 23, 59, 59)),
        ("15/03/2026 25:00 horas", datetime(2026, 3, 15, 23, 59, 59)),
        ("30/02/2026", None),
        ("ninguna", None),
    ],
)
def test_period_end_with_its_time_or_the_end_of_the_day(text, end):
    assert period_end(fold_keeping_length(text)) == end


def test_folding_keeps_every_character_in_place():
    text = "PRESENTACIÓN de ofertas: Año, Señor, ß, İ"
    folded = fold_keeping_length(text)
    assert len(folded) == len(text)
    assert folded.startswith("presentacion de ofertas: ano, senor")
