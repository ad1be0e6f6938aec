"""What a search asks for, parsed from a query string and written back as a canonical one."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from portal.deadlines.checks import DEADLINE_CHECKS
from portal.opportunities.enums import OpportunityStatus
from scrapers.text import parse_amount

STATUSES = tuple(status.value for status in OpportunityStatus)  # "planned" is a forecast
KINDS = ("opportunity", "plan_line")
SORTS = ("relevance", "closing", "published", "value", "value_asc")  # value: largest first
SIZE_CLASSES = ("micro", "small", "medium")
OBJECT_TYPES = ("goods", "services", "works", "consulting")
MAX_PER_PAGE = 100
# An amount as people type it: digits with "," or "." groups, a decimal part, "S/" before.
TYPED_AMOUNT = re.compile(r"\s*(?:S/\.?\s*)?\d[\d.,\s]*\Z", re.IGNORECASE)
MAX_QUERY_LENGTH = 500
Message = str | LazyString  # translated when shown, in the language of the page that shows it
AMOUNT_MESSAGE = _l("debe ser un monto en soles, como 50,000 o 1,500.50")


class InvalidSearchParams(ValueError):
    """A query-string value the search cannot honour: `field` is the parameter as sent (the
    API names it so), `label` the field as the form labels it, `message` what is wrong with it,
    translated when shown."""

    def __init__(self, field: str, message: Message, label: Message | None = None) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message
        self._label = label

    @property
    def label(self) -> str:
        return str(self._label or FIELD_LABELS.get(self.field) or self.field)

    def __str__(self) -> str:
        return gettext("«%(field)s» %(message)s", field=self.label, message=self.message)


@dataclass(frozen=True)
class SearchParams:
    """Every filter is AND-ed; values inside one filter are OR-ed. Empty tuple = no filter."""

    q: str = ""
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    buyer_ids: tuple[int, ...] = ()
    object_types: tuple[str, ...] = ()
    procedure_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("open",)
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    published_within_days: int | None = None
    closing_within_days: int | None = None
    size_class: str | None = None
    deadline_checks: tuple[str, ...] = ()
    kinds: tuple[str, ...] = KINDS
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def to_query_args(self) -> list[tuple[str, str]]:
        """Non-default values only, lists sorted: equal searches give equal links."""
        default = SearchParams()
        args: list[tuple[str, str]] = []
        for field in fields(self):
            name = _ARG_NAMES[field.name]
            value = getattr(self, field.name)
            if value == getattr(default, field.name):
                continue
            if field.name == "statuses" and not value:
                args.append((name, "all"))
            elif isinstance(value, tuple):
                args.extend((name, str(item)) for item in sorted(value, key=str))
            elif value is not None and value != "":
                args.append((name, str(value)))
        return args


_ARG_NAMES = {
    "q": "q",
    "sectors": "sector",
    "regions": "region",
    "buyer_ids": "buyer",
    "object_types": "object_type",
    "procedure_types": "procedure",
    "statuses": "status",
    "value_min": "value_min",
    "value_max": "value_max",
    "published_within_days": "published_within",
    "closing_within_days": "closing_within",
    "size_class": "size",
    "deadline_checks": "deadline_check",
    "kinds": "kind",
    "sort": "sort",
    "page": "page",
    "per_page": "per_page",
}
# A parameter as the search form labels it: an error names "Valor desde (S/)", never
# `value_min`. Pages, feeds and alert forms show these; the API names the parameter itself.
FIELD_LABELS = {
    "q": _l("Palabras"),
    "buyer": _l("Entidad"),
    "kind": _l("Tipo de resultado"),
    "sector": _l("Sector"),
    "region": _l("Región"),
    "object_type": _l("Objeto"),
    "procedure": _l("Procedimiento"),
    "deadline_check": _l("Plazo para preparar la oferta"),
    "status": _l("Estado"),
    "value_min": _l("Valor desde (S/)"),
    "value_max": _l("Valor hasta (S/)"),
    "published_within": _l("Publicadas en los últimos"),
    "closing_within": _l("Cierran en los próximos"),
    "size": _l("Adecuadas para"),
    "sort": _l("Ordenar por"),
    "page": _l("Página"),
    "per_page": _l("Resultados por página"),
}


def _raw_values(args: Mapping, name: str) -> list[str]:
    """Every value of a parameter as sent, from a MultiDict, a dict of lists or of strings."""
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        raw = args.get(name, [])
        raw = [raw] if isinstance(raw, str) else list(raw)
    return [value for value in raw if value is not None]


def _values(args: Mapping, name: str) -> list[str]:
    """All non-empty values of a parameter, stripped."""
    return [value.strip() for value in _raw_values(args, name) if value.strip()]


def _single(args: Mapping, name: str) -> str | None:
    values = _values(args, name)
    if len(values) > 1:
        raise InvalidSearchParams(name, _l("admite un solo valor"))
    return values[0] if values else None


def _integer(args: Mapping, name: str, minimum: int, maximum: int) -> int | None:
    text = _single(args, name)
    if text is None:
        return None
    if not _ascii_digits(text):
        raise InvalidSearchParams(name, _l("debe ser un número entero, como 5"))
    number = int(text)
    if not minimum <= number <= maximum:
        message = _l("debe estar entre %(minimum)d y %(maximum)d", minimum=minimum, maximum=maximum)
        raise InvalidSearchParams(name, message)
    return number


def _amount(args: Mapping, name: str) -> Decimal | None:
    text = _single(args, name)
    if text is None:
        return None
    if not TYPED_AMOUNT.match(text):  # parse_amount alone would read "1e30" as 130
        raise InvalidSearchParams(name, AMOUNT_MESSAGE)
    amount = parse_amount(text)  # "50,000", "50.000", "S/ 1,500.50" and "1.500,50" alike
    if amount is None:
        raise InvalidSearchParams(name, AMOUNT_MESSAGE)
    if amount < 0:
        raise InvalidSearchParams(name, _l("debe ser un monto positivo"))
    return amount


def _choices(args: Mapping, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = _values(args, name)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidSearchParams(name, unknown_value(unknown[0]))
    return tuple(sorted(set(values)))


def _codes(args: Mapping, name: str, digits: int | None = None) -> tuple[str, ...]:
    values = _values(args, name)
    for value in values:
        well_formed = value.isascii() and value.isalnum() and len(value) <= 10
        if not well_formed or (digits and not _has_digits(value, digits)):
            raise InvalidSearchParams(name, _l("no tiene un código válido: «%(code)s»", code=value))
    return tuple(sorted(set(values)))


def unknown_value(value: str) -> Message:
    """The message for a choice the form does not offer (the value cut, it may be long)."""
    return _l("no admite el valor «%(value)s»", value=value[:40])


def _ascii_digits(text: str) -> bool:
    """str.isdigit() alone also takes "²" and "١٥", which no code or number here uses."""
    return text.isascii() and text.isdigit()


def _has_digits(value: str, digits: int) -> bool:
    return _ascii_digits(value) and len(value) == digits


def _statuses(args: Mapping) -> tuple[str, ...]:
    values = _values(args, "status")
    if not values:
        return SearchParams.statuses
    if "all" in values:
        return ()
    return _choices(args, "status", STATUSES)


def parse_search_args(args: Mapping) -> SearchParams:
    """Validate a query string (MultiDict or plain mapping) into SearchParams, or raise."""
    query = _single(args, "q") or ""
    if any(len(raw) > MAX_QUERY_LENGTH for raw in _raw_values(args, "q")):  # as sent, blanks too
        message = _l("admite como máximo %(limit)d caracteres", limit=MAX_QUERY_LENGTH)
        raise InvalidSearchParams("q", message)
    buyers = _values(args, "buyer")
    if any(not _ascii_digits(buyer) or int(buyer) == 0 for buyer in buyers):
        raise InvalidSearchParams("buyer", _l("no es una entidad que conozcamos"))
    value_min, value_max = _amount(args, "value_min"), _amount(args, "value_max")
    if value_min is not None and value_max is not None and value_min > value_max:
        message = _l("debe ser mayor o igual que «%(other)s»", other=FIELD_LABELS["value_min"])
        raise InvalidSearchParams("value_max", message)
    size = _single(args, "size")
    if size is not None and size not in SIZE_CLASSES:
        raise InvalidSearchParams("size", unknown_value(size))
    sort = _single(args, "sort") or "relevance"
    if sort not in SORTS:
        raise InvalidSearchParams("sort", unknown_value(sort))
    return SearchParams(
        q=query,
        sectors=_codes(args, "sector", digits=8),
        regions=_codes(args, "region", digits=2),
        buyer_ids=tuple(sorted({int(buyer) for buyer in buyers})),
        object_types=_choices(args, "object_type", OBJECT_TYPES),
        procedure_types=_codes(args, "procedure"),
        statuses=_statuses(args),
        value_min=value_min,
        value_max=value_max,
        published_within_days=_integer(args, "published_within", 1, 3650),
        closing_within_days=_integer(args, "closing_within", 0, 3650),  # 0: closing today
        size_class=size,
        deadline_checks=_choices(args, "deadline_check", DEADLINE_CHECKS),
        kinds=_choices(args, "kind", KINDS) or KINDS,
        sort=sort,
        page=_integer(args, "page", 1, 10_000) or 1,
        per_page=_integer(args, "per_page", 1, MAX_PER_PAGE) or 20,
    )
