-- wrk script of the benchmark: one SPARQL query per request, figures printed in a parsable line.
--
--   wrk -t2 -c8 -d5s --timeout 60s -s benchmarks/sparql.lua URL -- BODY_FILE ACCEPT
--
-- BODY_FILE holds the SPARQL text, sent as POST application/sparql-query (the SPARQL 1.1 Protocol's
-- "query via POST directly"), the same bytes to every server; "-" sends a GET of URL as it is (a
-- named query with its parameters in the query string). ACCEPT is the media type asked for.
-- done() prints one line "wrk-result key=value ..." with latencies in microseconds, read by
-- benchmarks/wrk.py.

function init(args)
  local path, accept = args[1], args[2]
  wrk.headers["Accept"] = accept
  if path ~= "-" then
    local file = assert(io.open(path, "rb"))
    wrk.body = file:read("*a")
    file:close()
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/sparql-query"
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d duration_us=%d bytes=%d p50_us=%d p95_us=%d p99_us=%d mean_us=%.1f max_us=%d "
      .. "connect_errors=%d read_errors=%d write_errors=%d status_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
