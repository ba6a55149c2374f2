-- Lua's core: closures, coroutines, metatables, string library,
-- integer and float arithmetic, errors caught with pcall, sorting, goto.
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c = counter(); c(); c()
print("closure", c())

local co = coroutine.wrap(function(a)
  local b = coroutine.yield(a * 2)
  return a + b
end)
print("coroutine", co(20), co(5))

local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, V) end
V.__tostring = function(v) return string.format("(%g, %g)", v.x, v.y) end
local v = setmetatable({x = 1.5, y = -2}, V) + setmetatable({x = 3, y = 4.25}, V)
print("metatable", tostring(v))

print("integers", 7 // 2, 7 % 3, -7 // 2, 1 << 62, math.maxinteger, math.mininteger)
print("floats", 7 / 2, 2^0.5, math.pi, math.floor(-2.5), math.fmod(7.5, 2), 1e300 * 1e10, -(0/0) ~= -(0/0))
print("format", string.format("%5.2f|%-6d|%x|%q|%e", 3.14159, 42, 255, "a\nb", 12345.678))
print("strings", ("hello world"):upper(), ("abc"):rep(3, "-"), ("a,b,,c"):gsub(",", ";"))
print("patterns", string.match("key = value", "(%w+)%s*=%s*(%w+)"), ("2026-12-02"):find("%d+", 6))
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words + 1] = w end
table.sort(words)
print("sort", table.concat(words, " "))
print("pcall", pcall(function() error({code = 3}) end), select(2, pcall(error, "msg", 0)))
print("utf8", utf8.char(72, 228, 8364), utf8.len("häll€"))
local t = {}
for i = 1, 100000 do t[i] = i * i end
local sum = 0
for _, x in ipairs(t) do sum = sum + x end
print("table", #t, sum)
collectgarbage()
print("gc", collectgarbage("count") > 0)
for i = 1, 3 do
  if i == 2 then goto continue end
  print("goto", i)
  ::continue::
end
print("tostring", 10 / 2, 3 | 0, math.type(1), math.type(1.0), tostring(nil))
