-- A plain GET of one path (argument 1, default /bare): the baselines. Same Lua work per request
-- as me.lua (a prepared request taken from a list, a response callback), so the load generator
-- costs the same on both sides of a ratio.
local common = dofile(os.getenv("LW_BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local prepared = {}
local next_index = 1

function init(args)
  table.insert(prepared, wrk.format("GET", args[1] or "/bare"))
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
