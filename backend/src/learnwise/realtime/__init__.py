"""Realtime: the WebSocket endpoint, its channels, and the hub that fans messages out."""
