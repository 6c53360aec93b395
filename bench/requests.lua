-- wrk script: cycle through a file of "METHOD PATH TOKEN [BODY]" lines, starting at a random
-- line in each thread, so the load spreads over many users, posts and cursors. TOKEN "-" sends none.
local requests = {}
local index = 1

function init(args)
  local path = args[1]
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in file:lines() do
    -- An optional fourth field is a JSON body (without spaces), e.g. a post to create.
    local method, target, token, body = line:match("^(%S+)%s+(%S+)%s+(%S+)%s*(%S*)$")
    if method then
      local headers = { ["Accept"] = "application/json" }
      if token ~= "-" then
        headers["Authorization"] = "Bearer " .. token
      end
      if body == "" then
        body = nil
      else
        headers["Content-Type"] = "application/json"
      end
      requests[#requests + 1] = wrk.format(method, target, headers, body)
    end
  end
  file:close()
  assert(#requests > 0, "no requests in " .. path)
  math.randomseed(os.time() + tonumber(tostring(requests):match("0x(%x+)") or "0", 16))
  index = math.random(#requests)
end

function request()
  local r = requests[index]
  index = index % #requests + 1
  return r
end
