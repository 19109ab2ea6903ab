"""Settings: one pydantic-settings root with a nested section per domain.

Variables are prefixed ``LEARNWISE_`` (nested sections use ``__``, for example
``LEARNWISE_AUTH__ACCESS_TOKEN_MINUTES``), except the two conventional URLs ``DATABASE_URL`` and
``REDIS_URL``. A ``.env`` file in the working directory is read too.
"""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "dev-only-secret-change-me-dev-only-secret-change-me"
MIN_SECRET_BYTES = 32  # 256 bits, the HMAC key size HS256 needs


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class AuthSettings(BaseModel):
    access_token_minutes: int = Field(15, ge=1, le=60)
    refresh_absolute_days: int = Field(30, ge=1)
    refresh_idle_days: int = Field(7, ge=1)
    refresh_grace_seconds: int = Field(10, ge=0, le=120)
    jwt_issuer: str = "learnwise"
    jwt_audience: str = "learnwise-api"
    # Per-IP and per-account+IP limits on login and token endpoints ("limits" notation).
    login_rate_per_ip: str = "30/minute"
    login_rate_per_account_ip: str = "5/minute"
    # Sign-ups per IP: slows mass account creation and email probing, yet leaves room for a
    # campus behind one NAT address.
    register_rate_per_ip: str = "60/hour"
    session_cache_seconds: int = Field(60, ge=1)
    # With Redis, each instance also keeps the session entries it read lately for this long, so
    # that most requests make no round trip; a revocation made through another instance reaches
    # this one within this time (through this instance: at once). 0 turns the copy off.
    session_local_cache_seconds: float = Field(2.0, ge=0, le=60)
    # An Ed25519 private key (PEM) to sign access tokens with EdDSA and publish a JWKS;
    # without one, tokens are HS256-signed with the secret key.
    jwt_private_key: SecretStr = SecretStr("")
    oidc_providers: list["OidcProviderSettings"] = []


