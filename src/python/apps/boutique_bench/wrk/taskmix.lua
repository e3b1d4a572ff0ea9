-- Online Boutique's Locust task mix (apps.boutique.loadgen.TASKS) for wrk 4.1, a compiled client.
--
-- Each wrk thread is one shopper: its own session cookie, the currency cookie the shop sets, and a
-- queue of the requests of its current task (a redirect is followed as the next request, as Locust
-- does). Every connection of a thread serves that thread's queue. Arguments after `--`:
-- see below (the random choices are reproducible per seed and thread). done() prints one line,
-- "WRK-RESULT {json}", that apps.boutique_bench.wrkload parses.

-- The catalogue and the checkout form come from Python (apps.boutique.loadgen, .session), one
-- source for both load generators: SEED PRODUCTS CURRENCIES QUANTITIES CHECKOUT_BODY.
local PRODUCTS, CURRENCIES, QUANTITIES, CHECKOUT

local function split(text)
  local out = {}
  for item in string.gmatch(text, "[^,]+") do table.insert(out, item) end
  return out
end
local FORM = {["Content-Type"] = "application/x-www-form-urlencoded"}

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- Per thread (globals, so that done() can read them through thread:get).
queue, cookies, statuses = {}, {}, {}

local function pick(list) return list[math.random(#list)] end

local function add_to_cart()
  local product = pick(PRODUCTS)
  table.insert(queue, {"GET", "/product/" .. product})
  table.insert(queue, {"POST", "/cart", "product_id=" .. product .. "&quantity=" .. pick(QUANTITIES)})
end

local TASKS = {
  {1, function() table.insert(queue, {"GET", "/"}) end},
  {2, function() table.insert(queue, {"POST", "/setCurrency", "currency_code=" .. pick(CURRENCIES)}) end},
  {10, function() table.insert(queue, {"GET", "/product/" .. pick(PRODUCTS)}) end},
  {2, add_to_cart},
  {3, function() table.insert(queue, {"GET", "/cart"}) end},
  {1, function() add_to_cart(); table.insert(queue, {"POST", "/cart/checkout", CHECKOUT}) end},
}
local TOTAL = 0
for _, t in ipairs(TASKS) do TOTAL = TOTAL + t[1] end

local function next_task()
  local r = math.random(TOTAL)
  for _, t in ipairs(TASKS) do
    r = r - t[1]
    if r <= 0 then t[2](); return end
  end
end

function init(args)
  local seed = tonumber(args[1])
  PRODUCTS, CURRENCIES, QUANTITIES, CHECKOUT = split(args[2]), split(args[3]), split(args[4]), args[5]
  math.randomseed(seed * 1000 + id)
  cookies = {["shop_session-id"] = string.format("wrk-%d-%d", seed, id)}
  table.insert(queue, {"GET", "/"})  -- Locust's on_start: the home page
end

local function cookie_header()
  local parts = {}
  for k, v in pairs(cookies) do table.insert(parts, k .. "=" .. v) end
  table.sort(parts)
  return table.concat(parts, "; ")
end

function request()
  if #queue == 0 then next_task() end
  local step = table.remove(queue, 1)
  local headers = {Cookie = cookie_header()}
  if step[3] then
    for k, v in pairs(FORM) do headers[k] = v end
  end
  return wrk.format(step[1], step[2], headers, step[3])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local set = headers["Set-Cookie"]
  if set then
    local name, value = set:match("^([^=;]+)=([^;]*)")
    if name and name ~= "shop_session-id" then cookies[name] = value end
  end
  if status == 302 or status == 303 then
    local location = headers["Location"]
    if location then
      table.insert(queue, 1, {"GET", (location:gsub("^https?://[^/]+", ""))})
    end
  end
end

function done(summary, latency, requests)
  local by_status = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do by_status[code] = (by_status[code] or 0) + n end
  end
  local codes = {}
  for code, n in pairs(by_status) do table.insert(codes, string.format('"%d": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(codes, ", ")))
end
