"""The prose of a content item, for embeddings and generation: Markdown reduced to its text
(code blocks, which are not prose, left out), and per type the fields that carry meaning."""

import re
from typing import Any

from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark")
_VTT_TIMING = re.compile(r"^\s*(\d\d:)?\d\d:\d\d\.\d{3}\s*-->.*$")
_BLOCK_END = {"paragraph_close", "heading_close", "list_item_close", "blockquote_close"}


def markdown_to_text(markdown: str) -> str:
    """Paragraphs and headings as plain lines (a heading becomes a sentence of its own)."""
    lines: list[str] = []
    current: list[str] = []
    for token in _markdown.parse(markdown):
        if token.type == "inline" and token.children is not None:
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    current.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    current.append(" ")
        elif token.type in _BLOCK_END and current:
            line = "".join(current).strip()
            if token.type == "heading_close" and line and line[-1] not in ".!?:":
                line += "."
            lines.append(line)
            current = []
    if current:
        lines.append("".join(current).strip())
    return "\n".join(line for line in lines if line)


def vtt_to_text(vtt: str) -> str:
    lines = []
    for line in vtt.splitlines():
        line = line.strip()
        if not line or line.startswith(("WEBVTT", "NOTE")) or _VTT_TIMING.match(line):
            continue
        if line.isdigit():  # cue identifiers
            continue
        lines.append(line)
    return " ".join(lines)


def item_text(title: str, content: dict[str, Any]) -> str:
    """What an item says, as plain text: its title, then its type's prose fields."""
    kind = content.get("type")
    parts = [title.strip()] if title.strip() else []
    if kind == "lesson":
        parts.append(markdown_to_text(content.get("body", "")))
    elif kind == "video":
        if content.get("transcript"):
            parts.append(markdown_to_text(content["transcript"]))
        else:
            parts.extend(vtt_to_text(c["vtt"]) for c in content.get("captions", []) if c.get("vtt"))
    elif kind == "quiz":
        parts.append(markdown_to_text(content.get("instructions", "")))
        for question in content.get("questions", []):
            parts.append(markdown_to_text(question.get("prompt", "")))
            parts.append(markdown_to_text(question.get("explanation", "")))
    elif kind == "exercise":
        parts.append(markdown_to_text(content.get("instructions", "")))
    elif kind in ("file", "link"):
        parts.append(content.get("description", ""))
    return "\n".join(part for part in parts if part.strip())
