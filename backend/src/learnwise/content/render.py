"""Markdown to safe HTML for learners: CommonMark with tables, fenced code and dollar math.

Authors may write raw HTML too; whatever the renderer produces then goes through an allowlist
sanitizer (nh3), so scripts, event handlers, styles and ``javascript:``/``data:`` URLs never reach
a browser. Math is not typeset here: ``$...$`` and ``$$...$$`` come out as their own text inside
``<span class="math inline">`` / ``<div class="math block">`` for the client's KaTeX, and are
shielded from Markdown on the way (``$a_1 * b_2$`` keeps its underscores and stars).
"""

import re
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin

_ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"area", "map"}
_ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": nh3.ALLOWED_ATTRIBUTES["th"] | {"style"},
    "td": nh3.ALLOWED_ATTRIBUTES["td"] | {"style"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
# Classes the client styles: fenced code's language (for highlighting) and the math markers.
_ALLOWED_CLASS = re.compile(r"^(language-[A-Za-z0-9_+#.-]{1,40}|math|inline|block)$")


def _keep_known_classes(tag: str, attribute: str, value: str) -> str | None:
    if attribute != "class":
        return value
    kept = [name for name in value.split() if _ALLOWED_CLASS.match(name)]
    return " ".join(kept) or None


def _math_as_text(content: str, options: dict[str, Any]) -> str:
    delimiter = "$$" if options.get("display_mode") else "$"
    return escapeHtml(f"{delimiter}{content}{delimiter}")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Pandoc's rules: no space inside the delimiters and no digit after the closing one, so
    # prices such as "$5 and $10" stay text.
    md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=False,
        renderer=_math_as_text,
    )
    return md


_MD = _markdown()


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_known_classes,
        url_schemes=_URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer nofollow",
    )


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown text (cached: the same text always renders the same)."""
    return sanitize_html(_MD.render(text))


def _with_html(document: dict[str, Any], *fields: str) -> dict[str, Any]:
    rendered = dict(document)
    for name in fields:
        if isinstance(document.get(name), str):
            rendered[f"{name}_html"] = render_markdown(document[name])
    return rendered


def with_html(content: dict[str, Any]) -> dict[str, Any]:
    """The content with an ``<field>_html`` beside each of its Markdown fields: a lesson's body,
    an exercise's instructions, a quiz's instructions and its questions' prompts and
    explanations (those that are present: a learner's view has none)."""
    match content.get("type"):
        case "lesson":
            return _with_html(content, "body")
        case "exercise":
            return _with_html(content, "instructions")
        case "quiz":
            rendered = _with_html(content, "instructions")
            rendered["questions"] = [
                _with_html(question, "prompt", "explanation")
                for question in content.get("questions", [])
            ]
            return rendered
        case _:
            return dict(content)
