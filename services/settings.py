"""All configuration, read from the environment (prefix WELTOFFEN_) or a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.crypto import development_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
PLACEHOLDER_SECRET = "change-me-development-only"  # noqa: S105 - the placeholder is refused outside development


class Settings(BaseSettings):
    """One settings object per process, built in the bootstrap and passed down."""

    model_config = SettingsConfigDict(env_prefix="WELTOFFEN_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Empty: SQLite in DATA_DIR (embedded mode).
    database_url: str = ""
    # Empty: embedded mode (no broker; handlers run in-process from the outbox).
    kafka_bootstrap: str = ""
    topic_prefix: str = ""
    worker_group: str = "weltoffen-worker"
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    token_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Comma-separated Fernet keys; the first encrypts. Empty outside production: derived from SECRET_KEY.
    encryption_keys: SecretStr = SecretStr("")
    public_base_url: str = "http://127.0.0.1:8000"

    handlers: str = "services.handler_table:HANDLERS"
    handler_max_attempts: int = Field(default=5, ge=1)
    handler_backoff_s: float = Field(default=0.2, gt=0)
    handler_backoff_max_s: float = Field(default=10.0, gt=0)
    worker_batch_size: int = Field(default=200, ge=1)
    worker_batch_within_s: float = Field(default=0.05, gt=0)
    # How many fetched events each of the worker's streams holds ahead of its agent (Faust's
    # stream_buffer_maxsize, 4096 by default). With Faust's 4096, a backlog kept the buffer full and
    # Faust paused and resumed the fetching all the time; with 16384 a worker drained about 1.4
    # times as many events per second (docs/throughput.md). Memory: about this many events per
    # topic (an event is well under a kilobyte).
    worker_stream_buffer: int = Field(default=16384, ge=256, le=131072)
    # How long a silent worker keeps its partitions before the group gives them to another one.
    worker_session_timeout_s: float = Field(default=10.0, ge=6, le=300)
    # Published events no agent has handled after this long are handed to the Processor again.
    reconcile_grace_s: float = Field(default=60.0, gt=0)

    # /metrics (Prometheus): with a token, whoever sends it as a bearer token; without, this machine
    # only. The worker and the relay serve theirs on these ports of metrics_host (0: none).
    metrics_token: SecretStr = SecretStr("")
    metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = Field(default=9108, ge=0, le=65535)
    relay_metrics_port: int = Field(default=9109, ge=0, le=65535)
    # "json": one JSON object per log line, with the event id it belongs to (for a log pipeline).
    log_format: Literal["text", "json"] = "text"

    relay_batch_size: int = Field(default=500, ge=1)
    relay_idle_s: float = Field(default=0.05, gt=0)
    # How often the relay's urgent lane looks for new rows when it found none (a cheap query on
    # the outbox's index of unpublished rows): an emergency waits at most this long for the relay.
    relay_urgent_idle_s: float = Field(default=0.01, gt=0)
    # On PostgreSQL the urgent lane instead waits for a commit's notice that urgent rows were
    # written (LISTEN/NOTIFY), and looks anyway after this long (rows written without a notice).
    relay_urgent_listen_s: float = Field(default=0.25, gt=0)
    relay_backoff_max_s: float = Field(default=5.0, gt=0)
    # Published outbox rows are deleted after this many days (dead letters are kept). Not less than
    # a day: the reconciler reads the last hour's rows to find events published but never handled.
    outbox_retention_days: int = Field(default=7, ge=1)

    # Notifications. No SMTP host: mail is written as .eml files into data_dir/mail.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    mail_from: str = "Weltoffen <noreply@weltoffen.invalid>"
    mail_domain: str = "weltoffen.invalid"
    notification_retry_base_s: float = Field(default=30.0, gt=0)
    notification_retry_max_s: float = Field(default=3600.0, gt=0)
    notification_max_attempts: int = Field(default=6, ge=1)
    notification_lease_s: float = Field(default=120.0, gt=0)
    # Threads per process sending ordinary messages in parallel, each over its own SMTP connection
    # (the urgent lane has a thread of its own besides).
    notification_senders: int = Field(default=3, ge=1, le=32)
    # The worker runs its senders in processes of their own, the urgent sender apart from the bulk
    # senders (embedded mode: threads of their own).
    worker_sender_process: bool = True
    # The worker hands its bulk topics' batches to a Processor in a process of its own, so Faust and
    # the database work on two cores at once; its urgent topics are then read by a consumer process
    # of their own (group WORKER_GROUP-urgent, services/worker/urgent_consumer.py). Needs the sender
    # process: they wake those senders.
    # On with either database (measured on 2 cores: docs/throughput.md).
    worker_processor_process: bool = True
    # How much lower the bulk senders' process is scheduled (nice, 0-19; 0: like the worker), so on
    # a busy machine events and the urgent lane get the processor before bulk mail.
    bulk_senders_nice: int = Field(default=10, ge=0, le=19)
    # How much higher the urgent lane's processes (urgent Processor, urgent sender) are scheduled
    # (nice, -20-0; 0: like the worker), so during a rush an emergency does not take turns with bulk
    # work for the processor. Needs the host's leave (root, CAP_SYS_NICE or LimitNICE=); without it
    # they run at normal priority and the worker logs a warning (services/priority.py).
    urgent_nice: int = Field(default=-10, ge=-20, le=0)
    # How many processes of a worker send bulk notifications (confirmations, waiting-list mails,
    # digests). One process renders and sends about one core's worth; after a rush of registrations
    # a second one uses the other core (deliveries are claimed per row, so they never send twice).
    bulk_sender_processes: int = Field(default=2, ge=1, le=16)
    # An urgent delivery claimed by a sender that died is taken over after this: keep it short, but
    # longer than one urgent send may take (the SMTP and webhook timeouts of the urgent sender).
    notification_urgent_lease_s: float = Field(default=15.0, gt=0)
    # While the mail server is unreachable (an outage, not the message's fault), deliveries wait and
    # are tried again at this pace; such tries do not count towards giving up.
    notification_outage_retry_s: float = Field(default=5.0, gt=0)
    timer_interval_s: float = Field(default=0.2, gt=0)

    # The Matrix channel: the deployment's bot account on its own homeserver (no homeserver: no Matrix
    # channel). The bot writes into a direct room with each person and reads their reactions back;
    # a reading waits up to matrix_wait_ms for something to happen.
    matrix_homeserver: str = ""
    matrix_user_id: str = ""
    matrix_access_token: SecretStr = SecretStr("")
    matrix_wait_ms: int = Field(default=5000, ge=0, le=60000)

    # Webhook hosts trusted even though they resolve to an internal address (comma-separated names or
    # addresses): a receiver inside the operator's own network. Empty: public addresses only.
    webhook_allowed_hosts: str = ""
    # The largest request body accepted (evidence uploads have their own limit of 10 MiB).
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    # The API documentation: None = on in development and test, off in production.
    api_docs: bool | None = None

    # Requests a minute per client address on the public endpoints (0: no limit).
    sign_in_per_minute: int = Field(default=20, ge=0)
    anonymous_reports_per_minute: int = Field(default=10, ge=0)
    registrations_per_minute: int = Field(default=30, ge=0)
    anonymous_case_lookups_per_minute: int = Field(default=10, ge=0)
    # Proxies whose X-Forwarded-For / -Proto is believed (comma-separated addresses, "*" for any).
    # Empty: the peer's address is the client's, whatever headers it sends.
    trusted_proxies: str = ""

    api_port: int = 8000
    # Where embedded mode keeps its files: the project's own var/ folder, wherever a command runs from.
    data_dir: Path = PROJECT_ROOT / "var"

    @property
    def embedded(self) -> bool:
        return not self.kafka_bootstrap

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def topic(self, name: str) -> str:
        """The deployed topic name: the catalogue name with this deployment's prefix."""
        return self.topic_prefix + name

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir.resolve() / 'weltoffen.db'}"
        return self

    @property
    def docs_enabled(self) -> bool:
        """The API documentation (/docs, /openapi.json): on unless production says otherwise."""
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Settings:
        if self.environment != "production":
            return self
        secret = self.secret_key.get_secret_value()
        if secret == PLACEHOLDER_SECRET or len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < 10:
            raise ValueError(
                f"WELTOFFEN_SECRET_KEY is too weak for production: set at least {MIN_SECRET_LENGTH} random "
                "characters, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not self.encryption_keys.get_secret_value():
            raise ValueError(
                "WELTOFFEN_ENCRYPTION_KEYS must be set in production: "
                "set it to the output of 'weltoffen crypto new-key'"
            )
        return self

    def field_keys(self) -> list[str]:
        configured = [k.strip() for k in self.encryption_keys.get_secret_value().split(",") if k.strip()]
        return configured or [development_key(self.secret_key.get_secret_value())]
