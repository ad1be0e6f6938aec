"""Every response, whatever served it, carries the security headers; HSTS only in production."""

import pytest

PAGES = (
    "home",
    "search",
    "search with words",
    "opportunity",
    "buyer",
    "plans",
    "api list",
    "api item",
    "search feed",
    "not found",
    "stylesheet",
    "sign-in redirect",
)
EXPECTED_STATUS = {"not found": 404, "sign-in redirect": 302}


def directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {part[0].lower(): (part[1] if len(part) > 1 else "") for part in parts}


def assert_security_headers(response) -> None:
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    rules = directives(policy)
    assert rules["frame-ancestors"] == "'none'"
    assert rules["default-src"] == "'self'"
    assert rules["script-src"] == "'self'"
    assert rules["style-src"] == "'self'"
    assert rules["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    )
    assert "Permissions-Policy" in headers


@pytest.mark.parametrize("page", PAGES)
def test_every_response_carries_the_security_headers(client, site, page):
    with client.get(site[page]) as response:  # a static file's body is an open file
        assert response.status_code == EXPECTED_STATUS.get(page, 200)
        assert_security_headers(response)


@pytest.mark.parametrize("page", PAGES)
def test_no_strict_transport_security_outside_production(client, site, page):
    with client.get(site[page]) as response:
        assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("page", PAGES)
def test_production_adds_strict_transport_security_for_a_year(production_app, site, page):
    client = production_app.test_client()
    with client.get(site[page], base_url="https://comprasmype.pe") as response:
        assert response.status_code == EXPECTED_STATUS.get(page, 200)
        assert_security_headers(response)
        hsts = directives(response.headers["Strict-Transport-Security"].replace("=", " "))
    assert int(hsts["max-age"]) >= 31536000
    assert "includesubdomains" in hsts


def test_a_refused_method_still_carries_the_headers(client):
    response = client.post("/buscar")

    assert response.status_code == 405
    assert_security_headers(response)


def test_production_api_links_use_the_configured_host_not_the_request_host(production_app, site):
    client = production_app.test_client()
    path = site["api item"]
    opportunity_id = path.rsplit("/", 1)[1]
    expected = f"https://comprasmype.pe/oportunidades/{opportunity_id}"

    item = client.get(path, headers={"Host": "evil.example"})
    listing = client.get("/api/v1/opportunities", headers={"Host": "evil.example"})

    assert item.status_code == listing.status_code == 200
    assert b"evil.example" not in item.data + listing.data
    assert item.json["data"]["html_url"] == expected
    assert [row["html_url"] for row in listing.json["data"]] == [expected]


def test_production_search_feed_links_use_the_configured_host(production_app, site):
    response = production_app.test_client().get(
        "/buscar.rss?q=agua", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    )

    assert response.status_code == 200
    assert b"evil.example" not in response.data
    assert b"https://comprasmype.pe/buscar" in response.data


def test_production_sign_in_redirect_stays_on_the_configured_host(production_app):
    response = production_app.test_client().get("/cuenta", headers={"Host": "evil.example"})

    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
