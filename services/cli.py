"""The ``weltoffen`` command."""

from __future__ import annotations

import getpass
import os
import signal
import subprocess
import sys
import threading

import typer

from services.cli_deadletters import deadletters_app
from services.cli_routing import coordinators_app, demo, oncall_app
from services.cli_support import ROOT, console, load_settings
from services.settings import Settings

app = typer.Typer(help="Weltoffen: workflows for open, cohesive municipalities.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics from the catalogue.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts.", no_args_is_help=True)
crypto_app = typer.Typer(help="Encryption keys of sensitive fields.", no_args_is_help=True)
outbox_app = typer.Typer(help="Messages waiting to be published.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(crypto_app, name="crypto")
app.add_typer(topics_app, name="topics")
app.add_typer(db_app, name="db")
app.add_typer(accounts_app, name="accounts")
app.add_typer(coordinators_app, name="coordinators")
app.add_typer(oncall_app, name="oncall")
app.add_typer(deadletters_app, name="deadletters")
app.command("demo")(demo)


BROKER_SCRIPT = ROOT / "infra" / "kafka" / "broker.sh"


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Embedded mode: API and handlers in one process, SQLite, no broker. Nothing else to install."""
    settings = load_settings(kafka_bootstrap="")
    _run_api(settings, host, port)


@app.command()
def api(host: str = "127.0.0.1", port: int | None = None) -> None:
    """Only the HTTP API (with Kafka configured, events leave through the relay)."""
    settings = load_settings()
    _run_api(settings, host, port or settings.api_port)


@app.command()
def worker() -> None:
    """The Faust worker: one agent per input topic the handler table needs."""
    from faust.worker import Worker

    from services.bootstrap import bootstrap
    from services.metrics import serve_metrics
    from services.worker.app import Background, BatchProcessor, create_worker_app

    container = bootstrap(_broker_settings())
    serve_metrics(container.settings, container.backlogs, container.settings.worker_metrics_port)
    container.senders_in_background = True  # the app starts them (services.worker.app)
    senders = None
    if container.settings.worker_sender_process:
        from services.notify.sender_process import SenderProcess

        senders = SenderProcess(container.settings)
        container.wake_urgent, container.wake_bulk = senders.wake_urgent, senders.wake_bulk
        container.senders_elsewhere = True
    bulk: BatchProcessor = container.processor()
    urgent: BatchProcessor | None = container.processor(urgent=True)
    children: list[Background] = []
    topics = None
    if senders is not None and container.settings.worker_processor_process:
        from events.catalog import URGENT_TOPICS
        from services.worker.processor_process import ProcessorProcess
        from services.worker.urgent_consumer import UrgentConsumer

        wakes = (senders.wake_urgent, senders.wake_bulk)
        bulk, urgent = ProcessorProcess(container.settings, *wakes), None
        # Emergencies first: the urgent sender runs and the urgent topics are read before the
        # bulk topics' agents start (the app would start the senders only with those).
        urgent_consumer = UrgentConsumer(container.settings, *wakes)
        signal.signal(signal.SIGTERM, _interrupt)  # until Faust's own handlers: stop as on Ctrl-C
        try:
            senders.start()
            urgent_consumer.start(ready_within_s=60)
        except BaseException:  # Ctrl-C or SIGTERM before Faust's handlers: the children end too
            urgent_consumer.stop(timeout_s=10)
            senders.stop(timeout_s=10)
            raise
        children.extend((urgent_consumer, bulk))
        topics = [spec for spec in container.handlers.topics() if spec not in URGENT_TOPICS.values()]
    faust_app = create_worker_app(
        container.settings,
        bulk,
        container.handlers,
        container.after_batch(),
        container.timers(),
        senders,
        urgent_processor=urgent,
        children=children,
        on_full_batch=senders.rush if senders is not None else None,
        topics=topics,
    )
    Worker(faust_app, loglevel="info", quiet=True).execute_from_commandline()


@app.command()
def relay() -> None:
    """Publish the outbox to Kafka until interrupted."""
    from services.bootstrap import bootstrap
    from services.metrics import serve_metrics
    from services.relay.relay import Relay

    container = bootstrap(_broker_settings())
    serve_metrics(container.settings, container.backlogs, container.settings.relay_metrics_port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"relay: publishing the outbox to {container.settings.kafka_bootstrap}")
    try:
        Relay(
            container.settings, container.engine, clock=container.clock, urgent_engine=container.urgent_engine
        ).run(stop)
    except KeyboardInterrupt:
        stop.set()


@app.command()
def dev(port: int = 8000, kafka_port: int = 9092) -> None:
    """Local Kafka broker + relay + worker + API. Ctrl-C or SIGTERM stops all of them."""
    taken = [p for p in (port, kafka_port, kafka_port + 1) if not _port_free(p)]
    if taken:
        console.print(
            f"[red]dev[/red]: port(s) {', '.join(map(str, taken))} already in use "
            "(another 'weltoffen dev'?); stop it or choose --port / --kafka-port",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    env = {**os.environ, "KAFKA_PORT": str(kafka_port), "KAFKA_CONTROLLER_PORT": str(kafka_port + 1)}
    env["WELTOFFEN_KAFKA_BOOTSTRAP"] = f"127.0.0.1:{kafka_port}"
    children: list[subprocess.Popen[bytes]] = []
    previous = signal.signal(signal.SIGTERM, _interrupt)  # 'kill PID' stops everything, like Ctrl-C
    try:
        subprocess.run(["bash", str(BROKER_SCRIPT), "start"], check=True, env=env)
        for command in (["db", "upgrade"], ["topics", "apply"]):
            subprocess.run([sys.executable, "-m", "services.cli", *command], check=True, env=env)
        for command in (["relay"], ["worker"], ["api", "--port", str(port)]):
            children.append(subprocess.Popen([sys.executable, "-m", "services.cli", *command], env=env))
        console.print(f"dev: API on http://127.0.0.1:{port}/api/docs — Ctrl-C stops everything")
        while all(child.poll() is None for child in children):
            threading.Event().wait(0.5)
        console.print("dev: a process ended; stopping the rest")
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # finish stopping, whatever arrives now
        _stop(children)
        subprocess.run(["bash", str(BROKER_SCRIPT), "stop"], env=env, check=False)
        signal.signal(signal.SIGTERM, previous)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=5)


@topics_app.command("apply")
def topics_apply() -> None:
    """Create missing topics; report topics that differ from the catalogue (exit 1 on drift)."""
    from services.topics import apply_topics

    report = apply_topics(_broker_settings())
    for name in report.created:
        console.print(f"created  {name}")
    for name in report.present:
        console.print(f"present  {name}")
    for line in report.drift:
        console.print(f"[red]drift[/red]    {line}")
    if report.drift:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from services.store.engine import make_engine
    from services.store.migrate import upgrade

    settings = load_settings()
    upgrade(make_engine(settings.database_url))
    console.print("database is up to date")


@accounts_app.command("create")
def accounts_create(
    email: str = typer.Option(...),
    role: str = typer.Option(..., help="official, coordinator, organiser, municipality or admin"),
    name: str = typer.Option(..., help="display name"),
    municipality_ags: str | None = typer.Option(None),
    region: str | None = typer.Option(None),
) -> None:
    """Create an account (the first admin, typically). The password is asked for, never an argument."""
    from pydantic import ValidationError

    from services.accounts.operations import AccountCreate, AccountExists, create_account
    from services.store.engine import make_engine
    from services.store.migrate import upgrade
    from services.store.uow import UnitOfWork

    password = os.environ.get("WELTOFFEN_NEW_PASSWORD") or getpass.getpass("password (12+ characters): ")
    try:
        body = AccountCreate(
            email=email,
            display_name=name,
            role=role,
            password=password,
            municipality_ags=municipality_ags,
            region=region,
        )
    except ValidationError as exc:
        for error in exc.errors():
            console.print(f"[red]{'.'.join(map(str, error['loc'])) or 'account'}[/red]: {error['msg']}")
        raise typer.Exit(2) from None
    engine = make_engine(load_settings().database_url)
    upgrade(engine)  # the first account of a fresh install: the tables may not exist yet
    with UnitOfWork(engine) as uow:
        try:
            account = create_account(uow, body)
        except AccountExists as exc:
            console.print(f"[red]{email}[/red]: {exc}")
            raise typer.Exit(1) from None
        console.print(f"created {account.role} account {account.id} for {account.email}")


@outbox_app.command("held")
def outbox_held() -> None:
    """Messages the broker can never take as they are (too large, say), set aside with the reason."""
    from sqlmodel import Session

    from services.store import outbox
    from services.store.engine import make_engine

    with Session(make_engine(load_settings().database_url)) as session:
        rows = outbox.held(session)
        for row in rows:
            print(
                f"{row.id}\t{row.topic}\tkey={row.key}\t{len(row.value)} bytes\t"
                f"held {row.held_at:%Y-%m-%d %H:%M:%S} UTC\t{row.held_reason}"
            )
    console.print(f"{len(rows)} held message(s)" if rows else "no held messages")


@outbox_app.command("release")
def outbox_release(row_id: int) -> None:
    """Let a held message be published again (after the limit that stopped it was raised)."""
    from sqlmodel import Session

    from services.store import outbox
    from services.store.engine import make_engine

    with Session(make_engine(load_settings().database_url)) as session:
        released = outbox.release(session, row_id)
        session.commit()
    if not released:
        console.print(f"[red]no held message {row_id}[/red]")
        raise typer.Exit(1)
    console.print(f"message {row_id} will be published again")


@crypto_app.command("new-key")
def crypto_new_key() -> None:
    """Print a fresh key; put it first in WELTOFFEN_ENCRYPTION_KEYS, then run 'crypto rotate'."""
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())


@crypto_app.command("rotate")
def crypto_rotate() -> None:
    """Re-encrypt every narrative, evidence file and note under the first configured key."""
    from services.crypto import FieldCipher
    from services.key_rotation import rotate_keys
    from services.store.engine import make_engine

    settings = load_settings()
    count = rotate_keys(make_engine(settings.database_url), FieldCipher(settings.field_keys()), console.print)
    console.print(f"re-encrypted {count} values under the newest key; the old keys may now be removed")


def _run_api(settings: Settings, host: str, port: int) -> None:
    import uvicorn
    from sqlmodel import Session, select

    from services.api.app import create_app
    from services.bootstrap import bootstrap
    from services.store.migrate import upgrade
    from services.store.tables import Account

    container = bootstrap(settings)
    upgrade(container.engine)
    console.print(
        f"weltoffen: {'embedded' if settings.embedded else 'Kafka ' + settings.kafka_bootstrap} mode, "
        f"database {container.engine.url.render_as_string(hide_password=True)}, "
        f"site on http://{host}:{port}/, API docs on http://{host}:{port}/api/docs"
    )
    with Session(container.engine) as session:
        if session.exec(select(Account.id)).first() is None:
            console.print(
                "weltoffen: no accounts yet. To try it out, load the demo in another terminal: "
                ".venv/bin/weltoffen demo (prints sign-in addresses and passwords). To start for real: "
                ".venv/bin/weltoffen accounts create --role admin …, then weltoffen coordinators add …",
                soft_wrap=True,
            )
    proxies = settings.trusted_proxies.strip()
    uvicorn.run(
        create_app(container),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=bool(proxies),  # otherwise uvicorn believes any loopback client's headers
        forwarded_allow_ips=proxies or None,
    )


def _broker_settings() -> Settings:
    settings = load_settings()
    if settings.embedded:
        console.print("[red]WELTOFFEN_KAFKA_BOOTSTRAP is not set[/red]: this command needs a Kafka broker")
        raise typer.Exit(2)
    return settings


def main() -> None:
    app()


if __name__ == "__main__":
    main()
