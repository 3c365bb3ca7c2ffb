-- alchemy-ls for Neovim 0.11+: put this directory on 'runtimepath' and call
--   vim.lsp.enable('alchemy_ls')
-- Override anything with vim.lsp.config('alchemy_ls', { ... }), e.g.
--   vim.lsp.config('alchemy_ls', { settings = { ['alchemy-ls'] = { rules = { ['duplicate-host'] = 'off' } } } })
-- or use require('alchemy-ls').setup({ ... }), which works on 0.10 as well.
-- `on_attach` is left to you: the plugin's own per-buffer setup (code lenses) runs from an
-- LspAttach autocommand (plugin/alchemy-ls.lua).

---@type vim.lsp.Config
return {
  cmd = { 'alchemy-ls', 'serve' },
  filetypes = { 'typescript', 'typescriptreact' },
  -- Only in Alchemy projects (an alchemy.run.ts or alchemy-ls.toml at or above the file, a file
  -- importing alchemy, or a package.json depending on it); the root is the nearest of
  -- alchemy.run.ts, alchemy-ls.toml, package.json, .git. See require('alchemy-ls').alchemy_root.
  root_dir = function(bufnr, on_dir)
    require('alchemy-ls').root_dir(bufnr, on_dir)
  end,
  -- The server asks for section `alchemy-ls` (workspace/configuration) and also reads
  -- init_options: { rules = {...}, packages = {...}, ignore = {...}, features = {...} }.
  -- Files that are not open changing on disk (a git checkout, a generator): Neovim watches
  -- them for alchemy-ls on macOS and Windows; on Linux, where it does not, alchemy-ls watches
  -- them itself. See require('alchemy-ls').capabilities.
  capabilities = require('alchemy-ls').capabilities,
  settings = { ['alchemy-ls'] = vim.empty_dict() },
  init_options = vim.empty_dict(),
  before_init = function(params, config)
    -- Keep init_options in step with settings when only `settings` was overridden.
    local section = config.settings and config.settings['alchemy-ls']
    if section and (params.initializationOptions == nil or vim.tbl_isempty(params.initializationOptions)) then
      params.initializationOptions = section
    end
  end,
}
