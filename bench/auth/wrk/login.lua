-- POST /api/v1/auth/login (JSON body), rotating through the bench users.
-- Argument: a file of "email password" lines. Every success starts a new session.
local common = dofile(os.getenv("LW_BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local prepared = {}
local next_index = 1

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for _, line in ipairs(common.lines(args[1])) do
    local email, password = line:match("^(%S+) (%S+)$")
    local body = string.format('{"email": "%s", "password": "%s"}', email, password)
    table.insert(prepared, wrk.format("POST", "/api/v1/auth/login", headers, body))
  end
  next_index = (id * 7) % #prepared + 1
end

function request()
  local req = prepared[next_index]
  next_index = next_index % #prepared + 1
  return req
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end
