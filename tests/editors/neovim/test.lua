-- Headless end-to-end test of editors/neovim against a real alchemy-ls.
--   ALCHEMY_REPO=<repo> ALCHEMY_WS=<copy of examples/broken> nvim --headless -u NONE -i NONE -l test.lua
-- `alchemy-ls` must be on PATH (the plugin's default cmd is { 'alchemy-ls', 'serve' }).
-- Prints one line per check and 'N passed, N failed'; exits non-zero on any failure.

local repo = assert(os.getenv('ALCHEMY_REPO'), 'ALCHEMY_REPO not set')
local ws = assert(os.getenv('ALCHEMY_WS'), 'ALCHEMY_WS not set')
local TIMEOUT = tonumber(os.getenv('ALCHEMY_TIMEOUT_MS') or '') or 30000

-- How the plugin is started (ALCHEMY_NVIM_MODE):
--   enable  lsp/alchemy_ls.lua + vim.lsp.config/vim.lsp.enable (0.11+)
--   setup   require('alchemy-ls').setup() (which uses vim.lsp.config on 0.11+)
--   legacy  setup() through its Neovim 0.10 path (FileType autocommand + vim.lsp.start)
local mode = os.getenv('ALCHEMY_NVIM_MODE') or 'enable'
-- print() in `nvim -l` puts the newline before the text: write whole lines instead.
local function say(line)
  io.stdout:write(line, '\n')
end
say('neovim e2e mode: ' .. mode)

vim.opt.rtp:prepend(repo .. '/editors/neovim')
vim.cmd('filetype on')
vim.cmd('runtime! plugin/alchemy-ls.lua')
-- Each mode passes a rule severity override that must reach the server.
if mode == 'enable' then
  vim.lsp.config('alchemy_ls', {
    settings = { ['alchemy-ls'] = { rules = { ['duplicate-host'] = 'info' } } },
  })
  vim.lsp.enable('alchemy_ls')
elseif mode == 'setup' or mode == 'legacy' then
  local enable = vim.lsp.enable
  if mode == 'legacy' then
    vim.lsp.enable = nil
  end
  require('alchemy-ls').setup({ settings = { rules = { ['duplicate-host'] = 'info' } } })
  vim.lsp.enable = enable
else
  error('unknown ALCHEMY_NVIM_MODE ' .. mode)
end

local passed, failed = 0, 0
local function check(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
    say('ok   ' .. name)
  else
    failed = failed + 1
    say('FAIL ' .. name .. ': ' .. tostring(err))
  end
end

local function wait(ms, cond, what)
  if not vim.wait(ms, cond, 50) then
    error('timed out waiting for ' .. what, 2)
  end
end

local function client()
  return vim.lsp.get_clients({ bufnr = 0, name = 'alchemy_ls' })[1]
end

--- Put the cursor on the `nth` occurrence of `needle` (plain) in the current buffer, `offset`
--- bytes into it. Returns the 1-based row and 0-based column.
local function cursor_on(needle, offset, nth)
  nth = nth or 1
  local seen = 0
  for row, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    local from = 1
    while true do
      local s = line:find(needle, from, true)
      if not s then
        break
      end
      seen = seen + 1
      if seen == nth then
        local col = s - 1 + (offset or 0)
        vim.api.nvim_win_set_cursor(0, { row, col })
        return row, col
      end
      from = s + 1
    end
  end
  error('not found in buffer: ' .. needle, 2)
end

local function bufname_ends(suffix)
  local name = vim.api.nvim_buf_get_name(0)
  return name:sub(-#suffix) == suffix
end

local function open(rel)
  vim.cmd.edit(vim.fn.fnameescape(ws .. '/' .. rel))
end

open('src/workerB.ts')
local b_buf = vim.api.nvim_get_current_buf()

check('client attaches with the workspace root from root_markers', function()
  assert(vim.bo.filetype == 'typescript', 'filetype is ' .. vim.bo.filetype)
  wait(TIMEOUT, function()
    local c = client()
    return c ~= nil and c.initialized
  end, 'alchemy_ls to attach')
  local root = client().config.root_dir
  assert(vim.fs.normalize(root) == vim.fs.normalize(ws), 'root_dir ' .. tostring(root) .. ' ~= ' .. ws)
end)

check('diagnostics: from-non-host on Counter.from(Api)', function()
  local found
  wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(b_buf)) do
      if d.code == 'from-non-host' then
        found = d
        return true
      end
    end
    return false
  end, 'a from-non-host diagnostic in src/workerB.ts')
  local line = vim.api.nvim_buf_get_lines(b_buf, found.lnum, found.lnum + 1, false)[1]
  assert(line:find('Counter.from(Api)', 1, true), 'diagnostic on the wrong line: ' .. line)
  assert(found.severity == vim.diagnostic.severity.ERROR, 'severity ' .. tostring(found.severity))
  assert(found.message:find('WorkerA', 1, true), 'message does not name the host: ' .. found.message)
end)

check('settings reach the server (duplicate-host set to info)', function()
  local dup
  wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(b_buf)) do
      if d.code == 'duplicate-host' then
        dup = d
        return true
      end
    end
    return false
  end, 'a duplicate-host diagnostic in src/workerB.ts')
  assert(dup.severity == vim.diagnostic.severity.INFO, 'duplicate-host severity ' .. tostring(dup.severity))
