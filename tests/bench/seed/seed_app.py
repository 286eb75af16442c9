# The seeds' FastAPI chat service, as seed 1 ("真正的异步架构") and seed 2 (Uvicorn) write it:
# an `async def` endpoint whose LLM call is `await asyncio.sleep(...)`, so the event loop serves
# other users while one waits. It answers POST /v1/chat with the same JSON shape as LoopScope,
# so the same load generator and wrk script drive both.
#
#   LLM_LATENCY=2 python3 -m uvicorn seed_app:app --port 8000 --app-dir tests/bench/seed
#
# It keeps the history in a dict (no SQLite): LoopScope's server does a real SQLite read and
# write per request on top, so a comparison with it is, if anything, tilted towards uvicorn.
import asyncio
import itertools
import os
import uuid
from typing import Optional

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

API_KEY = os.environ.get("LOOPSCOPE_API_KEY", "bench-key")
LLM_LATENCY = float(os.environ.get("LLM_LATENCY", "0"))

app = FastAPI()
_ids = itertools.count(1)
_history: dict[str, list[tuple[str, str]]] = {}


class ChatBody(BaseModel):
    user_id: str
    message: str
    session_id: Optional[str] = None


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.post("/v1/chat")
async def chat(body: ChatBody, x_api_key: Optional[str] = Header(default=None)):
    if x_api_key != API_KEY:
        raise HTTPException(status_code=401, detail="missing or wrong API key")
    session = body.session_id or str(uuid.uuid4())
    context = _history.setdefault(session, [])[-20:]  # conversation_manager: load the history
    if LLM_LATENCY > 0:
        await asyncio.sleep(LLM_LATENCY)  # response = await llm.chat(...)
    reply = f"你好！你刚才说：「{body.message}」 ({len(context)} earlier messages)"
    _history[session].extend([("user", body.message), ("assistant", reply)])
    return {"response": reply, "request_id": str(next(_ids)), "session_id": session,
            "worker": 0, "thread": "uvicorn", "mode": "async"}
