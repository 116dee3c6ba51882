"""Dependencies shared by the routes (Annotated aliases keep signatures short)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from services.access import Principal, require_role
from services.accounts.credentials import account_for_token
from services.bootstrap import Container
from services.incidents.coordinator_profiles import covered_regions
from services.store.tables import Role
from services.store.uow import UnitOfWork

_bearer = HTTPBearer(auto_error=False)


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_session(container: ContainerDep) -> Iterator[Session]:
    with Session(container.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    container: ContainerDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in first: send 'Authorization: Bearer <token>' (get a token from POST /auth/token)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    secret = container.settings.secret_key.get_secret_value()
    account = account_for_token(session, secret, credentials.credentials, container.clock())
    if account is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "your token is unknown, expired or revoked; sign in again",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Principal.of(account, covered_regions(session, account))


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_optional_principal(
    container: ContainerDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller if they sent a token (a wrong one is still 401); None for the public."""
    if credentials is None:
        return None
    return get_principal(container, session, credentials)


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def signed_in_as(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only these roles through (403 for any other role)."""

    def check(principal: CurrentPrincipal) -> Principal:
        require_role(principal, *roles)
        return principal

    return check


CurrentAdmin = Annotated[Principal, Depends(signed_in_as(Role.ADMIN))]
CurrentOfficial = Annotated[Principal, Depends(signed_in_as(Role.OFFICIAL))]
CurrentCoordinator = Annotated[Principal, Depends(signed_in_as(Role.COORDINATOR, Role.ADMIN))]
CurrentOrganiser = Annotated[Principal, Depends(signed_in_as(Role.ORGANISER, Role.ADMIN))]
CurrentMunicipality = Annotated[Principal, Depends(signed_in_as(Role.MUNICIPALITY))]


@contextmanager
def committed(container: Container, urgent: bool = False) -> Iterator[UnitOfWork]:
    """One transaction for one operation; committed when the block ends without an error.
    ``urgent``: through the urgent lane's engine (a report of immediate danger)."""
    with container.urgent_uow() if urgent else container.uow() as uow:
        yield uow
        uow.commit()
