"""The baseline of the auth bench: a bare FastAPI app with one small JSON endpoint, served with
exactly the uvicorn options of ``learnwise serve`` (see learnwise.cli.serve).

    python bench/auth/bare_app.py --port 8201
"""

import argparse

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8201)
    args = parser.parse_args()
    uvicorn.run(
        "bare_app:app",
        host=args.host,
        port=args.port,
        workers=1,
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )


if __name__ == "__main__":
    main()
