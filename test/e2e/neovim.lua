-- Headless Neovim as a real non-VS-Code LSP client of `policy-lens-language-server --stdio` (test/e2e/neovim.sh).
-- Opens a manifest of the example workspace, waits for the server's diagnostics, asks for a hover, edits the buffer
-- and waits for the new diagnostics, then writes what it saw as JSON to $PL_OUT and quits.
-- Works with Neovim 0.7 (Debian 12: vim.lsp.start_client + buf_attach_client) and 0.8+ (vim.lsp.start).
local ws = os.getenv('PL_WS')
local out = os.getenv('PL_OUT')
local server = os.getenv('PL_SERVER')
local result = { diagnostics = {}, hover = nil, after_edit = {}, errors = {} }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. ws .. '/policies/data.yaml')
  vim.bo.filetype = 'yaml'
  local bufnr = vim.api.nvim_get_current_buf()
  local config = { name = 'policy-lens', cmd = { 'node', server, '--stdio' }, root_dir = ws,
    workspace_folders = { { uri = vim.uri_from_fname(ws), name = 'shop' } } }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  result.client = client_id ~= nil

  local function diags()
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local lsp = d.user_data and d.user_data.lsp or {}
      table.insert(list, { code = lsp.code or d.code, line = d.lnum, col = d.col, source = d.source, message = d.message })
    end
    return list
  end

  vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 100)
  result.diagnostics = diags()

  -- hover on `podSelector` of the peer (0-based line 44): the workloads it selects
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = 44, character = 12 } }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 15000) or {}
  for _, r in pairs(responses) do
    if r.result and r.result.contents then
      local c = r.result.contents
      result.hover = type(c) == 'table' and (c.value or vim.fn.json_encode(c)) or c
    end
  end

  -- an edit: a typo in `ports` (rule key) is flagged after didChange
  vim.api.nvim_buf_set_lines(bufnr, 47, 48, false, { '      portz:' })
  vim.wait(15000, function()
    for _, d in ipairs(diags()) do
      if d.line == 47 then return true end
    end
    return false
  end, 100)
  result.after_edit = diags()
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
