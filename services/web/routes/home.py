"""The home page (what the service is, where each group of people starts) and the help page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.web.render import render
from services.web.visits import PageVisit

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(visit: PageVisit) -> HTMLResponse:
    return render(visit, "home.html")


@router.get("/help", response_class=HTMLResponse)
def help_page(visit: PageVisit) -> HTMLResponse:
    return render(visit, "help.html")
