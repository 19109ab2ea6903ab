-- POST /api/v1/items/{id}/progress: one second spent on a lesson, as a learner's client reports
-- it. Arguments: a file of "access_token content_id" lines (every learner with every item), and
-- a prefix for the Idempotency-Keys. Each request has a key never used before (prefix, thread,
-- counter), so each one is a real write, not a replay. Threads start at their own offsets.
local common = dofile(os.getenv("LW_BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local pairs_ = {}
local next_index = 1
local counter = 0
local prefix = ""
local body = '{"time_spent_seconds": 1}'

function init(args)
  for _, line in ipairs(common.lines(args[1])) do
    local token, item = line:match("^(%S+) (%S+)$")
    table.insert(pairs_, { token = token, path = "/api/v1/items/" .. item .. "/progress" })
  end
  prefix = args[2] .. "-" .. id .. "-"
  next_index = (id * 131) % #pairs_ + 1
end

function request()
  local pair = pairs_[next_index]
  next_index = next_index % #pairs_ + 1
  counter = counter + 1
  return wrk.format("POST", pair.path, {
    ["Authorization"] = "Bearer " .. pair.token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. counter,
  }, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end
