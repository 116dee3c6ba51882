"""One bootstrap per process: settings -> engine, unit of work, handlers, processor, senders."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from functools import cached_property

from sqlalchemy import Engine

from events.catalog import NOTIFICATIONS, NOTIFICATIONS_URGENT
from notifications.channels import FileSender, MailSender, SmtpSender, WebhookSender
from notifications.matrix import HttpMatrixBot, MatrixBot
from notifications.policy import RetrySchedule
from notifications.rendering import Renderer
from notifications.webhook_targets import WebhookPolicy
from services.accounts import password_reset
from services.crypto import FieldCipher
from services.dialogues import recipients as dialogue_recipients
from services.dialogues.timers import DialogueTimers
from services.incidents import case_actions
from services.incidents import recipients as incident_recipients
from services.incidents.timers import CaseTimers
from services.logs import configure_logging
from services.metrics import Backlogs
from services.notify.contacts import register_recipients
from services.notify.delivery import DeliveryRunner, SenderConfig
from services.notify.matrix_ids import CONFIRMATION, confirmation_contact
from services.notify.matrix_replies import MatrixReplies
from services.pipeline.dispatcher import EmbeddedDispatcher
from services.pipeline.handler_types import HandlerTable, load_handlers
from services.pipeline.processing import Processor, RetryPolicy
from services.pipeline.reconciler import Reconciler
from services.selfchecks import recipients as selfcheck_recipients
from services.settings import Settings
from services.store import outbox
from services.store.engine import make_engine
from services.store.outage import database_reachable
from services.store.types import use_field_cipher
from services.store.uow import Clock, UnitOfWork, utc_now
from services.timer_log import TimerLog
from services.timers import Timer, Wake


@dataclass
class Container:
    settings: Settings
    engine: Engine
    handlers: HandlerTable
    clock: Clock = field(default=utc_now)
    # Whether the senders run as threads of their own that a batch wakes (the worker and the
    # embedded server start them); otherwise a batch's follow-up sends right away in its thread.
    senders_in_background: bool = False
    # Set to wake the senders (a process's own threads, or those of a sender process).
    wake_urgent: Wake = field(default_factory=threading.Event)
    wake_bulk: Wake = field(default_factory=threading.Event)
    # With senders in a process of their own, ``timers()`` leaves them out.
    senders_elsewhere: bool = False

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.clock, self.settings.secret_key.get_secret_value())

    @cached_property
    def urgent_engine(self) -> Engine:
        """The urgent lane's engine: on SQLite its writes take the write lock first (see
        ``make_engine``); on PostgreSQL the same engine as everyone's."""
        if self.engine.dialect.name != "sqlite":
            return self.engine
        return make_engine(self.settings.database_url, urgent=True)

    def urgent_uow(self) -> UnitOfWork:
        return UnitOfWork(self.urgent_engine, self.clock, self.settings.secret_key.get_secret_value())

    def processor(self, urgent: bool = False) -> Processor:
        """The Processor of events; ``urgent``: the urgent lane's, writing through its engine."""
        policy = RetryPolicy(
            max_attempts=self.settings.handler_max_attempts,
            backoff_s=self.settings.handler_backoff_s,
            backoff_max_s=self.settings.handler_backoff_max_s,
        )
        return Processor(
            self.urgent_uow if urgent else self.uow,
            self.handlers,
            policy,
            database_reachable=lambda: database_reachable(self.engine),
            follow_ups=self.after_batch(),
        )

    def dispatcher(self) -> EmbeddedDispatcher:
        return EmbeddedDispatcher(
            self.engine, self.processor(), self.settings.worker_batch_size, self.clock, self.after_batch()
        )

    @cached_property
    def renderer(self) -> Renderer:
        sender = parseaddr(self.settings.mail_from)[1] or f"noreply@{self.settings.mail_domain}"
        return Renderer(base_url=self.settings.public_base_url, sender_address=sender)

    def mail_sender(self) -> MailSender:
        s = self.settings
        if not s.smtp_host:
            return FileSender(s.mail_dir)
        return SmtpSender(
            s.smtp_host,
            s.smtp_port,
            s.smtp_starttls,
            s.smtp_ssl,
            s.smtp_username,
            s.smtp_password.get_secret_value(),
        )

    @cached_property
    def delivery_runner(self) -> DeliveryRunner:
        s = self.settings
        config = SenderConfig(
            mail_from=s.mail_from,
            mail_domain=s.mail_domain,
            retry=RetrySchedule(
                s.notification_retry_base_s, s.notification_retry_max_s, s.notification_max_attempts
            ),
            lease=timedelta(seconds=s.notification_lease_s),
            urgent_lease=timedelta(seconds=s.notification_urgent_lease_s),
            outage_retry=timedelta(seconds=s.notification_outage_retry_s),
        )
        return DeliveryRunner(
            self.engine,
            self.renderer,
            self.mail_sender(),
            WebhookSender(self.webhook_policy),
            config,
            self.clock,
            self.matrix_bot,
            urgent_engine=self.urgent_engine,
        )

    @cached_property
    def matrix_bot(self) -> MatrixBot | None:
        s = self.settings
        if not s.matrix_homeserver:
            return None
        return HttpMatrixBot(s.matrix_homeserver, s.matrix_user_id, s.matrix_access_token.get_secret_value())

    @cached_property
    def matrix_replies(self) -> MatrixReplies | None:
        if self.matrix_bot is None:
            return None
        return MatrixReplies(
            self.engine,
            self.uow,
            self.matrix_bot,
            case_actions.acknowledge_from_matrix,
            self.clock,
            self.settings.matrix_wait_ms,
        )

    def after_batch(self) -> dict[str, Callable[[], object]]:
        """Work to do right after a topic's batch committed: send what the handlers just planned,
        without waiting for the next timer tick — by waking the senders where they run in the
        background, so the batch's consumer goes on at once, else here and now."""
        return {
            NOTIFICATIONS_URGENT.name: lambda: self._send_now(urgent=True),
            NOTIFICATIONS.name: lambda: self._send_now(urgent=False),
        }

    def _send_now(self, urgent: bool) -> object:
        if self.senders_in_background:
            (self.wake_urgent if urgent else self.wake_bulk).set()
            return None
        return self.delivery_runner.send_due(urgent)

    @cached_property
    def webhook_policy(self) -> WebhookPolicy:
        s = self.settings
        return WebhookPolicy.of(
            https_only=s.environment == "production", allowed_hosts=s.webhook_allowed_hosts
        )

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher(self.settings.field_keys())

    @cached_property
    def case_timers(self) -> CaseTimers:
        return CaseTimers(self.engine, self.clock)

    @cached_property
    def dialogue_timers(self) -> DialogueTimers:
        return DialogueTimers(self.engine, self.clock, self.settings.secret_key.get_secret_value())

    @cached_property
    def reconciler(self) -> Reconciler:
        grace = timedelta(seconds=self.settings.reconcile_grace_s)
        return Reconciler(self.engine, self.processor(), self.handlers, self.clock, grace)

    def timers(self) -> list[Timer]:
        """Retries and deliveries held back by quiet hours (urgent and bulk apart), escalations
        of unacknowledged cases and missed safety check-ins, dialogue jobs, the outbox's
        retention; with a broker, the reconciler that hands published but unhandled events to the
        Processor again."""
        interval = self.settings.timer_interval_s
        seen = self.timer_log.record
        reconcile = (
            [] if self.settings.embedded else [Timer("reconcile", 5.0, self.reconciler.run_once, seen)]
        )
        replies = self.matrix_replies
        matrix = [Timer("matrix-replies", interval, replies.run_once, seen)] if replies is not None else []
        return [
            *reconcile,
            *matrix,
            *([] if self.senders_elsewhere else self.sender_timers()),
            Timer("escalate-cases", interval * 5, self.case_timers.escalate_due, seen),
            Timer("missed-checkins", interval * 5, self.case_timers.checkins_due, seen),
            Timer("dialogue-jobs", interval * 5, self.dialogue_timers.run_due, seen),
            Timer("outbox-retention", 60.0, self.forget_published_events, seen),
        ]

    def forget_published_events(self) -> int:
        """Published outbox rows older than ``outbox_retention_days``, deleted (the outbox would
        otherwise keep every event ever published)."""
        before = self.clock() - timedelta(days=self.settings.outbox_retention_days)
        return outbox.forget_published_before(self.engine, before)

    def sender_timers(self, urgent: bool | None = None) -> list[Timer]:
        """The urgent lane's sender and the bulk senders (or one lane's: ``urgent``), each a timer
        a batch can wake."""
        interval, seen, runner = self.settings.timer_interval_s, self.timer_log.record, self.delivery_runner
        lane_urgent = [Timer("send-urgent", interval, runner.send_urgent, seen, self.wake_urgent)]
        lane_bulk = [
            Timer(f"send-bulk-{n}", interval * 5, runner.send_bulk, seen, self.wake_bulk)
            for n in range(1, self.settings.notification_senders + 1)
        ]
        if urgent is None:
            return [*lane_urgent, *lane_bulk]
        return lane_urgent if urgent else lane_bulk

    @cached_property
    def backlogs(self) -> Backlogs:
        """What /metrics reads from the database at every scrape."""
        return Backlogs(self.engine, self.settings, self.clock)

    @cached_property
    def timer_log(self) -> TimerLog:
        return TimerLog(self.engine, self.clock)


def bootstrap(settings: Settings | None = None, clock: Clock = utc_now) -> Container:
    settings = settings or Settings()
    configure_logging(settings.log_format)
    dialogue_recipients.register(settings.secret_key.get_secret_value())
    incident_recipients.register()
    password_reset.recipients(settings.secret_key.get_secret_value())
    selfcheck_recipients.register(settings.secret_key.get_secret_value())
    register_recipients(CONFIRMATION, confirmation_contact(settings.secret_key.get_secret_value()))
    use_field_cipher(FieldCipher(settings.field_keys()))
    return Container(
        settings=settings,
        engine=make_engine(settings.database_url),
        handlers=load_handlers(settings.handlers),
        clock=clock,
    )
