"""Who may use a blueprint, decided in one place: each blueprint registers its rule here once,
so no route can forget a check. Anonymous visitors are sent to sign in (and come back); a
signed-in user without the role gets 403."""

from collections.abc import Callable

from flask import Blueprint, abort, request
from flask_login import current_user

from portal.accounts.models import Role, User
from portal.extensions import login_manager


def require_sign_in(blueprint: Blueprint) -> None:
    """Every route of the blueprint needs a signed-in, active account."""
    blueprint.before_request(_signed_in_or_redirect)


def require_role(blueprint: Blueprint, *roles: Role) -> None:
    """Every route of the blueprint needs one of the roles."""

    def check():
        if (response := _signed_in_or_redirect()) is not None:
            return response
        if current_user.role not in roles:
            abort(403)
        return None

    blueprint.before_request(check)


def require(blueprint: Blueprint, allowed: Callable[[User, dict], bool]) -> None:
    """Every route of the blueprint needs `allowed(user, view_args)`: rules that depend on the
    object a route names (an entity's staff for that entity's pages)."""

    def check():
        if (response := _signed_in_or_redirect()) is not None:
            return response
        if not allowed(current_user, request.view_args or {}):
            abort(403)
        return None

    blueprint.before_request(check)


def _signed_in_or_redirect():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None
