"""The checks every page must pass in a browser, at a phone's width and a laptop's."""

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

# Browsers ask for it by themselves; its absence is checked once, by its own test, so that it
# doesn't hide what else a page gets wrong.
ICON = "/favicon.ico"
VIEWPORTS = ({"width": 390, "height": 844}, {"width": 1366, "height": 900})

# The elements sticking out past the right edge, innermost first: what a failure names.
OVERFLOWING_ELEMENTS = """() => {
  const limit = window.innerWidth + 0.5;
  const wide = [...document.querySelectorAll('body *')].filter(
    (element) => element.getBoundingClientRect().right > limit);
  const innermost = wide.filter((element) => !wide.some(
    (other) => other !== element && element.contains(other)));
  return innermost.slice(0, 5).map((element) => {
    const name = element.tagName.toLowerCase()
      + (element.id ? '#' + element.id : '')
      + (element.className && typeof element.className === 'string'
         ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
    const box = element.getBoundingClientRect();
    const text = (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `${name} (right edge ${Math.round(box.right)}px) "${text}"`;
  });
}"""


@dataclass
class Problems:
    """What a page did wrong while a test used it, gathered from the browser's events."""

    origin: str
    found: list[str] = field(default_factory=list)
    ignore_icon: bool = True

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type != "error":  # CSP violations are errors
            return
        if self.ignore_icon and (message.location or {}).get("url", "").endswith(ICON):
            return
        self.found.append(f"console error: {message.text} ({message.location.get('url')})")

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        if self.ignore_icon and parts.path == ICON:
            return False
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _request_failed(self, request) -> None:
        # The browser fetches the icon on its own after the load event and aborts it when the
        # check moves on: an abort says nothing about the site (a 4xx/5xx is caught below).
        aborted = "ERR_ABORTED" in (request.failure or "")
        is_icon_abort = aborted and request.url.endswith((ICON, "/static/favicon.svg"))
        if self._same_origin(request.url) and not is_icon_abort:
            self.found.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if self._same_origin(response.url) and response.status >= 400:
            is_page = response.request.is_navigation_request()
            kind = "page" if is_page else "resource"
            self.found.append(f"{kind} answered {response.status}: {response.url}")

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found


def sideways_overflow(page) -> list[str]:
    """Empty if the page fits its viewport's width; else the elements that stick out."""
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width <= inner_width:
        return []
    return [f"scrollWidth {scroll_width} > innerWidth {inner_width}"] + page.evaluate(
        OVERFLOWING_ELEMENTS
    )


@cache
def _axe_script() -> str:
    """axe-core as axe-playwright-python (the `test` extra) ships it: no browser download."""
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


# axe-core's own rule set (WCAG 2.x A and AA plus its best practices), violations only.
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']}).then(
  (results) => results.violations.map((rule) => `${rule.id} (${rule.impact}): ${rule.help}: `
    + rule.nodes.slice(0, 5).map((node) => node.target.join(' ')).join(', ')))"""


def accessibility_violations(page) -> list[str]:
    """axe-core's violations on the page as it stands, one line per rule with the elements.
    The script goes in through page.evaluate (the DevTools protocol), which the page's
    Content-Security-Policy does not govern, so the site's policy stays as strict as served."""
    page.evaluate(_axe_script())
    return [f"axe: {violation}" for violation in page.evaluate(RUN_AXE)]


def open_page(page, problems: Problems, url: str) -> list[str]:
    """Load url (following redirects) and say what went wrong: status, events."""
    response = page.goto(url, wait_until="load")
    failures = problems.take()
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        failures.insert(0, f"{url} answered {status} (final URL {page.url})")
    return failures


def check_page(page, problems: Problems, url: str, screenshots: Path | None = None) -> list[str]:
    """Every failure of url at each viewport width, each prefixed with the width; screenshots of
    a failing width go to `screenshots`."""
    failures = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        found = open_page(page, problems, url)
        found += sideways_overflow(page)
        found += problems.take()
        if found and screenshots is not None:
            name = urlsplit(page.url).path.strip("/").replace("/", "_") or "inicio"
            shot = screenshots / f"{name}-{viewport['width']}.png"
            page.screenshot(path=str(shot), full_page=True)
            found.append(f"screenshot: {shot}")
        failures += [f"[{viewport['width']}px] {item}" for item in found]
    return failures


def fits_phone_width(page, problems: Problems) -> list[str]:
    """For a page a flow has just reached: events so far and overflow at the current width."""
    return problems.take() + sideways_overflow(page)


def sign_in(page, base: str, email: str, password: str) -> list[str]:
    """Sign in through /ingresar as a person would; the failures if that didn't work."""
    response = page.goto(f"{base}/ingresar")
    if response is None or response.status != 200:
        return [f"/ingresar answered {response.status if response else 'nothing'}"]
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    if not is_signed_in(page):
        return [f"not signed in after the login form (now at {page.url})"]
    return []


def is_signed_in(page) -> bool:
    """base.html shows the logout form to signed-in users only."""
    return page.locator(".account-nav form.logout-form").count() == 1
