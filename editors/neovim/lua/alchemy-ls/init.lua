-- alchemy-ls for Neovim: setup() for 0.10 and 0.11+, Go to Host, restart, the code lens
-- command, and the check that starts the server only in Alchemy projects.
local M = {}

M.name = 'alchemy_ls'
M.filetypes = { 'typescript', 'typescriptreact' }
M.root_markers = { 'alchemy.run.ts', 'alchemy-ls.toml', 'package.json', '.git' }
--- Packages whose import makes a file Alchemy (the server's defaults); `packages` in the
--- settings adds to them.
M.default_packages = { 'alchemy', '@oddlynew/alchemy' }

local has_011 = vim.fn.has('nvim-0.11') == 1

-- JSON object maps must not be encoded as `[]` when empty.
local function as_object(t)
  if t == nil or vim.tbl_isempty(t) then
    return vim.empty_dict()
  end
  return t
end

--- The `alchemy-ls` settings object the server reads (rules, packages, ignore, features,
--- inlayHints).
---@param s table|nil
---@return table
function M.normalize_settings(s)
  s = s or {}
  local out = {}
  out.rules = as_object(s.rules)
  if s.packages then
    out.packages = s.packages
  end
  if s.ignore then
    out.ignore = s.ignore
  end
  out.features = as_object(s.features)
  if s.inlayHints then
    out.inlayHints = s.inlayHints
  end
  return out
end

local function get_clients(filter)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get(filter)
end

--- Extra packages from the settings: those given to setup(), else those of vim.lsp.config.
local function extra_packages()
  if M.settings_packages then
    return M.settings_packages
  end
  local ok, config = pcall(function()
    return vim.lsp.config and vim.lsp.config[M.name]
  end)
  local section = ok and config and config.settings and config.settings['alchemy-ls']
  return section and section.packages or {}
end

local function is_alchemy_module(module, packages)
  for _, pkg in ipairs(packages) do
    if module == pkg or module:sub(1, #pkg + 1) == pkg .. '/' then
      return true
    end
  end
  return false
end

--- Whether the first lines of `lines` import one of `packages` (or a subpath of it).
---@param lines string[]
---@param packages string[]
function M.imports_alchemy(lines, packages)
  for i = 1, math.min(#lines, 200) do
    local line = lines[i]
    for _, pattern in ipairs({ 'from%s*["\']([^"\']+)["\']', '^%s*import%s*["\']([^"\']+)["\']', 'require%(%s*["\']([^"\']+)["\']' }) do
      local module = line:match(pattern)
      if module and is_alchemy_module(module, packages) then
        return true
      end
    end
  end
  return false
end

--- Whether `dir/package.json` depends on one of `packages`.
local function package_json_depends(dir, packages)
  local file = dir and vim.fs.joinpath(dir, 'package.json')
  if not file or vim.fn.filereadable(file) ~= 1 then
    return false
  end
  local ok, pkg = pcall(vim.json.decode, table.concat(vim.fn.readfile(file), '\n'))
  if not ok or type(pkg) ~= 'table' then
    return false
  end
  for _, field in ipairs({ 'dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies' }) do
    local deps = pkg[field]
    if type(deps) == 'table' then
      for _, name in ipairs(packages) do
        if deps[name] ~= nil then
          return true
        end
      end
    end
  end
  return false
end

--- The root directory to start alchemy-ls in for `bufnr`, or nil when the buffer is not part
--- of an Alchemy project. Like the VS Code extension, alchemy-ls stays out of other TypeScript
--- projects. A buffer belongs to an Alchemy project when an `alchemy.run.ts` or
--- `alchemy-ls.toml` is at or above it, when it imports `alchemy` (or a package of the
--- `packages` setting), when the nearest `package.json` depends on one of them, or when
--- alchemy-ls already runs for its root. The root is the nearest of `root_markers`, in order.
---@param bufnr integer
---@param markers? string[]
---@return string|nil
function M.alchemy_root(bufnr, markers)
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  local dir = vim.fs.dirname(name)
  local function root_of(list)
    if vim.fs.root then
      return vim.fs.root(bufnr, list)
    end
    for _, marker in ipairs(list) do
      local found = vim.fs.find(marker, { path = dir, upward = true })[1]
      if found then
        return vim.fs.dirname(found)
      end
    end
    return nil
  end
  local root = root_of(markers or M.root_markers) or dir
  if root_of({ 'alchemy.run.ts', 'alchemy-ls.toml' }) then
    return root
  end
  local packages = vim.list_extend(vim.deepcopy(M.default_packages), extra_packages())
  if M.imports_alchemy(vim.api.nvim_buf_get_lines(bufnr, 0, 200, false), packages) then
    return root
  end
  if package_json_depends(root_of({ 'package.json' }), packages) then
    return root
  end
  for _, client in ipairs(get_clients({ name = M.name })) do
    if client.config.root_dir and vim.fs.normalize(client.config.root_dir) == vim.fs.normalize(root) then
      return root
    end
  end
  return nil
end

--- The `root_dir` function of the client configuration (Neovim 0.11+): attaches only to
--- buffers of Alchemy projects.
function M.root_dir(bufnr, on_dir)
  local root = M.alchemy_root(bufnr)
  if root then
    on_dir(root)
  end
end

local function request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function client_for(bufnr)
  return get_clients({ bufnr = bufnr, name = M.name })[1]
end

local function jump(location, encoding)
  if vim.lsp.util.show_document then
    vim.lsp.util.show_document(location, encoding, { focus = true })
  else
    vim.lsp.util.jump_to_location(location, encoding, true)
  end
end

local function describe(location)
  local uri = location.uri or location.targetUri
  local range = location.range or location.targetSelectionRange
  return string.format('%s:%d', vim.fn.fnamemodify(vim.uri_to_fname(uri), ':~:.'), range.start.line + 1)
end

--- Offers `choices` ({ label, location }) with vim.ui.select, after `message`.
local function offer(message, choices, encoding, on_done)
  vim.ui.select(choices, {
    prompt = message,
    format_item = function(c)
      return c.label
    end,
  }, function(choice)
    if choice then
      jump(choice.location, encoding)
    end
    if on_done then
      on_done()
    end
  end)
end

--- Jump to the Worker(s) hosting the resource under the cursor (`alchemy/goToHost`, or
--- `alchemy/hosts` on an older server). One host: jump; several: vim.ui.select; an invalid
--- `.from(Api)` or a resource no Worker hosts: the server's message, with the real host(s)
--- (and the named Worker) to pick from.
---@param opts? { bufnr?: integer, on_done?: fun(result: table) }
function M.go_to_host(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    vim.notify('alchemy-ls is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  local encoding = client.offset_encoding
  local params = vim.lsp.util.make_position_params(0, encoding)
  local function done(result)
    if opts.on_done then
      opts.on_done(result)
    end
  end
  local function handle(result)
    local hosts = result.hosts or {}
    if result.message and result.message ~= vim.NIL then
      local choices = {}
      for _, h in ipairs(hosts) do
        table.insert(choices, { label = 'Go to ' .. (h.name ~= '' and h.name or describe(h.location)), location = h.location })
      end
      if result.named and result.named ~= vim.NIL then
        table.insert(choices, { label = 'Go to ' .. result.named.name, location = result.named.location })
      end
      if #choices == 0 then
        vim.notify('alchemy-ls: ' .. result.message, vim.log.levels.INFO)
        return done(result)
      end
      return offer('alchemy-ls: ' .. result.message, choices, encoding, function()
        done(result)
      end)
    end
    if #hosts == 0 then
      vim.notify('alchemy-ls: no host found at the cursor', vim.log.levels.INFO)
    elseif #hosts == 1 then
      jump(hosts[1].location, encoding)
    else
      local choices = vim.tbl_map(function(h)
        return { label = describe(h.location), location = h.location }
      end, hosts)
      return offer('Go to Host', choices, encoding, function()
        done(result)
      end)
    end
    done(result)
  end
  request(client, 'alchemy/goToHost', params, function(err, result)
    if err and err.code == -32601 then
      -- An older server: only the locations.
      return request(client, 'alchemy/hosts', params, function(err2, locations)
        if err2 then
          vim.notify('alchemy-ls: Go to Host failed: ' .. (err2.message or vim.inspect(err2)), vim.log.levels.ERROR)
          return
        end
        handle({ hosts = vim.tbl_map(function(l)
          return { name = '', location = l }
        end, locations or {}) })
      end, bufnr)
    end
    if err then
      vim.notify('alchemy-ls: Go to Host failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    handle(result or { hosts = {} })
  end, bufnr)
end

--- The client-side command of the server's code lenses: arguments { uri, position, locations }.
local function show_locations(command, ctx)
  local args = command.arguments or {}
  local locations = args[3] or {}
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local encoding = client and client.offset_encoding or 'utf-16'
  if #locations == 1 then
    jump(locations[1], encoding)
    return
  end
  local items = vim.lsp.util.locations_to_items(locations, encoding)
  vim.fn.setqflist({}, ' ', { title = command.title or 'alchemy-ls', items = items })
  vim.cmd('botright copen')
end

vim.lsp.commands['alchemy-ls.showLocations'] = show_locations

--- What the plugin does in a buffer alchemy-ls attached to. Run from an `LspAttach` autocommand
--- (plugin/alchemy-ls.lua), so that the client's `on_attach` stays the user's: whatever the user
--- sets with vim.lsp.config('alchemy_ls' or '*', { on_attach = ... }) or setup({ on_attach = ... })
--- runs, and so does this.
function M.attach(client, bufnr)
  -- Code lenses (hosts / consumers counts), refreshed as the buffer changes.
  if client.server_capabilities.codeLensProvider and vim.lsp.codelens then
    local group = vim.api.nvim_create_augroup('alchemy-ls-codelens-' .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = group,
      buffer = bufnr,
      callback = function()
        pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
      end,
    })
    pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
  end
end

--- Registers the `LspAttach` autocommand that runs M.attach for alchemy-ls clients (idempotent).
function M.register_attach()
  local group = vim.api.nvim_create_augroup('alchemy-ls-attach', { clear = true })
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    callback = function(ev)
      local client = vim.lsp.get_client_by_id(ev.data.client_id)
      if client and client.name == M.name then
        M.attach(client, ev.buf)
      end
    end,
  })
end

local function call(client, method, ...)
  if has_011 then
    return client[method](client, ...)
  end
  return client[method](...)
end

--- Restarts alchemy-ls: stops every alchemy-ls client and starts each again, with the same
--- configuration, in the buffers it was attached to. `on_done(clients)` runs once the new
--- clients are initialized (or after the timeout, with what started).
---@param opts? { on_done?: fun(clients: table), timeout_ms?: integer }
--- The stack graph of the server's current analysis (open buffers included), in a new scratch
--- buffer. `outline` (default): a navigable outline, one section per stack (`stack` keeps only
--- the stacks whose name or id contains it), each Worker it deploys with what it hosts and
--- binds, wrong relations highlighted with their diagnostic; <CR> opens a line's declaration or
--- site, `r` refreshes, `q` closes, and it follows the analysis while it is shown (edits,
--- saves, diagnostics). `mermaid`/`dot`: what `alchemy-ls graph --format mermaid|dot` prints for
--- the first root, with unsaved edits (filetype `mermaid` or `dot`).
---@param format? 'outline'|'mermaid'|'dot' default 'outline'
---@param opts? { bufnr?: integer, stack?: string, on_done?: fun(bufnr: integer|nil) }
function M.graph(format, opts)
  opts = opts or {}
  format = (format == nil or format == '') and 'outline' or format
  if format ~= 'outline' and format ~= 'mermaid' and format ~= 'dot' then
    vim.notify('alchemy-ls: :AlchemyGraph takes outline, mermaid or dot, not ' .. format, vim.log.levels.ERROR)
    return
  end
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr) or get_clients({ name = M.name })[1]
  if not client then
    vim.notify('alchemy-ls is not running', vim.log.levels.WARN)
    return
  end
  if format == 'outline' then
    return M.outline(client, opts)
  end
  request(client, 'alchemy/graph', { format = format }, function(err, result)
    if err or type(result) ~= 'string' then
      vim.notify('alchemy-ls: the graph failed: ' .. (err and err.message or vim.inspect(result)), vim.log.levels.ERROR)
      if opts.on_done then
        opts.on_done(nil)
      end
      return
    end
    vim.cmd('new')
    local out = vim.api.nvim_get_current_buf()
    vim.bo[out].buftype = 'nofile'
    vim.bo[out].bufhidden = 'wipe'
    vim.bo[out].swapfile = false
    vim.api.nvim_buf_set_lines(out, 0, -1, false, vim.split(result, '\n', { trimempty = true }))
    vim.bo[out].filetype = format
    vim.bo[out].modified = false
    if opts.on_done then
      opts.on_done(out)
    end
  end, bufnr)
end

--- The outline view of `:AlchemyGraph` (see M.graph).
---@param opts { stack?: string, on_done?: fun(bufnr: integer|nil) }
function M.outline(client, opts)
  local outline = require('alchemy-ls.outline')
  local from = vim.api.nvim_get_current_win()
  local buf
  local function fetch(on_done)
    request(client, 'alchemy/graph', vim.empty_dict(), function(err, result)
      if not (buf and vim.api.nvim_buf_is_valid(buf)) then
        return
      end
      if err or type(result) ~= 'table' then
        vim.notify('alchemy-ls: the graph failed: ' .. (err and err.message or vim.inspect(result)), vim.log.levels.ERROR)
      else
        outline.fill(buf, result, opts.stack)
      end
      if on_done then
        on_done(buf)
      end
    end)
  end
  vim.cmd('new')
  buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.bo[buf].filetype = 'alchemy-graph'
  vim.api.nvim_buf_set_name(buf, 'alchemy-ls://graph/' .. buf)
  outline.buffers[buf] = { from = from, locations = {} }
  local encoding = client.offset_encoding
  local map = function(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = buf, nowait = true, silent = true, desc = desc })
  end
  map('<CR>', function()
    outline.open_line(buf, encoding)
  end, 'alchemy-ls: open the declaration or site of this line')
  map('r', function()
    fetch()
  end, 'alchemy-ls: refresh the graph')
  map('q', '<cmd>close<cr>', 'alchemy-ls: close the graph')
  -- Follow the analysis while shown: after edits (once the server has them), saves and
  -- new diagnostics, at most every 300 ms.
  local group = vim.api.nvim_create_augroup('alchemy-ls-outline-' .. buf, { clear = true })
  local pending = false
  vim.api.nvim_create_autocmd({ 'DiagnosticChanged', 'TextChanged', 'TextChangedI', 'BufWritePost' }, {
    group = group,
    callback = function(ev)
      if ev.buf == buf or pending then
        return
      end
      pending = true
      vim.defer_fn(function()
        pending = false
        if vim.api.nvim_buf_is_valid(buf) then
          fetch()
        end
      end, 300)
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = buf,
    callback = function()
      outline.buffers[buf] = nil
      pcall(vim.api.nvim_del_augroup_by_id, group)
    end,
  })
  fetch(opts.on_done)
  return buf
end

function M.restart(opts)
  opts = opts or {}
  local old = get_clients({ name = M.name })
  if #old == 0 then
    -- Nothing to restart: start for the current buffer if it belongs to an Alchemy project.
    vim.notify('alchemy-ls is not running; starting it for this buffer', vim.log.levels.INFO)
    vim.cmd('doautocmd <nomodeline> FileType')
    return
  end
  local restarts = {}
  for _, client in ipairs(old) do
    table.insert(restarts, { id = client.id, client = client, config = client.config, buffers = vim.tbl_keys(client.attached_buffers) })
    call(client, 'stop')
  end
  local deadline = vim.uv.now() + (opts.timeout_ms or 5000)
  local timer = assert(vim.uv.new_timer())
  timer:start(50, 50, vim.schedule_wrap(function()
    local waiting = false
    for _, r in ipairs(restarts) do
      -- Gone from the client list (not merely closing), so that vim.lsp.start does not reuse it.
      if vim.lsp.get_client_by_id(r.id) ~= nil then
        waiting = true
        if vim.uv.now() > deadline then
          call(r.client, 'stop', true)
        end
      end
    end
    if waiting or timer:is_closing() then
      return
    end
    timer:stop()
    timer:close()
    local new = {}
    for _, r in ipairs(restarts) do
      local id
      for _, bufnr in ipairs(r.buffers) do
        if vim.api.nvim_buf_is_valid(bufnr) then
          id = vim.lsp.start(r.config, { bufnr = bufnr }) or id
        end
      end
      local c = id and vim.lsp.get_client_by_id(id)
      if c then
        table.insert(new, c)
      end
    end
    vim.notify(string.format('alchemy-ls restarted (%d client%s)', #new, #new == 1 and '' or 's'), vim.log.levels.INFO)
    if opts.on_done then
      opts.on_done(new)
    end
  end))
end

--- The client configuration (shared by the 0.10 and 0.11 paths).
--- The client capabilities the plugin adds: none by default. alchemy-ls must see files that
--- are not open change on disk (a git checkout, a generator); Neovim watches files for language
--- servers on macOS and Windows, and where it does not (Linux) alchemy-ls watches them itself
--- (inotify, with the project's ignore rules: never node_modules). `watch_files = 'neovim'` in
--- setup() declares Neovim's watcher instead (on Linux it needs `inotifywait`, and watches
--- node_modules too).
M.capabilities = {}

--- The capability that has Neovim watch files for alchemy-ls.
M.neovim_watches = { workspace = { didChangeWatchedFiles = { dynamicRegistration = true } } }

---@param opts? { cmd?: string[], settings?: table, root_markers?: string[], filetypes?: string[], on_attach?: function, capabilities?: table, watch_files?: boolean|'neovim' }
function M.config(opts)
  opts = opts or {}
  local settings = M.normalize_settings(opts.settings)
  M.settings_packages = settings.packages
  local markers = opts.root_markers or M.root_markers
  local capabilities = opts.capabilities
  if opts.watch_files == 'neovim' then
    capabilities = vim.tbl_deep_extend('force', M.neovim_watches, opts.capabilities or {})
  end
  return {
    cmd = opts.cmd or { 'alchemy-ls', 'serve' },
    filetypes = opts.filetypes or M.filetypes,
    root_markers = markers,
    root_dir = function(bufnr, on_dir)
      local root = M.alchemy_root(bufnr, markers)
      if root then
        on_dir(root)
      end
    end,
    settings = { ['alchemy-ls'] = settings },
    init_options = settings,
    capabilities = capabilities,
    -- The user's, untouched: the plugin's own part runs from LspAttach (M.attach).
    on_attach = opts.on_attach,
  }
end

--- Start alchemy-ls for TypeScript buffers. On 0.11+ this is vim.lsp.config + vim.lsp.enable;
--- on 0.10 a FileType autocommand with vim.lsp.start.
---@param opts? table see M.config
function M.setup(opts)
  local config = M.config(opts)
  M.register_attach()
  if has_011 and vim.lsp.config and vim.lsp.enable then
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
    return
  end
  local function start(bufnr)
    local root = M.alchemy_root(bufnr, config.root_markers)
    if not root then
      return
    end
    vim.lsp.start({
      name = M.name,
      cmd = config.cmd,
      root_dir = root,
      settings = config.settings,
      init_options = config.init_options,
      capabilities = config.capabilities,
      on_attach = config.on_attach,
    }, { bufnr = bufnr })
  end
  local group = vim.api.nvim_create_augroup('alchemy-ls', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(ev)
      start(ev.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      start(bufnr)
    end
  end
end

return M
