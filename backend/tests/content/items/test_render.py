"""Lesson Markdown to HTML: code and math survive, nothing executable does."""

import pytest

from learnwise.content.render import render_markdown


def test_markdown_basics_tables_and_code() -> None:
    html = render_markdown(
        "# Title\n\n*em* ~~gone~~\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n"
        "```python\nprint('<b>')\n```\n"
    )
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html and "<s>gone</s>" in html
    assert '<th style="text-align:right">a</th>' in html
    assert "<pre><code class=\"language-python\">print('&lt;b&gt;')" in html


def test_math_is_left_as_text_for_katex() -> None:
    html = render_markdown("Inline $a_1 * b_2$ here.\n\n$$\n\\int_0^1 x^2 < 3\n$$\n")
    assert '<span class="math inline">$a_1 * b_2$</span>' in html
    assert '<div class="math block">\n$$\\int_0^1 x^2 &lt; 3$$\n</div>' in html


def test_prices_are_not_math() -> None:
    assert render_markdown("It costs $5 and $10.") == "<p>It costs $5 and $10.</p>\n"


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
        '<svg onload="alert(1)"></svg>',
        "<style>body{display:none}</style>",
        '<form action="https://evil.example"><input name=x></form>',
    ],
)
def test_nothing_executable_survives(dangerous: str) -> None:
    html = render_markdown(f"Before\n\n{dangerous}\n\nAfter").lower()
    for marker in ("<script", "onerror", "onclick", "onload", "javascript:", "data:", "<iframe"):
        assert marker not in html.replace("(javascript:alert(1))", ""), html
    assert "<style" not in html and "<form" not in html and "<svg" not in html
    assert "after" in html


def test_links_are_kept_with_a_safe_rel() -> None:
    html = render_markdown("[docs](https://docs.python.org)")
    assert '<a href="https://docs.python.org" rel="noopener noreferrer nofollow">docs</a>' in html


def test_unknown_classes_are_dropped() -> None:
    html = render_markdown('<span class="math evil" id="x">y</span>')
    assert html.strip() == '<p><span class="math">y</span></p>'
