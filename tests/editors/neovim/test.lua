-- Headless end-to-end test of editors/neovim against a real alchemy-ls.
--   ALCHEMY_REPO=<repo> ALCHEMY_WS=<copy of examples/broken> nvim --headless -u NONE -i NONE -c 'luafile test.lua'
-- `alchemy-ls` must be on PATH (the plugin's default cmd is { 'alchemy-ls', 'serve' }).
-- Prints one line per check and 'N passed, N failed'; exits non-zero on any failure.
-- The checks run in a coroutine under Neovim's main loop (not `nvim -l`), so that keys given
-- to nvim_input are typed as a user types them (insert-mode completion needs that).

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
-- The completion docs/editors.md recommends: vim.lsp.completion (it applies additionalTextEdits).
vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(ev)
    local c = vim.lsp.get_client_by_id(ev.data.client_id)
    if c and c.name == 'alchemy_ls' and vim.lsp.completion then
      vim.lsp.completion.enable(true, c.id, ev.buf, { autotrigger = true })
    end
  end,
})
vim.opt.completeopt = { 'menuone', 'noselect', 'popup' }
-- The test edits buffers and ends with os.exit: no swap files left for the next mode.
vim.o.swapfile = false
-- The user's own on_attach, which the plugin must keep: buffers it ran for.
local user_attached = {}
local function user_on_attach(client, bufnr)
  if client.name == 'alchemy_ls' then
    user_attached[bufnr] = true
  end
end
-- Each mode passes a rule severity override that must reach the server, and an on_attach.
if mode == 'enable' then
  -- An on_attach for every server: the plugin's config must not replace it.
  vim.lsp.config('*', { on_attach = user_on_attach })
  vim.lsp.config('alchemy_ls', {
    settings = { ['alchemy-ls'] = { rules = { ['duplicate-host'] = 'info' } } },
  })
  vim.lsp.enable('alchemy_ls')
elseif mode == 'setup' or mode == 'legacy' then
  local enable = vim.lsp.enable
  if mode == 'legacy' then
    vim.lsp.enable = nil
  end
  require('alchemy-ls').setup({ settings = { rules = { ['duplicate-host'] = 'info' } }, on_attach = user_on_attach })
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

--- Resumes the test coroutine; an error that escapes the checks ends the test.
local function resume(co, ...)
  local ok, err = coroutine.resume(co, ...)
  if not ok then
    say('FAIL the test script: ' .. tostring(err))
    os.exit(1)
  end
end

--- Types `keys` (nvim_input) and lets the main loop run them until `cond()` holds.
local function type_until(keys, ms, cond, what)
  vim.api.nvim_input(keys)
  local co = coroutine.running()
  local deadline = vim.uv.now() + ms
  local function poll()
    if cond() then
      resume(co, true)
    elseif vim.uv.now() > deadline then
      resume(co, false)
    else
      vim.defer_fn(poll, 30)
    end
  end
  vim.defer_fn(poll, 30)
  if not coroutine.yield() then
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

--- Opens a workspace file; once alchemy-ls has attached to the first one, waits for it to attach
--- to this one too (with a root_dir function Neovim 0.11 attaches on the next tick, also when
--- `:edit` reloads a buffer).
local function open(rel)
  local file = ws .. '/' .. rel
  if vim.fs.normalize(vim.api.nvim_buf_get_name(0)) ~= vim.fs.normalize(file) then
    vim.cmd.edit(vim.fn.fnameescape(file))
  end
  if #vim.lsp.get_clients({ name = 'alchemy_ls' }) > 0 then
    wait(TIMEOUT, function()
      return vim.lsp.get_clients({ bufnr = 0, name = 'alchemy_ls' })[1] ~= nil
    end, 'alchemy_ls to attach to ' .. rel)
  end
end

local function main()
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

--- The message of the from-non-host diagnostic in `bufnr` (nil when there is none).
local function non_host_message(bufnr)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == 'from-non-host' then
      return d.message
    end
  end
end

