-- wrk script: POST /v1/chat with the seeds' body; every request is a new user with a new
-- conversation (no two requests write the same user or conversation row).
-- The API key comes from the environment (LOOPSCOPE_API_KEY).
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  n = 0
  key = os.getenv("LOOPSCOPE_API_KEY") or "bench-key"
end
function request()
  n = n + 1
  local who = id .. "_" .. n
  return wrk.format("POST", "/v1/chat",
    { ["Content-Type"] = "application/json", ["X-API-Key"] = key },
    '{"user_id":"wrk_' .. who .. '","session_id":"wrk-session-' .. who .. '","message":"hello"}')
end
