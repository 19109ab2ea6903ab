"""Generation errors, each a stable problem code."""

from learnwise.errors import InvalidInput, NotFound, PayloadTooLarge


class TextTooShort(InvalidInput):
    code, title = "text-too-short", "Too little text to generate from"


class TextTooLong(PayloadTooLarge):
    code, title = "text-too-long", "Too much text to generate from at once"


class GenerationNotFound(NotFound):
    code, title = "generation-not-found", "Generation not found"