-- Neovim 0.11 pulls a document's diagnostics when it changes, has no
-- workspace/diagnostic/refresh and, on Linux, no file watching: the server must still bring
-- workerB's diagnostics up to date when workerA (which they depend on) is edited in a split.
check("a dependent file's diagnostics follow an edit of the file it depends on", function()
  vim.api.nvim_set_current_buf(b_buf)
  local before = non_host_message(b_buf)
  assert(before and before:find('WorkerA', 1, true), 'from-non-host in workerB.ts: ' .. tostring(before))
  vim.cmd('vsplit ' .. vim.fn.fnameescape(ws .. '/src/workerA.ts'))
  local a_buf = vim.api.nvim_get_current_buf()
  local ok, err = pcall(function()
    wait(TIMEOUT, function()
      return vim.lsp.get_clients({ bufnr = a_buf, name = 'alchemy_ls' })[1] ~= nil
    end, 'alchemy_ls to attach to workerA.ts')
    -- WorkerA stops hosting Counter: workerB's finding must change without touching workerB.
    vim.cmd([[6s/{}, Counter>/{}, never>/]])
    assert(vim.api.nvim_buf_get_lines(a_buf, 5, 6, false)[1]:find('{}, never>', 1, true), 'the edit did not apply')
    wait(TIMEOUT, function()
      return non_host_message(b_buf) ~= before
    end, "workerB's from-non-host to change after the edit of workerA (still: " .. tostring(non_host_message(b_buf)) .. ')')
    vim.cmd('undo')
    wait(TIMEOUT, function()
      return non_host_message(b_buf) == before
    end, "workerB's from-non-host to come back after the undo (now: " .. tostring(non_host_message(b_buf)) .. ')')
  end)
  vim.bo[a_buf].modified = false
  vim.cmd('close')
  vim.api.nvim_set_current_buf(b_buf)
  assert(ok, err)
end)

