"""The detail page says which facts were read from a notice's text, so users check them."""

from decimal import Decimal

NOTE = "Datos leídos del texto del aviso"


def test_fields_read_from_the_text_are_named_under_the_facts(client, make_opportunity):
    from_text = make_opportunity(
        estimated_value=Decimal("3099000.00"),
        fields_from_text=["deadline_at", "estimated_value", "currency", "status"],
    )
    structured = make_opportunity()

    page = client.get(f"/oportunidades/{from_text.id}").get_data(as_text=True)
    structured_page = client.get(f"/oportunidades/{structured.id}").get_data(as_text=True)

    assert f"{NOTE}: plazo, valor, estado. Compruébalos en la fuente." in page
    assert page.index('class="facts"') < page.index(NOTE) < page.index('class="description"')
    assert NOTE not in structured_page


def test_procedure_read_from_its_code_and_name_is_named_once(client, make_opportunity):
    opportunity = make_opportunity(fields_from_text=["procedure_type_code", "procedure_text"])

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    assert f"{NOTE}: procedimiento. Compruébalos" in page
