"""The admins' console, first part: dead letters to look at, replay after a fix, or discard with a
reason (the operations of ``services.pipeline.dead_letters``, as the CLI)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from services.access import Principal
from services.api.deps import ContainerDep, SessionDep
from services.pipeline import dead_letters
from services.store.tables import Role
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.errors import Forbidden

router = APIRouter()


def admin_only(visit: Visit) -> Principal:
    """Every admin page and action: the signed-in caller must be an admin (else 403)."""
    if visit.principal is None or visit.principal.role is not Role.ADMIN:
        raise Forbidden("for admins")
    return visit.principal


@router.get("/admin/dead-letters", response_class=HTMLResponse)
def letters(visit: PageVisit, session: SessionDep, topic: str = "", everything: bool = False) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/dead-letters")
    found = dead_letters.letters(session, admin_only(visit), topic or None, everything)
    return render(visit, "dead_letters.html", letters=found, topic=topic, everything=everything)


@router.post("/admin/dead-letters/replay-all", response_class=HTMLResponse)
def replay_all(visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep) -> Response:
    """Every waiting letter (of a topic) back onto its source topic, after a fix; asks first."""
    principal = admin_only(visit)
    topic = form.get("topic", "")
    if form.get("confirm") != "yes":
        return redirect(visit, f"/admin/dead-letters?topic={quote(topic)}")
    sent = 0
    for found in dead_letters.letters(session, principal, topic or None):
        with container.uow() as uow:
            dead_letters.replay(uow, principal, found.id)
            uow.commit()
        sent += 1
    return redirect(visit, f"/admin/dead-letters?topic={quote(topic)}&replayed={sent}")


@router.get("/admin/dead-letters/{letter_id}", response_class=HTMLResponse)
def letter(letter_id: int, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/admin/dead-letters/{letter_id}")
    found, payload = dead_letters.show(session, admin_only(visit), letter_id)
    return render(visit, "dead_letter.html", letter=found, payload=payload, errors={})


@router.post("/admin/dead-letters/{letter_id}", response_class=HTMLResponse)
def decide(
    letter_id: int, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    principal = admin_only(visit)
    if form.get("action") == "discard" and not form.get("reason", "").strip():
        found, payload = dead_letters.show(session, principal, letter_id)
        errors = {"reason": visit.gettext("Say why the letter is discarded; the reason stays on record")}
        return render(
            visit, "dead_letter.html", status_code=422, letter=found, payload=payload, errors=errors
        )
    with container.uow() as uow:
        if form.get("action") == "discard":
            dead_letters.discard(uow, principal, letter_id, form.get("reason", ""))
        else:
            dead_letters.replay(uow, principal, letter_id)
        uow.commit()
    return redirect(visit, f"/admin/dead-letters/{letter_id}?done=1")
