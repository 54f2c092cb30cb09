-- wrk script of the benchmark: sends the requests listed in a file, in turn, and counts the
-- answers whose status is not the expected one.
--
--   wrk ... -s bench/requests.lua http://127.0.0.1:PORT -- REQUESTS_FILE STATUS THREADS
--
-- REQUESTS_FILE has one request a line: METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY (urlencoded).
-- Each thread sends its share (all of them when there are fewer requests than threads); a
-- thread that has sent all of its share starts again from its first request and counts a
-- wrap: for submissions, a wrap means an attempt submitted twice, and the run is not valid.
-- done() prints one line "BENCH-JSON {...}" for bench/load.py.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local queue = {}
local position = 0

function init(args)
   local file, expected, thread_count = args[1], tonumber(args[2]), tonumber(args[3])
   expected_status = expected
   responses, unexpected, wraps = 0, 0, 0
   local lines = {}
   for line in io.lines(file) do
      table.insert(lines, line)
   end
   -- Fewer requests than threads (one page for all): every thread sends all of them.
   local shared = #lines < thread_count
   for index, line in ipairs(lines) do
      if shared or (index - 1) % thread_count == id then
         local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
         local headers = { ["User-Agent"] = "lesson-app-bench" }
         if cookie ~= "" then headers["Cookie"] = cookie end
         if body == "" then
            body = nil
         else
            headers["Content-Type"] = "application/x-www-form-urlencoded"
         end
         table.insert(queue, wrk.format(method, path, headers, body))
      end
   end
end

function request()
   position = position + 1
   if position > #queue then
      position = 1
      wraps = wraps + 1
   end
   return queue[position]
end

function response(status, headers, body)
   responses = responses + 1
   if status ~= expected_status then
      unexpected = unexpected + 1
   end
end

function done(summary, latency, requests)
   local unexpected_total, wraps_total = 0, 0
   for _, thread in ipairs(threads) do
      unexpected_total = unexpected_total + thread:get("unexpected")
      wraps_total = wraps_total + thread:get("wraps")
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
      '"p99_us": %d, "unexpected": %d, "wraps": %d, "socket_errors": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), unexpected_total, wraps_total,
      errors.connect + errors.read + errors.write + errors.timeout))
end
