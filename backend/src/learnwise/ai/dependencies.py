"""Request dependencies shared by the AI routers."""

from typing import Annotated

from learnwise.auth.dependencies import RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal

AiUser = Annotated[Principal, RequirePermission(Permission.AI_USE)]
"""Someone who may use the AI features for themselves (every built-in role)."""
