# Take a PoolMon snapshot every N minutes, each after an ISO 8601 timestamp line, in ASCII,
# ready for `poolscan analyze poolmon.log`. Stop with Ctrl+C.
#   .\capture.ps1 -Minutes 5 -Log poolmon.log
# Needs poolmon.exe on the PATH (WDK: Windows Kits\10\Tools\<version>\x64).
param(
    [int]$Minutes = 5,
    [string]$Log = "poolmon.log",
    [string]$PoolTag = ""
)
if (-not $PoolTag) {
    $candidates = @(".\pooltag.txt", "${env:ProgramFiles(x86)}\Windows Kits\10\Debuggers\x64\triage\pooltag.txt")
    $PoolTag = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
}
$tagArgs = @()
if ($PoolTag) { $tagArgs = @("/g", $PoolTag) }
Write-Host "Writing a snapshot every $Minutes min to $Log $tagArgs"
while ($true) {
    # ASCII on purpose: Windows PowerShell 5.1 would write UTF-16 with `>>` (poolscan reads both).
    Add-Content -Path $Log -Encoding Ascii -Value ("===== " + (Get-Date -Format "yyyy-MM-ddTHH:mm:ss") + " =====")
    & poolmon -b -r @tagArgs -n $Log
    Start-Sleep -Seconds ($Minutes * 60)
}
