"""A small business's first visit, end to end in Chromium at a phone's width: register, follow
the link in the mail it receives, sign in, search, save the search as an alert and see what the
alert would have sent. No page on the way errs or scrolls sideways."""

import email
import email.policy
import re
from pathlib import Path

from browser_pages import Problems, is_signed_in, sideways_overflow, sign_in
from factories import create_buyer, create_opportunity

EMAIL = "gerencia.comercial@ferreteria-los-andes.com.pe"
PASSWORD = "Cisterna-Andina-2026"
WORD = "cisternas"
TITLES = [f"Alquiler de {WORD} para agua potable, lote {number}" for number in (1, 2, 3)]
PHONE = {"width": 390, "height": 844}


def verification_link(outbox: Path, base: str, to: str) -> str:
    """The link to this site in the newest message sent to `to`."""
    messages = []
    for path in outbox.glob("**/*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to in str(message["To"]):
            messages.append((path.stat().st_mtime, message))
    assert messages, f"no mail to {to} in {outbox}"
    message = max(messages, key=lambda pair: pair[0])[1]
    body = message.get_body(preferencelist=("plain", "html")).get_content()
    links = [link for link in re.findall(r"https?://[^\s\"'<>]+", body) if link.startswith(base)]
    assert links, f"no link to {base} in the mail:\n{body}"
    return next((link for link in links if "verific" in link), max(links, key=len))


def test_register_verify_sign_in_and_save_a_search_as_an_alert(
    session, new_context, live_server, outbox
):
    buyer = create_buyer(session, name="Municipalidad Provincial de Huancayo")
    for title in TITLES:
        create_opportunity(session, buyer=buyer, title=title)
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    problems = Problems(live_server)
    problems.watch(page)
    visited: dict[str, list[str]] = {}

    def arrived(step: str) -> None:
        visited[f"{step} ({page.url})"] = problems.take() + sideways_overflow(page)

    page.goto(f"{live_server}/registro")
    arrived("registration form")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=email]").fill(EMAIL)
    for field in form.locator("input[type=password]").all():  # the password and its repetition
        field.fill(PASSWORD)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    arrived("after registering")

    page.goto(verification_link(outbox, live_server, EMAIL))
    arrived("verification link")

    if not is_signed_in(page):
        assert sign_in(page, live_server, EMAIL, PASSWORD) == []
    arrived("signed in")

    page.goto(f"{live_server}/buscar?q={WORD}")
    arrived("search")
    with page.expect_navigation():
        page.get_by_role("button", name="Crear alerta con esta búsqueda").click()
    arrived("alert created")

    assert re.search(r"/cuenta/alertas/\d+", page.url), page.url
    preview = page.locator("main").inner_text()
    assert any(title in preview for title in TITLES), preview
    assert re.search(r"\b3\b", preview), f"the preview shows no count of 3:\n{preview}"
    failures = [f"{step}: {item}" for step, items in visited.items() for item in items]
    assert not failures, "\n".join(failures)