end)

check('definition on the .from() argument jumps to the host class', function()
  vim.api.nvim_set_current_buf(b_buf)
  cursor_on('Counter.from(Api)', #'Counter.from(')
  vim.lsp.buf.definition()
  wait(TIMEOUT, function()
    return bufname_ends('/src/api.ts')
  end, 'a jump to src/api.ts (now in ' .. vim.api.nvim_buf_get_name(0) .. ')')
  local line = vim.api.nvim_get_current_line()
  assert(line:find('class Api', 1, true), 'cursor not on the Api class: ' .. line)
end)

check('completion inside Counter.from( lists only valid hosts', function()
  vim.api.nvim_set_current_buf(b_buf)
  local row, col = cursor_on('Counter.from(Api)', #'Counter.from(')
  -- Delete the wrong host: `Counter.from(|)`.
  vim.api.nvim_buf_set_text(b_buf, row - 1, col, row - 1, col + #'Api', { '' })
  vim.api.nvim_win_set_cursor(0, { row, col })
  local c = client()
  local params = vim.lsp.util.make_position_params(0, c.offset_encoding)
  params.context = { triggerKind = 2, triggerCharacter = '(' }
  local responses = vim.lsp.buf_request_sync(b_buf, 'textDocument/completion', params, TIMEOUT)
  -- Restore the buffer before asserting.
  vim.api.nvim_buf_set_text(b_buf, row - 1, col, row - 1, col, { 'Api' })
  assert(responses, 'no completion response')
  local labels = {}
  for _, res in pairs(responses) do
    assert(not res.err, 'completion error: ' .. vim.inspect(res.err))
    local items = res.result and (res.result.items or res.result) or {}
    for _, item in ipairs(items) do
      table.insert(labels, item.label)
    end
  end
  table.sort(labels)
  assert(vim.deep_equal(labels, { 'WorkerA' }), 'labels: ' .. vim.inspect(labels))
end)

check(':AlchemyGoToHost jumps to the only host of Counter', function()
  open('src/counter.ts')
  cursor_on('class Counter', #'class ')
  vim.cmd('AlchemyGoToHost')
  wait(TIMEOUT, function()
    return bufname_ends('/src/workerA.ts')
  end, 'a jump to src/workerA.ts (now in ' .. vim.api.nvim_buf_get_name(0) .. ')')
  local line = vim.api.nvim_get_current_line()
  assert(line:find('WorkerA', 1, true), 'cursor not on WorkerA: ' .. line)
end)

check(':AlchemyGoToHost offers every host of Room', function()
  vim.api.nvim_set_current_buf(b_buf)
  cursor_on('yield* Room', #'yield* ')
  local offered
  local original = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    offered = vim.tbl_map(opts.format_item, items)
    on_choice(nil)
  end
  local ok, err = pcall(vim.cmd, 'AlchemyGoToHost')
  wait(TIMEOUT, function()
    return offered ~= nil
  end, 'the host picker')
  vim.ui.select = original
  assert(ok, err)
  table.sort(offered)
  assert(#offered == 2, 'hosts offered: ' .. vim.inspect(offered))
  assert(offered[1]:find('src/workerA.ts', 1, true) and offered[2]:find('src/workerB.ts', 1, true),
    'hosts offered: ' .. vim.inspect(offered))
end)

say(string.format('%d passed, %d failed', passed, failed))
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop(true)
end
os.exit(failed == 0 and passed > 0 and 0 or 1)
