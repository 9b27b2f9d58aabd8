-- wrk script: a realistic mix of /api/v1 requests, with p50/p99 in done().
-- ids.lua (written by run.sh) defines `ids`, offering ids of the test data.
local ok = pcall(dofile, os.getenv("SK_LOAD_IDS") or "ids.lua")
if not ok or not ids then ids = {} end

local queries = {"schulden", "eenzaam", "hulp in huis laren", "ik kan mijn rekeningen niet betalen",
  "taalcafe", "mantelzorg", "dementie", "werk zoeken", "opvoeding", "huiselijk geweld",
  "computer les", "maaltijd", "vervoer rolstoel", "sport ouderen", "inloop huizen", "schuldhulp",
  "toeslagen", "juridisch advies", "somber", "vrijwilligerswerk", "koffie ochtend", "formulieren",
  "geheugen", "jongeren", "scheiding", "zwanger", "verhuizen", "bewegen", "lezen en schrijven", "stress"}
local munis = {"huizen", "blaricum", "eemnes", "laren"}
local needs = {"geld", "geld.schulden", "ontmoeten", "thuis", "werk", "taal", "psychisch"}
local prefixes = {"sch", "een", "mant", "tha", "wer", "taa", "dem", "op"}

-- SK_LOAD_FACETS=0: searches ask for no facet counts (isolates the HTTP layer
-- from the cost of facets in the search module).
local facets = os.getenv("SK_LOAD_FACETS") == "0" and "&facets=false" or ""

-- SK_LOAD_TAIL=1: free text from the long tail (queries.lua, written by
-- run.sh), drawn with a skew: u^3 puts half the draws on the first 12 %.
local tail_on = os.getenv("SK_LOAD_TAIL") == "1"
if tail_on then
  local okq = pcall(dofile, os.getenv("SK_LOAD_QUERIES") or "queries.lua")
  if not okq or not tail or #tail == 0 then tail_on = false end
end

local counter = 0
local function esc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  counter = counter + 1
  local r = counter % 20
  local q = queries[(counter * 7) % #queries + 1]
  if tail_on then q = tail[math.floor(#tail * math.random() ^ 3) + 1] end
  local path
  if r < 10 then
    path = "/api/v1/search?q=" .. esc(q)
  elseif r < 13 then
    path = "/api/v1/search?q=" .. esc(q) .. "&municipality=" .. munis[counter % #munis + 1]
  elseif r < 14 then
    path = "/api/v1/search?need=" .. needs[counter % #needs + 1] .. "&municipality=" .. munis[counter % #munis + 1] .. "&page=2"
  elseif r < 16 and #ids > 0 then
    path = "/api/v1/services/" .. ids[counter % #ids + 1]
  elseif r < 18 then
    path = "/api/v1/suggest?q=" .. prefixes[counter % #prefixes + 1]
  elseif r < 19 then
    path = "/api/v1/activities?municipality=" .. munis[counter % #munis + 1]
  else
    path = "/api/v1/taxonomy"
  end
  if path:find("/search", 1, true) then path = path .. facets end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("requests %d in %.1fs = %.0f req/s\n", summary.requests, s, summary.requests / s))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
  local e = summary.errors
  io.write(string.format("errors: connect %d, read %d, write %d, timeout %d, status>=400 %d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