class OidcProviderSettings(BaseModel):
    """One OpenID Connect provider (Google, Microsoft, Keycloak, ...)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    display_name: str
    issuer: str
    client_id: str
    client_secret: SecretStr = SecretStr("")
    scopes: str = "openid email profile"


GIB = 1024**3
MIB = 1024**2


class MediaSettings(BaseModel):
    """Uploaded files: where they are stored and how large they may be."""

    storage: Literal["local", "s3"] = "local"
    # Local storage: every object lives under this directory, under a name the server made.
    local_root: Path = Path("./data/media")
    # Where uploads are spooled while they are checked; defaults to <local_root>/tmp for local
    # storage (so that storing is a rename) and to the system's temporary directory for S3.
    temp_dir: Path | None = None
    # S3-compatible storage (AWS, MinIO, Ceph, R2, ...).
    s3_endpoint_url: str | None = None
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    # Limits. Images are decoded whole to be re-encoded, hence their smaller limits.
    max_file_bytes: int = Field(2 * GIB, ge=1024)
    max_image_bytes: int = Field(30 * MIB, ge=1024)
    max_image_pixels: int = Field(50_000_000, ge=10_000)
    # The most an office document may unpack to (zip bombs are refused).
    max_archive_unpacked_bytes: int = Field(512 * MIB, ge=MIB)
    # Per user: their files plus their unfinished resumable uploads. Admins have none.
    quota_bytes: int = Field(20 * GIB, ge=0)
    # The largest chunk one resumable-upload request may carry.
    chunk_bytes: int = Field(16 * MIB, ge=64 * 1024)
    upload_expiry_hours: int = Field(24, ge=1)
    thumbnail_pixels: int = Field(320, ge=32, le=2048)
    # Signed URLs: the default and the longest lifetime, and the origin they are built on
    # (a CDN in front of the API; the public URL when unset).
    signed_url_seconds: int = Field(3600, ge=10)
    signed_url_max_seconds: int = Field(7 * 24 * 3600, ge=10)
    signed_url_base: str | None = None

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Self:
        if self.storage == "s3" and not self.s3_bucket:
            raise ValueError("LEARNWISE_MEDIA__S3_BUCKET must be set when the storage is s3")
        if self.signed_url_seconds > self.signed_url_max_seconds:
            raise ValueError("signed_url_seconds must not exceed signed_url_max_seconds")
        return self


class EventsSettings(BaseModel):
    """The outbox relay: how domain events reach their consumers and realtime channels."""

    # Off, this instance records events but leaves relaying them to other instances.
    relay_enabled: bool = True
    # The relay also wakes right after a commit that recorded events; polling catches the rest
    # (events committed by other instances, retries that became due).
    poll_seconds: float = Field(2.0, gt=0, le=300)
    batch_size: int = Field(100, ge=1, le=1000)
    # A failed consumer is retried after base * 2^(attempts - 1) seconds, at most max.
    retry_base_seconds: float = Field(5.0, gt=0)
    retry_max_seconds: float = Field(3600.0, gt=0)
    # Published events are deleted after this long (with their receipts).
    retention_days: int = Field(14, ge=1)
    retention_sweep_seconds: int = Field(3600, ge=1)


class RealtimeSettings(BaseModel):
    """The WebSocket endpoint /api/v1/ws and its channels."""

    # An unauthenticated connection must send its token within this time.
    auth_timeout_seconds: float = Field(5.0, gt=0, le=60)
    # The server pings this often; a client silent for idle_timeout_seconds is closed.
    heartbeat_seconds: float = Field(25.0, gt=0)
    idle_timeout_seconds: float = Field(60.0, gt=0)
    # How often a connection's session is checked for revocation.
    session_check_seconds: float = Field(15.0, gt=0)
    # A client reconnecting within the window gets what it missed; later it is told to resync.
    replay_window_seconds: float = Field(120.0, gt=0)
    replay_max_messages: int = Field(1000, ge=1)
    # Messages waiting for one client; a client that falls further behind is disconnected.
    client_queue_size: int = Field(256, ge=1)
    max_subscriptions: int = Field(100, ge=1)
    max_client_message_bytes: int = Field(8192, ge=256)

    @model_validator(mode="after")
    def _idle_longer_than_heartbeat(self) -> Self:
        if self.idle_timeout_seconds <= self.heartbeat_seconds:
            raise ValueError("idle_timeout_seconds must exceed heartbeat_seconds")
        return self


class CacheSettings(BaseModel):
    """The read-through cache of catalog pages and course pages (in Redis when REDIS_URL is set).

    Every change retires what it affects at once, on every instance; these lifetimes are only
    the backstop.
    """

    catalog_seconds: int = Field(60, ge=1)
    outline_seconds: int = Field(3600, ge=1)
    # Cache-Control max-age of anonymous catalog responses, which browsers and shared caches
    # (a CDN) may then serve this long without asking; 0 makes them revalidate every time.
    catalog_max_age_seconds: int = Field(60, ge=0)


class JobsSettings(BaseModel):
    """Background jobs (model fitting, generation, reports, retention sweeps)."""

    # Off, this instance queues jobs but leaves running them to other instances or to
    # `learnwise worker` processes.
    worker_enabled: bool = True
    # Jobs one worker runs at the same time.
    concurrency: int = Field(2, ge=1, le=64)
    # A worker also wakes right after a commit that queued a job; polling catches the rest.
    poll_seconds: float = Field(2.0, gt=0, le=300)
    # A running job's claim lasts lease_seconds; its worker renews it every heartbeat_seconds.
    # A job whose worker died is run again once its lease has expired.
    lease_seconds: float = Field(60.0, gt=0)
    heartbeat_seconds: float = Field(10.0, gt=0)
    # Handlers may set their own; a job running longer fails (and is retried if it may be).
    default_timeout_seconds: float = Field(900.0, gt=0)
    # A failed attempt is retried after base * 2^(attempts - 1) seconds, at most max.
    retry_base_seconds: float = Field(10.0, gt=0)
    retry_max_seconds: float = Field(3600.0, gt=0)
    # Finished jobs are deleted after this long.
    retention_days: int = Field(7, ge=1)

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> Self:
        if self.heartbeat_seconds >= self.lease_seconds:
            raise ValueError("heartbeat_seconds must be shorter than lease_seconds")
        return self


class LearnerModelSettings(BaseModel):
    """The knowledge-tracing learner model of the AI service."""


class RecommendSettings(BaseModel):
    """Recommendations, spaced-repetition reviews and learning paths."""

    # How long an instance serves its snapshot of the catalog and of what all learners did
    # (item and course neighbours, popularity) before rebuilding it.
    catalog_refresh_seconds: float = Field(300.0, ge=0)
    # Items are best when the learner model predicts a success between these (not too easy,
    # not too hard).
    target_success_low: float = Field(0.6, ge=0, le=1)
    target_success_high: float = Field(0.85, ge=0, le=1)
    # A course published this recently is recommended as new.
    fresh_days: int = Field(14, ge=0, le=365)

    @model_validator(mode="after")
    def _band_in_order(self) -> Self:
        if self.target_success_low > self.target_success_high:
            raise ValueError("target_success_low must not exceed target_success_high")
        return self


class AISettings(BaseModel):
    """Language models (optional), generation and embeddings.

    The model itself is the root setting ``LEARNWISE_LLM="provider:model"``; these tune it.
    """

    # An OpenAI-compatible server (a local Ollama or vLLM: http://127.0.0.1:11434/v1) and its key.
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = Field(30.0, gt=0, le=600)
    # Transport retries inside the client, then attempts at a valid answer before falling back.
    llm_max_retries: int = Field(2, ge=0, le=10)
    llm_attempts: int = Field(2, ge=1, le=5)
    llm_max_output_tokens: int = Field(2048, ge=64, le=32_768)
    # The longest source text sent in one prompt (characters); longer sources are cut.
    llm_max_input_chars: int = Field(24_000, ge=1000)
    llm_rate_per_user: str = "30/hour"
    # Off: nothing that identifies a learner, nor what they wrote, is sent to the model.
    llm_allow_personal_data: bool = False
    # Generation: the accepted size of a source text (characters).
    generation_min_chars: int = Field(200, ge=20)
    generation_max_chars: int = Field(200_000, ge=1000)
    generation_rate_per_user: str = "60/hour"
    # Embeddings (wordllama's l2_supercat, shipped inside the package with 256 dimensions): the
    # size kept (a Matryoshka model: a prefix is still a good embedding), and where the links to
    # its files are made.
    embedding_dim: int = Field(256, ge=64, le=256)
    embedding_cache_dir: Path = Path("./data/wordllama")
    # LangGraph checkpoints on SQLite: a file of their own (default: beside the database).
    checkpoint_sqlite_path: Path | None = None

    @model_validator(mode="after")
    def _generation_limits_in_order(self) -> Self:
        if self.generation_min_chars >= self.generation_max_chars:
            raise ValueError("generation_min_chars must be below generation_max_chars")
        return self


class AnalyticsSettings(BaseModel):
    """Activity tracking, learning analytics and their retention."""

    # Client event batches: the most events in one, and how many batches a user may send.
    max_batch_events: int = Field(500, ge=1, le=2000)
    ingest_rate_per_user: str = "120/minute"
    # Client events older than this, or later than now plus the skew, are refused.
    max_event_age_hours: int = Field(72, ge=1, le=24 * 30)
    max_clock_skew_seconds: int = Field(300, ge=0, le=3600)
    # Raw activity events are deleted after this long; the rollups built from them stay.
    retention_days: int = Field(395, ge=1)
    # Cohorts (and other groups of learners) smaller than this are suppressed.
    k_anonymity: int = Field(5, ge=2, le=100)
    # A learner of a course is at risk when inactive this many days without completing it.
    at_risk_inactive_days: int = Field(7, ge=1, le=365)


class ReportSettings(BaseModel):
    """Analytics reports (CSV, XLSX, PDF) and the Prometheus metrics endpoint."""

    # Generated reports can be downloaded this long, then they are deleted.
    retention_hours: int = Field(72, ge=1)
    # The longest period a report may cover, and the period of a platform summary by default.
    max_range_days: int = Field(366, ge=1)
    default_range_days: int = Field(90, ge=1)
    # Groups (cohorts, quizzes, courses) of fewer people are suppressed in anonymized exports.
    k_anonymity: int = Field(5, ge=2)
    # The HMAC key of learner pseudonyms; empty: derived from the secret key.
    pseudonym_key: SecretStr = SecretStr("")
    # A bearer token that lets a Prometheus scraper read /metrics; empty: admins only.
    metrics_token: SecretStr = SecretStr("")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LEARNWISE_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    environment: Environment = Environment.DEVELOPMENT
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    database_url: str = Field(
        "sqlite+aiosqlite:///./data/learnwise.db",
        validation_alias=AliasChoices("DATABASE_URL", "LEARNWISE_DATABASE_URL"),
    )
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("REDIS_URL", "LEARNWISE_REDIS_URL")
    )
    redis_prefix: str = "learnwise"
    # Connections per instance: PostgreSQL allows 100 by default, shared by every instance.
    database_pool_size: int = Field(10, ge=1)
    database_max_overflow: int = Field(10, ge=0)
    # Redis connections per instance; a request finding them all busy waits up to the timeout.
    redis_max_connections: int = Field(200, ge=2)
    redis_pool_timeout_seconds: float = Field(5.0, gt=0)
    public_url: str = "http://localhost:8000"
    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(1_048_576, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True
    # A LangChain chat model, "provider:model" (openai:gpt-4o-mini, ollama:llama3.1, ...); unset,
    # the AI service works offline.
    llm: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+:.+$")

    auth: AuthSettings = AuthSettings()
    media: MediaSettings = MediaSettings()
    cache: CacheSettings = CacheSettings()
    events: EventsSettings = EventsSettings()
    realtime: RealtimeSettings = RealtimeSettings()
    jobs: JobsSettings = JobsSettings()
    learner_model: LearnerModelSettings = LearnerModelSettings()
    recommend: RecommendSettings = RecommendSettings()
    ai: AISettings = AISettings()
    analytics: AnalyticsSettings = AnalyticsSettings()
    reports: ReportSettings = ReportSettings()

    @model_validator(mode="before")
    @classmethod
    def _split_cors(cls, data: dict) -> dict:
        origins = data.get("cors_origins")
        if isinstance(origins, str):
            data["cors_origins"] = [o.strip() for o in origins.split(",") if o.strip()]
        return data

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Self:
        secret = self.secret_key.get_secret_value()
        if self.environment == Environment.PRODUCTION and (
            secret == DEFAULT_SECRET or len(secret.encode()) < MIN_SECRET_BYTES
        ):
            raise ValueError(
                "LEARNWISE_SECRET_KEY must be set to a random value of at least 32 bytes in "
                "production (for example: python -c "
                "'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError("LEARNWISE_SECRET_KEY must be at least 32 bytes (256 bits)")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure everywhere but on a developer's or a test's plain-HTTP origin."""
        return self.environment == Environment.PRODUCTION or self.public_url.startswith("https")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return Path(self.database_url.split("///", 1)[1])


@lru_cache
def get_settings() -> Settings:
    return Settings()
