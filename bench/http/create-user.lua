-- wrk script: POST /users/create with a unique e-mail per request (run label, thread, counter),
-- and a JSON summary line at the end for bench/http.ts to read.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local run = "run"
local counter = 0

function init(args)
  run = args[1] or "run"
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer tenant-bench:user-1"

function request()
  counter = counter + 1
  local body = string.format(
    '{"email":"u%d.%d.%s@bench.example","name":"Bench User %d"}',
    thread_id, counter, run, counter
  )
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout
  ))
end
