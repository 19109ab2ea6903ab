"""The configured chat model, if any: ``LEARNWISE_LLM="provider:model"`` through LangChain's
``init_chat_model`` (the provider's package must be installed; ``openai`` comes with the extra
``llm``), optionally at an OpenAI-compatible base URL (a local Ollama or vLLM).

    model = client.chat_model(settings, personal_data=False)   # None: work offline

Timeouts, transport retries and the output token limit are set on the model; ``ledger.ask``
adds the per-user rate limit, validation and the usage ledger.
"""

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel

from learnwise.config import Settings


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model ``settings.llm`` names, configured from ``settings.ai``."""
    assert settings.llm is not None
    ai = settings.ai
    options: dict[str, object] = {
        "timeout": ai.llm_timeout_seconds,
        "max_retries": ai.llm_max_retries,
        "max_tokens": ai.llm_max_output_tokens,
    }
    if ai.llm_base_url:
        options["base_url"] = ai.llm_base_url
        # OpenAI's client insists on a key even for servers that ignore it.
        options["api_key"] = ai.llm_api_key.get_secret_value() if ai.llm_api_key else "unused"
    elif ai.llm_api_key:
        options["api_key"] = ai.llm_api_key.get_secret_value()
    return init_chat_model(settings.llm, **options)


def chat_model(settings: Settings, *, personal_data: bool) -> BaseChatModel | None:
    """The model to ask, or None when none is configured, or when the request would carry a
    learner's personal data and the admin has not allowed that."""
    if settings.llm is None:
        return None
    if personal_data and not settings.ai.llm_allow_personal_data:
        return None
    return build_chat_model(settings)


def model_name(settings: Settings) -> str:
    return settings.llm or ""
