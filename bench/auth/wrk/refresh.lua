-- POST /api/v1/auth/refresh, each request with a refresh token never used before, as a client
-- does: refresh rotates, so the token a response returns is the one to send next.
--
-- wrk keeps one Lua state per thread, not per connection, so each thread holds a pool of live
-- refresh tokens (one per login session, given in the argument file, one a line; thread i takes
-- lines i, i + n, ...). request() takes a token out of the pool; response() puts back the
-- successor the server returned. A token is therefore in flight on one connection at a time and
-- is sent exactly once: no replay, no grace-window shortcut. A failed response loses its
-- session (counted in non2xx); a request finding the pool empty is counted as "starved" and sent
-- with an invalid token, so it shows up as an error too.
local common = dofile(os.getenv("LW_BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local pool = {}
local headers = { ["Content-Type"] = "application/json" }

local function refresh_request(token)
  local body = string.format('{"refresh_token": "%s"}', token)
  return wrk.format("POST", "/api/v1/auth/refresh", headers, body)
end

function init(args)
  local nthreads = tonumber(args[2])
  for index, token in ipairs(common.lines(args[1])) do
    if (index - 1) % nthreads == id then
      table.insert(pool, token)
    end
  end
end

function request()
  local token = table.remove(pool)
  if token == nil then
    starved = starved + 1
    token = "pool-empty"
  end
  return refresh_request(token)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    return
  end
  local successor = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if successor then
    table.insert(pool, successor)
  else
    non2xx = non2xx + 1
  end
end