-- The same when workerA changes on disk while it is not open: Neovim does not watch files on
-- Linux (and the plugin does not ask it to), so the server watches them itself.
check("a dependent file's diagnostics follow a change on disk of a file that is not open", function()
  local c = client()
  assert(c, 'no alchemy_ls client')
  local watched = vim.tbl_get(c.capabilities, 'workspace', 'didChangeWatchedFiles', 'dynamicRegistration')
  assert(watched ~= true, 'Neovim was asked to watch files for alchemy-ls')
  local a_file = ws .. '/src/workerA.ts'
  local a_buf = vim.fn.bufnr(a_file)
  if a_buf ~= -1 then
    vim.cmd('bwipeout! ' .. a_buf)
  end
  local before = non_host_message(b_buf)
  assert(before, 'no from-non-host in workerB.ts')
  local original = vim.fn.readfile(a_file)
  local changed = vim.tbl_map(function(l)
    return (l:gsub('{}, Counter>', '{}, never>'))
  end, original)
  assert(not vim.deep_equal(changed, original), 'workerA.ts has no `{}, Counter>`')
  vim.fn.writefile(changed, a_file)
  local ok, err = pcall(function()
    wait(TIMEOUT, function()
      return non_host_message(b_buf) ~= before
    end, "workerB's from-non-host to change after workerA.ts changed on disk")
  end)
  vim.fn.writefile(original, a_file)
  assert(ok, err)
  wait(TIMEOUT, function()
    return non_host_message(b_buf) == before
  end, "workerB's from-non-host to come back after workerA.ts was restored on disk")
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

check('vim.lsp.completion inserts the host and its import (additionalTextEdits)', function()
  vim.api.nvim_set_current_buf(b_buf)
  local before = vim.api.nvim_buf_get_lines(b_buf, 0, -1, false)
  assert(not table.concat(before, '\n'):find('import { WorkerA }', 1, true), 'WorkerA is already imported')
  local row, col = cursor_on('Counter.from(Api)', #'Counter.from')
  -- `Counter.from|;`, then type `(` as a user does: the server's trigger character.
  vim.api.nvim_buf_set_text(b_buf, row - 1, col, row - 1, col + #'(Api)', { '' })
  vim.api.nvim_win_set_cursor(0, { row, col })
  local ok, err = pcall(function()
    type_until('i(', TIMEOUT, function()
      return #vim.fn.complete_info({ 'items' }).items > 0
    end, 'the completion menu after `Counter.from(`')
    local words = vim.tbl_map(function(i)
      return i.word
    end, vim.fn.complete_info({ 'items' }).items)
    assert(vim.deep_equal(words, { 'WorkerA' }), 'offered: ' .. vim.inspect(words))
    type_until('<C-n><C-y>', TIMEOUT, function()
      return vim.tbl_contains(vim.api.nvim_buf_get_lines(b_buf, 0, -1, false), 'import { WorkerA } from "./workerA.ts";')
    end, 'the import of WorkerA (buffer: ' .. table.concat(vim.api.nvim_buf_get_lines(b_buf, 0, 8, false), ' | ') .. ')')
    local line = vim.api.nvim_buf_get_lines(b_buf, row, row + 1, false)[1]
    assert(line:find('Counter.from(WorkerA', 1, true), 'completed line: ' .. line)
  end)
  type_until('<Esc>', TIMEOUT, function()
    return vim.api.nvim_get_mode().mode == 'n'
  end, 'normal mode')
  vim.api.nvim_buf_set_lines(b_buf, 0, -1, false, before)
  vim.bo[b_buf].modified = false
  assert(ok, err)
end)

check("the user's on_attach runs, and so does the plugin's (code lenses)", function()
  assert(user_attached[b_buf], 'the user on_attach did not run for workerB.ts')
  open('src/counter.ts')
  local bufnr = vim.api.nvim_get_current_buf()
  wait(TIMEOUT, function()
    return user_attached[bufnr] == true
  end, 'the user on_attach for counter.ts')
  local titles
  wait(TIMEOUT, function()
    titles = vim.tbl_map(function(l)
      return l.command and l.command.title or ''
    end, vim.lsp.codelens.get(bufnr))
    return #titles > 0
  end, 'code lenses in counter.ts (the plugin refreshes them on attach)')
  assert(table.concat(titles, ' | '):find('hosted by WorkerA', 1, true), 'lenses: ' .. vim.inspect(titles))
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

check('Go to Host on a wrong .from(Api) says so and offers the real host', function()
  open('src/workerB.ts')
  cursor_on('Counter.from(Api)', #'Counter.from(')
  local prompt, labels
  local original = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    prompt = opts.prompt
    labels = vim.tbl_map(opts.format_item, items)
    on_choice(items[1])
  end
  local ok, err = pcall(vim.cmd, 'AlchemyGoToHost')
  wait(TIMEOUT, function()
    return prompt ~= nil
  end, 'the host picker')
  vim.ui.select = original
  assert(ok, err)
  assert(prompt:find('does not host Counter', 1, true) and prompt:find('WorkerA', 1, true), 'prompt: ' .. prompt)
  assert(vim.deep_equal(labels, { 'Go to WorkerA', 'Go to Api' }), 'choices: ' .. vim.inspect(labels))
  wait(TIMEOUT, function()
    return bufname_ends('/src/workerA.ts')
  end, 'a jump to the real host, src/workerA.ts')
end)

check("references include the host's own `yield* Counter`", function()
  open('src/counter.ts')
  cursor_on('class Counter', #'class ')
  local c = client()
  local params = vim.lsp.util.make_position_params(0, c.offset_encoding)
  params.context = { includeDeclaration = false }
  local res = vim.lsp.buf_request_sync(0, 'textDocument/references', params, TIMEOUT)
  local found = {}
  for _, r in pairs(res or {}) do
    for _, l in ipairs(r.result or {}) do
      local file = vim.fn.fnamemodify(vim.uri_to_fname(l.uri), ':t')
      local line = vim.fn.readfile(vim.uri_to_fname(l.uri))[l.range.start.line + 1]
      table.insert(found, file .. ': ' .. vim.trim(line))
    end
  end
  assert(vim.tbl_contains(found, 'workerA.ts: const counters = yield* Counter;'), vim.inspect(found))
end)

check('inlay hints show the binding after .from(…)', function()
  open('src/workerB.ts')
  local bufnr = vim.api.nvim_get_current_buf()
  -- vim.lsp.inlay_hint draws from a decoration provider, which a headless Neovim (no UI)
  -- never runs: ask the attached client what it would draw.
  vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(bufnr),
    range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 } },
  }
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/inlayHint', params, TIMEOUT)
  local labels = {}
  for _, r in pairs(res or {}) do
    assert(not r.err, vim.inspect(r.err))
    for _, h in ipairs(r.result or {}) do
      local label = h.label
      if type(label) == 'table' then
        label = table.concat(vim.tbl_map(function(p)
          return p.value
        end, label))
      end
      local line = vim.api.nvim_buf_get_lines(bufnr, h.position.line, h.position.line + 1, false)[1]
      table.insert(labels, line:sub(1, h.position.character) .. ' ' .. label)
    end
  end
  assert(
    vim.tbl_contains(labels, '    const counters = yield* Counter.from(Api) → Api · Counter namespace (not hosted there)'),
    vim.inspect(labels)
  )
end)

check(':AlchemyGraph shows the live graph as Mermaid, unsaved edits included', function()
  open('src/workerB.ts')
  local bufnr = vim.api.nvim_get_current_buf()
  local before = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local function graph_text()
    local text
    require('alchemy-ls').graph('mermaid', {
      on_done = function(out)
        text = out and table.concat(vim.api.nvim_buf_get_lines(out, 0, -1, false), '\n') or ''
        if out then
          assert(vim.bo[out].filetype == 'mermaid', 'filetype ' .. vim.bo[out].filetype)
          vim.cmd('close')
        end
      end,
    })
    wait(TIMEOUT, function()
      return text ~= nil
    end, 'the graph')
    return text
  end
  local saved = graph_text()
  assert(saved:find('flowchart LR', 1, true) and saved:find('WorkerB', 1, true), saved)
  assert(saved:find('via Api', 1, true), 'no binding via Api: ' .. saved)
  -- an unsaved edit: WorkerB binds Counter from WorkerA; the graph follows before any save
  vim.api.nvim_set_current_buf(bufnr)
  local row = cursor_on('Counter.from(Api)', #'Counter.from(')
  vim.api.nvim_buf_set_text(bufnr, row - 1, vim.api.nvim_win_get_cursor(0)[2], row - 1, vim.api.nvim_win_get_cursor(0)[2] + 3, { 'WorkerA' })
  local ok, err = pcall(function()
    local text
    wait(TIMEOUT, function()
      text = graph_text()
      return not text:find('via Api', 1, true)
    end, 'the graph to drop the binding via Api')
  end)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, before)
  vim.bo[bufnr].modified = false
  assert(ok, err)
end)

check(':AlchemyGraph outline: one section per stack, wrong relations marked, <CR> opens the site, live', function()
  open('src/workerB.ts')
  local bufnr = vim.api.nvim_get_current_buf()
  local before = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local out
  vim.cmd('AlchemyGraph')
  wait(TIMEOUT, function()
    out = vim.api.nvim_get_current_buf()
    return vim.bo[out].filetype == 'alchemy-graph' and #vim.api.nvim_buf_get_lines(out, 0, -1, false) > 3
  end, 'the outline')
  local function lines()
    return vim.api.nvim_buf_get_lines(out, 0, -1, false)
  end
  local function find(pred)
    for i, l in ipairs(lines()) do
      if pred(l) then
        return i, l
      end
    end
  end
  assert(find(function(l)
    return l:match('^Stack ')
  end), 'no stack section: ' .. vim.inspect(lines()))
  -- the binding of Counter via Api is marked with its rule and message, highlighted
  local row, line = find(function(l)
    return l:find('binds Durable Object Counter via Api', 1, true)
  end)
  assert(row, 'no binding via Api: ' .. vim.inspect(lines()))
  assert(line:find('from-non-host', 1, true), 'the wrong binding is not marked: ' .. line)
  local marks = vim.api.nvim_buf_get_extmarks(out, -1, { row - 1, 0 }, { row - 1, -1 }, { details = true })
  assert(#marks > 0 and marks[1][4].line_hl_group == 'DiagnosticError', 'the wrong binding is not highlighted')
  if mode == 'enable' then
    -- what the outline shows, kept with the VS Code screenshots
    vim.fn.mkdir(repo .. '/tests/artifacts/neovim', 'p')
    vim.fn.writefile(lines(), repo .. '/tests/artifacts/neovim/graph-outline.txt')
  end
  -- a stack filter that matches nothing keeps no section
  local lines_filtered
  require('alchemy-ls').graph('outline', {
    stack = 'no-such-stack',
    on_done = function(b)
      lines_filtered = vim.api.nvim_buf_get_lines(b, 0, -1, false)
      vim.api.nvim_buf_delete(b, { force = true })
    end,
  })
  wait(TIMEOUT, function()
    return lines_filtered ~= nil
  end, 'the filtered outline')
  assert(#lines_filtered == 1, 'a filter matching no stack shows sections: ' .. vim.inspect(lines_filtered))
  -- <CR> on the binding opens its `.from(Api)` site in workerB.ts
  vim.api.nvim_set_current_win(vim.fn.bufwinid(out))
  vim.api.nvim_win_set_cursor(0, { row, 0 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
  wait(TIMEOUT, function()
    return bufname_ends('/src/workerB.ts')
  end, 'a jump to src/workerB.ts (now in ' .. vim.api.nvim_buf_get_name(0) .. ')')
  assert(vim.api.nvim_get_current_line():find('Counter.from(Api)', 1, true), 'not on the site: ' .. vim.api.nvim_get_current_line())
  -- live: an unsaved edit that fixes the binding clears the mark without asking
  local r = cursor_on('Counter.from(Api)', #'Counter.from(')
  local col = vim.api.nvim_win_get_cursor(0)[2]
  vim.api.nvim_buf_set_text(bufnr, r - 1, col, r - 1, col + 3, { 'WorkerA' })
  vim.api.nvim_exec_autocmds('TextChanged', { buffer = bufnr })
  local ok, err = pcall(function()
    wait(TIMEOUT, function()
      return vim.api.nvim_buf_is_valid(out)
        and not find(function(l)
          return l:find('via Api', 1, true)
        end)
        and find(function(l)
          return l:find('binds Durable Object Counter via WorkerA', 1, true)
        end) ~= nil
    end, 'the outline to follow the edit (now: ' .. vim.inspect(vim.api.nvim_buf_is_valid(out) and lines()) .. ')')
  end)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, before)
  vim.bo[bufnr].modified = false
  if vim.api.nvim_buf_is_valid(out) then
    vim.api.nvim_buf_delete(out, { force = true })
  end
  assert(ok, err)
end)

check('a quick fix suppresses a finding on its line', function()
  open('src/workerB.ts')
  local bufnr = vim.api.nvim_get_current_buf()
  local before = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  cursor_on('Counter.from(Api)', #'Counter.from(')
  vim.lsp.buf.code_action({
    filter = function(a)
      return a.title == 'Suppress from-non-host on this line'
    end,
    apply = true,
  })
  local ok, err = pcall(function()
    wait(TIMEOUT, function()
      return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n'):find('// alchemy-ls-disable-next-line from-non-host', 1, true) ~= nil
    end, 'the suppression comment')
    wait(TIMEOUT, function()
      for _, d in ipairs(vim.diagnostic.get(bufnr)) do
        if d.code == 'from-non-host' then
          return false
        end
      end
      return true
    end, 'from-non-host to go')
  end)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, before)
  vim.bo[bufnr].modified = false
  assert(ok, err)
end)

check('fix-all (source.fixAll.alchemy-ls) applies the safe fixes', function()
  vim.fn.writefile({
    'import * as Cloudflare from "alchemy/Cloudflare";',
    'import * as Effect from "effect/Effect";',
    '',
    'class Other {}',
    '',
    'export class Wide extends Cloudflare.Worker<Other>()(',
    '  "Wide",',
    '  { main: import.meta.filename },',
    ') {}',
    '',
    'export default Wide.make(',
    '  Effect.gen(function* () {',
    '    return { fetch: Effect.gen(function* () { return new Response("w"); }) };',
    '  }),',
    ');',
  }, ws .. '/src/wide.ts')
  open('src/wide.ts')
  local bufnr = vim.api.nvim_get_current_buf()
  wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'self-type-mismatch' then
        return true
      end
    end
    return false
  end, 'self-type-mismatch in src/wide.ts')
  vim.lsp.buf.code_action({ context = { only = { 'source.fixAll.alchemy-ls' }, diagnostics = {} }, apply = true })
  wait(TIMEOUT, function()
    return vim.api.nvim_buf_get_lines(bufnr, 5, 6, false)[1] == 'export class Wide extends Cloudflare.Worker<Wide>()('
  end, 'the Self type argument fixed (line: ' .. vim.api.nvim_buf_get_lines(bufnr, 5, 6, false)[1] .. ')')
end)

check('renaming a Durable Object name is refused with the reason', function()
  open('src/counter.ts')
  cursor_on('("Counter")', 3)
  local said
  local original = vim.notify
  vim.notify = function(msg, ...)
    said = (said or '') .. msg
    return original(msg, ...)
  end
  vim.lsp.buf.rename('Tally')
  local ok, err = pcall(wait, TIMEOUT, function()
    return said ~= nil
  end, 'the refusal')
  vim.notify = original
  assert(ok, err)
  assert(said:find('new, empty namespace', 1, true), 'said: ' .. said)
end)

--- A copy of examples/cross-worker on alchemy beta.79 (Alchemy.renamedFrom exists), outside
--- the workspace; `first` is opened and the server waited for.
local function cross_worker(first)
  local src = repo .. '/examples/cross-worker'
  local dir = vim.fn.tempname()
  for _, rel in ipairs({ 'package.json', 'tsconfig.json', 'alchemy.run.ts', 'src/object.ts', 'src/workerA.ts', 'src/workerB.ts' }) do
    vim.fn.mkdir(vim.fs.dirname(dir .. '/' .. rel), 'p')
    local lines = vim.fn.readfile(src .. '/' .. rel)
    if rel == 'package.json' then
      lines = vim.tbl_map(function(l)
        return (l:gsub('2%.0%.0%-beta%.%d+', '2.0.0-beta.79'))
      end, lines)
    end
    vim.fn.writefile(lines, dir .. '/' .. rel)
  end
  vim.cmd.edit(vim.fn.fnameescape(dir .. '/' .. first))
  wait(TIMEOUT, function()
    local c = vim.lsp.get_clients({ bufnr = 0, name = 'alchemy_ls' })[1]
    return c ~= nil and c.initialized
  end, 'alchemy_ls in the cross-worker copy')
  return dir
end

--- The text of a file's buffer (loaded by a workspace edit), or '' while it is not loaded.
local function buffer_text(file)
  local b = vim.fn.bufadd(file)
  if not vim.api.nvim_buf_is_loaded(b) then
    return ''
  end
  return table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
end

check("renaming a Worker's id adds renamedFrom to the stack's yield*", function()
  local dir = cross_worker('src/workerA.ts')
  cursor_on('"WorkerA"', 2)
  vim.lsp.buf.rename('EdgeWorker')
  wait(TIMEOUT, function()
    return buffer_text(dir .. '/alchemy.run.ts'):find('yield* WorkerA.pipe(Alchemy.renamedFrom("WorkerA"))', 1, true) ~= nil
  end, 'renamedFrom in alchemy.run.ts')
  assert(vim.api.nvim_get_current_line():find('"EdgeWorker"', 1, true), 'id line: ' .. vim.api.nvim_get_current_line())
end)

check('renaming a Worker class renames it in every file, the id stays', function()
  local dir = cross_worker('src/workerB.ts')
  cursor_on('.from(WorkerA)', 8)
  vim.lsp.buf.rename('EdgeApi')
  wait(TIMEOUT, function()
    local a = buffer_text(dir .. '/src/workerA.ts')
    local stack = buffer_text(dir .. '/alchemy.run.ts')
    return a:find('export class EdgeApi extends Cloudflare.Worker<EdgeApi, {}, Counter>()(\n  "WorkerA",', 1, true) ~= nil
      and a:find('export default EdgeApi.make(', 1, true) ~= nil
      and stack:find('import WorkerALive, { EdgeApi } from "./src/workerA.ts";', 1, true) ~= nil
      and stack:find('const a = yield* EdgeApi;', 1, true) ~= nil
  end, 'the class renamed in src/workerA.ts and alchemy.run.ts')
  local b = buffer_text(dir .. '/src/workerB.ts')
  assert(b:find('import { EdgeApi } from "./workerA.ts";', 1, true), 'workerB.ts: ' .. b)
  assert(b:find('Counter.from(EdgeApi)', 1, true), 'workerB.ts: ' .. b)
  assert(not buffer_text(dir .. '/alchemy.run.ts'):find('renamedFrom', 1, true), 'a class rename adds no renamedFrom')
end)

--- A directory of TypeScript files outside the workspace: { [relative path] = content }.
local function project(files)
  local dir = vim.fn.tempname()
  for rel, content in pairs(files) do
    local file = dir .. '/' .. rel
    vim.fn.mkdir(vim.fs.dirname(file), 'p')
    vim.fn.writefile(vim.split(content, '\n'), file)
  end
  return dir
end

local function attached_here()
  return vim.lsp.get_clients({ bufnr = 0, name = 'alchemy_ls' })[1]
end

check('stays out of TypeScript projects that are not Alchemy', function()
  local dir = project({
    ['package.json'] = '{ "name": "plain", "dependencies": { "zod": "^3" } }',
    ['src/index.ts'] = 'import { readFileSync } from "node:fs";\nexport const x = readFileSync;',
  })
  vim.cmd.edit(vim.fn.fnameescape(dir .. '/src/index.ts'))
  assert(vim.bo.filetype == 'typescript', 'filetype is ' .. vim.bo.filetype)
  vim.wait(1500)
  assert(attached_here() == nil, 'alchemy_ls attached to a plain TypeScript file')
end)

check('attaches in a project without alchemy.run.ts: a file importing alchemy, and its package', function()
  local dir = project({
    ['package.json'] = '{ "name": "lib", "devDependencies": { "alchemy": "2.0.0-beta.79" } }',
    ['src/worker.ts'] = 'import * as Cloudflare from "alchemy/Cloudflare";\nexport const W = Cloudflare;',
    ['src/util.ts'] = 'export const one = 1;',
  })
  vim.cmd.edit(vim.fn.fnameescape(dir .. '/src/worker.ts'))
  wait(TIMEOUT, function()
    return attached_here() ~= nil
  end, 'alchemy_ls in src/worker.ts')
  assert(vim.fs.normalize(attached_here().config.root_dir) == vim.fs.normalize(dir), 'root ' .. attached_here().config.root_dir)
  -- A file that imports nothing from alchemy, in a package that depends on it.
  vim.cmd.edit(vim.fn.fnameescape(dir .. '/src/util.ts'))
  wait(TIMEOUT, function()
    return attached_here() ~= nil
  end, 'alchemy_ls in src/util.ts')
end)

check(':AlchemyRestart replaces the server and the diagnostics come back', function()
  vim.cmd.edit(vim.fn.fnameescape(ws .. '/src/workerB.ts'))
  local bufnr = vim.api.nvim_get_current_buf()
  local old = attached_here()
  assert(old, 'alchemy_ls is not attached to workerB.ts')
  local old_id = old.id
  vim.cmd('AlchemyRestart')
  wait(TIMEOUT, function()
    local c = attached_here()
    return vim.lsp.get_client_by_id(old_id) == nil and c ~= nil and c.id ~= old_id and c.initialized
  end, 'a new alchemy_ls client in workerB.ts')
  assert(vim.fs.normalize(attached_here().config.root_dir) == vim.fs.normalize(ws), 'root changed')
  wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'from-non-host' then
        return true
      end
    end
    return false
  end, 'from-non-host from the new server')
end)

say(string.format('%d passed, %d failed', passed, failed))
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop(true)
end
os.exit(failed == 0 and passed > 0 and 0 or 1)
end

vim.schedule(function()
  resume(coroutine.create(main))
end)
