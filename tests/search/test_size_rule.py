"""The size rule's figures come from the reference tables and the UIT year in force."""

from datetime import UTC, datetime

from flask_babel import force_locale

from portal.search.size import size_rule_help, size_value_limit

MID_2025 = datetime(2025, 6, 1, tzinfo=UTC)


def test_help_states_the_uit_of_the_year_and_the_resulting_micro_ceiling(session):
    text = size_rule_help(session, MID_2025)

    assert "para 2025, de S/ 5.350," in text  # uit_values: 2025 -> 5 350
    assert "hasta S/ 802.500 al año" in text  # 150 UIT
    assert "hasta S/ 401.250 se muestran" in text  # half of it


def test_a_pinned_uit_year_wins_over_the_calendar(app, session):
    app.config["PORTAL_UIT_YEAR"] = 2024

    assert "para 2024, de S/ 5.150," in size_rule_help(session, MID_2025)
    assert size_value_limit(session, "micro", MID_2025) == 0.5 * 150 * 5150


def test_the_uit_year_turns_at_midnight_in_lima_not_in_utc(session):
    new_year_in_utc_only = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)  # 22:00 on 31/12 in Lima

    assert size_value_limit(session, "micro", new_year_in_utc_only) == 0.5 * 150 * 5350


def test_help_is_translated(session):
    with force_locale("en"):
        text = size_rule_help(session, MID_2025)

    assert "S/ 5,350" in text and "suitable" in text


def test_search_page_answers_before_the_reference_data_is_loaded(client, session):
    from sqlalchemy import delete

    from portal.reference.models import SizeClass, UITValue

    session.execute(delete(UITValue))
    session.execute(delete(SizeClass))
    session.commit()
    assert size_rule_help(session, datetime(2026, 3, 1, tzinfo=UTC)) is None

    page = client.get("/buscar")

    assert page.status_code == 200
    assert 'id="size-help"' not in page.get_data(as_text=True)
