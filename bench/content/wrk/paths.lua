-- GETs of many paths, one after another: argument 1 is a file of paths, one a line; argument 2,
-- optionally, a file of access tokens sent as bearer tokens in turn. Each thread starts at its
-- own offset, so that two threads do not send the same path at the same time.
local common = dofile(os.getenv("LW_BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local prepared = {}
local next_index = 1

function init(args)
  local tokens = args[2] and common.lines(args[2]) or {}
  for index, path in ipairs(common.lines(args[1])) do
    local headers = {}
    if #tokens > 0 then
      headers["Authorization"] = "Bearer " .. tokens[(index - 1) % #tokens + 1]
    end
    table.insert(prepared, wrk.format("GET", path, headers))
  end
  next_index = math.floor(id * #prepared / 2) % #prepared + 1
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
