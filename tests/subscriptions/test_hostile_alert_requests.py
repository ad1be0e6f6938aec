"""Hostile search arguments reaching the alerts pages signed in: a client error at worst."""

from urllib.parse import quote

PARAMETERS = (
    *("q", "sector", "region", "buyer", "object_type", "procedure", "status", "kind", "sort"),
    *("value_min", "value_max", "published_within", "closing_within", "size", "page"),
    *("per_page", "name", "frequency", "digest_hour", "narrow_sector", "narrow_term"),
)
HOSTILE_VALUES = (
    *(quote(text) for text in ("\x00", "a\x01b", "\x0b", "\x7f", "²", "9" * 40, "-1", "1e999")),
    *(quote(text) for text in ("NaN", "x" * 600, "' OR 1=1 --", "<script>", "15\x00", "1.005")),
    "%FF",  # not UTF-8
)
QUERIES = [
    *(f"{name}={value}" for name in PARAMETERS for value in HOSTILE_VALUES),
    *("%00=1", "q=%00&q=%01", "&&&=&", "buyer=99999999999", "sector=99990000", "region=99"),
]


def _failures(send) -> list[str]:
    failures = []
    for query in QUERIES:
        try:  # TESTING propagates exceptions instead of answering 500
            status = send(query).status_code
        except Exception as error:  # noqa: BLE001  (any exception is the failure reported)
            status = f"{type(error).__name__}: {str(error)[:80]}"
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{query} -> {status}")
    return failures


def test_create_page_and_one_click_never_fail_on_hostile_searches(signed_in, app):
    app.config["PORTAL_SUBSCRIPTION_LIMIT"] = 10_000
    client, _user = signed_in()
    assert _failures(lambda query: client.get(f"/cuenta/alertas/nueva?{query}")) == []
    assert (
        _failures(
            lambda query: client.post("/cuenta/alertas/desde-busqueda", data={"search": query})
        )
        == []
    )


def test_posted_form_never_fails_on_hostile_fields(signed_in):
    client, _user = signed_in()

    def post(query: str):
        return client.post(
            "/cuenta/alertas/nueva",
            data=query.encode("latin-1", "replace"),
            content_type="application/x-www-form-urlencoded",
        )

    assert _failures(post) == []
