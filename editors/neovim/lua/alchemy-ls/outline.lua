-- The stack graph as a navigable outline (`:AlchemyGraph`): one section per stack, the Workers
-- it deploys with what each hosts and binds, wrong relations marked with their diagnostic.
-- <CR> on a line opens its declaration (a resource) or its site (a `.from`, `yield*`, provide);
-- the outline follows the server's analysis (unsaved edits included) while it is shown.
local M = {}

--- Per outline buffer: the locations of its lines, the window it was opened from.
M.buffers = {}

local KIND = {
  stack = 'Stack',
  worker = 'Worker',
  ['durable-object'] = 'Durable Object',
  ['rpc-durable-object'] = 'Durable Object',
  workflow = 'Workflow',
  container = 'Container',
}

local function kind_name(kind)
  return KIND[kind] or kind
end

local function node_label(node)
  local label = kind_name(node.kind) .. ' ' .. (node.name or node.label or node.id)
  if node.logicalId and node.logicalId ~= node.name then
    label = label .. ' "' .. node.logicalId .. '"'
  end
  return label
end

local function file_of(node)
  return (node.id or ''):match('^(.-)#') or ''
end

--- The outline of `graph` (the `alchemy/graph` JSON result): lines, and for each line the
--- location it opens (or nil) and whether it carries a problem. `stack`: only the stack whose
--- name or id contains it.
---@return string[] lines, table<integer, table> locations, table<integer, boolean> problems
function M.render(graph, stack)
  local nodes, by_id = graph.nodes or {}, {}
  for _, n in ipairs(nodes) do
    by_id[n.id] = n
  end
  local out_edges = {}
  for _, e in ipairs(graph.edges or {}) do
    out_edges[e.from] = out_edges[e.from] or {}
    table.insert(out_edges[e.from], e)
  end
  local lines, locations, problems = {}, {}, {}
  local function add(text, location, problem)
    table.insert(lines, text)
    locations[#lines] = location
    problems[#lines] = problem or nil
  end
  local function edge_line(indent, e)
    local to = by_id[e.to]
    local text = indent .. e.kind .. ' ' .. (to and node_label(to) or e.to)
    local via = e.via and by_id[e.via]
    if via then
      text = text .. ' via ' .. (via.name or via.id)
    end
    local bad = e.problems and #e.problems > 0
    if bad then
      for _, p in ipairs(e.problems) do
        text = text .. '  ✗ ' .. p.rule .. ': ' .. p.message
      end
    end
    add(text, e.location, bad)
  end
  local shown = {}
  local function resource(indent, node)
    shown[node.id] = true
    add(indent .. node_label(node) .. '  (' .. file_of(node) .. ')', node.location)
    for _, e in ipairs(out_edges[node.id] or {}) do
      edge_line(indent .. '  ', e)
    end
  end
  add('alchemy-ls stack graph: <CR> opens, r refreshes, q closes' .. (stack and ('  [stack ' .. stack .. ']') or ''))
  for _, s in ipairs(nodes) do
    local wanted = not stack or (s.name or ''):find(stack, 1, true) or s.id:find(stack, 1, true)
    if s.kind == 'stack' and wanted then
      add('')
      add(node_label(s) .. '  (' .. file_of(s) .. ')', s.location)
      local deployed = {}
      for _, e in ipairs(out_edges[s.id] or {}) do
        edge_line('  ', e)
        if e.kind == 'deploys' and by_id[e.to] and not deployed[e.to] then
          deployed[e.to] = true
        end
      end
      for _, n in ipairs(nodes) do
        if deployed[n.id] then
          resource('  ', n)
        end
      end
    end
  end
  if not stack then
    local first = true
    for _, n in ipairs(nodes) do
      if n.kind ~= 'stack' and not shown[n.id] and (out_edges[n.id] or (n.stacks and #n.stacks == 0)) then
        if first then
          add('')
          add('Not deployed by a stack, or deployed through another Worker')
          first = false
        end
        resource('  ', n)
      end
    end
  end
  return lines, locations, problems
end

local ns = vim.api.nvim_create_namespace('alchemy-ls-outline')

--- Fill `buf` with the outline of `graph`.
function M.fill(buf, graph, stack)
  local lines, locations, problems = M.render(graph, stack)
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  M.buffers[buf] = M.buffers[buf] or {}
  M.buffers[buf].locations = locations
  M.buffers[buf].lines = lines
  vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
  for row, bad in pairs(problems) do
    if bad then
      vim.api.nvim_buf_set_extmark(buf, ns, row - 1, 0, { line_hl_group = 'DiagnosticError' })
    end
  end
  for row, line in ipairs(lines) do
    if not line:match('^%s') and line:match('^Stack ') then
      vim.api.nvim_buf_set_extmark(buf, ns, row - 1, 0, { line_hl_group = 'Title' })
    end
  end
end

--- Open the location of the outline line under the cursor in the window the outline was
--- opened from (or a new split).
function M.open_line(buf, encoding)
  local row = vim.api.nvim_win_get_cursor(0)[1]
  local state = M.buffers[buf] or {}
  local location = (state.locations or {})[row]
  if not location or location == vim.NIL then
    return false
  end
  local from = state.from
  if from and vim.api.nvim_win_is_valid(from) then
    vim.api.nvim_set_current_win(from)
  else
    vim.cmd('split')
  end
  if vim.lsp.util.show_document then
    vim.lsp.util.show_document(location, encoding, { focus = true })
  else
    vim.lsp.util.jump_to_location(location, encoding, true)
  end
  return true
end

return M
