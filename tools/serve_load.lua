-- wrk script for tools/serve_bench.sh: POSTs the JSON bodies of BODIES (one per line) in turn, and prints one JSON line
-- with throughput, latency percentiles (ms) and status counts when the run ends.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
    counter = counter + 1
    return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
end

local statuses = {}
response = function(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format(
        '{"requests": %d, "seconds": %.3f, "requests_per_s": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, ' ..
        '"mean_ms": %.2f, "max_ms": %.2f, "non_2xx": %d, "socket_errors": %d}\n',
        summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000, summary.errors.status, errors))
end
