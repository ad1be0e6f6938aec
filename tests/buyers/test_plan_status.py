"""A buyer's public page says whether the entity has published this fiscal year's plan."""

from datetime import UTC, datetime

from portal.buyers.models import GovernmentLevel
from portal.plans.compliance import current_fiscal_year

YEAR = current_fiscal_year(datetime.now(UTC))


def test_published_plan_shows_its_date_version_and_amendments(client, make_buyer, make_plan):
    buyer = make_buyer(name="Municipalidad de Piura")
    first = datetime(YEAR, 1, 10, 15, tzinfo=UTC)
    make_plan(buyer=buyer, fiscal_year=YEAR, version=1, published_at=first)
    make_plan(buyer=buyer, fiscal_year=YEAR, version=2, published_at=first)
    make_plan(buyer=buyer, fiscal_year=YEAR, version=3, published_at=first)

    page = client.get(f"/entidades/{buyer.id}").text

    assert (
        f'<p class="plan-status plan-published"><a href="/planes/{buyer.id}/{YEAR}">'
        f"Plan Anual de Contrataciones {YEAR} publicado el 10/01/{YEAR} "
        "(versión 3, 2 modificaciones)</a></p>"
    ) in page


def test_a_plan_never_amended_says_so_in_the_singular_form(client, make_buyer, make_plan):
    buyer = make_buyer()
    make_plan(buyer=buyer, fiscal_year=YEAR, published_at=datetime(YEAR, 2, 1, 15, tzinfo=UTC))
    make_plan(buyer=buyer, fiscal_year=YEAR, version=2)

    page = client.get(f"/entidades/{buyer.id}").text

    assert f"publicado el 01/02/{YEAR} (versión 2, 1 modificación)" in page


def test_public_entity_without_this_years_plan_is_told_so(client, make_buyer, make_plan):
    buyer = make_buyer(government_level=GovernmentLevel.UNKNOWN)
    make_plan(buyer=buyer, fiscal_year=YEAR - 1)  # last year's plan does not count

    page = client.get(f"/entidades/{buyer.id}").text

    assert f"Esta entidad aún no ha publicado su Plan Anual de Contrataciones {YEAR}." in page
    assert "plan-published" not in page


def test_private_buyer_page_has_no_plan_status(client, make_buyer):
    buyer = make_buyer(name="Minera del Sur", government_level=GovernmentLevel.PRIVATE)

    page = client.get(f"/entidades/{buyer.id}").text

    assert "Minera del Sur" in page
    assert "plan-status" not in page
    assert "aún no ha publicado" not in page
