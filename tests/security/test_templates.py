"""The Content-Security-Policy forbids inline script, inline style and event handlers; these
checks read every template so a page can't quietly start needing one."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
TAG = re.compile(r"<[a-zA-Z][\w:-]*(\s[^<>]*?)?/?>", re.DOTALL)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
SOURCE = re.compile(r"\ssrc\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"(?:^|\s)style\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"(?:^|\s)on[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)


def markup(source: str) -> str:
    """The template with its Jinja tags blanked, so `{% if a > b %}` can't end an HTML tag."""
    return JINJA.sub(" ", source)


def script_violations(source: str) -> list[str]:
    text = markup(source)
    found = []
    for attributes, body in SCRIPT.findall(text):
        if not SOURCE.search(attributes):
            found.append(f"inline <script{attributes}>")
        elif body.strip():
            found.append(f"<script src> with a body: {body.strip()[:60]}")
    found += [f"handler in <…{a}>" for a in attributes_of(text) if HANDLER_ATTRIBUTE.search(a)]
    found += [f"javascript: URL {m.group(0)!r}" for m in SCRIPT_URL.finditer(text)]
    return found


def style_violations(source: str) -> list[str]:
    text = markup(source)
    found = [f"style= in <…{a}>" for a in attributes_of(text) if STYLE_ATTRIBUTE.search(a)]
    return found + ["<style> element" for _ in STYLE_ELEMENT.finditer(text)]


def attributes_of(text: str) -> list[str]:
    return [match.group(1) or "" for match in TAG.finditer(text)]


def template_files(include_mail: bool = True) -> list[Path]:
    files = sorted(path for path in TEMPLATES.rglob("*") if path.is_file())
    assert files, f"no templates under {TEMPLATES}"
    return [path for path in files if include_mail or not is_mail(path)]


def is_mail(path: Path) -> bool:
    return path.relative_to(TEMPLATES).parts[0] == "email"


def name(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


@pytest.mark.parametrize("path", template_files(), ids=name)
def test_template_has_no_inline_script_or_event_handler(path):
    assert script_violations(path.read_text(encoding="utf-8")) == [], name(path)


@pytest.mark.parametrize("path", template_files(include_mail=False), ids=name)
def test_page_template_has_no_inline_style(path):
    """Mail bodies are exempt: a mail client never sees the site's CSP and ignores its
    stylesheet, so inline style is how HTML mail is written."""
    assert style_violations(path.read_text(encoding="utf-8")) == [], name(path)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">import x from "/a.js"</script>',
        '<script src="/a.js">alert(1)</script>',
        '<button onclick="go()">',
        '<body onload="go()">',
        '<img src="x" ONERROR="go()">',
        '<a\n  class="x"\n  onmouseover="go()">',
        '<a href="javascript:go()">',
        "<a href=' JavaScript:go()'>",
    ],
)
def test_the_scanner_catches_each_form_of_inline_script(snippet):
    assert script_violations(f"{{% if a > b %}}{snippet}{{% endif %}}"), snippet


@pytest.mark.parametrize(
    "snippet",
    ['<div style="width: 100%">', "<p class=x style='color:red'>", "<style>p{color:red}</style>"],
)
def test_the_scanner_catches_each_form_of_inline_style(snippet):
    assert style_violations(f"{{% if a > b %}}{snippet}{{% endif %}}"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{{ url_for('static', filename='a.js') }}\" defer></script>",
        '<p class="online">{{ _("Conexión = estable") }}</p>',
        '<input name="only_open" value="{{ value }}">',
        "<p>Una reunión on line = no</p>",
        '<a href="https://example.org/?style=1&onda=2">x</a>',
        "{% set onda = 1 %}{% if style == 1 %}<p>x</p>{% endif %}",
    ],
)
def test_the_scanner_lets_ordinary_markup_through(snippet):
    assert script_violations(snippet) == style_violations(snippet) == []
