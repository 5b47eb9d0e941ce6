# What Windows PowerShell 5.1 cannot run, in the .ps1 files named: azd runs the Windows hooks there when
# pwsh is missing. Parsed with PowerShell's own parser; one line per finding ("<file>:<line>: <what>"),
# none when every file runs on 5.1 as well as on 7.
foreach ($path in $args) {
  $tokens = $null
  $errors = $null
  $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$tokens, [ref]$errors)
  foreach ($e in $errors) { "$($path):$($e.Extent.StartLineNumber): does not parse: $($e.Message)" }
  # 5.1's Join-Path takes one parent and one child; more parts came with PowerShell 6.
  $joins = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'Join-Path' }, $true)
  foreach ($join in $joins) {
    $parts = @($join.CommandElements | Select-Object -Skip 1 | Where-Object { $_ -isnot [System.Management.Automation.Language.CommandParameterAst] })
    if ($parts.Count -gt 2) { "$($path):$($join.Extent.StartLineNumber): Join-Path with $($parts.Count) parts: $($join.Extent.Text)" }
  }
  # Operators PowerShell 7 added: a ? b : c, a ?? b, a ??= b, a && b, a || b.
  $newer = $ast.FindAll({
      param($n)
      $n.GetType().Name -in 'TernaryExpressionAst', 'PipelineChainAst' -or
      ($n -is [System.Management.Automation.Language.BinaryExpressionAst] -and "$($n.Operator)" -eq 'QuestionQuestion') -or
      ($n -is [System.Management.Automation.Language.AssignmentStatementAst] -and "$($n.Operator)" -eq 'QuestionQuestionEquals')
    }, $true)
  foreach ($node in $newer) { "$($path):$($node.Extent.StartLineNumber): PowerShell 7 only: $($node.Extent.Text)" }
}
