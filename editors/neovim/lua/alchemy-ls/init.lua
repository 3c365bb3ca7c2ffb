-- alchemy-ls for Neovim: setup() for 0.10 and 0.11+, Go to Host, and the code lens command.
local M = {}

M.name = 'alchemy_ls'
M.filetypes = { 'typescript', 'typescriptreact' }
M.root_markers = { 'alchemy.run.ts', 'alchemy-ls.toml', 'package.json', '.git' }

local has_011 = vim.fn.has('nvim-0.11') == 1

-- JSON object maps must not be encoded as `[]` when empty.
local function as_object(t)
  if t == nil or vim.tbl_isempty(t) then
    return vim.empty_dict()
  end
  return t
end

--- The `alchemy-ls` settings object the server reads (rules, packages, ignore, features).
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
  return out
end

local function request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function client_for(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = bufnr, name = M.name })[1]
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

--- Jump to the Worker(s) hosting the resource under the cursor (`alchemy/hosts`).
--- One host: jump; several: vim.ui.select; none: a message.
---@param opts? { bufnr?: integer, on_done?: fun(locations: table) }
function M.go_to_host(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    vim.notify('alchemy-ls is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  request(client, 'alchemy/hosts', params, function(err, result)
    if err then
      vim.notify('alchemy-ls: Go to Host failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    local locations = result or {}
    if #locations == 0 then
      vim.notify('alchemy-ls: no Worker hosts ' .. vim.fn.expand('<cword>'), vim.log.levels.INFO)
    elseif #locations == 1 then
      jump(locations[1], client.offset_encoding)
    else
      vim.ui.select(locations, {
        prompt = 'Go to Host',
        format_item = describe,
      }, function(choice)
        if choice then
          jump(choice, client.offset_encoding)
        end
      end)
    end
    if opts.on_done then
      opts.on_done(locations)
    end
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

function M.on_attach(client, bufnr)
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
  if M.user_on_attach then
    M.user_on_attach(client, bufnr)
  end
end

--- The client configuration (shared by the 0.10 and 0.11 paths).
---@param opts? { cmd?: string[], settings?: table, root_markers?: string[], filetypes?: string[], on_attach?: function, capabilities?: table }
function M.config(opts)
  opts = opts or {}
  local settings = M.normalize_settings(opts.settings)
  M.user_on_attach = opts.on_attach
  return {
    cmd = opts.cmd or { 'alchemy-ls', 'serve' },
    filetypes = opts.filetypes or M.filetypes,
    root_markers = opts.root_markers or M.root_markers,
    settings = { ['alchemy-ls'] = settings },
    init_options = settings,
    capabilities = opts.capabilities,
    on_attach = M.on_attach,
  }
end

local function find_root(bufnr, markers)
  if vim.fs.root then
    return vim.fs.root(bufnr, markers)
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local found = vim.fs.find(markers, { path = vim.fs.dirname(name), upward = true })[1]
  return found and vim.fs.dirname(found) or nil
end

--- Start alchemy-ls for TypeScript buffers. On 0.11+ this is vim.lsp.config + vim.lsp.enable;
--- on 0.10 a FileType autocommand with vim.lsp.start.
---@param opts? table see M.config
function M.setup(opts)
  local config = M.config(opts)
  if has_011 and vim.lsp.config and vim.lsp.enable then
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
    return
  end
  local function start(bufnr)
    if vim.bo[bufnr].buftype ~= '' then
      return
    end
    local root = find_root(bufnr, config.root_markers)
      or vim.fs.dirname(vim.api.nvim_buf_get_name(bufnr))
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
