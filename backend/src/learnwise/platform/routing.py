"""One flat routing table for the whole API.

FastAPI (from 0.16x) keeps an included router as a branch that it walks on every request: for
each request it recomputes a version of every included subtree before trusting its cached route
list, at matching and again at handling. With the API's routers nested two deep, that walk cost
as much as a whole ``/health/live`` request (bench/RESULTS.md, Auth). ``FlatRouter`` copies an
included router's routes into itself instead, once, at import: every API route is then a plain
route of the application's own table, matched like ``/health/live``.
"""

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute


def copy_routes(target: APIRouter, router: APIRouter) -> None:
    """Adds each route of ``router`` to ``target``, under ``target``'s prefix. A route carries
    its router's prefix, tags, dependencies and responses already (FastAPI merges them when the
    route is declared), so nothing is lost."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            target.add_api_route(
                route.path,
                route.endpoint,
                response_model=route.response_model,
                status_code=route.status_code,
                tags=route.tags,
                dependencies=route.dependencies,
                summary=route.summary,
                description=route.description,
                response_description=route.response_description,
                responses=route.responses,
                deprecated=route.deprecated,
                methods=route.methods,
                operation_id=route.operation_id,
                response_model_include=route.response_model_include,
                response_model_exclude=route.response_model_exclude,
                response_model_by_alias=route.response_model_by_alias,
                response_model_exclude_unset=route.response_model_exclude_unset,
                response_model_exclude_defaults=route.response_model_exclude_defaults,
                response_model_exclude_none=route.response_model_exclude_none,
                include_in_schema=route.include_in_schema,
                response_class=route.response_class,
                name=route.name,
                route_class_override=type(route),
                callbacks=route.callbacks,
                openapi_extra=route.openapi_extra,
                generate_unique_id_function=route.generate_unique_id_function,
                strict_content_type=route.strict_content_type,
                max_body_size=route.max_body_size,
                form_limits=route.form_limits,
            )
        elif isinstance(route, APIWebSocketRoute):
            target.add_api_websocket_route(
                route.path, route.endpoint, route.name, dependencies=route.dependencies
            )
        else:
            raise TypeError(f"cannot copy {route!r}: only API and WebSocket routes")


class FlatRouter(APIRouter):
    """An ``APIRouter`` whose ``include_router`` copies the routes (see the module)."""

    def include_router(self, router: APIRouter, **options: object) -> None:  # type: ignore[override]
        if options:
            raise TypeError("FlatRouter.include_router takes no options: set them on the router")
        copy_routes(self, router)


def include_flat(app: FastAPI, router: APIRouter) -> None:
    """``app.include_router(router)``, with the routes copied into the app's own table."""
    copy_routes(app.router, router)
