"""Regions are listed as a Spanish reader looks for them: Áncash right after Amazonas."""

import re

from portal.reference.departments import departments_in_order


def _region_options(page: str, select_name: str) -> list[str]:
    block = page.split(f'name="{select_name}"')[1].split("</select>")[0]
    return re.findall(r"<option value=\"\d\d\"[^>]*>([^<]+)</option>", block)


def test_search_form_lists_regions_in_spanish_order(client):
    names = _region_options(client.get("/buscar").get_data(as_text=True), "region")

    assert names[:4] == ["Amazonas", "Áncash", "Apurímac", "Arequipa"]
    assert names[-1] == "Ucayali"
    assert len(names) == 25


def test_every_region_list_comes_from_one_ordering(session):
    """Forms, plans, the admin and the statistics all take the list from here."""
    names = [department.name for department in departments_in_order(session)]

    assert names[:4] == ["Amazonas", "Áncash", "Apurímac", "Arequipa"]
    assert names.index("Huánuco") == names.index("Huancavelica") + 1
