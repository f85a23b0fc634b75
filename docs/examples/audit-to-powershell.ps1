# Pipe SmbSign's JSON into PowerShell objects: the failing machines of a fleet and their failing CIS items.
#   pwsh -File docs/examples/audit-to-powershell.ps1 -Path samples/fleet
param(
    [Parameter(Mandatory)] [string] $Path,
    [string] $SmbSign = 'smbsign'
)

$json = & $SmbSign audit $Path --format json
if ($LASTEXITCODE -eq 2) { throw "smbsign could not read $Path" }   # 0 = all pass, 1 = failures, 2 = bad input
$report = $json | Out-String | ConvertFrom-Json

$report.machines |
    Where-Object { $_.verdict -eq 'fail' } |
    ForEach-Object {
        $machine = $_
        $machine.results | Where-Object { $_.status -eq 'fail' } | ForEach-Object {
            [pscustomobject]@{
                Machine   = $machine.name
                Item      = $_.item
                Setting   = $_.setting
                Expected  = $_.expected
                Effective = $_.effective
                Reason    = $_.reason
            }
        }
    } |
    Sort-Object Machine, Item |
    Format-Table -AutoSize
