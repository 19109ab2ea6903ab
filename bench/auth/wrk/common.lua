-- Shared by the bench's wrk scripts (loaded with dofile): numbers each thread, and prints one
-- machine-readable summary line ("WRK_JSON {...}") that bench/auth/run.py parses.
local common = {}
local threads = {}

function common.setup(thread)
  thread:set("id", #threads)
  thread:set("non2xx", 0)
  thread:set("starved", 0)
  table.insert(threads, thread)
end

-- The lines of a file, as a list.
function common.lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      table.insert(lines, line)
    end
  end
  return lines
end

function common.done(summary, latency, requests)
  local non2xx, starved = 0, 0
  for _, thread in ipairs(threads) do
    non2xx = non2xx + (thread:get("non2xx") or 0)
    starved = starved + (thread:get("starved") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_4xx_5xx": %d, '
      .. '"non2xx_seen_by_script": %d, "starved": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99),
    latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, non2xx, starved))
end

return common
