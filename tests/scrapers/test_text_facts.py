"""Facts read from the Spanish prose of feed items, phrased as Peruvian entities write them."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.opportunities.enums import ObjectType, OpportunityStatus
from scrapers.records import BuyerRecord, OpportunityRecord
from scrapers.text_facts import fill_missing, read_facts

LIMA = ZoneInfo("America/Lima")
MVES = "Municipalidad Distrital de Villa El Salvador"
MVES_RUC = "20131705434"
SEACE_ITEM = (
    f"Entidad: {MVES} (RUC {MVES_RUC}) Objeto: Bien Descripción: Adquisición de camionetas "
    "Valor referencial: S/ 3,099,000.00 Registro de participantes hasta el 10/03/2026 "
    "Presentación de ofertas hasta el 15/03/2026 16:30 Estado: Convocado"
)


def facts(description: str, title: str = "Convocatoria", zone=LIMA):
    return read_facts(title, description, zone)


def lima(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LIMA).astimezone(UTC)


def test_a_seace_style_item_gives_every_fact():
    found = facts(SEACE_ITEM, title="AS-SM-219-2026-MVES-1")

    assert found.buyer == BuyerRecord(name=MVES, ruc=MVES_RUC)
    assert found.deadline_at == lima(2026, 3, 15, 16, 30)
    assert (found.estimated_value, found.currency) == (Decimal("3099000.00"), "PEN")
    assert found.procedure_type_code == "AS"
    assert found.object_type == ObjectType.GOODS
    assert found.status == OpportunityStatus.OPEN


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Presentación de ofertas hasta el 15/03/2026 16:30", (2026, 3, 15, 16, 30)),
        ("Presentación de ofertas: 15-03-2026 16:30 hrs", (2026, 3, 15, 16, 30)),
        ("Presentación de ofertas hasta el 15.03.2026 a las 09:00", (2026, 3, 15, 9, 0)),
        ("Presentación de ofertas hasta el 15/03/26 16 hrs", (2026, 3, 15, 16, 0)),
        (
            "Presentación de propuestas hasta el 15 de marzo de 2026 a las 16:30",
            (2026, 3, 15, 16, 30),
        ),
        (
            "Presentación de propuestas hasta el 15 de marzo del 2026, 4:30 p.m.",
            (2026, 3, 15, 16, 30),
        ),
        (
            "Presentación de ofertas hasta el lunes 14 de setiembre de 2026 11:00 a.m.",
            (2026, 9, 14, 11, 0),
        ),
        (
            "Presentación de ofertas hasta el 14 de septiembre de 2026 12:30 am",
            (2026, 9, 14, 0, 30),
        ),
        ("Recepción de ofertas: 3 dic. 2026 10:00 h", (2026, 12, 3, 10, 0)),
        ("Fecha límite: 15-mar-2026 16:30", (2026, 3, 15, 16, 30)),
        ("Fin de presentación de propuestas: 5 set 2026 08:15", (2026, 9, 5, 8, 15)),
        ("Fecha y hora de presentación de ofertas: 2026-03-15 16:30", (2026, 3, 15, 16, 30)),
        (
            "Plazo para presentar ofertas: hasta las 16:30 horas del 15/03/2026",
            (2026, 3, 15, 16, 30),
        ),
        ("Presentación de ofertas: del 10/03/2026 al 15/03/2026 16:30", (2026, 3, 15, 16, 30)),
        ("Presentación de ofertas (electrónica): 15/03/2026 16:30", (2026, 3, 15, 16, 30)),
        ("Fecha de cierre: 15/03/2026", (2026, 3, 15, 23, 59, 59)),
    ],
)
def test_bid_deadline_in_spanish_formats_is_read_in_the_source_zone(phrase, expected):
    assert facts(phrase).deadline_at == lima(*expected)


def test_deadline_is_read_in_the_zone_of_the_source():
    madrid = ZoneInfo("Europe/Madrid")
    found = facts("Presentación de ofertas hasta el 15/03/2026 16:30", zone=madrid)
    assert found.deadline_at == datetime(2026, 3, 15, 15, 30, tzinfo=UTC)
    assert found.deadline_at.tzinfo is not None


@pytest.mark.parametrize(
    "phrase",
    [
        "Registro de participantes hasta el 10/03/2026 23:59",
        "Fecha límite de registro de participantes: 10/03/2026",
        "Formulación de consultas: del 02/03/2026 al 05/03/2026",
        "Plazo de ejecución: 30 días calendario desde el 01/04/2026",
        "Fecha de publicación: 01/03/2026",
    ],
)
def test_other_dates_of_the_schedule_are_not_the_bid_deadline(phrase):
    assert facts(phrase).deadline_at is None


def test_registration_after_the_deadline_label_does_not_replace_it():
    text = (
        "Presentación de ofertas: 15/03/2026 16:30 "
        "Registro de participantes hasta el 10/03/2026 Buena pro: 20/03/2026"
    )
    assert facts(text).deadline_at == lima(2026, 3, 15, 16, 30)


def test_impossible_date_gives_no_deadline():
    assert facts("Presentación de ofertas hasta el 31/02/2026 16:30").deadline_at is None


@pytest.mark.parametrize(
    ("phrase", "amount", "currency"),
    [
        ("Valor referencial: S/ 3,099,000.00", "3099000.00", "PEN"),
        ("Valor Referencial: S/. 3.099.000,00", "3099000.00", "PEN"),
        ("Valor referencial: S/ 3.099.000", "3099000", "PEN"),
        ("Valor estimado: S/ 1.500,50", "1500.50", "PEN"),
        ("Valor estimado: 1,500.50 soles", "1500.50", "PEN"),
        ("Cuantía: 45 000,00 nuevos soles", "45000.00", "PEN"),
        ("Cuantía de la contratación: US$ 12,500.00", "12500.00", "USD"),
        ("Valor referencial: USD 12.500", "12500", "USD"),
        ("Monto referencial: 80 000 dólares americanos", "80000", "USD"),
        ("Valor referencial (S/): 150,000.00", "150000.00", "PEN"),
        ("Valor referencial total: S/ 485000", "485000", "PEN"),
        ("El valor referencial asciende a S/ 1,234,567.89", "1234567.89", "PEN"),
        ("con un valor estimado de US$ 20,000", "20000", "USD"),
        ("Valor referencial: S/ 999.99", "999.99", "PEN"),
    ],
)
def test_amounts_in_both_decimal_conventions_with_their_currency(phrase, amount, currency):
    found = facts(phrase)
    expected = Decimal(amount) if amount is not None else None
    assert (found.estimated_value, found.currency) == (expected, currency)


def test_amount_without_currency_leaves_the_currency_to_the_source():
    found = facts("Valor referencial: 3,099,000.00")
    assert (found.estimated_value, found.currency) == (Decimal("3099000.00"), None)


@pytest.mark.parametrize(
    "phrase",
    [
        "Valor referencial: Reservado",
        "Valor referencial: S/ 0.00",
        "Costo de reproducción de bases: S/ 10.00",
        "Valor referencial: ver bases. Presentación de ofertas hasta el 15/03/2026",
    ],
)
def test_no_value_where_no_value_label_states_one(phrase):
    assert facts(phrase).estimated_value is None


@pytest.mark.parametrize(
    ("phrase", "name", "ruc"),
    [
        (f"Entidad: {MVES} (RUC {MVES_RUC})", MVES, MVES_RUC),
        (f"Entidad: {MVES.upper()} - RUC: {MVES_RUC} | Objeto: Bien", MVES.upper(), MVES_RUC),
        (f"Entidad convocante: {MVES}, R.U.C. N° {MVES_RUC}", MVES, MVES_RUC),
        (f"Entidad: {MVES} | RUC de la entidad: {MVES_RUC}", MVES, MVES_RUC),
        (f"RUC: {MVES_RUC}; Entidad: {MVES}", MVES, MVES_RUC),
        ("Entidad: E.P.S. GRAU S.A. Valor referencial: S/ 10,000.00", "E.P.S. GRAU S.A.", None),
        (f"Entidad: {MVES}. Se convoca a los proveedores", MVES, None),
    ],
)
def test_buyer_name_and_its_ruc(phrase, name, ruc):
    assert facts(phrase).buyer == BuyerRecord(name=name, ruc=ruc)


def test_a_ruc_with_a_bad_check_digit_is_not_kept():
    assert facts(f"Entidad: {MVES} (RUC 20131705435)").buyer == BuyerRecord(name=MVES)


def test_the_winners_ruc_is_not_the_buyers():
    text = f"Entidad: {MVES} Estado: Adjudicado Ganador: Constructora Andina SAC RUC: 20100070970"
    assert facts(text).buyer == BuyerRecord(name=MVES)


def test_no_buyer_without_an_entity_label():
    assert facts(f"Convocatoria de {MVES} con RUC {MVES_RUC}").buyer is None


@pytest.mark.parametrize(
    ("title", "description", "code"),
    [
        ("AS-SM-219-2026-MVES-1", "", "AS"),
        ("LP-ABR-3-2026-MDCC-1", "", "LPA"),
        ("CP SER-SM-1-2026-MDCC-1", "", "CP"),
        ("SIE-SIE-1-2026-MDCC-1", "", "SIE"),
        ("COMPRE-COMPRE-1-2025-MDSR/OC-2", "", "CDP"),
        ("DIRECTA-DIRECTA-1-2025-OSITRAN-1", "", "CD"),
        ("Adquisición de útiles", "Nomenclatura: LP-SM-5-2026-GRA-1", "LP"),
        ("Adquisición de útiles", "Tipo de procedimiento: Concurso Público", "CP"),
        ("Adjudicación Simplificada para el servicio de limpieza", "", None),
        ("Adquisición de útiles", "Ley 30225, artículo 2-2019", None),
    ],
)
def test_procedure_from_the_process_code_or_its_stated_name(title, description, code):
    assert facts(description, title=title).procedure_type_code == code


def test_a_stated_procedure_keeps_its_text():
    found = facts("Procedimiento de selección: Adjudicación Simplificada. Se convoca")
    assert (found.procedure_type_code, found.procedure_text) == ("AS", "Adjudicación Simplificada")


@pytest.mark.parametrize(
    ("title", "description", "object_type"),
    [
        ("Convocatoria", "Objeto: Bien", ObjectType.GOODS),
        ("Convocatoria", "Objeto de contratación: Servicios", ObjectType.SERVICES),
        ("Convocatoria", "Objeto: Obra; Valor referencial: S/ 5,000,000", ObjectType.WORKS),
        ("Convocatoria", "Tipo de objeto: Consultoría de Obra", ObjectType.CONSULTING),
        ("Adquisición de papel bond", "", ObjectType.GOODS),
        ("Contratación del servicio de vigilancia", "", ObjectType.SERVICES),
        ("Ejecución de la obra: pistas y veredas", "", ObjectType.WORKS),
        ("AS-SM-1-2026-X-1", "Descripción: Suministro de agua en bidones", ObjectType.GOODS),
        ("Convocatoria", "Se requiere un servicio de limpieza", None),
    ],
)
def test_object_type_from_its_label_or_how_the_notice_begins(title, description, object_type):
    assert facts(description, title=title).object_type == object_type


@pytest.mark.parametrize(
    ("title", "description", "status"),
    [
        ("Convocatoria", "Estado: Convocado", OpportunityStatus.OPEN),
        ("Convocatoria", "Estado: Cancelado", OpportunityStatus.CANCELLED),
        ("Convocatoria", "Estado del proceso: CANCELADO", OpportunityStatus.CANCELLED),
        ("Convocatoria", "Estado: Desierto", OpportunityStatus.DESERTED),
        ("Convocatoria", "Estado: Nulo", OpportunityStatus.CANCELLED),
        ("Convocatoria", "Situación: Nulidad", OpportunityStatus.CANCELLED),
        ("Convocatoria", "Estado: Adjudicado", OpportunityStatus.AWARDED),
        ("Convocatoria", "Estado: Buena pro consentida", OpportunityStatus.AWARDED),
        ("Convocatoria", "Estado actual: Suspendido", OpportunityStatus.SUSPENDED),
        ("Convocatoria", "Estado: Convocado. Estado: Cancelado", OpportunityStatus.CANCELLED),
        ("[CANCELADO] AS-SM-1-2026-X-1", "", OpportunityStatus.CANCELLED),
        ("AS-SM-1-2026-X-1 - DESIERTO", "", OpportunityStatus.DESERTED),
        ("Convocatoria", "El procedimiento fue declarado desierto.", OpportunityStatus.DESERTED),
        ("Convocatoria", "Se declara la nulidad del procedimiento", OpportunityStatus.CANCELLED),
        (
            "Convocatoria",
            "El proceso ha sido cancelado por la entidad",
            OpportunityStatus.CANCELLED,
        ),
        ("Convocatoria", "Con buena pro consentida el 20/03/2026", OpportunityStatus.AWARDED),
        ("Convocatoria", "El comité declaró desierto el ítem 2", None),
        ("Convocatoria", "En caso la buena pro quede desierta se convocará de nuevo", None),
        ("Servicio de cancelación de deudas", "", None),
    ],
)
def test_status_words(title, description, status):
    assert facts(description, title=title).status == status


def record(**fields) -> OpportunityRecord:
    return OpportunityRecord(source_ref="AS-SM-219-2026-MVES-1", **fields)


def test_fill_missing_fills_only_empty_fields_and_names_them():
    structured_buyer = BuyerRecord(name="Municipalidad de Villa El Salvador", ruc=MVES_RUC)
    filled = fill_missing(
        record(title="AS-SM-219-2026-MVES-1", description=SEACE_ITEM, buyer=structured_buyer),
        LIMA,
    )
    assert filled.buyer == structured_buyer
    assert filled.deadline_at == lima(2026, 3, 15, 16, 30)
    assert (filled.estimated_value, filled.currency) == (Decimal("3099000.00"), "PEN")
    assert set(filled.fields_from_text) == {
        "deadline_at",
        "estimated_value",
        "currency",
        "procedure_type_code",
        "object_type",
        "status",
    }


def test_a_status_the_source_states_wins_over_the_text():
    stated = record(title="x", description="Estado: Cancelado", status=OpportunityStatus.AWARDED)
    assert fill_missing(stated, LIMA, status_stated=True) == stated
    assert fill_missing(stated, LIMA).status == OpportunityStatus.CANCELLED


def test_a_value_without_currency_keeps_the_sources_currency():
    filled = fill_missing(record(title="x", description="Valor referencial: 1,000.00"), LIMA)
    assert (filled.estimated_value, filled.currency) == (Decimal("1000.00"), "PEN")
    assert filled.fields_from_text == ("estimated_value",)


def test_a_text_with_no_facts_leaves_the_record_as_it_was():
    bare = record(title="Convocatoria 12", description="Ver bases en la web")
    assert fill_missing(bare, LIMA) is bare
