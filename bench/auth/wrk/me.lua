-- GET /api/v1/auth/me with a bearer token, rotating through the access tokens of many users.
-- Arguments: a file of access tokens, one a line; optionally another path to GET the same way.
-- Each thread starts at its own offset in the tokens.
local common = dofile(os.getenv("LW_BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local prepared = {}
local next_index = 1

function init(args)
  local path = args[2] or "/api/v1/auth/me"
  for _, token in ipairs(common.lines(args[1])) do
    table.insert(prepared, wrk.format("GET", path, { Authorization = "Bearer " .. token }))
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
