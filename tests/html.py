"""Assertions on parsed markup, not on its spelling.

Tests that care about structure (ids, attributes, out-of-band swaps, which
element holds what, counts, links, forms) parse the response with an HTML5
parser (selectolax's Lexbor, the same tree a browser builds) and ask with CSS
selectors, so a reordering of attributes or a changed line break in a template
does not break them:

    assert text_of(response, "#count-igangsat") == "2"
    assert attr(response, "#count-igangsat", "hx-swap-oob") == "true"

Every function takes markup as a string, bytes or a Flask response, or an
element found before (to look inside it). `one`,
`text_of` and `attr` insist on exactly one match, so a selector that matches
nothing (or too much) fails loudly instead of passing by accident. A check that
a Danish message appears somewhere on the page may stay a substring check.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode


def parse(source) -> LexborHTMLParser:
    """The document (or fragment, wrapped as a browser would) of `source`."""
    if hasattr(source, "get_data"):  # a Flask/Werkzeug response
        source = source.get_data(as_text=True)
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    return LexborHTMLParser(source)


def select(source, css: str) -> list[LexborNode]:
    """Every element matching `css`, in document order. `source` may also be
    an element found before: then its descendants are searched."""
    if isinstance(source, LexborNode):
        return source.css(css)
    return parse(source).css(css)


def count(source, css: str) -> int:
    return len(select(source, css))


def one(source, css: str) -> LexborNode:
    """The single element matching `css` (fails on none or several)."""
    nodes = select(source, css)
    assert len(nodes) == 1, f"{css!r} matches {len(nodes)} elements, not 1"
    return nodes[0]


def text(node: LexborNode) -> str:
    """An element's text as a reader sees it: whitespace runs collapsed."""
    return " ".join(node.text(deep=True).split())


def text_of(source, css: str) -> str:
    """The text of the single element matching `css`."""
    return text(one(source, css))


def texts(source, css: str) -> list[str]:
    """The text of every element matching `css`, in document order."""
    return [text(node) for node in select(source, css)]


def attr(source, css: str, name: str) -> str | None:
    """Attribute `name` of the single element matching `css` (None if absent;
    "" for a boolean attribute that is present)."""
    attributes = one(source, css).attributes
    if name not in attributes:
        return None
    return attributes[name] or ""


def attrs(source, css: str, name: str) -> list[str | None]:
    """Attribute `name` of every element matching `css`, in document order."""
    return [node.attributes.get(name) for node in select(source, css)]


def has(source, css: str) -> bool:
    """Whether any element matches `css`."""
    return bool(select(source, css))


def roots(source) -> list[LexborNode]:
    """The top-level elements of a fragment (an htmx answer), in order."""
    body = parse(source).body
    return list(body.iter()) if body is not None else []


def classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def form_fields(source, css: str = "form") -> dict[str, str | list[str]]:
    """What a browser sends when the single form matching `css` is submitted
    with its default button: every named, enabled control's value (inputs,
    checked boxes, the selected options, textareas). Names that occur more
    than once give a list."""
    form = one(source, css)
    fields: dict[str, list[str]] = {}
    for control in form.css("input[name], select[name], textarea[name]"):
        a = control.attributes
        if "disabled" in a:
            continue
        kind = (a.get("type") or "text").lower()
        if kind in ("submit", "button", "reset", "image", "file"):
            continue
        if kind in ("checkbox", "radio") and "checked" not in a:
            continue
        if control.tag == "select":
            options = control.css("option")
            chosen = [o for o in options if "selected" in o.attributes] or options[:1]
            values = [o.attributes.get("value") or text(o) for o in chosen]
        elif control.tag == "textarea":
            values = [control.text(deep=True)]
        else:
            values = [a.get("value") or ("on" if kind in ("checkbox", "radio") else "")]
        fields.setdefault(a["name"], []).extend(values)
    return {name: v[0] if len(v) == 1 else v for name, v in fields.items()}
