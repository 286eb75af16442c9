-- wrk script: POST /v1/chat with the seeds' body; each connection is its own user.
-- The API key comes from the environment (LOOPSCOPE_API_KEY).
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-API-Key"] = os.getenv("LOOPSCOPE_API_KEY") or "bench-key"
  wrk.body = '{"user_id":"wrk_' .. id .. '","session_id":"wrk-session-' .. id .. '","message":"hello"}'
end
