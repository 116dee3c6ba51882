"""A dialogue's page for its organiser: status and the actions on it, the figures, the logistics
checklist (tick tasks off; overdue ones stand out), the registrations (names, status and needs:
never an e-mail address or phone number), the CSV, and the door: a page for a phone at the entrance,
search by name and one tap per person who came."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from services.api.deps import ContainerDep, SessionDep, committed
from services.dialogues import checklist, dialogue_views
from services.dialogues.attendance import clear_attendance, mark_attendance
from services.dialogues.dialogue_access import organised
from services.web.render import finish, redirect, render
from services.web.routes.organise import organiser, origin
from services.web.routes.residents import municipality_name
from services.web.visits import Form, PageVisit
from workflows.dialogues.seating import HOLDS_SEAT

router = APIRouter()


@router.get("/organise/{dialogue_id}", response_class=HTMLResponse)
def dialogue(dialogue_id: str, visit: PageVisit, session: SessionDep, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/organise/{dialogue_id}")
    principal = organiser(visit)
    found = organised(session, principal, dialogue_id, change=True)
    now = container.clock()
    return render(
        visit,
        "organise_dialogue.html",
        dialogue=dialogue_views.dialogue_public(session, found),
        place=municipality_name(found.municipality_ags),
        figures=dialogue_views.figures(session, principal, dialogue_id, now),
        tasks=checklist.checklist(session, principal, dialogue_id, now),
        registrants=dialogue_views.registrants(session, principal, dialogue_id),
        recommendation=origin(session, dialogue_id, visit.language),
    )


@router.post("/organise/{dialogue_id}/tasks/{key}", response_class=HTMLResponse)
def tick(dialogue_id: str, key: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = organiser(visit)
    with committed(container) as uow:
        checklist.mark_task(uow, principal, dialogue_id, key, form.get("done") == "yes")
    return redirect(visit, f"/organise/{dialogue_id}?done=task#checklist")


@router.get("/organise/{dialogue_id}/registrations.csv")
def csv_file(dialogue_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/organise/{dialogue_id}")
    rows = dialogue_views.registrants(session, organiser(visit), dialogue_id)
    answer = Response(
        dialogue_views.registrants_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="anmeldungen-{dialogue_id[:8]}.csv"',
            "Cache-Control": "no-store",
        },
    )
    return finish(visit, answer)


@router.get("/organise/{dialogue_id}/door", response_class=HTMLResponse)
def door(dialogue_id: str, visit: PageVisit, session: SessionDep, q: str = "") -> Response:
    """Who holds a seat, found by name; a tap marks them present (and a second tap undoes it)."""
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/organise/{dialogue_id}/door")
    principal = organiser(visit)
    found = organised(session, principal, dialogue_id, change=True)
    everyone = [
        r
        for r in dialogue_views.registrants(session, principal, dialogue_id)
        if r.status in HOLDS_SEAT or r.status in ("attended", "no_show")
    ]
    needle = q.strip().lower()
    shown = [r for r in everyone if needle in (r.name or "").lower()] if needle else everyone
    present = sum(1 for r in everyone if r.status == "attended")
    return render(
        visit, "organise_door.html", dialogue=found, people=shown, q=q, present=present, total=len(everyone)
    )


@router.post("/organise/{dialogue_id}/door/{registration_id}", response_class=HTMLResponse)
def arrived(
    dialogue_id: str, registration_id: str, visit: PageVisit, form: Form, container: ContainerDep
) -> Response:
    principal = organiser(visit)
    with committed(container) as uow:
        if form.get("present") == "yes":
            mark_attendance(uow, principal, dialogue_id, registration_id, True)
        else:  # "undo": a tap by mistake is taken back, not turned into "did not come"
            clear_attendance(uow, principal, dialogue_id, registration_id)
    back = f"/organise/{dialogue_id}/door?q={quote(form.get('q', ''))}#r-{registration_id}"
    return redirect(visit, back)
