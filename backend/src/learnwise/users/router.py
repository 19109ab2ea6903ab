"""/api/v1/users: the caller's own settings."""

from fastapi import APIRouter

from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.db import SessionDep
from learnwise.users import service
from learnwise.users.schemas import SettingsRead, SettingsUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me/settings")
async def read_settings(principal: CurrentPrincipal, session: SessionDep) -> SettingsRead:
    settings = await service.get_settings(session=session, user_id=principal.user_id)
    return SettingsRead.model_validate(settings)


@router.patch("/me/settings")
async def update_settings(
    changes: SettingsUpdate, principal: CurrentPrincipal, session: SessionDep
) -> SettingsRead:
    settings = await service.update_settings(
        session=session, user_id=principal.user_id, changes=changes
    )
    return SettingsRead.model_validate(settings)
