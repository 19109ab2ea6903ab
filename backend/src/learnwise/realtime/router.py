"""The realtime endpoint: one WebSocket per browser tab (protocol: ``realtime.schemas``)."""

from fastapi import APIRouter, WebSocket

from learnwise.realtime.connection import Connection

router = APIRouter(tags=["realtime"])


@router.websocket("/ws")
async def realtime(websocket: WebSocket) -> None:
    await Connection(websocket, websocket.app.state.runtime).serve()
