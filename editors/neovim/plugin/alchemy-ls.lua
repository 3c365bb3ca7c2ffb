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
  require('alchemy-ls').graph(args.args)
end, {
  nargs = '?',
  complete = function()
    return { 'mermaid', 'dot' }
  end,
  desc = 'alchemy-ls: the stack graph (unsaved edits included) as Mermaid or DOT in a scratch buffer',
})
