-- User commands of alchemy-ls and its LspAttach hook (the client itself is started by
-- vim.lsp.enable('alchemy_ls') on Neovim 0.11+, or require('alchemy-ls').setup()).
if vim.g.loaded_alchemy_ls then
  return
end
vim.g.loaded_alchemy_ls = true

require('alchemy-ls').register_attach()

vim.api.nvim_create_user_command('AlchemyGoToHost', function()
  require('alchemy-ls').go_to_host()
end, { desc = 'alchemy-ls: jump to the Worker hosting the resource under the cursor' })

vim.api.nvim_create_user_command('AlchemyRestart', function()
  require('alchemy-ls').restart()
end, { desc = 'alchemy-ls: restart the language server' })

vim.api.nvim_create_user_command('AlchemyGraph', function(args)
  local format, stack = args.fargs[1], args.fargs[2]
  require('alchemy-ls').graph(format, { stack = stack })
end, {
  nargs = '*',
  complete = function(_, line)
    if #vim.split(line, '%s+', { trimempty = true }) <= 2 then
      return { 'outline', 'mermaid', 'dot' }
    end
    return {}
  end,
  desc = 'alchemy-ls: the stack graph (unsaved edits included): a navigable outline, or Mermaid/DOT, in a scratch buffer',
})
